"""Approval before posting, for the flows whose options ask for it (`{"ap_bills": {"approval": true}}`).

A document of such a flow is read, mapped and previewed like any other, then waits in `awaiting_approval` with the
exact payload the destination would receive. A finance user approves it (it is then posted, through the usual
claim, so a double click posts once) or rejects it with a reason (it stays on the ledger as rejected, can be fixed
and sent again, and goes back to the queue). An approval holds for one source version: a new version of the
document, or a changed override, waits for approval again with a new preview.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Q

from connections import errors

from . import canonical, ledger, overrides
from .flows import FLOWS, flow_options
from .models import AuditKind, RecordState, SyncRecord

#: failures of a preview that concern the whole connection: they stop the attempt like a write would
STOPPERS = (errors.RateLimited, errors.ReauthRequired, errors.AuthExpired)


def required(options: dict) -> bool:
    return bool(options.get("approval"))


def waits(record: SyncRecord, options: dict) -> bool:
    """Whether this version of the record must wait for a person before it is written."""
    return required(options) and record.approved_version != record.source_version


def preview(destination, entity: str, document, key: str) -> dict:
    """What `write` would send for the resolved document, without writing; an error in words when it cannot say."""
    try:
        body = destination.preview(entity, document, key)
    except STOPPERS:
        raise
    except errors.ApiError as exc:
        return {"error": f"{destination.label} would refuse this document: {exc}"}
    if body is None:
        return {"error": f"{destination.label} shows no preview of {entity.replace('_', ' ')} documents."}
    return ledger.stored(body)


def hold(record: SyncRecord, destination, flow, document, run=None) -> None:
    """Stop a mapped document before its write: it waits for approval with its preview."""
    body = preview(destination, flow.destination_entity, document, record.idempotency_key)
    ledger.mark_awaiting_approval(record, body, run)


def preview_now(record: SyncRecord) -> tuple[dict | None, list[dict]]:
    """The payload the record would send now (with its overrides and today's maps), or what mapping is missing.

    Returns (preview, missing mappings as dicts). Reads the destination only where its adapter needs a look-up."""
    from mappings.resolve import resolve

    from .engine import adapter_for, sides

    flow = FLOWS[record.flow]
    if not record.canonical:
        return {"error": "The source document could not be read; nothing to preview."}, []
    options = flow_options(record.integration, flow)
    document = canonical.with_options(canonical.from_dict(record.canonical), options)
    try:
        document = overrides.apply(document, record.overrides, options)
    except errors.ApiError as exc:
        return {"error": str(exc)}, []
    resolution = resolve(record.integration, document, options=options)
    if resolution.errors:
        return None, [{"kind": e.kind, "key": e.key, "label": e.label, "message": e.message} for e in resolution.errors]
    destination = adapter_for(sides(record.integration, flow)[1])
    return preview(destination, flow.destination_entity, resolution.record, record.idempotency_key), []


def approve(record_ids, actor) -> dict[str, int]:
    """Approve waiting records: each is posted once, whatever the number of clicks. Returns counts."""
    from .tasks import enqueue_post_batch

    counts, approved = Counter(), []
    for record in SyncRecord.objects.filter(pk__in=list(record_ids)).select_related("integration"):
        taken = SyncRecord.objects.filter(
            pk=record.pk, state=RecordState.AWAITING_APPROVAL, source_version=record.source_version
        ).update(state=RecordState.PENDING, approved_version=record.source_version, next_attempt_at=None)
        if not taken:
            counts["not_waiting"] += 1  # approved or rejected already (a second click), or changed meanwhile
            continue
        message = f"Approved for posting ({record.label or record.source_id})."
        ledger.audit(record.integration, AuditKind.APPROVED, message, record=record, actor=actor)
        approved.append(record.pk)
        counts["approved"] += 1
    if approved:
        enqueue_post_batch(approved, None)
    return dict(counts)


def reject(record_ids, actor, reason: str) -> dict[str, int]:
    """Reject waiting records with a reason: nothing is written; they stay on the ledger as rejected."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A rejection needs a reason.")
    counts = Counter()
    for record in SyncRecord.objects.filter(pk__in=list(record_ids)).select_related("integration"):
        taken = SyncRecord.objects.filter(pk=record.pk, state=RecordState.AWAITING_APPROVAL).update(
            state=RecordState.REJECTED, approved_version="", last_error=f"Rejected: {reason}"[:4000]
        )
        if not taken:
            counts["not_waiting"] += 1
            continue
        ledger.audit(record.integration, AuditKind.REJECTED, f"Rejected: {reason}", record=record, actor=actor)
        counts["rejected"] += 1
    return dict(counts)


def set_overrides(record: SyncRecord, values: dict, actor, reason: str) -> dict:
    """Store the overrides a person set (checked against the flow's allowed fields), with the reason audited.

    A changed override needs a new approval. Raises ValidationError (nothing stored) on a bad value."""
    from django.core.exceptions import ValidationError

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the change.")
    options = flow_options(record.integration, FLOWS[record.flow])
    cleaned = overrides.clean(options, values)
    if cleaned == (record.overrides or {}):
        return cleaned
    busy = Q(state=RecordState.POSTING)
    updated = SyncRecord.objects.filter(pk=record.pk).exclude(busy).update(overrides=cleaned, approved_version="")
    if not updated:
        raise ValidationError("The record is being posted right now; try again in a moment.")
    record.overrides, record.approved_version = cleaned, ""
    said = ", ".join(f"{overrides.FIELDS[name][0].lower()} {value}" for name, value in cleaned.items()) or "none"
    ledger.audit(record.integration, AuditKind.OVERRIDE, f"Overrides set ({said}): {reason}", record=record,
                 actor=actor)  # fmt: skip
    return cleaned
