"""Every external system we talk to, declared once.

An entry says how a system is labelled, where its adapter lives, how it authenticates, which connection fields
are configuration (stored in clear) and which are secrets (stored encrypted), and how its webhooks are verified.
The admin form, the model choices and the validation on save are all derived from it.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ConfigField:
    """One configuration or secret field of a connection."""

    name: str
    label: str
    help_text: str = ""
    required: bool = True
    kind: str = "text"  # text | url | int | choice
    choices: tuple[str, ...] = ()
    default: str = ""

    def clean(self, raw):
        value = "" if raw is None else str(raw).strip()
        if not value:
            if self.required and not self.default:
                raise ValidationError(f"{self.label} is required.")
            return self.default
        if self.kind == "int" and not value.isdigit():
            raise ValidationError(f"{self.label} must be a whole number.")
        if self.kind == "url":
            parsed = urlparse(value)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise ValidationError(f"{self.label} must be a full http(s) URL.")
            value = value.rstrip("/")
        if self.kind == "choice" and value not in self.choices:
            raise ValidationError(f"{self.label} must be one of: {', '.join(self.choices)}.")
        return value


@dataclass(frozen=True)
class RateHeaders:
    """The response headers in which a server announces one rate-limit window (connections/http.py reads them)."""

    limit: str = "X-Rate-Limit-Limit"
    remaining: str = "X-Rate-Limit-Remaining"
    reset: str = "X-Rate-Limit-Reset"
    reset_per_second: int = 1  # units of the Reset value per second: 1 for Unix seconds, 1000 for milliseconds
    # Spread the second half of the window evenly over what is left of it, so a long read never empties it.
    pace: bool = False
    # The longest wait for this window's reset that is slept inside a worker (None: HTTP_MAX_INLINE_WAIT_SECONDS);
    # longer waits raise RateLimited and the task is rescheduled.
    max_wait_seconds: float | None = None


BASE_URL = ConfigField(
    "base_url",
    "Base URL override",
    "Leave blank for the vendor's standard host for the environment. Set it to point at a proxy or the sandbox.",
    required=False,
    kind="url",
)


@dataclass(frozen=True)
class SystemSpec:
    """What ml-connector knows about one external system."""

    key: str
    label: str
    adapter: str  # dotted path of the adapter class
    auth: str  # how we authenticate: oauth_client_credentials | oauth_password | oauth_code | session
    config_fields: tuple[ConfigField, ...]
    secret_fields: tuple[ConfigField, ...]
    webhook: str | None = None  # header_secret | hmac_sha256 | None (pull only)
    # auth "oauth_code": dotted path of the system's OAuthCodeFlow (connections/oauth.py): its consent page URL, its
    # code exchange and what it reads once connected (e.g. the division, the realm id).
    oauth: str = ""
    # The rate-limit windows the system announces in its answers; every window is honoured (connections/http.py).
    rate_limits: tuple[RateHeaders, ...] = (RateHeaders(),)
    # Host suffixes the vendor serves from; a connection's addresses must end in one of them unless a superuser saves
    # it (connections/addresses.py). Empty: the customer hosts it (any public host).
    allowed_hosts: tuple[str, ...] = ()
    # Tasks the system needs on a schedule: (dotted path of a function taking no argument, minutes between runs).
    maintenance: tuple[tuple[str, int], ...] = ()

    def clean_config(self, data: dict) -> dict:
        """Validate configuration against the declaration; raise ValidationError naming each bad field."""
        cleaned, errors = {}, {}
        for spec in self.config_fields:
            try:
                cleaned[spec.name] = spec.clean(data.get(spec.name))
            except ValidationError as exc:
                errors[spec.name] = exc.messages
        unknown = set(data) - {spec.name for spec in self.config_fields}
        if unknown:
            errors["__all__"] = [f"Unknown configuration fields for {self.label}: {', '.join(sorted(unknown))}."]
        if errors:
            raise ValidationError(errors)
        return cleaned

    def missing_secrets(self, secrets: dict) -> list[str]:
        return [spec.label for spec in self.secret_fields if spec.required and not secrets.get(spec.name)]

    def adapter_class(self):
        return import_string(self.adapter)

    def oauth_flow(self):
        """The system's authorization-code flow (auth "oauth_code" only)."""
        if self.auth != "oauth_code" or not self.oauth:
            raise ValidationError(f"{self.label} does not connect through a consent page.")
        return import_string(self.oauth)()


