"""The webhook inbox: verify, store the raw event, answer 2xx at once. Webhooks are only hints.

The view does no API call and no posting: vendors give us seconds to answer (Procore 5 s) and pause all
deliveries after a failure. The handler re-reads every record from the source API before anything is written, so a
replayed or forged-but-authentic body can never inject data.

The stored event is the queue: the view only inserts it (durable before the 2xx) and does not queue a task per
event. A drain task per connection processes every waiting event, each claimed by one worker. Each web process
queues at most one drain per connection every DRAIN_DELAY_SECONDS, after the delay, so a burst rides on one task;
an event whose drain was lost (a killed process, a purged broker) is found by the sweep, every minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Q
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_q.conf import Conf
from django_q.tasks import async_task

from connections import errors
from connections.models import Connection
from connections.systems.base import SourceItem

from . import ledger
from .canonical import without_nul
from .engine import adapter_for, post_record, sides
from .flows import FLOWS, MIRROR, POST
from .models import AuditKind, Integration, SyncRecord, WebhookEvent, WebhookStatus

log = logging.getLogger("syncs.webhooks")
MAX_BODY_BYTES = 1_000_000
DRAIN_DELAY_SECONDS = 0.5  # how long a web process gathers events of one connection before it queues their drain
DRAIN_MAX_SECONDS = 60  # one drain hands over to a new task after this long, well inside the task timeout
SWEEP_AFTER_SECONDS = 60  # an unclaimed event older than this has lost its drain: the sweep queues one


@csrf_exempt
@require_POST
def receive(request, connection_uuid):
    adapter = inbox_adapter(connection_uuid)
    if adapter is None:
        raise Http404("No such inbox.")
    connection = adapter.connection
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse({"error": "payload too large"}, status=413)
    headers = dict(request.headers)
    if not connection.spec.webhook or not adapter.verify_webhook(headers, body):
        log.warning(
            "Rejected an unverified webhook for connection %s from %s", connection.pk, request.META.get("REMOTE_ADDR")
        )
        return JsonResponse({"error": "verification failed"}, status=401)
    try:
        event_id = stored_event_id(adapter.webhook_event_id(headers, body))
    except (ValueError, TypeError, RecursionError) as exc:  # RecursionError: a deeply nested body
        reason = "the body is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        _store_malformed(connection, body, reason)
        return JsonResponse({"error": f"malformed payload: {reason}"}, status=400)
    event = WebhookEvent(connection=connection, event_id=event_id, body=storable_text(body))
    try:
        # Alone, the INSERT commits by itself; inside a caller's transaction, a savepoint keeps a duplicate from
        # breaking it.
        with transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext():
            event.save(force_insert=True)
    except IntegrityError:
        WebhookEvent.objects.filter(connection=connection, event_id=event_id).update(duplicates=F("duplicates") + 1)
        return JsonResponse({"status": "duplicate"}, status=200)
    transaction.on_commit(lambda: request_drain(connection.pk))
    return JsonResponse({"status": "accepted", "id": str(event.pk)}, status=202)


_adapters: dict = {}  # connection uuid -> (its version, its adapter), in this process


def inbox_adapter(connection_uuid):
    """The adapter of the connection an inbox URL names, or None. The connection is loaded (its secrets decrypted)
    only when its row changed since this process last did: one narrow query per request checks `updated_at`, which
    every save bumps, so a new webhook secret applies from the next delivery."""
    row = Connection.objects.filter(uuid=connection_uuid).values_list("id", "updated_at").first()
    if row is None:
        return None
    cached = _adapters.get(connection_uuid)
    if cached and cached[0] == row:
        return cached[1]
    connection = Connection.objects.filter(pk=row[0]).first()
    if connection is None:
        return None
    if len(_adapters) > 10_000:
        _adapters.clear()
    _adapters[connection_uuid] = (row, adapter_for(connection))
    return _adapters[connection_uuid][1]


_waiting: set[int] = set()  # connections whose drain this process will queue when their delay is over
_waiting_lock = threading.Lock()


def request_drain(connection_pk: int) -> None:
    """Have the connection's waiting events drained soon; called after an event is committed.

    Correct without shared state: an event committed while its connection is in `_waiting` is committed before the
    timer takes it out and queues the drain, so that drain sees it. With tasks run inline (tests), drain now."""
    if Conf.SYNC:
        async_task("syncs.tasks.drain_webhooks", connection_pk, group="webhooks")
        return
    with _waiting_lock:
        if connection_pk in _waiting:
            return
        _waiting.add(connection_pk)
    threading.Timer(DRAIN_DELAY_SECONDS, _queue_drain, [connection_pk]).start()


def _queue_drain(connection_pk: int) -> None:
    with _waiting_lock:
        _waiting.discard(connection_pk)
    try:
        async_task("syncs.tasks.drain_webhooks", connection_pk, group="webhooks")
    except Exception:  # the events are stored: the sweep queues their drain
        log.exception("Could not queue the webhook drain of connection %s", connection_pk)
    finally:
        close_old_connections()  # this timer thread's own database connection (the ORM broker)


def _stale_claim() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.SYNC_CLAIM_TIMEOUT_SECONDS)


def _claimable(queryset):
    """Events waiting for a worker: received, not claimed, or claimed by a worker that died with it."""
    return queryset.filter(status=WebhookStatus.RECEIVED).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=_stale_claim())
    )


def drain(connection_pk: int) -> int:
    """Process every waiting event of a connection, oldest first, each claimed so no two workers take it; returns
    how many this call processed. Events stored while it runs are taken too; a long stream is handed over to a new
    task after DRAIN_MAX_SECONDS, so no task runs into the timeout."""
    deadline = timezone.now() + dt.timedelta(seconds=DRAIN_MAX_SECONDS)
    waiting = WebhookEvent.objects.filter(connection_id=connection_pk).order_by("received_at")
    done = 0
    while batch := list(_claimable(waiting).values_list("pk", flat=True)[:100]):
        for pk in batch:
            if _claimable(WebhookEvent.objects.filter(pk=pk)).update(claimed_at=timezone.now()):
                process_event(pk)
                done += 1
        if timezone.now() > deadline:
            async_task("syncs.tasks.drain_webhooks", connection_pk, group="webhooks")
            break
    return done


def sweep() -> list[int]:
    """Queue a drain for every connection with an event no drain took in time; returns those connections."""
    late = _claimable(
        WebhookEvent.objects.filter(received_at__lt=timezone.now() - dt.timedelta(seconds=SWEEP_AFTER_SECONDS))
    )
    connections = sorted(late.order_by().values_list("connection_id", flat=True).distinct())
    for connection_pk in connections:
        log.warning(
            "Webhook events of connection %s waited over %s s: draining them", connection_pk, SWEEP_AFTER_SECONDS
        )
        async_task("syncs.tasks.drain_webhooks", connection_pk, group="webhooks")
    return connections


def stored_event_id(event_id: str) -> str:
    """The sender's event id as stored: a long one is replaced by its digest, so two ids never collapse."""
    event_id = str(event_id)
    if len(event_id) <= 200:
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


