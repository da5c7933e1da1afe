"""Per-integration ledger counts and last runs, shared by /metrics and `manage.py sync_status`."""

from django.db.models import Count, OuterRef, Subquery

from syncs.models import Integration, RecordState, SyncRecord, SyncRun

STATES = [state.value for state in RecordState]


def ledger_counts(integration_ids=None) -> dict[int, dict[str, int]]:
    """{integration id: {state: count}} with every state present, zeros included. One grouped query."""
    records = SyncRecord.objects.all()
    if integration_ids is not None:
        records = records.filter(integration_id__in=integration_ids)
    counts = {}
    rows = records.order_by().values_list("integration_id", "state").annotate(n=Count("id"))
    for integration_id, state, n in rows:
        counts.setdefault(integration_id, dict.fromkeys(STATES, 0))[state] = n
    return counts


def flow_counts(integration_ids) -> dict[tuple[int, str], dict[str, int]]:
    """{(integration id, flow key): {state: count}}, zeros included. One grouped query."""
    counts = {}
    rows = (
        SyncRecord.objects.filter(integration_id__in=integration_ids)
        .order_by()
        .values_list("integration_id", "flow", "state")
        .annotate(n=Count("id"))
    )
    for integration_id, flow, state, n in rows:
        counts.setdefault((integration_id, flow), dict.fromkeys(STATES, 0))[state] = n
    return counts


def last_flow_runs(integration_ids) -> dict[tuple[int, str], SyncRun]:
    """{(integration id, flow key): its newest run}."""
    newest = {}
    for run in SyncRun.objects.filter(integration_id__in=integration_ids).order_by("started_at", "id"):
        newest[(run.integration_id, run.flow)] = run
    return newest


def last_runs(integration_ids) -> dict[int, SyncRun]:
    """{integration id: its most recently started run}, in two queries whatever the number of integrations."""
    newest = SyncRun.objects.filter(integration=OuterRef("pk")).order_by("-started_at", "-id").values("id")[:1]
    run_ids = (
        Integration.objects.filter(pk__in=integration_ids)
        .annotate(last_run_id=Subquery(newest))
        .exclude(last_run_id=None)
        .values_list("last_run_id", flat=True)
    )
    return {run.integration_id: run for run in SyncRun.objects.filter(pk__in=list(run_ids))}


def _iso(value):
    return value.isoformat() if value else None


def integration_status(tenant_slug=None) -> list[dict]:
    """Every integration (optionally one tenant's) with its counts by state and its last run, as plain data."""
    integrations = Integration.objects.select_related("tenant").order_by("tenant__slug", "name", "id")
    if tenant_slug:
        integrations = integrations.filter(tenant__slug=tenant_slug)
    integrations = list(integrations)
    ids = [integration.pk for integration in integrations]
    counts, runs = ledger_counts(ids), last_runs(ids)
    per_flow, flow_runs = flow_counts(ids), last_flow_runs(ids)
    report = []
    for integration in integrations:
        run = runs.get(integration.pk)
        flows = [
            {
                "key": key,
                "records": per_flow.get((integration.pk, key), dict.fromkeys(STATES, 0)),
                "last_run": _run(flow_runs.get((integration.pk, key))),
            }
            for key in integration.flows or []
        ]
        report.append(
            {
                "id": integration.pk,
                "tenant": integration.tenant.slug,
                "name": integration.name,
                "enabled": integration.enabled,
                "records": counts.get(integration.pk, dict.fromkeys(STATES, 0)),
                "flows": flows,
                "last_run": _run(run),
            }
        )
    return report


def _run(run) -> dict | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "flow": run.flow,
        "trigger": run.trigger,
        "status": run.status,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "counts": run.counts,
        "error": run.error,
    }