SYSTEMS: dict[str, SystemSpec] = {
    spec.key: spec
    for spec in (
        SystemSpec(
            key="procore",
            allowed_hosts=("procore.com",),
            label="Procore",
            adapter="connections.systems.procore.adapter.ProcoreAdapter",
            auth="oauth_client_credentials",
            config_fields=(
                ConfigField("company_id", "Company ID", "Numeric Procore company id.", kind="int"),
                ConfigField(
                    "standard_cost_code_list_id",
                    "Standard cost code list ID",
                    "The company cost code list kept in step with the ERP. Blank: the ERP list, else the first.",
                    required=False,
                    kind="int",
                ),
                ConfigField(
                    "login_url",
                    "Login URL override",
                    "Leave blank for the standard login host of the environment.",
                    required=False,
                    kind="url",
                ),
                BASE_URL,
            ),
            secret_fields=(
                ConfigField("client_id", "Client ID", "The service account's client id."),
                ConfigField("client_secret", "Client secret"),
                ConfigField(
                    "webhook_secret",
                    "Webhook secret",
                    "Value Procore sends in the Authorization header of webhook deliveries.",
                    required=False,
                ),
            ),
            webhook="header_secret",
            # The headers announce whichever window is tighter: the hour, or the 10-second "spike" window. A spike
            # reset is slept out in the worker; rescheduling the task for it would leave the following windows idle
            # while the cluster picks the task up again.
            rate_limits=(RateHeaders(max_wait_seconds=12.0),),  # 10 s, announced in whole seconds
        ),
        SystemSpec(
            key="procurify",
            allowed_hosts=("procurify.com",),
            label="Procurify",
            adapter="connections.systems.procurify.adapter.ProcurifyAdapter",
            auth="oauth_client_credentials",
            config_fields=(
                ConfigField("subdomain", "Subdomain", "The part before .procurify.com."),
                ConfigField(
                    "requests_per_minute",
                    "Requests per minute",
                    "Calls are spaced evenly to this budget, per worker process (default 60). Procurify publishes no "
                    "limit but may suspend access after excessive requests: divide what you may spend by the workers.",
                    required=False,
                    kind="int",
                    default="60",
                ),
                BASE_URL,
            ),
            secret_fields=(
                ConfigField("client_id", "Client ID"),
                ConfigField("client_secret", "Client secret"),
            ),
        ),
        SystemSpec(
            key="acumatica",
            label="Acumatica",
            adapter="connections.systems.acumatica.adapter.AcumaticaAdapter",
            auth="oauth_password",
            config_fields=(
                ConfigField("instance_url", "Instance URL", "e.g. https://erp.example.com/AcumaticaERP", kind="url"),
                ConfigField("endpoint_version", "Endpoint version", "Default endpoint version, e.g. 23.200.001."),
                ConfigField("tenant_name", "Tenant name", "The Acumatica tenant (company) to sign in to."),
                ConfigField("branch", "Branch", "Branch to post into, when the tenant has several.", required=False),
                ConfigField(
                    "commitment_item",
                    "Non-stock item for commitment lines",
                    "InventoryID written on purchase order and subcontract lines, when the tenant requires one.",
                    required=False,
                ),
                ConfigField(
                    "requests_per_minute",
                    "Requests per minute",
                    "The licence's limit (SM604000) divided by the number of worker processes; calls are paced to it.",
                    required=False,
                    kind="int",
                ),
                ConfigField(
                    "push_header_name",
                    "Push notification header name",
                    "The header name set on the push notification's destination in Acumatica.",
                    required=False,
                    default="X-Push-Secret",
                ),
                ConfigField(
                    "push_queries",
                    "Push notification inquiries",
                    "Inquiry=entity[:Column], comma-separated, e.g. MLC-Bills=payment_status, MLC-Vendors=vendor.",
                    required=False,
                ),
            ),
            secret_fields=(
                ConfigField("client_id", "Client ID", "Connected application id (the GUID, without @tenant)."),
                ConfigField("client_secret", "Client secret"),
                ConfigField("username", "User name"),
                ConfigField("password", "Password"),
                ConfigField("push_header_value", "Push notification header value", required=False),
            ),
            webhook="header_secret",
        ),
        SystemSpec(
            key="intacct",
            allowed_hosts=("intacct.com",),
            label="Sage Intacct",
            adapter="connections.systems.intacct.adapter.IntacctAdapter",
            auth="session",
            config_fields=(
                ConfigField("company_id", "Company ID"),
                ConfigField("sender_id", "Web Services sender ID"),
                ConfigField("location_id", "Entity (location) ID", "Blank signs in at the top level.", required=False),
                ConfigField(
                    "po_item",
                    "Item for purchase order lines",
                    "A non-inventory item (e.g. SUBCONTRACT) named on each purchase order line of a commitment.",
                    required=False,
                ),
                ConfigField(
                    "po_transaction_type",
                    "Purchase order transaction type",
                    "The Purchasing transaction definition commitments are written as.",
                    required=False,
                    default="Purchase Order",
                ),
                ConfigField(
                    "timezone",
                    "Intacct's time zone",
                    "IANA name (e.g. America/Los_Angeles) of the times Intacct stamps on records (WHENMODIFIED). "
                    "Blank: read as UTC, and each incremental read looks back 14 hours so no change is missed.",
                    required=False,
                ),
                BASE_URL,
            ),
            secret_fields=(
                ConfigField("sender_password", "Sender password"),
                ConfigField("user_id", "Web Services user ID"),
                ConfigField("user_password", "User password"),
            ),
        ),
        SystemSpec(
            key="exact",
            maintenance=(("connections.systems.exact.tasks.keep_alive", 24 * 60),),
            allowed_hosts=(
                "exactonline.nl",
                "exactonline.be",
                "exactonline.de",
                "exactonline.co.uk",
                "exactonline.com",
                "exactonline.fr",
                "exactonline.es",
            ),
            label="Exact Online",
            adapter="connections.systems.exact.adapter.ExactAdapter",
            auth="oauth_code",
            config_fields=(
                ConfigField("region", "Region", kind="choice", choices=("nl", "be", "de", "uk", "us", "es", "fr")),
                ConfigField(
                    "division",
                    "Division",
                    "Numeric division code every call names. Blank: the user's current division, read when connecting;"
                    " change it to another division the user may use (Test connection lists them).",
                    required=False,
                    kind="int",
                ),
                ConfigField(
                    "timezone",
                    "Exact's time zone",
                    "Exact sends and filters times as wall-clock time of this zone.",
                    required=False,
                    default="Europe/Amsterdam",
                ),
                BASE_URL,
            ),
            secret_fields=(
                ConfigField("client_id", "Client ID"),
                ConfigField("client_secret", "Client secret"),
                ConfigField("webhook_secret", "Webhook secret", "The app's webhook secret (signs HashCode).", False),
            ),
            webhook="hmac_sha256",
            oauth="connections.systems.exact.auth.ExactOAuth",
            rate_limits=(
                RateHeaders(
                    "X-RateLimit-Minutely-Limit",
                    "X-RateLimit-Minutely-Remaining",
                    "X-RateLimit-Minutely-Reset",
                    reset_per_second=1000,
                    pace=True,
                    max_wait_seconds=61,  # a minute window is waited out: a long read spreads instead of stopping
                ),
                RateHeaders("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", reset_per_second=1000),
            ),
        ),
        SystemSpec(
            key="quickbooks",
            allowed_hosts=("intuit.com",),
            label="QuickBooks Online",
            adapter="connections.systems.quickbooks.adapter.QuickBooksAdapter",
            auth="oauth_code",
            config_fields=(
                ConfigField(
                    "realm_id",
                    "Realm (company) ID",
                    "Recorded when the company is connected (Intuit's realmId).",
                    required=False,
                    kind="int",
                ),
                ConfigField(
                    "discovery_url",
                    "OpenID discovery URL override",
                    "Leave blank for Intuit's OAuth endpoints. Set it to use another authorization server.",
                    required=False,
                    kind="url",
                ),
                ConfigField(
                    "page_size",
                    "Rows per query page",
                    "Blank: 1000, the most QuickBooks returns per page. Fewer means more, smaller requests.",
                    required=False,
                    kind="int",
                ),
                BASE_URL,
            ),
            secret_fields=(
                ConfigField("client_id", "Client ID"),
                ConfigField("client_secret", "Client secret"),
                ConfigField("refresh_token", "Refresh token", "From the authorization step.", required=False),
                ConfigField(
                    "webhook_verifier_token",
                    "Webhook verifier token",
                    "The app's verifier token: it signs each delivery (intuit-signature).",
                    required=False,
                ),
            ),
            webhook="hmac_sha256",
            oauth="connections.systems.quickbooks.auth.QuickBooksOAuth",
        ),
    )
}


def system_choices() -> list[tuple[str, str]]:
    return [(key, spec.label) for key, spec in SYSTEMS.items()]


def get_system(key: str) -> SystemSpec:
    try:
        return SYSTEMS[key]
    except KeyError:
        raise ValidationError(f"Unknown system {key!r}.") from None
