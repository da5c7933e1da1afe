"""Pulling reference data (vendors, accounts, cost codes, dimensions) from a connection into ReferenceRecord.

A pull upserts what the system lists and marks what it no longer lists as inactive with `missing_since`; nothing
is ever deleted, so maps keep pointing at something the resolver can describe.
"""

import logging

from django.db import transaction
from django.utils import timezone

from connections.models import Connection

from .models import ReferenceRecord

log = logging.getLogger(__name__)

SCHEDULE_PREFIX = "mappings:pull-reference:"
PULL_TASK = "mappings.pull.pull_reference_task"
DEFAULT_INTERVAL_MINUTES = 60
_FIELDS = ("code", "name", "active", "parent", "data")


def pull_reference(connection: Connection, kinds=None, adapter=None, progress=None) -> dict[str, dict[str, int]]:
    """Pull each reference kind the adapter lists; returns {kind: {seen, created, updated, missing}}.

    `kinds` narrows the pull (unknown kinds raise ValueError); `adapter` replaces the registered one (tests);
    `progress` (a syncs.progress tracker) is told of each kind pulled.
    """
    adapter = adapter or connection.spec.adapter_class()(connection)
    available = set(adapter.reference_kinds)
    wanted = sorted(available if kinds is None else set(kinds))
    unknown = set(wanted) - available
    if unknown:
        raise ValueError(f"{connection} cannot list {', '.join(sorted(unknown))}.")
    if progress is None:
        return {kind: _pull_kind(connection, kind, adapter) for kind in wanted}
    results = {}
    for kind in wanted:
        progress.step(0, f"{connection}: {kind.replace('_', ' ')}")
        results[kind] = _pull_kind(connection, kind, adapter)
        progress.step(1, f"{connection}: {kind.replace('_', ' ')}, {results[kind]['seen']} listed")
    return results


def kinds_to_pull(connection: Connection, kinds=None) -> list[str]:
    """The kinds a pull of `connection` would read (for a progress bar's total)."""
    available = set(connection.spec.adapter_class().reference_kinds)
    return sorted(available if kinds is None else set(kinds) & available)


def _pull_kind(connection, kind: str, adapter) -> dict[str, int]:
    # The whole listing is read before anything is marked missing: a failure half-way marks nothing.
    listed = {}
    for item in adapter.reference(kind):
        listed[str(item.native_id)] = item
    now = timezone.now()
    with transaction.atomic():
        existing = {ref.native_id: ref for ref in ReferenceRecord.objects.filter(connection=connection, kind=kind)}
        counts = {"seen": len(listed), "created": 0, "updated": 0, "missing": 0}
        new, changed = [], []
        for native_id, item in listed.items():
            values = _values(item)
            ref = existing.get(native_id)
            if ref is None:
                new.append(
                    ReferenceRecord(connection=connection, kind=kind, native_id=native_id, last_seen_at=now, **values)
                )
                continue
            if ref.missing_since or any(getattr(ref, name) != value for name, value in values.items()):
                counts["updated"] += 1
            for name, value in values.items():
                setattr(ref, name, value)
            ref.missing_since = None
            ref.last_seen_at = now
            changed.append(ref)
        ReferenceRecord.objects.bulk_create(new, batch_size=500)
        ReferenceRecord.objects.bulk_update(changed, [*_FIELDS, "missing_since", "last_seen_at"], batch_size=500)
        counts["created"] = len(new)
        counts["missing"] = _mark_missing(existing, listed, now)
    log.info("reference pull %s %s: %s", connection.pk, kind, counts)
    return counts


def _mark_missing(existing: dict, listed: dict, now) -> int:
    """Mark what the system no longer lists (by primary key: no NOT IN with thousands of native ids)."""
    gone = [ref.pk for native_id, ref in existing.items() if native_id not in listed and ref.missing_since is None]
    return ReferenceRecord.objects.filter(pk__in=gone).update(active=False, missing_since=now)


def _values(item) -> dict:
    return {
        "code": str(item.code or "")[:200],
        "name": str(item.name or "")[:300],
        "active": bool(item.active),
        "parent": str(item.parent or "")[:200],
        "data": item.data or {},
    }


def pull_reference_task(connection_id: int) -> dict:
    """django-q2 entry point: pull every reference kind of one connection (skipped when it is not usable)."""
    connection = Connection.objects.get(pk=connection_id)
    if not connection.is_usable:
        log.info("reference pull skipped: connection %s is %s", connection_id, connection.status)
        return {}
    return pull_reference(connection)


def enqueue_pull(connection_id: int) -> None:
    """Pull one connection now, in the background ("Pull now" buttons)."""
    from django_q.tasks import async_task

    async_task(PULL_TASK, connection_id, task_name=f"pull-reference-{connection_id}")


def enqueue_tracked_pull(integration, user=None) -> int:
    """Pull both connections of an integration in the background, with a progress bar on its pages (a Job).

    Returns the job's id."""
    from django_q.tasks import async_task

    from syncs.models import JobKind
    from syncs.progress import JobTracker

    connections = [integration.source, integration.destination]
    tracker = JobTracker.begin(integration, JobKind.PULL, f"{connections[0]} and {connections[1]}")
    tracker.start(sum(len(kinds_to_pull(connection)) for connection in connections), "queued")
    job_id = tracker.job.pk
    transaction.on_commit(lambda: async_task(TRACKED_PULL_TASK, job_id, task_name=f"pull-reference-job-{job_id}"))
    return job_id


TRACKED_PULL_TASK = "mappings.pull.tracked_pull_task"


def tracked_pull_task(job_id: int) -> dict:
    """django-q2 entry point of `enqueue_tracked_pull`: pull both sides, step by step, into the job."""
    from syncs.models import Job
    from syncs.progress import JobTracker

    job = Job.objects.select_related("integration__source", "integration__destination").get(pk=job_id)
    tracker, results = JobTracker(job), {}
    try:
        for connection in (job.integration.source, job.integration.destination):
            if not connection.is_usable:
                tracker.step(len(kinds_to_pull(connection)), f"{connection} skipped: {connection.status}")
                continue
            results[connection.pk] = pull_reference(connection, progress=tracker)
    except Exception as exc:  # the job must end either way, with the reason shown on the page
        log.warning("tracked reference pull %s failed: %s", job_id, type(exc).__name__)
        tracker.fail(f"Failed: {exc}"[:500])
        raise
    listed = sum(counts["seen"] for per_kind in results.values() for counts in per_kind.values())
    tracker.finish(f"Done: {listed} items listed")
    return results


def ensure_pull_schedule(connection: Connection, minutes: int = DEFAULT_INTERVAL_MINUTES):
    """Create or update the django-q2 Schedule that pulls the connection's reference data every `minutes`."""
    from django_q.models import Schedule

    schedule, _ = Schedule.objects.update_or_create(
        name=f"{SCHEDULE_PREFIX}{connection.pk}",
        defaults={
            "func": PULL_TASK,
            "args": repr(connection.pk),
            "schedule_type": Schedule.MINUTES,
            "minutes": minutes,
            "repeats": -1,
        },
    )
    return schedule


def drop_pull_schedule(connection_id: int) -> None:
    from django_q.models import Schedule

    Schedule.objects.filter(name=f"{SCHEDULE_PREFIX}{connection_id}").delete()
