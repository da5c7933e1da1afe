"""Alerts to a tenant's admins: a connection that needs re-authorisation, records failing or waiting longer than
ALERT_STALE_HOURS, and a daily digest. Each links to the page that fixes it.

The same conditions show as banners on the dashboard (`current`), computed live. The scheduled check
(`check_alerts`, every few minutes) opens an `Alert` row per new condition and emails it once; a condition that
clears resolves its row, and one that comes back later is a new alert. Everything here is a few grouped queries,
never one per record.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from connections.models import Connection, ConnectionStatus, Membership, Role

from .links import grid_url, ledger_url
from .models import Alert, AlertKind, Integration, RecordState, SyncRecord

log = logging.getLogger("syncs.alerts")

CHECK_SCHEDULE, DIGEST_SCHEDULE = "alerts-check", "alerts-daily-digest"
CHECK_MINUTES = 5
DIGEST_HOUR = 7  # local time of the daily digest
#: ledger states that count as failing, and what each kind of stale record is called
FAILING = [RecordState.FAILED, RecordState.DEAD, RecordState.CONFLICT]
STALE_KINDS = {
    AlertKind.FAILING: (FAILING, "failing"),
    AlertKind.WAITING_MAPPING: ([RecordState.NEEDS_MAPPING], "waiting for a mapping"),
    AlertKind.WAITING_APPROVAL: ([RecordState.AWAITING_APPROVAL], "waiting for approval"),
}


@dataclass(frozen=True)
class Condition:
    tenant_id: int
    kind: str
    key: str
    message: str
    link: str  # path of the page that fixes it

    @property
    def level(self) -> str:
        return "error" if self.kind in (AlertKind.REAUTH, AlertKind.FAILING) else "warning"


def current(tenant_ids=None, now: dt.datetime | None = None) -> list[Condition]:
    """Every alert condition holding now, for the given tenants (all tenants when None)."""
    return _reauth_conditions(tenant_ids) + _stale_conditions(tenant_ids, now or timezone.now())


def _reauth_conditions(tenant_ids) -> list[Condition]:
    connections = Connection.objects.filter(status=ConnectionStatus.REAUTH_REQUIRED).order_by("name")
    if tenant_ids is not None:
        connections = connections.filter(tenant_id__in=tenant_ids)
    return [
        Condition(
            connection.tenant_id, AlertKind.REAUTH, f"reauth:{connection.pk}",
            f"{connection} needs re-authorisation: its syncs are paused. {connection.status_reason}".strip(),
            reverse("admin:connections_connection_change", args=[connection.pk]),
        )
        for connection in connections
    ]  # fmt: skip


def _stale_conditions(tenant_ids, now) -> list[Condition]:
    cutoff = now - dt.timedelta(hours=settings.ALERT_STALE_HOURS)
    states = [state for states, _ in STALE_KINDS.values() for state in states]
    records = SyncRecord.objects.filter(state__in=states, updated_at__lt=cutoff)
    if tenant_ids is not None:
        records = records.filter(integration__tenant_id__in=tenant_ids)
    counts: dict[tuple[int, str], int] = {}
    for integration_id, state, n in records.order_by().values_list("integration_id", "state").annotate(n=Count("pk")):
        kind = next(kind for kind, (kind_states, _) in STALE_KINDS.items() if state in kind_states)
        counts[(integration_id, kind)] = counts.get((integration_id, kind), 0) + n
    names = dict(Integration.objects.filter(pk__in={pk for pk, _ in counts}).values_list("pk", "name"))
    tenants = dict(Integration.objects.filter(pk__in={pk for pk, _ in counts}).values_list("pk", "tenant_id"))
    conditions = []
    for (integration_id, kind), n in sorted(counts.items()):
        words = STALE_KINDS[kind][1]
        message = (
            f"{names[integration_id]}: {n} record{'s' if n != 1 else ''} {words} for more than "
            f"{settings.ALERT_STALE_HOURS} hours."
        )
        key, link = f"{kind}:{integration_id}", _fix_link(integration_id, kind)
        conditions.append(Condition(tenants[integration_id], kind, key, message, link))
    return conditions


def _fix_link(integration_id: int, kind: str) -> str:
    if kind == AlertKind.WAITING_MAPPING:
        return grid_url(integration_id)
    if kind == AlertKind.WAITING_APPROVAL:
        return ledger_url(integration__id__exact=integration_id, state__exact=RecordState.AWAITING_APPROVAL)
    return ledger_url(integration__id__exact=integration_id, state__in=",".join(FAILING))


# --- the scheduled check ------------------------------------------------------------------------------------------
def check_alerts(now: dt.datetime | None = None) -> dict[str, int]:
    """Open (and email once) an alert per new condition, resolve those that cleared. Safe to run concurrently."""
    now = now or timezone.now()
    holding = {(c.tenant_id, c.key): c for c in current(None, now)}
    open_alerts = Alert.objects.filter(resolved_at__isnull=True).exclude(kind=AlertKind.DIGEST)
    cleared = [alert.pk for alert in open_alerts if (alert.tenant_id, alert.key) not in holding]
    resolved = Alert.objects.filter(pk__in=cleared).update(resolved_at=now) if cleared else 0
    known = set(open_alerts.values_list("tenant_id", "key"))
    opened = 0
    for (tenant_id, key), condition in holding.items():
        if (tenant_id, key) in known:
            continue
        try:
            with transaction.atomic():
                Alert.objects.create(
                    tenant_id=tenant_id, kind=condition.kind, key=key, message=condition.message, link=condition.link
                )
            opened += 1
        except IntegrityError:
            continue  # another worker opened it a moment ago; it sends the email
    sent = _send_pending()
    return {"opened": opened, "resolved": resolved, "emailed": sent}


def _send_pending() -> int:
    """Email every open alert not emailed yet (also those whose first sending failed)."""
    sent = 0
    for alert in Alert.objects.filter(resolved_at__isnull=True, emailed_at__isnull=True).select_related("tenant"):
        # Claim the sending with a conditional update, so two workers never send the same alert twice.
        if not Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            continue
        subject = f"[ml-connector] {alert.tenant}: {alert.get_kind_display().lower()}"
        body = f"{alert.message}\n\nFix it here: {absolute(alert.link)}\n"
        try:
            if email_admins(alert.tenant_id, subject, body):
                sent += 1
        except OSError as exc:  # the mail server is down: try again at the next check
            log.warning("Alert %s could not be emailed: %s", alert.pk, type(exc).__name__)
            Alert.objects.filter(pk=alert.pk).update(emailed_at=None)
    return sent


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def admin_addresses(tenant_id: int) -> list[str]:
    """Email addresses of the tenant's admins (Membership role admin), active users only."""
    members = Membership.objects.filter(tenant_id=tenant_id, role=Role.ADMIN, user__is_active=True)
    return sorted({email for email in members.values_list("user__email", flat=True) if email})


