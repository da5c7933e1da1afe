"""Writing to the ledger: recording what was read, claiming a record, settling its outcome, auditing each step.

Every state change of a SyncRecord goes through here, so the rules stay in one place:
- a record is claimed with a conditional update before anything is written for it (layer 1 of idempotency);
- the destination key is derived from the ledger row once and reused by every retry and replay (layer 2);
- an AuditEvent is appended for every step, with secrets redacted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import Now
from django.utils import timezone

from connections.errors import OutcomeUnknown
from connections.redaction import redact, redact_mapping

from . import canonical, summary
from .models import AuditEvent, AuditKind, RecordState, SyncRecord

#: States from which new work may start. Failed records wait for their next_attempt_at; posted, dead and
#: skipped ones move only when the source changes or a person replays them.
OPEN_STATES = (RecordState.PENDING, RecordState.NEEDS_MAPPING)


def audit(integration, kind, message, *, record=None, actor=None, run=None, request=None, response=None):
    """Append one audit event. Payloads are redacted before they are stored."""
    return AuditEvent.objects.create(
        integration=integration,
        record=record,
        run=run,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        message=redact(message)[:4000],
        request=stored(request),
        response=stored(response),
    )


def stored(payload):
    """A payload as the ledger keeps it: credentials masked, exact decimals and dates as text."""
    if payload is None:
        return None
    return _without_nul(json.loads(json.dumps(redact_mapping(payload), default=_as_text)))


def _without_nul(value):
    if isinstance(value, str):
        return canonical.without_nul(value)
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _as_text(value):
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    raise TypeError(f"{type(value).__name__} cannot be stored in the ledger")


def destination_key(integration_id: int, flow: str, source_id: str) -> str:
    """A stable key for the destination, derived from the ledger identity (so a replay reuses it)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"ml-connector:{integration_id}:{flow}:{source_id}").hex


def record_item(integration, flow, item, run=None) -> SyncRecord | None:
    """Store what was read. Returns the ledger row when it has work to do, else None."""
    if item.deleted:
        mark_source_deleted(integration, flow, item.native_id, run)
        return None
    if not item.eligible:
        return None  # not approved (yet): nothing to move, and no ledger noise for drafts
    try:
        with transaction.atomic():
            record, created = SyncRecord.objects.select_for_update().get_or_create(
                integration=integration,
                flow=flow.key,
                source_id=item.native_id,
                defaults={"idempotency_key": destination_key(integration.pk, flow.key, item.native_id)},
            )
            return _apply_read(record, created, item, run)
    except IntegrityError:
        # Two workers recorded the same new item at once; the other one's row stands.
        record = SyncRecord.objects.get(integration=integration, flow=flow.key, source_id=item.native_id)
        return record if record.state in OPEN_STATES else None


def content_version(item, data: dict | None = None) -> str:
    """The source's version stamp plus a digest of what was read (`data`: the record as a dict, if made already).

    Stamps are often whole seconds: two edits within one second carry the same stamp, and the second would be
    taken for the first. The digest of the canonical record tells them apart.
    """
    if item.record is None:
        return item.version
    compact = _without_empty(data if data is not None else canonical.to_dict(item.record))
    digest = hashlib.sha256(json.dumps(compact, sort_keys=True).encode()).hexdigest()[:16]
    return f"{item.version}#{digest}"[:200]


def _without_empty(value):
    """The record without empty values, so a field added to the canonical records later (empty for every record
    read before) does not make every stored record look changed."""
    if isinstance(value, dict):
        return {key: _without_empty(item) for key, item in value.items() if item not in ("", None, {}, [])}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value


