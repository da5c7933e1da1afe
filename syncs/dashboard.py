"""The landing page after sign-in: per integration and flow, what moved and what waits; connection health; a chart.

Everything comes from a handful of grouped queries over indexed columns, whatever the size of the ledger: counts by
(integration, flow, state) of the states shown (an index range per state: posted rows, nearly all of a ledger, are
never read one by one), postings since the start of the week by (integration, flow), the newest run per flow, and one
grouped query per chart series. No query runs per row. Every number links to the ledger list filtered to exactly the
records it counts. A flow the integration no longer runs shows while it has records waiting or posted this week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Value
from django.utils import timezone

from connections.models import Connection
from connections.tenancy import scope_queryset

from . import alerts
from .flows import FLOWS
from .links import ledger_url
from .models import Integration, RecordState, RunStatus, SyncRecord, SyncRun

CHART_DAYS = 30
WEEK_DAYS = 7
FAR_FUTURE = dt.timedelta(days=100 * 365)
#: (column heading, ledger state) for the counts by state, in the order a finance user reads them
STATE_COLUMNS = [
    ("Waiting for a mapping", RecordState.NEEDS_MAPPING),
    ("Awaiting approval", RecordState.AWAITING_APPROVAL),
    ("Failed", RecordState.FAILED),
    ("Dead", RecordState.DEAD),
    ("Conflict", RecordState.CONFLICT),
    ("Deleted at source", RecordState.SOURCE_DELETED),
]
#: states a person should look at: their numbers are highlighted when not zero
ATTENTION = {RecordState.FAILED, RecordState.DEAD, RecordState.CONFLICT, RecordState.SOURCE_DELETED}


@dataclass
class Cell:
    key: str  # posted_today, posted_week, or the ledger state counted
    number: int
    url: str
    attention: bool = False


@dataclass
class FlowRow:
    integration: Integration
    flow_key: str
    label: str
    last_success: dt.datetime | None
    last_run: SyncRun | None
    cells: list[Cell] = field(default_factory=list)


@dataclass
class ConnectionHealth:
    connection: Connection
    expires_in: dt.timedelta | None  # None when no token is cached (or the system uses none)
    calls: int
    errors: int
    rate_limited: int
    last_call_at: dt.datetime | None

    @property
    def needs_reauth(self) -> bool:
        return self.connection.status != "active"

    @property
    def headroom(self) -> str:
        """How far from the vendor's rate limits the connection runs, from the calls it was refused with a 429."""
        if not self.calls:
            return "no calls yet"
        if not self.rate_limited:
            return "no call rate-limited"
        return f"{self.rate_limited} of {self.calls} calls rate-limited ({self.rate_limited / self.calls:.1%})"


@dataclass
class Chart:
    """Posted and failed records per day, as SVG geometry (drawn by the template, no script)."""

    days: list[dict]
    width: int
    height: int
    top: int  # the value the chart's height stands for
    posted_total: int
    failed_total: int


def day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(start of today, start of the 7-day window, start of the 30-day window), in the site's time zone."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return today, today - dt.timedelta(days=WEEK_DAYS - 1), today - dt.timedelta(days=CHART_DAYS - 1)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ")


def build(user, now: dt.datetime | None = None) -> dict:
    """Everything the dashboard shows to `user`, limited to the user's tenants."""
    now = now or timezone.now()
    integrations = list(
        scope_queryset(Integration.objects.select_related("tenant", "source", "destination"), user).order_by(
            "tenant__name", "name"
        )
    )
    ids = [integration.pk for integration in integrations]
    today, week_start, chart_start = day_bounds(now)
    tenant_ids = sorted({integration.tenant_id for integration in integrations})
    return {
        "rows": flow_rows(integrations, today, week_start),
        "state_columns": [heading for heading, _ in STATE_COLUMNS],
        "connections": connection_health(user, now),
        "chart": chart(ids, chart_start, now),
        "alerts": alerts.current(tenant_ids if not user.is_superuser else None, now),
    }


def flow_rows(integrations, today, week_start) -> list[FlowRow]:
    ids = [integration.pk for integration in integrations]
    states = _state_counts(ids)
    posted = _posted_counts(ids, today, week_start)
    last_success, last_runs = _runs(ids)
    rows = []
    for integration in integrations:
        keys = list(integration.flows or [])
        keys += sorted({key for (pk, key) in [*states, *posted] if pk == integration.pk and key not in keys})
        for key in keys:
            flow = FLOWS.get(key)
            row = FlowRow(
                integration, key, flow.label if flow else key,
                last_success.get((integration.pk, key)), last_runs.get((integration.pk, key)),
            )  # fmt: skip
            base = {"integration__id__exact": integration.pk, "flow": key}
            today_n, week_n = posted.get((integration.pk, key), (0, 0))
            row.cells.append(Cell("posted_today", today_n, ledger_url(**base, posted_at__gte=_stamp(today))))
            row.cells.append(Cell("posted_week", week_n, ledger_url(**base, posted_at__gte=_stamp(week_start))))
            counts = states.get((integration.pk, key), {})
            for _, state in STATE_COLUMNS:
                number = counts.get(state, 0)
                url = ledger_url(**base, state__exact=state)
                row.cells.append(Cell(str(state), number, url, attention=bool(number) and state in ATTENTION))
            rows.append(row)
    return rows