def email_admins(tenant_id: int, subject: str, body: str) -> int:
    """One message per admin of the tenant (no admin sees another's address). Returns how many were sent."""
    addresses = admin_addresses(tenant_id)
    if not addresses:
        return 0
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    return get_connection().send_messages(messages) or 0


# --- the daily digest ---------------------------------------------------------------------------------------------
def send_daily_digests(now: dt.datetime | None = None) -> int:
    """Once per tenant and day: what was posted in the last 24 hours, what waits, and the open alerts."""
    now = now or timezone.now()
    day = timezone.localtime(now).date().isoformat()
    since = now - dt.timedelta(hours=24)
    integrations = list(Integration.objects.order_by("name").values_list("pk", "name", "tenant_id"))
    posted = dict(
        SyncRecord.objects.filter(posted_at__gte=since).order_by().values_list("integration_id").annotate(n=Count("pk"))
    )
    waiting = {}
    problem = Q(state__in=[*FAILING, RecordState.NEEDS_MAPPING, RecordState.AWAITING_APPROVAL])
    for integration_id, state, n in (
        SyncRecord.objects.filter(problem).order_by().values_list("integration_id", "state").annotate(n=Count("pk"))
    ):
        waiting.setdefault(integration_id, {})[state] = n
    open_alerts = Alert.objects.filter(resolved_at__isnull=True).exclude(kind=AlertKind.DIGEST).order_by("opened_at")
    sent = 0
    for tenant_id in {tenant for _, _, tenant in integrations}:
        mine = [(pk, name) for pk, name, tenant in integrations if tenant == tenant_id]
        body = _digest_body(mine, posted, waiting, [a for a in open_alerts if a.tenant_id == tenant_id])
        try:
            with transaction.atomic():
                Alert.objects.create(
                    tenant_id=tenant_id, kind=AlertKind.DIGEST, key=f"digest:{day}", message=body,
                    link=reverse("admin:index"), emailed_at=now, resolved_at=now,
                )  # fmt: skip
        except IntegrityError:
            continue  # today's digest already went out
        sent += bool(email_admins(tenant_id, f"[ml-connector] Daily digest for {day}", body))
    return sent


def _digest_body(integrations, posted, waiting, open_alerts) -> str:
    lines = ["In the last 24 hours:", ""]
    for pk, name in integrations:
        states = waiting.get(pk, {})
        parts = [f"{posted.get(pk, 0)} posted"]
        parts += [f"{n} {RecordState(state).label.lower()}" for state, n in sorted(states.items())]
        lines.append(f"- {name}: {', '.join(parts)}. {absolute(ledger_url(integration__id__exact=pk))}")
    if open_alerts:
        lines += ["", "Open alerts:"]
        lines += [f"- {alert.message} {absolute(alert.link)}" for alert in open_alerts]
    lines += ["", f"Dashboard: {absolute(reverse('admin:index'))}"]
    return "\n".join(lines)


def ensure_alert_schedules() -> None:
    """The alert check every few minutes and the digest once a day (idempotent; run after every migrate)."""
    Schedule.objects.update_or_create(
        name=CHECK_SCHEDULE,
        defaults={"func": "syncs.alerts.check_alerts", "schedule_type": Schedule.MINUTES, "minutes": CHECK_MINUTES,
                  "repeats": -1},
    )  # fmt: skip
    first = timezone.localtime().replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    Schedule.objects.update_or_create(
        name=DIGEST_SCHEDULE,
        defaults={"func": "syncs.alerts.send_daily_digests", "schedule_type": Schedule.DAILY, "repeats": -1},
        create_defaults={"func": "syncs.alerts.send_daily_digests", "schedule_type": Schedule.DAILY, "repeats": -1,
                         "next_run": first},
    )  # fmt: skip
