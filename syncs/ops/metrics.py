"""GET /metrics in the Prometheus text exposition format (version 0.0.4).

Label values are database ids, tenant slugs, system keys and status names only: never names typed by customers.

Access: when settings.METRICS_TOKEN is set, the request must carry `Authorization: Bearer <token>` (else 401). When it
is not set, metrics are served only with DEBUG on or to a direct loopback client (else 403).
"""

import hmac
import ipaddress
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_q.brokers import get_broker

from connections.models import Connection
from syncs.models import Integration, RunStatus, SyncRun, WebhookEvent, WebhookStatus

from .status import STATES, ledger_counts

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PREFIX = "mlconnector_"


@dataclass
class Family:
    """One metric family: its HELP and TYPE lines and its samples."""

    name: str
    kind: str  # "gauge" or "counter"
    help: str
    samples: list[tuple[dict, float]] = field(default_factory=list)

    def add(self, value, **labels):
        self.samples.append((labels, value))


def escape_label(value) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def render(families) -> str:
    lines = []
    for family in families:
        lines.append(f"# HELP {family.name} {escape_help(family.help)}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for labels, value in family.samples:
            label_text = ",".join(f'{key}="{escape_label(val)}"' for key, val in labels.items())
            lines.append(f"{family.name}{{{label_text}}} {value}" if label_text else f"{family.name} {value}")
    return "\n".join(lines) + "\n"


def ledger_family() -> Family:
    family = Family(PREFIX + "ledger_records", "gauge", "Ledger records per integration and state.")
    counts = ledger_counts()
    for integration_id, slug in Integration.objects.order_by("id").values_list("id", "tenant__slug"):
        by_state = counts.get(integration_id, {})
        for state in STATES:
            family.add(by_state.get(state, 0), integration=integration_id, tenant=slug, state=state)
    return family


def api_usage_families() -> list[Family]:
    families = {
        "calls": Family(PREFIX + "api_calls_total", "counter", "Outbound API calls per connection."),
        "errors": Family(PREFIX + "api_errors_total", "counter", "Outbound API calls that failed, per connection."),
        "rate_limited": Family(
            PREFIX + "api_rate_limited_total", "counter", "Outbound API calls refused by a rate limit, per connection."
        ),
    }
    # Left join: a connection that has never called out reports zeros rather than nothing.
    rows = Connection.objects.order_by("id").values_list(
        "id", "system", "api_usage__calls", "api_usage__errors", "api_usage__rate_limited"
    )
    for connection_id, system, calls, errors, rate_limited in rows:
        for key, value in (("calls", calls), ("errors", errors), ("rate_limited", rate_limited)):
            families[key].add(value or 0, connection=connection_id, system=system)
    return list(families.values())


def queue_family() -> Family:
    family = Family(PREFIX + "queue_depth", "gauge", "Tasks waiting in the django-q2 broker queue.")
    try:
        family.add(get_broker().queue_size() or 0)
    except Exception:  # an unreachable broker must not take the other metrics down
        # No sample rather than a false 0; /healthz reports the broker failure.
        logger.warning("Could not read the django-q2 queue size", exc_info=True)
    return family


def runs_family() -> Family:
    family = Family(PREFIX + "sync_runs_total", "counter", "Sync runs per integration and status.")
    counts = {
        (integration_id, status): n
        for integration_id, status, n in SyncRun.objects.order_by()
        .values_list("integration_id", "status")
        .annotate(n=Count("id"))
    }
    for integration_id in Integration.objects.order_by("id").values_list("id", flat=True):
        for status in RunStatus.values:
            family.add(counts.get((integration_id, status), 0), integration=integration_id, status=status)
    return family


def webhooks_family() -> Family:
    family = Family(PREFIX + "webhook_events", "gauge", "Stored inbound webhook events per status.")
    counts = dict(WebhookEvent.objects.order_by().values_list("status").annotate(n=Count("id")))
    for status in WebhookStatus.values:
        family.add(counts.get(status, 0), status=status)
    return family


def collect() -> list[Family]:
    return [ledger_family(), *api_usage_families(), queue_family(), runs_family(), webhooks_family()]


def _direct_loopback(request) -> bool:
    # Behind a reverse proxy on the same host every request arrives from 127.0.0.1; a forwarding header means the
    # client is really somewhere else, so it does not count as local.
    if request.META.get("HTTP_X_FORWARDED_FOR") or request.META.get("HTTP_FORWARDED"):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def denied(request):
    """None when the request may read metrics, else the response refusing it."""
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return None
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if settings.DEBUG or _direct_loopback(request):
        return None
    return HttpResponse(
        "Forbidden: set METRICS_TOKEN to read metrics remotely.\n", status=403, content_type="text/plain"
    )


@never_cache
@require_safe
def metrics(request):
    refusal = denied(request)
    if refusal is not None:
        return refusal
    return HttpResponse(render(collect()), content_type=CONTENT_TYPE)
