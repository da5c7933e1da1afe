"""The engine: run one flow of one integration, or post one record. It never names a system.

A run reads the flow's reading side (the source for `forward` flows, the destination for `back` flows) partition by
partition since each partition's cursor (minus an overlap window, so nothing on the boundary is missed), records
every item in the ledger, advances a partition's cursor only once it has been read in full, and queues the records
for posting. Posting a record claims it and hands it to its kind: a `post` resolves references through the
mappings, looks the document up on the writing side and writes it once; `mirror` and `status` live in their own
modules, as does `reconcile`, which compares instead of reading changes.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connections import errors
from mappings.resolve import Maps, resolve

from . import approval, canonical, ledger, overrides, progress
from .flows import BACK, FLOWS, MIRROR, POST, RECONCILE, STATUS, flow_options
from .models import AuditKind, Cursor, Integration, RecordState, RunStatus, SyncRecord, SyncRun

log = logging.getLogger("syncs.engine")

PAGE_SIZE = 50
CURSOR_OVERLAP = dt.timedelta(minutes=5)
PREFETCH_PATIENCE_SECONDS = 15.0


class FlowNotSupported(Exception):
    """The integration's adapters cannot read or write what the flow needs."""


def adapter_for(connection):
    return connection.spec.adapter_class()(connection)


def sides(integration: Integration, flow) -> tuple:
    """(reading connection, writing connection) of a flow in this integration, by its direction."""
    if flow.direction == BACK:
        return integration.destination, integration.source
    return integration.source, integration.destination


def check_flow(integration: Integration, flow) -> None:
    """Refuse a flow the adapters cannot serve, naming the missing capability."""
    reader, writer = sides(integration, flow)
    for side, entity, operation in flow.needs():
        connection = reader if side == "reader" else writer
        if not connection.spec.adapter_class().can(entity, operation):
            raise FlowNotSupported(
                f"{connection.spec.label} cannot {operation} {entity.replace('_', ' ')} records, "
                f"which the flow '{flow.label}' needs"
            )


def paused_reason(integration: Integration) -> str:
    if not integration.enabled:
        return "the integration is paused"
    for connection in (integration.source, integration.destination):
        if not connection.is_usable:
            return f"{connection} is {connection.get_status_display().lower()}: {connection.status_reason}"
    return ""


# --- reading ----------------------------------------------------------------------------------------------------
def run_flow(integration_id: int, flow_key: str, trigger: str = "schedule", enqueue=None) -> SyncRun | None:
    """Read what changed since the cursor, record it, and queue it for posting. Returns the run."""
    integration = Integration.objects.select_related("source", "destination", "tenant").get(pk=integration_id)
    flow = FLOWS[flow_key]
    reason = paused_reason(integration)
    if reason:
        log.info("Not running %s of %s: %s", flow_key, integration, reason)
        return None
    run = SyncRun.objects.create(integration=integration, flow=flow_key, trigger=trigger)
    enqueue = enqueue or _enqueue_posting
    counts = {"read": 0, "queued": 0, "ignored": 0}
    queued: set[int] = set()

    def enqueue_once(ids, run_id):
        queued.update(ids)
        progress.run_queued(run, len(ids))
        enqueue(ids, run_id)

    try:
        check_flow(integration, flow)
        if flow.kind == RECONCILE:
            from .reconcile import reconcile

            counts.update(reconcile(integration, flow, run))
            run.status = RunStatus.SUCCEEDED
            return run
        unreadable = _read_changes(integration, flow, run, counts, enqueue_once)
        due = [pk for pk in _due_records(integration, flow).values_list("pk", flat=True) if pk not in queued]
        if due:
            progress.run_queued(run, len(due))
            enqueue(due, run.pk)
            counts["queued"] += len(due)
        run.status = RunStatus.PARTIAL if unreadable else RunStatus.SUCCEEDED
        run.error = "\n".join(unreadable)[:4000]
    except errors.RateLimited as exc:
        run.status, run.error = RunStatus.RESCHEDULED, f"Rate limited; resumes at {exc.retry_at:%Y-%m-%d %H:%M:%S}."
        from .tasks import schedule_once

        schedule_once("syncs.tasks.run_flow_task", integration.pk, flow_key, "retry", at=exc.retry_at)
    except (errors.ApiError, FlowNotSupported) as exc:
        run.status, run.error = RunStatus.FAILED, str(exc)[:4000]
        ledger.audit(integration, AuditKind.FAILED, f"Run of {flow.label} failed: {exc}", run=run)
    finally:
        run.counts, run.finished_at = counts, timezone.now()
        run.save(update_fields=["status", "error", "counts", "finished_at"])  # total/done move on their own
    return run


