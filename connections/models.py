"""Tenants, their members, and their connections to external systems."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .crypto import EncryptedJSONField, StrictEncryptedTextField
from .registry import get_system, system_choices


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer (read only)"
    FINANCE = "finance", "Finance (edit mappings, approve, replay)"
    ADMIN = "admin", "Admin (also connections and schedules)"

    @classmethod
    def at_least(cls, role: str) -> list[str]:
        """Roles that include every right of `role`."""
        order = [cls.VIEWER, cls.FINANCE, cls.ADMIN]
        return [str(r) for r in order[order.index(role) :]]


class Tenant(models.Model):
    """A customer company. Everything a finance user sees belongs to one."""

    tenant_path = "pk"

    name = models.CharField(max_length=200, unique=True, help_text="Customer company name.")
    slug = models.SlugField(unique=True, help_text="Short identifier used in URLs and logs.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in a tenant."""

    tenant_path = "tenant"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER, help_text="What the user may do.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tenant"], name="one_membership_per_user_tenant")]

    def __str__(self):
        return f"{self.user} - {self.tenant} ({self.role})"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REAUTH_REQUIRED = "reauth_required", "Re-authorisation required"
    DISABLED = "disabled", "Disabled"


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    SANDBOX = "sandbox", "Vendor sandbox"
    SIMULATOR = "simulator", "Local simulator"


class Connection(models.Model):
    """One account at one external system, with its configuration, encrypted secrets and token state."""

    tenant_path = "tenant"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Used in the webhook URL.")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="connections")
    system = models.CharField(max_length=30, choices=system_choices(), help_text="The external system.")
    name = models.CharField(max_length=200, help_text="A name finance staff recognise, e.g. 'Procore - Summit'.")
    environment = models.CharField(max_length=20, choices=Environment.choices, default=Environment.PRODUCTION)
    settings = models.JSONField(default=dict, blank=True, help_text="Configuration, as declared for the system.")
    secrets = EncryptedJSONField(default=dict, blank=True, help_text="Credentials, encrypted at rest.")
    token_state = EncryptedJSONField(default=dict, blank=True, help_text="Cached access/refresh tokens, encrypted.")
    token_expires_at = models.DateTimeField(null=True, blank=True, help_text="When the cached access token expires.")
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE)
    status_reason = models.TextField(blank=True, help_text="Why the connection is not active, in plain words.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant__name", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="unique_connection_name_per_tenant")]

    def __str__(self):
        return f"{self.name} ({self.get_system_display()})"

    def __repr__(self):
        return f"<Connection {self.pk} {self.system} {self.name!r} status={self.status}>"

    def save(self, *args, **kwargs):
        # Configuration is always validated against the registry, also when saved from code.
        if self.system:
            self.settings = get_system(self.system).clean_config(self.settings or {})
        super().save(*args, **kwargs)

    @property
    def is_usable(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE

    @property
    def spec(self):
        return get_system(self.system)

    def clean(self):
        if self.system:
            spec = get_system(self.system)
            try:
                self.settings = spec.clean_config(self.settings or {})
            except ValidationError as exc:
                raise ValidationError([f"Configuration: {message}" for message in exc.messages]) from exc


class EncryptionCanary(models.Model):
    """A known value encrypted with the keys in force, read at start to prove the keys still fit."""

    value = StrictEncryptedTextField()

    def __str__(self):
        return "encryption canary"


class ApiUsage(models.Model):
    """Outbound API call counters per connection, shared by every process (read by /metrics)."""

    tenant_path = "connection__tenant"

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="api_usage")
    calls = models.PositiveBigIntegerField(default=0)
    errors = models.PositiveBigIntegerField(default=0)
    rate_limited = models.PositiveBigIntegerField(default=0)
    last_call_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.connection}: {self.calls} calls"


class LoginFailure(models.Model):
    """A failed sign-in, kept briefly so repeated guesses against one account can be refused (see throttle.py)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.username} from {self.address or '?'} at {self.at:%Y-%m-%d %H:%M:%S}"