def _apply_read(record: SyncRecord, created: bool, item, run) -> SyncRecord | None:
    data = canonical.to_dict(item.record) if item.record is not None else None
    version = content_version(item, data)
    if not created and record.source_version == version:
        return record if record.state in OPEN_STATES else None
    record.source_version = version
    record.label = (item.label or record.label)[:300]
    if item.error and record.state == RecordState.POSTING:
        record.last_error = item.error  # the attempt under way settles the state; this version is read again
        record.source_version = ""
    elif item.error:
        # Read again (and count an attempt) on the retry schedule: a 404 or 500 on one record may pass.
        record.state, record.last_error, record.canonical = RecordState.FAILED, item.error, {}
        record.attempts += 1
        record.next_attempt_at = timezone.now() + retry_delay(record.attempts)
        if record.attempts >= settings.SYNC_MAX_ATTEMPTS:
            record.state, record.next_attempt_at = RecordState.DEAD, None
    else:
        record.canonical = data
        summary.apply(record, item.record)  # the columns the ledger is searched by
        if record.state != RecordState.POSTING:
            # A new version of a posted (or given-up) record must update the destination: start a new cycle.
            record.state, record.attempts, record.next_attempt_at = RecordState.PENDING, 0, None
    record.save()
    kind = AuditKind.FAILED if item.error else AuditKind.READ
    message = item.error or f"Read {'new' if created else 'changed'} source record, version {item.version}."
    audit(record.integration, kind, message, record=record, run=run)
    return None if item.error else record


def mark_source_deleted(integration, flow, source_id: str, run=None) -> SyncRecord | None:
    """The source deleted or voided a record: flag its ledger row for a person; nothing is deleted anywhere."""
    record = SyncRecord.objects.filter(integration=integration, flow=flow.key, source_id=source_id).first()
    if record is None or record.state == RecordState.SOURCE_DELETED:
        return record
    was = record.get_state_display().lower()
    SyncRecord.objects.filter(pk=record.pk).update(state=RecordState.SOURCE_DELETED, next_attempt_at=None)
    where = f" Destination record {record.destination_id} is left in place." if record.destination_id else ""
    audit(
        integration,
        AuditKind.SOURCE_DELETED,
        f"Deleted or voided at the source (the record was {was}).{where} Nothing is changed in the destination "
        "without a person: void or delete it there if it should go.",
        record=record,
        run=run,
    )
    return record


#: claim()'s `untouched_since` when the caller took no snapshot of the record's last claim.
NO_SNAPSHOT = object()


def claim(record_id: int, untouched_since=NO_SNAPSHOT) -> SyncRecord | None:
    """Take a record for posting with a conditional update; None when another worker has it or it has no work.

    Times come from the database clock, so workers on hosts whose clocks disagree judge a claim's age alike.
    `untouched_since`: the record's `claimed_at` as read earlier (before its document was looked up in a batch);
    the claimed record says `untouched` when no one claimed it in between, so what that look-up found still holds.
    """
    token = uuid.uuid4().hex
    stale = ExpressionWrapper(
        Now() - dt.timedelta(seconds=settings.SYNC_CLAIM_TIMEOUT_SECONDS), output_field=DateTimeField()
    )
    claimable = Q(state__in=OPEN_STATES) | Q(state=RecordState.FAILED, next_attempt_at__lte=timezone.now())
    if untouched_since is not NO_SNAPSHOT:
        same = Q(claimed_at__isnull=True) if untouched_since is None else Q(claimed_at=untouched_since)
        taken = SyncRecord.objects.filter(claimable, same, pk=record_id).update(
            state=RecordState.POSTING, claim_token=token, claimed_at=Now()
        )
        if taken:
            record = _claimed(record_id)
            record.untouched = True
            return record
    taken = SyncRecord.objects.filter(claimable, pk=record_id).update(
        state=RecordState.POSTING, claim_token=token, claimed_at=Now()
    )
    if not taken:
        # Its worker died mid-post (killed, or stopped at its task timeout). That attempt counts: a record that
        # takes down every worker posting it ends dead instead of going round for ever.
        taken = SyncRecord.objects.filter(pk=record_id, state=RecordState.POSTING, claimed_at__lt=stale).update(
            claim_token=token, claimed_at=Now(), attempts=F("attempts") + 1
        )
        if not taken:
            return None
        record = _claimed(record_id)
        return record if record.attempts < settings.SYNC_MAX_ATTEMPTS else _give_up_on_crashes(record)
    return _claimed(record_id)


