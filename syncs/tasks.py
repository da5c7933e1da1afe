"""django-q2 entry points and schedules. Tasks take ids, never model instances.

django-q2's own retry count is not trusted to decide when a record is dead (it misses killed workers): the ledger's
attempt counter does that, and every task here is safe to run twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

log = logging.getLogger("syncs.tasks")

POLL_SCHEDULE = "poll-integration-{}"
RETRY_SCHEDULE = "retry-due-records"
WEBHOOK_SWEEP_SCHEDULE = "sweep-webhook-events"


def enqueue_post_batch(record_ids: list[int], run_id: int | None = None) -> None:
    """Queue a batch of records for posting once the current transaction commits."""
    ids = list(record_ids)
    transaction.on_commit(lambda: async_task("syncs.tasks.post_batch", ids, run_id, group="post-batch"))


def schedule_once(func: str, *args, at: dt.datetime | None) -> Schedule:
    """Run `func(*args)` once at `at` (used after a rate limit instead of sleeping in the worker)."""
    at = at or timezone.now() + dt.timedelta(minutes=1)
    return Schedule.objects.create(
        func=func, args=repr(tuple(args)), schedule_type=Schedule.ONCE, next_run=at, repeats=-1, name=None
    )


def run_flow_task(integration_id: int, flow_key: str, trigger: str = "schedule"):
    from .engine import run_flow

    run = run_flow(integration_id, flow_key, trigger)
    return run.pk if run else None


def poll_integration(integration_id: int) -> list[int]:
    """The scheduled poll: run every flow of the integration."""
    from .models import Integration

    integration = Integration.objects.get(pk=integration_id)
    return [run_flow_task(integration_id, flow_key, "schedule") for flow_key in integration.flows]


def post_batch(record_ids: list[int], run_id: int | None = None) -> dict:
    from .engine import post_batch as post

    return post(record_ids, run_id)


def requeue_needs_mapping(integration_id: int) -> int:
    """Re-try every record of an integration waiting in needs_mapping (called when a map row is saved)."""
    from .engine import requeue_blocked

    return requeue_blocked(integration_id)


def retry_due_records() -> int:
    from .engine import retry_due

    return retry_due()


def handle_webhook(event_id: str) -> str:
    """One event (what the inbox used to queue per event; kept for tasks still in a broker)."""
    from .webhooks import process_event

    return process_event(event_id)


def drain_webhooks(connection_id: int) -> int:
    from .webhooks import drain

    return drain(connection_id)


def sweep_webhooks() -> list[int]:
    from .webhooks import sweep

    return sweep()


def ensure_poll_schedule(integration) -> None:
    """One repeating poll schedule per enabled integration, at its interval; removed when it is disabled."""
    name = POLL_SCHEDULE.format(integration.pk)
    if not integration.enabled or not integration.flows:
        Schedule.objects.filter(name=name).delete()
        return
    Schedule.objects.update_or_create(
        name=name,
        defaults={
            "func": "syncs.tasks.poll_integration",
            "args": repr((integration.pk,)),
            "schedule_type": Schedule.MINUTES,
            "minutes": integration.poll_interval_minutes,
            "repeats": -1,
        },
    )


def ensure_global_schedules(**kwargs) -> None:
    """The schedules every deployment needs; run after every migrate (idempotent)."""
    from .alerts import ensure_alert_schedules
    from .ops.heartbeat import ensure_heartbeat_schedule

    ensure_heartbeat_schedule()
    ensure_alert_schedules()
    Schedule.objects.update_or_create(
        name=RETRY_SCHEDULE,
        defaults={
            "func": "syncs.tasks.retry_due_records",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        name=WEBHOOK_SWEEP_SCHEDULE,
        defaults={"func": "syncs.tasks.sweep_webhooks", "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
    )