def storable_text(body: bytes) -> str:
    """The body as text any database keeps: undecodable bytes and NUL characters (which PostgreSQL text refuses)
    become U+FFFD, so a hostile body is stored as evidence instead of failing the request."""
    return without_nul(body.decode("utf-8", "replace"))


def _store_malformed(connection, body: bytes, exc) -> None:
    """An authentic but unreadable delivery is kept, with the reason, for someone to look at."""
    event = WebhookEvent.objects.create(
        connection=connection,
        event_id=f"malformed-{timezone.now().timestamp()}",
        body=storable_text(body)[:MAX_BODY_BYTES],
        status=WebhookStatus.FAILED,
        error=f"Malformed payload: {exc}",
    )
    for integration in Integration.objects.filter(source=connection):
        ledger.audit(integration, AuditKind.WEBHOOK, f"Rejected webhook {event.pk}: malformed payload: {exc}")


def process_event(event_pk: str) -> str:
    """Re-read every record the event points at and post it through each flow that reads from the connection."""
    event = WebhookEvent.objects.select_related("connection").get(pk=event_pk)
    if event.status != WebhookStatus.RECEIVED:
        return event.status
    connection = event.connection
    adapter = adapter_for(connection)
    try:
        hints = adapter.parse_webhook({}, event.body.encode())
        integrations = Integration.objects.filter(Q(source=connection) | Q(destination=connection), enabled=True)
        for integration in integrations.select_related("source", "destination"):
            _apply_hints(integration, connection, adapter, hints, event)
    except (ValueError, TypeError, KeyError, RecursionError, errors.ApiError) as exc:
        event.status, event.error = WebhookStatus.FAILED, f"{type(exc).__name__}: {exc}"[:4000]
    except Exception as exc:  # never leave an event stuck in "received"
        log.exception("Webhook event %s could not be processed", event.pk)
        event.status, event.error = WebhookStatus.FAILED, f"internal error: {type(exc).__name__}: {exc}"[:4000]
    else:
        event.status = WebhookStatus.PROCESSED
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "error", "processed_at"])
    return event.status


def _read_hint(adapter, hint) -> SourceItem:
    """The record a hint points at, re-read from the source; a record the source no longer has is deleted."""
    try:
        return adapter.get(hint.entity, hint.native_id, hint.scope)
    except errors.NotFound:
        return SourceItem(hint.native_id, "", None, None, deleted=True)


def _apply_hints(integration, connection, adapter, hints, event) -> None:
    for hint in hints:
        for flow_key in integration.flows:
            flow = FLOWS[flow_key]
            if flow.source_entity != hint.entity or sides(integration, flow)[0].pk != connection.pk:
                continue
            if flow.kind not in (POST, MIRROR):
                continue  # status and reconcile flows read in bulk on their schedule
            item = _read_hint(adapter, hint)
            record = ledger.record_item(integration, flow, item)
            outcome = "posting it" if record is not None else "the last read already had this version; nothing to do"
            known = (
                record
                or SyncRecord.objects.filter(integration=integration, flow=flow.key, source_id=hint.native_id).first()
            )
            message = f"Webhook {event.event_id}: {hint.action} {hint.native_id}; {outcome}."
            ledger.audit(integration, AuditKind.WEBHOOK, message, record=known)
            if record is not None:
                post_record(record.pk)