def _claimed(record_id: int) -> SyncRecord:
    """The claimed row with its integration and connections; their secrets are left to be read (and decrypted)
    only by whoever needs them: the adapter a batch makes once per connection."""
    secrets = [f"integration__{side}__{field}" for side in ("source", "destination") for field in SECRET_FIELDS]
    rows = SyncRecord.objects.select_related("integration__source", "integration__destination")
    return rows.defer(*secrets).get(pk=record_id)


SECRET_FIELDS = ("secrets", "token_state")


def _give_up_on_crashes(record: SyncRecord) -> None:
    message = (
        f"The worker posting this record stopped without an outcome {record.attempts} times (killed, or past its "
        "task timeout); giving up. Replay it once the cause is fixed: it is looked up in the destination first."
    )
    if _settle(record, state=RecordState.DEAD, last_error=message, next_attempt_at=None):
        audit(record.integration, AuditKind.DEAD, message, record=record)
    return None


def _settle(record: SyncRecord, **changes) -> bool:
    """Apply the outcome only if we still hold the claim; False (and nothing written) when we lost it."""
    changes.setdefault("claim_token", "")
    changes["updated_at"] = timezone.now()
    updated = SyncRecord.objects.filter(pk=record.pk, claim_token=record.claim_token).update(**changes)
    if updated:
        for name, value in changes.items():
            setattr(record, name, value)
    return bool(updated)


def mark_posted(record, result, run=None, found_existing=False):
    """Settle a successful write. A newer source version read meanwhile sends the record round again."""
    posted_version = record.source_version  # the version this attempt sent
    with transaction.atomic():  # the outcome and its audit line in one commit
        current = SyncRecord.objects.select_for_update().filter(pk=record.pk).values("claim_token", "source_version")
        current = current.first() or {}
        if current.get("claim_token") != record.claim_token:
            _claim_lost(record, result, run)
            return
        newer = current["source_version"] != posted_version
        _settle(
            record,
            state=RecordState.PENDING if newer else RecordState.POSTED,
            destination_id=result.destination_id,
            sent_payload=stored(result.sent),
            posted_version=posted_version,
            posted_at=timezone.now(),
            attempts=0 if newer else record.attempts + 1,
            last_error="",
            mapping_errors=[],
            next_attempt_at=None,
        )
        verb = "Created" if result.created else ("Updated" if result.sent is not None else "Linked to")
        note = " (found by look-up: an earlier attempt had reached the destination)" if found_existing else ""
        then = " A newer source version arrived meanwhile; it will be posted next." if newer else ""
        nothing = "; it already matched, nothing was sent" if result.sent is None and not result.created else ""
        audit(
            record.integration,
            AuditKind.POSTED,
            f"{verb} destination record {result.destination_id}{note}{nothing}.{then}",
            record=record,
            run=run,
            request=result.sent,
            response=result.response,
        )


def _claim_lost(record, result, run) -> None:
    """Our claim was taken over (we ran past the claim timeout): say what we did, keep the id for a look-up."""
    SyncRecord.objects.filter(pk=record.pk, destination_id="").update(destination_id=result.destination_id)
    audit(
        record.integration,
        AuditKind.CONFLICT,
        f"This attempt wrote destination record {result.destination_id}, but another attempt had taken the record "
        "over meanwhile; the outcome is kept on the record and the next attempt updates that document.",
        record=record,
        run=run,
        request=result.sent,
        response=result.response,
    )


def mark_skipped(record, reason: str, run=None):
    """Nothing to do for this record, and why (e.g. an inactive vendor no one needs on the other side)."""
    if _settle(record, state=RecordState.SKIPPED, last_error="", next_attempt_at=None):
        audit(record.integration, AuditKind.SKIPPED, reason, record=record, run=run)


def mark_conflict(record, error: Exception, run=None):
    """A document with the same business key exists that we did not create: a person decides."""
    if _settle(record, state=RecordState.CONFLICT, last_error=redact(str(error))[:4000], next_attempt_at=None):
        audit(record.integration, AuditKind.CONFLICT, f"Not posted: {error}", record=record, run=run)


