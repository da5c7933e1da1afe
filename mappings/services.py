"""Saving and deleting map rows: every change is validated, kept in history and re-queues blocked records.

Every way of editing a map (admin, grid, CSV import, accepted suggestion) goes through these functions, so the
history and the re-queue cannot be forgotten by one of them.
"""

from django.db import transaction
from django_q.tasks import async_task

from syncs.models import AuditEvent, AuditKind

from .models import ChangeAction, MapChange

REQUEUE_TASK = "syncs.tasks.requeue_needs_mapping"


def requeue_on_commit(integration_id: int) -> None:
    """Once the transaction commits, re-try the integration's records waiting for a mapping."""
    transaction.on_commit(
        lambda: async_task(REQUEUE_TASK, integration_id, task_name=f"requeue-needs-mapping-{integration_id}")
    )


def _before(row) -> dict | None:
    if row.pk is None:
        return None
    stored = type(row).objects.filter(pk=row.pk).first()
    return stored.snapshot() if stored else None


@transaction.atomic
def save_map(row, user, via: str, validate: bool = True, requeue: bool = True):
    """Validate and save one map row, record its history and re-queue what it may unblock.

    Bulk changes pass `requeue=False` and call `requeue_on_commit` once for the whole batch.
    """
    if validate:
        row.full_clean()
    before = _before(row)
    row.save()
    after = row.snapshot()
    if before == after:
        return row
    action = ChangeAction.CREATE if before is None else ChangeAction.UPDATE
    _record(row, user, via, action, before, after)
    if requeue:
        requeue_on_commit(row.integration_id)
    return row


@transaction.atomic
def delete_map(row, user, via: str) -> None:
    """Delete one map row and keep what it was in history."""
    before = row.snapshot()
    row_id = row.pk
    row.delete()
    row.pk = row_id
    _record(row, user, via, ChangeAction.DELETE, before, None)


def _record(row, user, via, action, before, after) -> None:
    actor = user if getattr(user, "is_authenticated", False) else None
    MapChange.objects.create(
        integration_id=row.integration_id,
        map_kind=row.map_kind,
        row_id=row.pk,
        action=action,
        via=via,
        actor=actor,
        before=before,
        after=after,
    )
    AuditEvent.objects.create(
        integration_id=row.integration_id,
        kind=AuditKind.MAPPING,
        actor=actor,
        message=f"{ChangeAction(action).label} {row.map_kind} map: {row} (via {via})",
        request={"before": before, "after": after},
    )