def _state_counts(ids) -> dict[tuple[int, str], dict[str, int]]:
    """{(integration, flow): {state: n}} for the states shown: one grouped query read from the ledger_state_flow
    index alone (migration 0010)."""
    counts: dict[tuple[int, str], dict[str, int]] = {}
    rows = (
        SyncRecord.objects.filter(integration_id__in=ids, state__in=[state for _, state in STATE_COLUMNS])
        .order_by()
        .values_list("integration_id", "flow", "state")
        .annotate(n=Count("*"))
    )
    for integration_id, flow, state, n in rows:
        counts.setdefault((integration_id, flow), {})[state] = n
    return counts


def _posted_counts(ids, today, week_start) -> dict[tuple[int, str], tuple[int, int]]:
    """{(integration, flow): (posted today, posted in the last 7 days)}: one query read from the (integration,
    posted_at, flow) index alone."""
    # The upper bound excludes nothing; a range closed on both ends is what makes SQLite's planner read the
    # (integration, posted_at, flow) index rather than every row of the integration in (flow, state) order.
    rows = (
        SyncRecord.objects.filter(integration_id__in=ids, posted_at__range=(week_start, week_start + FAR_FUTURE))
        .order_by()
        .values_list("integration_id", "flow")
        .annotate(today=Count("posted_at", filter=Q(posted_at__gte=today)), week=Count("*"))
    )
    return {(integration_id, flow): (n_today, n_week) for integration_id, flow, n_today, n_week in rows}


def _runs(ids) -> tuple[dict, dict]:
    """({(integration, flow): last successful run's end}, {(integration, flow): newest run}), in three queries."""
    runs = SyncRun.objects.filter(integration_id__in=ids).order_by()
    success = {
        (integration_id, flow): finished
        for integration_id, flow, finished in runs.filter(status=RunStatus.SUCCEEDED)
        .values_list("integration_id", "flow")
        .annotate(last=Max("finished_at"))
    }
    newest_ids = runs.values("integration_id", "flow").annotate(last=Max("pk")).values_list("last", flat=True)
    newest = {(run.integration_id, run.flow): run for run in SyncRun.objects.filter(pk__in=list(newest_ids))}
    return success, newest


def connection_health(user, now) -> list[ConnectionHealth]:
    connections = scope_queryset(Connection.objects.select_related("tenant", "api_usage"), user)
    health = []
    for connection in connections.order_by("tenant__name", "name"):
        usage = getattr(connection, "api_usage", None)
        expires = connection.token_expires_at - now if connection.token_expires_at else None
        health.append(
            ConnectionHealth(
                connection, expires,
                usage.calls if usage else 0, usage.errors if usage else 0, usage.rate_limited if usage else 0,
                usage.last_call_at if usage else None,
            )
        )  # fmt: skip
    return health


def chart(ids, start: dt.datetime, now: dt.datetime, width: int = 720, height: int = 160) -> Chart:
    """Posted records per day (by posting day) and failed ones (records now failed or dead, by day of their last
    attempt) over the last 30 days: two grouped queries."""
    first = timezone.localtime(start).date()
    dates = [first + dt.timedelta(days=offset) for offset in range(CHART_DAYS)]
    posted = _per_day(SyncRecord.objects.filter(integration_id__in=ids), "posted_at", start, dates)
    failed = _per_day(
        SyncRecord.objects.filter(integration_id__in=ids, state__in=[RecordState.FAILED, RecordState.DEAD]),
        "updated_at", start, dates,
    )  # fmt: skip
    top = max([1, *(n for day, n in posted.items() if day), *(n for day, n in failed.items() if day)])
    slot = width / CHART_DAYS
    bar = max(slot / 2 - 1, 1)
    plot = height - 20  # room for the date labels
    days = []
    for index, day in enumerate(dates):
        p, f = posted.get(day, 0), failed.get(day, 0)
        x = index * slot
        days.append({
            "date": day, "posted": p, "failed": f, "label": index % 5 == 0 or index == CHART_DAYS - 1,
            "x_posted": round(x + 1, 1), "x_failed": round(x + 1 + bar, 1), "width": round(bar, 1),
            "h_posted": round(plot * p / top, 1), "h_failed": round(plot * f / top, 1),
            "y_posted": round(plot - plot * p / top, 1), "y_failed": round(plot - plot * f / top, 1),
            "x_label": round(x + slot / 2, 1),
        })  # fmt: skip
    return Chart(days, width, height, top, sum(posted.values()), sum(failed.values()))


def _per_day(records, column: str, start: dt.datetime, dates: list[dt.date]) -> dict:
    """{local date: rows whose `column` falls on it} from `start` on, in one query: a UNION ALL of one count per day
    between that day's bounds, each an index range the database counts without reading rows (where one pass with a
    filtered count per day compares every row thirty times, and truncating timestamps to dates calls a function per
    row). Rows after the last day count under None: in the totals, not on the chart."""
    tz = timezone.get_current_timezone()
    bounds = [start] + [timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz) for day in dates[1:]]
    bounds.append(timezone.make_aware(dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time.min), tz))
    bounds.append(bounds[-1] + FAR_FUTURE)  # the "later" range, closed for the same reason as in _posted_counts
    parts = [
        records.filter(**{f"{column}__gte": bounds[index], f"{column}__lt": bounds[index + 1]})
        .order_by()
        .annotate(slot=Value(index))
        .values("slot")  # a constant: no GROUP BY, one count per part
        .annotate(n=Count("*"))
        .values_list("slot", "n")
        for index in range(len(bounds) - 1)
    ]
    counts = dict(parts[0].union(*parts[1:], all=True))
    found = {day: counts[index] for index, day in enumerate(dates) if counts.get(index)}
    if counts.get(len(dates)):
        found[None] = counts[len(dates)]
    return found