def mark_awaiting_approval(record, preview: dict, run=None):
    """A document of a flow with approval is mapped and ready: it waits for a person, with what it would send.

    A newer source version read meanwhile sends the record round again (its preview is made anew)."""
    held_version = record.source_version
    with transaction.atomic():
        current = SyncRecord.objects.select_for_update().filter(pk=record.pk).values_list("source_version", flat=True)
        newer = current.first() != held_version
        state = RecordState.PENDING if newer else RecordState.AWAITING_APPROVAL
        held = _settle(
            record, state=state, preview=stored(preview), mapping_errors=[], last_error="", next_attempt_at=None
        )
    if held and not newer:
        message = "Mapped and ready to post; waiting for approval."
        audit(record.integration, AuditKind.AWAITING_APPROVAL, message, record=record, run=run, request=preview)


def mark_needs_mapping(record, errors, run=None):
    payload = [dataclasses.asdict(error) for error in errors]
    changed = payload != record.mapping_errors
    held = _settle(record, state=RecordState.NEEDS_MAPPING, mapping_errors=payload, last_error="")
    if held and changed:
        audit(record.integration, AuditKind.BLOCKED, "; ".join(e.message for e in errors), record=record, run=run)


#: Said with every failure whose outcome is unknown (a lost or cut answer): a person must not re-enter the document
#: by hand, or the next attempt would find a document that is not ours and stop at a conflict.
UNKNOWN_OUTCOME_NOTE = (
    "the answer was lost, so the document may already be at the destination: the next attempt looks it up by our "
    "key before writing it, so do not enter it there by hand"
)


def mark_failed(record, error: Exception, *, retryable: bool, run=None):
    announced = getattr(error, "retry_at", None)  # a 503 with Retry-After: the destination said when it is back
    if isinstance(error, OutcomeUnknown):
        error = f"{error} ({UNKNOWN_OUTCOME_NOTE})"
    attempts = record.attempts + 1
    dead = attempts >= settings.SYNC_MAX_ATTEMPTS
    next_at = None if dead or not retryable else next_attempt_at(attempts, announced)
    held = _settle(
        record,
        state=RecordState.DEAD if dead else RecordState.FAILED,
        attempts=attempts,
        last_error=redact(str(error))[:4000],
        next_attempt_at=next_at,
    )
    if not held:
        message = f"An attempt that had lost its claim failed: {error}"
        audit(record.integration, AuditKind.CONFLICT, message, record=record, run=run)
        return
    kind = AuditKind.DEAD if dead else AuditKind.FAILED
    suffix = " Giving up after this attempt." if dead else (f" Next attempt at {next_at:%H:%M:%S}." if next_at else "")
    audit(record.integration, kind, f"Attempt {attempts} failed: {error}.{suffix}", record=record, run=run)


def release(record, *, until: dt.datetime | None = None):
    """Give the claim back without counting an attempt (rate limit, paused connection).

    The record goes back to pending: the rescheduled batch (or the next run) picks it up; `until` is kept
    only to show when the vendor said we may call again.
    """
    _settle(record, state=RecordState.PENDING, next_attempt_at=until)


#: The longest wait between automatic attempts of one record, whatever the back-off or the destination says.
RETRY_DELAY_CAP = dt.timedelta(hours=1)


def retry_delay(attempts: int) -> dt.timedelta:
    """Capped exponential delay between automatic attempts of one record."""
    return min(RETRY_DELAY_CAP, dt.timedelta(seconds=30 * 2 ** min(attempts - 1, 16)))


def next_attempt_at(attempts: int, announced: dt.datetime | None = None) -> dt.datetime:
    """When to try a record again: after its back-off, and not before the time the destination announced (a
    Retry-After on a 503), so a maintenance window does not use up the record's attempts; never past the cap."""
    now = timezone.now()
    backoff = now + retry_delay(attempts)
    return max(backoff, min(announced, now + RETRY_DELAY_CAP)) if announced else backoff