#: Failures that concern the whole connection, not one partition: they stop the run.
RUN_STOPPERS = (errors.RateLimited, errors.ReauthRequired, errors.AuthExpired)


def _read_changes(integration, flow, run, counts, enqueue) -> list[str]:
    """Read every partition of the source; returns what could not be read (one line per partition).

    A partition that fails (a project the service account may not see, a list that answers 500) is reported and
    skipped, keeping its cursor; the others flow. A rate limit or lost credentials stop the run: partitions read
    in full keep their advanced cursors, so the rescheduled run resumes with the rest.
    """
    cursor, _ = Cursor.objects.get_or_create(integration=integration, flow=flow.key)
    source = adapter_for(sides(integration, flow)[0])
    unreadable = []
    for partition in source.partitions(flow.source_entity):
        mark = cursor.mark(partition)
        since = dt.datetime.fromisoformat(mark) - CURSOR_OVERLAP if mark else None
        try:
            high_water = _read_partition(integration, flow, run, counts, enqueue, source, since, partition)
        except RUN_STOPPERS:
            raise
        except errors.ApiError as exc:
            where = partition or "the list"
            unreadable.append(f"Could not read {where}: {exc}")
            counts["unreadable_partitions"] = counts.get("unreadable_partitions", 0) + 1
            ledger.audit(integration, AuditKind.FAILED, f"Could not read {where} of {flow.label}: {exc}", run=run)
            continue
        cursor.advance(partition, high_water)  # only now that the whole partition is in the ledger
    return unreadable


def _read_partition(integration, flow, run, counts, enqueue, source, since, partition) -> str:
    """Record every item of one partition, page by page; returns the partition's new high-water mark."""
    page, high_water = [], ""
    for item in source.changed(flow.source_entity, since, partition):
        page.append(item)
        stamp = item.modified_at.astimezone(dt.UTC).isoformat() if item.modified_at else ""
        high_water = max(high_water, stamp)
        if len(page) >= PAGE_SIZE:
            _record_page(integration, flow, run, page, counts, enqueue)
            page = []
    _record_page(integration, flow, run, page, counts, enqueue)
    return high_water


def _record_page(integration, flow, run, items, counts, enqueue) -> None:
    """Record a page of items in one transaction (one commit per page, not one per row and audit line), then queue
    them: only once committed can a worker claim them."""
    to_post = []
    with transaction.atomic():
        for item in items:
            counts["read"] += 1
            if flow.kind == STATUS and not _linked_document(integration, flow, item.native_id):
                counts["ignored"] += 1  # a document no flow of ours posted: its status is not ours to carry back
                continue
            record = ledger.record_item(integration, flow, item, run)
            if record is None:
                counts["ignored"] += 1
            else:
                to_post.append(record.pk)
    if to_post:
        enqueue(to_post, run.pk)
        counts["queued"] += len(to_post)


def _linked_document(integration, flow, native_id: str) -> SyncRecord | None:
    """The ledger row of the flow that posted the document a status flow reads (`native_id`): a back flow reads
    the document it wrote (its destination id), a forward flow the document it read (its source id)."""
    from .status import linked_document

    return linked_document(integration, flow, native_id)


def _due_records(integration, flow):
    """Records of the flow with work to do that this read did not touch: blocked, failed and due, or stuck."""
    now = timezone.now()
    return SyncRecord.objects.filter(integration=integration, flow=flow.key).filter(
        Q(state__in=ledger.OPEN_STATES) | Q(state=RecordState.FAILED, next_attempt_at__lte=now)
    )


def _enqueue_posting(record_ids: list[int], run_id: int | None) -> None:
    from .tasks import enqueue_post_batch

    enqueue_post_batch(record_ids, run_id)


