"""Reference data pulled from each side and the maps between them.

Reference records are kept per connection and never deleted: an item a pull no longer lists is marked inactive
with `missing_since`, so a map pointing at it keeps its history and the resolver can say precisely what changed.
Maps belong to an integration and may point only at active reference items of the right side and kind.
"""

import fnmatch
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from connections.models import Connection
from syncs.models import Integration

from .patterns import UnsafePattern, bounded, check_regex


class RefKind(models.TextChoices):
    """Kinds of reference data. Adapters may list others; these are the ones the product knows by name."""

    VENDOR = "vendor", "Vendor"
    ACCOUNT = "account", "GL account"
    SUBACCOUNT = "subaccount", "Subaccount"
    COST_CODE = "cost_code", "Cost code"
    COST_TYPE = "cost_type", "Cost type"
    PROJECT = "project", "Project"
    TASK = "task", "Project task"
    BRANCH = "branch", "Branch"
    LOCATION = "location", "Location"
    DEPARTMENT = "department", "Department"
    CLASS = "class", "Class"
    COST_CENTER = "cost_center", "Cost center"
    COST_UNIT = "cost_unit", "Cost unit"
    CUSTOMER = "customer", "Customer / job"


#: kinds that are never dimensions of a cost-code map row
NON_DIMENSION_KINDS = frozenset({RefKind.VENDOR, RefKind.ACCOUNT})


class ReferenceRecordQuerySet(models.QuerySet):
    def usable(self):
        """Items a map may point at: active and still listed by the system."""
        return self.filter(active=True, missing_since__isnull=True)


class ReferenceRecord(models.Model):
    """One piece of reference data (vendor, GL account, cost code, dimension...) as last listed by a connection."""

    tenant_path = "connection__tenant"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="reference_records", help_text="Where it was listed."
    )
    kind = models.CharField(max_length=30, choices=RefKind.choices, db_index=True, help_text="What it is.")
    native_id = models.CharField(max_length=200, help_text="Its id in the external system.")
    code = models.CharField(max_length=200, blank=True, help_text="The human code, e.g. '03-310' or '6100'.")
    name = models.CharField(max_length=300, blank=True, help_text="Name or description as the system shows it.")
    active = models.BooleanField(default=True, help_text="False when inactive at the source or no longer listed.")
    parent = models.CharField(max_length=200, blank=True, help_text="Native id of the parent, e.g. a task's project.")
    data = models.JSONField(default=dict, blank=True, help_text="Other fields the system returned.")
    first_seen_at = models.DateTimeField(auto_now_add=True, help_text="When a pull first listed it.")
    last_seen_at = models.DateTimeField(default=timezone.now, help_text="When a pull last listed it.")
    missing_since = models.DateTimeField(
        null=True, blank=True, help_text="Set when a pull no longer lists it; it is kept and marked inactive."
    )

    objects = ReferenceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["connection", "kind", "code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "kind", "native_id"], name="one_reference_per_native_id")
        ]
        indexes = [models.Index(fields=["connection", "kind", "code"])]

    def __str__(self):
        return self.label if self.is_usable else f"{self.label} (inactive)"

    @property
    def label(self) -> str:
        """Code and name as finance staff know them, e.g. '5100 Subcontract costs'."""
        parts = [self.code] if self.code else []
        if self.name and self.name != self.code:
            parts.append(self.name)
        return " ".join(parts) or self.native_id

    @property
    def is_usable(self) -> bool:
        return self.active and self.missing_since is None

    def describe(self) -> str:
        """Label with the system and native id, for precise messages."""
        return f"{self.label} ({self.connection.spec.label} id {self.native_id})"


def check_target(ref, connection_id: int, kind: str, field: str) -> None:
    """Raise ValidationError unless `ref` is a usable item of `kind` listed by `connection_id`."""
    if ref is None:
        return
    if ref.connection_id != connection_id:
        raise ValidationError({field: f"{ref} is not listed by this side of the integration."})
    if ref.kind != kind:
        raise ValidationError({field: f"{ref} is a {ref.get_kind_display()}, not a {RefKind(kind).label}."})
    if not ref.is_usable:
        raise ValidationError({field: f"{ref} is inactive or no longer exists."})


