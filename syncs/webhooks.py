"""The webhook inbox: verify, store the raw event, enqueue, answer 2xx at once. Webhooks are only hints.

The view does no API call and no posting: vendors give us seconds to answer (Procore 5 s) and pause all
deliveries after a failure. The queued handler re-reads every record from the source API before anything is
written, so a replayed or forged-but-authentic body can never inject data.
"""

from __future__ import annotations

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
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


@csrf_exempt
@require_POST
def receive(request, connection_uuid):
    connection = get_object_or_404(Connection, uuid=connection_uuid)
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse({"error": "payload too large"}, status=413)
    adapter = adapter_for(connection)
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
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                connection=connection, event_id=event_id, body=storable_text(body)
            )
    except IntegrityError:
        WebhookEvent.objects.filter(connection=connection, event_id=event_id).update(duplicates=F("duplicates") + 1)
        return JsonResponse({"status": "duplicate"}, status=200)
    transaction.on_commit(lambda: async_task("syncs.tasks.handle_webhook", str(event.pk), group="webhooks"))
    return JsonResponse({"status": "accepted", "id": str(event.pk)}, status=202)


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
            known = record or SyncRecord.objects.filter(
                integration=integration, flow=flow.key, source_id=hint.native_id
            ).first()
            message = f"Webhook {event.event_id}: {hint.action} {hint.native_id}; {outcome}."
            ledger.audit(integration, AuditKind.WEBHOOK, message, record=known)
            if record is not None:
                post_record(record.pk)