# --- writing ----------------------------------------------------------------------------------------------------
def post_record(
    record_id: int, run: SyncRun | None = None, maps: BatchCache | None = None, untouched_since=ledger.NO_SNAPSHOT
) -> str:
    """Post one ledger record, exactly once. Returns the state it ended in ("busy" when someone else has it).
    `maps`: what the records of a batch share (see BatchCache); without it they are read for this record.
    `untouched_since`: the record's last claim as read before its batch looked its document up (see _prefetch)."""
    record = ledger.claim(record_id, untouched_since)
    if record is None:
        return "busy"
    integration = record.integration
    try:
        reason = paused_reason(integration)
        if reason:
            raise errors.ReauthRequired(reason)
        _post_claimed(record, integration, run, maps)
    except errors.RateLimited as exc:
        ledger.release(record, until=exc.retry_at)
        raise
    except errors.ReauthRequired:
        ledger.release(record)
        raise
    except errors.Conflict as exc:
        ledger.mark_conflict(record, exc, run=run)
    except errors.ApiError as exc:
        ledger.mark_failed(record, exc, retryable=exc.retryable, run=run)
    except Exception as exc:  # a bug or a surprise: never lose the record, never crash the batch
        log.exception("Unexpected error posting record %s", record_id)
        ledger.mark_failed(record, f"internal error: {type(exc).__name__}: {exc}", retryable=True, run=run)
    if record.state == RecordState.PENDING:
        _enqueue_posting([record.pk], run.pk if run else None)  # a newer version arrived while we posted
    return record.state


def _post_claimed(record: SyncRecord, integration: Integration, run, maps: BatchCache | None = None) -> None:
    flow = FLOWS[record.flow]
    if not record.canonical and not _reread(record, integration, flow, run):
        return
    if flow.kind == MIRROR:
        from .mirror import post_mirror

        return post_mirror(record, integration, flow, run)
    if flow.kind == STATUS:
        from .status import post_status

        return post_status(record, integration, flow, run, _linked_document(integration, flow, record.source_id))
    return _post_document(record, integration, flow, run, maps)


class BatchCache:
    """What the records of one batch share instead of reading it once per record: each integration's map rows
    (reading them was most of a record's database work) and each connection's adapter (its token, its HTTP
    session and what it has looked up).

    Map rows are never older than MAX_AGE_SECONDS, and never the reason a record waits: a record that does not
    resolve against them is resolved again against rows read afresh before it is held for a mapping (a map saved
    during the batch counts). Dropped when a mirror flow created reference data for a record. An adapter is kept
    while its connection is unchanged (a new token or new settings make a new one)."""

    MAX_AGE_SECONDS = 5.0

    def __init__(self):
        self._read: dict[int, tuple[float, Maps]] = {}
        self._adapters: dict[tuple, object] = {}
        # record pk -> (source version, overrides, resolution, when): what the batch's look-up resolved (_prefetch)
        self.resolved: dict[int, tuple] = {}

    def get(self, integration: Integration, fresh: bool = False) -> Maps:
        now = time.monotonic()
        known = self._read.get(integration.pk)
        if fresh or known is None or now - known[0] > self.MAX_AGE_SECONDS:
            known = (now, Maps(integration))
            self._read[integration.pk] = known
        return known[1]

    def forget(self, integration: Integration) -> None:
        self._read.pop(integration.pk, None)

    def adapter(self, connection):
        key = (connection.pk, connection.updated_at)
        if key not in self._adapters:
            self._adapters = {k: v for k, v in self._adapters.items() if k[0] != connection.pk}
            self._adapters[key] = adapter_for(connection)
        return self._adapters[key]


def _resolve(integration: Integration, document, options: dict, maps: BatchCache | None):
    if maps is None:
        return resolve(integration, document, options=options)
    resolution = resolve(integration, document, maps=maps.get(integration), options=options)
    if resolution.errors:  # perhaps mapped since the rows were read: ask again before holding the record
        resolution = resolve(integration, document, maps=maps.get(integration, fresh=True), options=options)
    return resolution


def _post_document(record: SyncRecord, integration: Integration, flow, run, maps: BatchCache | None = None) -> None:
    """A `post`: resolve through the maps (creating missing reference data first where a mirror flow may), look
    the document up by our key, write it once."""
    options = flow_options(integration, flow)
    resolution = _resolved_by_batch(record, maps)
    if resolution is None:
        document = canonical.with_options(canonical.from_dict(record.canonical), options)
        document = overrides.apply(document, record.overrides, options)  # what a person set on this record wins
        resolution = _resolve(integration, document, options, maps)
    if resolution.errors and _mirror_missing(integration, resolution.errors, run):
        if maps is not None:
            maps.forget(integration)
        resolution = resolve(integration, document, options=options)
    if resolution.errors:
        ledger.mark_needs_mapping(record, resolution.errors, run)
        return
    writer = sides(integration, flow)[1]
    destination = maps.adapter(writer) if maps is not None else adapter_for(writer)
    if approval.waits(record, options):  # a flow with approval: shown to a person before anything is written
        approval.hold(record, destination, flow, resolution.record, run)
        return
    key = record.idempotency_key
    if not getattr(record, "untouched", False):
        destination.drop_prefetched(key)  # claimed by someone else since the batch looked it up: ask again
    existing = record.destination_id or destination.find(flow.destination_entity, resolution.record, key)
    result = destination.write(flow.destination_entity, resolution.record, key, existing)
    ledger.mark_posted(record, result, run, found_existing=bool(existing and not record.destination_id))