class VendorMap(models.Model):
    """A source vendor and the destination vendor it is posted as."""

    tenant_path = "integration__tenant"
    map_kind = "vendor"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="vendor_maps")
    source = models.ForeignKey(
        ReferenceRecord, on_delete=models.PROTECT, related_name="+", help_text="Vendor on the source side."
    )
    destination = models.ForeignKey(
        ReferenceRecord, on_delete=models.PROTECT, related_name="+", help_text="Vendor on the destination side."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["integration", "source__name"]
        constraints = [models.UniqueConstraint(fields=["integration", "source"], name="one_vendor_map_per_source")]

    def __str__(self):
        return f"{self.source} -> {self.destination}"

    def clean(self):
        if not self.integration_id:
            return
        if self.source_id:
            check_target(self.source, self.integration.source_id, RefKind.VENDOR, "source")
        if self.destination_id:
            check_target(self.destination, self.integration.destination_id, RefKind.VENDOR, "destination")

    def snapshot(self) -> dict:
        return {
            "source": _ref_snapshot(self.source if self.source_id else None),
            "destination": _ref_snapshot(self.destination if self.destination_id else None),
        }


class CostCodeMap(models.Model):
    """A source cost code + cost type and the destination GL account and dimensions its lines post to."""

    tenant_path = "integration__tenant"
    map_kind = "cost_code"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="cost_code_maps")
    cost_code = models.CharField(max_length=200, help_text="Source cost code, e.g. '03-310' (shared by projects).")
    cost_type = models.CharField(
        max_length=200, blank=True, help_text="Source cost type code (or name). Blank: any cost type of this code."
    )
    account = models.ForeignKey(
        ReferenceRecord, on_delete=models.PROTECT, related_name="+", help_text="Destination GL account."
    )
    dimensions = models.JSONField(
        default=dict, blank=True, help_text="Destination dimensions: {kind: reference record id}, e.g. subaccount."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["integration", "cost_code", "cost_type"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "cost_code", "cost_type"], name="one_cost_code_map")
        ]

    def __str__(self):
        return f"{self.cost_code} / {self.cost_type or 'any type'} -> {self.account}"

    @property
    def key(self) -> str:
        return cost_code_key(self.cost_code, self.cost_type)

    def dimension_refs(self) -> dict[str, ReferenceRecord]:
        """{kind: ReferenceRecord} for the stored dimension ids (missing ids are left out)."""
        ids = {int(pk) for pk in (self.dimensions or {}).values() if str(pk).isdigit()}
        by_id = ReferenceRecord.objects.select_related("connection").in_bulk(ids)
        return {kind: by_id[int(pk)] for kind, pk in (self.dimensions or {}).items() if int(pk) in by_id}

    def clean(self):
        self.cost_code = (self.cost_code or "").strip()
        self.cost_type = (self.cost_type or "").strip()
        if not self.integration_id:
            return
        if self.account_id:
            check_target(self.account, self.integration.destination_id, RefKind.ACCOUNT, "account")
        self._clean_dimensions()

    def _clean_dimensions(self):
        if not isinstance(self.dimensions, dict):
            raise ValidationError({"dimensions": "Dimensions must be an object of kind -> reference id."})
        cleaned = {}
        for kind, pk in self.dimensions.items():
            if pk in (None, ""):
                continue
            if kind in NON_DIMENSION_KINDS or not str(pk).isdigit():
                raise ValidationError({"dimensions": f"{kind}={pk!r} is not a dimension reference."})
            # Looked up on this integration's destination only: another tenant's id reads as a missing one.
            ref = ReferenceRecord.objects.filter(pk=int(pk), connection_id=self.integration.destination_id).first()
            if ref is None:
                raise ValidationError({"dimensions": f"{kind}: reference {pk} does not exist on this side."})
            check_target(ref, self.integration.destination_id, kind, "dimensions")
            cleaned[kind] = ref.pk
        self.dimensions = cleaned

    def snapshot(self) -> dict:
        return {
            "cost_code": self.cost_code,
            "cost_type": self.cost_type,
            "account": _ref_snapshot(self.account if self.account_id else None),
            "dimensions": {kind: _ref_snapshot(ref) for kind, ref in sorted(self.dimension_refs().items())},
        }