def _resolved_by_batch(record: SyncRecord, maps: BatchCache | None):
    """The resolution the batch's look-up made of this record, if the record is still the version it resolved and
    the map rows it used are not older than map rows may be (BatchCache.MAX_AGE_SECONDS)."""
    known = maps.resolved.pop(record.pk, None) if maps is not None else None
    if known is None or known[:2] != (record.source_version, record.overrides):
        return None
    return known[2] if time.monotonic() - known[3] <= BatchCache.MAX_AGE_SECONDS else None


def _mirror_missing(integration: Integration, missing, run) -> bool:
    """Create the reference data a document waits for, through the integration's mirror flows, first.

    Returns whether anything was created (the document is then resolved again in the same pass).
    """
    from .mirror import mirror_now

    created = False
    for error in missing:
        flow = next(
            (
                FLOWS[key]
                for key in integration.flows
                if FLOWS[key].kind == MIRROR and FLOWS[key].direction != BACK and FLOWS[key].source_entity == error.kind
            ),
            None,
        )
        native_id = (error.detail or {}).get("native_id")
        if flow is not None and native_id:
            created = mirror_now(integration, flow, native_id, run) or created
    return created


def _reread(record: SyncRecord, integration: Integration, flow, run) -> bool:
    """The last read of this record failed (e.g. a 404 on its commitment): read it again before posting.

    Returns False when the source no longer has it (the row is then flagged as deleted at the source).
    """
    try:
        item = adapter_for(sides(integration, flow)[0]).get(flow.source_entity, record.source_id)
    except errors.NotFound:
        ledger.mark_source_deleted(integration, flow, record.source_id, run)
        record.state = RecordState.SOURCE_DELETED
        return False
    if item.error:
        raise errors.Transient(item.error)
    if item.deleted or item.record is None:
        ledger.mark_source_deleted(integration, flow, record.source_id, run)
        record.state = RecordState.SOURCE_DELETED
        return False
    record.canonical = canonical.to_dict(item.record)
    SyncRecord.objects.filter(pk=record.pk).update(canonical=record.canonical)
    return True


def post_batch(record_ids: list[int], run_id: int | None = None) -> dict[str, int]:
    """Post a batch of records; stop at a rate limit and hand the rest back for later. Returns counts by outcome."""
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    outcome: dict[str, int] = {}
    maps = BatchCache()
    snapshot = _prefetch(record_ids, maps)
    for index, record_id in enumerate(record_ids):
        try:
            state = post_record(record_id, run, maps, snapshot.get(record_id, ledger.NO_SNAPSHOT))
        except errors.RateLimited as exc:
            from .tasks import schedule_once

            schedule_once("syncs.tasks.post_batch", record_ids[index:], run_id, at=exc.retry_at)
            outcome["rescheduled"] = len(record_ids) - index
            break
        except errors.ReauthRequired:
            outcome["paused"] = len(record_ids) - index
            break
        outcome[state] = outcome.get(state, 0) + 1
        progress.run_advanced(run_id)
    return outcome


def _prefetch(record_ids: list[int], maps: BatchCache) -> dict[int, object]:
    """Look the batch's new documents up in their destination together (where the adapter can), before they are
    posted one by one. Returns each looked-up record's `claimed_at` as read before the look-up: a record claimed
    since (by a worker that may have written it) is looked up again on its own when its turn comes."""
    rows = SyncRecord.objects.filter(pk__in=record_ids, destination_id="", state=RecordState.PENDING)
    integrations = Integration.objects.select_related("source", "destination").in_bulk(
        {row.integration_id for row in rows}
    )
    snapshot, documents = {}, {}
    for row in rows:
        integration, flow = integrations[row.integration_id], FLOWS.get(row.flow)
        options = flow_options(integration, flow) if flow else {}
        if flow is None or flow.kind != POST or options.get("approval") or not row.canonical:
            continue
        try:
            document = canonical.with_options(canonical.from_dict(row.canonical), options)
            document = overrides.apply(document, row.overrides, options)
            resolution = resolve(integration, document, maps=maps.get(integration), options=options)
        except Exception:  # noqa: BLE001 - posting the record says what is wrong with it, on the record
            continue
        if resolution.errors:
            continue
        snapshot[row.pk] = row.claimed_at
        maps.resolved[row.pk] = (row.source_version, row.overrides, resolution, time.monotonic())
        documents.setdefault((integration.pk, flow.key), []).append((row.idempotency_key, resolution.record))
    for (integration_id, flow_key), found in documents.items():
        flow = FLOWS[flow_key]
        writer = sides(integrations[integration_id], flow)[1]
        try:
            maps.adapter(writer).prefetch(flow.destination_entity, found, patience=_prefetch_patience())
        except errors.ApiError as exc:  # each record is then looked up on its own, as it would be without this
            log.info("Batch look-up of %s skipped: %s", flow.label, exc)
        except Exception:  # a surprise here must not keep the batch from posting: each record looks itself up
            log.exception("Batch look-up of %s failed", flow.label)
    return snapshot


def _prefetch_patience() -> float:
    """How long a batch's look-up may wait for an answer: a hang there must not use up the task's time (the task
    would be stopped before any record was claimed, again and again); the records then look themselves up, so one
    that hangs the destination is the one that ends dead."""
    return min(PREFETCH_PATIENCE_SECONDS, settings.Q_CLUSTER["timeout"] / 4)


def requeue_blocked(integration_id: int) -> int:
    """Post again every record waiting for a mapping in this integration (called when a map changes)."""
    ids = list(
        SyncRecord.objects.filter(integration_id=integration_id, state=RecordState.NEEDS_MAPPING).values_list(
            "pk", flat=True
        )
    )
    if ids:
        _enqueue_posting(ids, None)
    return len(ids)


def replay(record_ids, actor, reason: str = "") -> dict[str, int]:
    """A person asks to try again: a new attempt with the same destination key (the reason, if given, is audited).

    A no-op for a record already posted in its latest version; a posted record whose source has moved on is
    posted again (an update of the same destination document). A rejected record goes back to its approval.
    """
    counts = {"replayed": 0, "already_posted": 0, "busy": 0}
    because = f" Reason: {reason.strip()}" if (reason or "").strip() else ""
    reopenable = [
        RecordState.FAILED,
        RecordState.DEAD,
        RecordState.NEEDS_MAPPING,
        RecordState.CONFLICT,
        RecordState.REJECTED,
        RecordState.AWAITING_APPROVAL,  # sent round again: its preview is made anew
    ]
    for record in SyncRecord.objects.filter(pk__in=list(record_ids)).select_related("integration"):
        if record.state == RecordState.POSTED and record.posted_version == record.source_version:
            counts["already_posted"] += 1
            message = f"Replay asked; already posted, nothing sent.{because}"
            ledger.audit(record.integration, AuditKind.REPLAYED, message, record=record, actor=actor)
            continue
        reopened = SyncRecord.objects.filter(
            Q(state__in=reopenable) | Q(state=RecordState.POSTED), pk=record.pk, source_version=record.source_version
        ).update(state=RecordState.PENDING, attempts=0, next_attempt_at=None)
        if not reopened and record.state != RecordState.PENDING:
            counts["busy"] += 1
            continue
        message = f"Replay asked; a new attempt with the same key.{because}"
        ledger.audit(record.integration, AuditKind.REPLAYED, message, record=record, actor=actor)
        _enqueue_posting([record.pk], None)
        counts["replayed"] += 1
    return counts


def retry_due() -> int:
    """Post records whose next automatic attempt is due (a scheduled task, every minute)."""
    now = timezone.now()
    due = SyncRecord.objects.filter(state=RecordState.FAILED, next_attempt_at__lte=now)
    stale = SyncRecord.objects.filter(
        state=RecordState.POSTING, claimed_at__lt=now - dt.timedelta(seconds=settings.SYNC_CLAIM_TIMEOUT_SECONDS)
    )
    ids = list(due.values_list("pk", flat=True)) + list(stale.values_list("pk", flat=True))
    if ids:
        _enqueue_posting(ids, None)
    return len(ids)