#: Source kinds a project map may route from: the source's own projects, or what it groups costs by instead.
PROJECT_SOURCE_KINDS = frozenset(
    {RefKind.PROJECT, RefKind.CUSTOMER, RefKind.CLASS, RefKind.COST_CENTER, RefKind.DEPARTMENT, RefKind.LOCATION}
)


class ProjectMap(models.Model):
    """A source project (or the job, class or cost center a source groups costs by) and the destination project
    its lines post to. Sources whose documents carry no project of the destination route through these rows."""

    tenant_path = "integration__tenant"
    map_kind = "project"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="project_maps")
    source = models.ForeignKey(
        ReferenceRecord,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Project, job, class or cost center on the source side.",
    )
    destination = models.ForeignKey(
        ReferenceRecord, on_delete=models.PROTECT, related_name="+", help_text="Project on the destination side."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["integration", "source__code", "source__name"]
        constraints = [models.UniqueConstraint(fields=["integration", "source"], name="one_project_map_per_source")]

    def __str__(self):
        return f"{self.source} -> {self.destination}"

    def clean(self):
        if not self.integration_id:
            return
        if self.source_id:
            if self.source.connection_id != self.integration.source_id:
                raise ValidationError({"source": f"{self.source} is not listed by this side of the integration."})
            if self.source.kind not in PROJECT_SOURCE_KINDS:
                raise ValidationError({"source": f"{self.source} is a {self.source.get_kind_display()}."})
        if self.destination_id:
            check_target(self.destination, self.integration.destination_id, RefKind.PROJECT, "destination")

    def snapshot(self) -> dict:
        return {
            "source": _ref_snapshot(self.source if self.source_id else None),
            "destination": _ref_snapshot(self.destination if self.destination_id else None),
        }


#: The cost code of map rows that code the lines a source sent without any cost code.
NO_COST_CODE = "(none)"


def cost_code_key(cost_code: str, cost_type: str) -> str:
    """Stable key of a cost code + cost type, shared by map rows, mapping errors and the grid."""
    return f"cost_code:{cost_code}/{cost_type}"


class PatternSyntax(models.TextChoices):
    GLOB = "glob", "Wildcards (* and ?)"
    REGEX = "regex", "Regular expression"


class AccountRule(models.Model):
    """Account code + description pattern -> cost code + cost type, for sources that post by GL account.

    Rules are tried by `order` (then id); the first that matches wins; the default rule applies when none does.
    """

    tenant_path = "integration__tenant"
    map_kind = "account_rule"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="account_rules")
    order = models.PositiveIntegerField(default=100, help_text="Rules are tried from the lowest order up.")
    account_code = models.CharField(max_length=200, blank=True, help_text="Source GL account code; blank: any.")
    cost_center = models.CharField(
        max_length=200, blank=True, help_text="Source cost center code of the line; blank: any."
    )
    description_pattern = models.CharField(
        max_length=300, blank=True, help_text="Matched against the line description, ignoring case; blank: any."
    )
    pattern_syntax = models.CharField(max_length=10, choices=PatternSyntax.choices, default=PatternSyntax.GLOB)
    cost_code = models.CharField(max_length=200, help_text="Destination cost code, e.g. '03-310'.")
    cost_type = models.CharField(max_length=200, blank=True, help_text="Destination cost type code or name.")
    is_default = models.BooleanField(default=False, help_text="Applies when no other rule matches (one per map).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["integration", "is_default", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration"],
                condition=models.Q(is_default=True),
                name="one_default_account_rule",
                violation_error_message="This integration already has a default rule.",
            )
        ]

    def __str__(self):
        if self.is_default:
            return f"default -> {self.cost_code} / {self.cost_type or '-'}"
        where = self.account_code or "*"
        if self.cost_center:
            where += f" @ {self.cost_center}"
        return f"#{self.order} {where} '{self.description_pattern or '*'}' -> {self.cost_code}"

    def compiled(self) -> re.Pattern | None:
        """The description pattern as a case-insensitive regex (None: matches anything).

        A regular expression that could backtrack without bound raises UnsafePattern, even one stored before the
        check existed.
        """
        if not self.description_pattern:
            return None
        source = self.description_pattern
        if self.pattern_syntax == PatternSyntax.GLOB:
            source = fnmatch.translate(source)
        else:
            check_regex(source)
        return re.compile(source, re.IGNORECASE)

    def matches(self, account_code: str, description: str, cost_center: str = "") -> bool:
        if self.account_code and self.account_code.strip() != (account_code or "").strip():
            return False
        if self.cost_center and self.cost_center.strip() != (cost_center or "").strip():
            return False
        try:
            pattern = self.compiled()
        except UnsafePattern:
            return False  # never run it; saving the rule again shows why
        if pattern is None:
            return True
        if self.pattern_syntax == PatternSyntax.GLOB:
            return bool(pattern.match(bounded(description)))
        return bool(pattern.search(bounded(description)))

    def clean(self):
        try:
            self.compiled()
        except UnsafePattern as exc:
            raise ValidationError({"description_pattern": f"{exc}."}) from exc
        if self.integration_id:
            self._check_code("cost_code", RefKind.COST_CODE, self.cost_code)
            if self.cost_type:
                self._check_code("cost_type", RefKind.COST_TYPE, self.cost_type)

    def _check_code(self, field: str, kind: str, value: str) -> None:
        items = ReferenceRecord.objects.filter(connection_id=self.integration.destination_id, kind=kind)
        if not items.usable().filter(models.Q(code=value) | models.Q(code="", name=value)).exists():
            raise ValidationError({field: f"No active {RefKind(kind).label.lower()} '{value}' on the destination."})

    def snapshot(self) -> dict:
        fields = ["order", "account_code", "cost_center", "description_pattern", "pattern_syntax", "cost_code"]
        fields.append("cost_type")
        return {**{name: getattr(self, name) for name in fields}, "is_default": self.is_default}


def _ref_snapshot(ref) -> dict | None:
    if ref is None:
        return None
    return {"id": ref.pk, "native_id": ref.native_id, "code": ref.code, "name": ref.name}


class ChangeSource(models.TextChoices):
    ADMIN = "admin", "Admin"
    GRID = "grid", "Mapping grid"
    CSV = "csv", "CSV import"
    SUGGESTION = "suggestion", "Accepted suggestion"
    SYNC = "sync", "Linked by a sync"


class ChangeAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"


class MapChange(models.Model):
    """History of every map row: who changed what, when, how, and the row before and after."""

    tenant_path = "integration__tenant"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="map_changes")
    map_kind = models.CharField(max_length=30, help_text="vendor, cost_code, account_rule or project.")
    row_id = models.PositiveBigIntegerField(help_text="Id of the map row (kept after a delete).")
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    via = models.CharField(max_length=20, choices=ChangeSource.choices, help_text="Where the change was made.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, help_text="Empty for the system."
    )
    before = models.JSONField(null=True, blank=True, help_text="The row before the change (empty when created).")
    after = models.JSONField(null=True, blank=True, help_text="The row after the change (empty when deleted).")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["integration", "map_kind", "row_id"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.map_kind} #{self.row_id} by {self.actor or 'system'}"


class MappingWorkspace(Integration):
    """The integrations, as the admin's entry point to their mapping grids."""

    class Meta:
        proxy = True
        verbose_name = "mapping grid"
        verbose_name_plural = "mapping grids"
