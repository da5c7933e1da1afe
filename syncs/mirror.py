"""Mirror flows: reference data (vendors, cost codes) kept as one list on both sides.

An item read on one side is linked to its counterpart on the other (the ledger row from an earlier sync, a map
row, or the writing adapter's look-up by its own key), created there when the flow's options allow it, and kept in
step: renames and deactivations propagate. When both sides changed the same field since the last sync (the values
stored in the ledger row's `synced`), the flow's `winner` option decides ("writer": the other side keeps its value;
"reader": this side's value is written) and the conflict goes to the audit trail either way.
"""

from __future__ import annotations

import copy

from connections.systems.base import WriteResult
from mappings import links
from mappings.resolve import MissingMapping

from . import canonical, ledger
from .flows import BACK, flow_options
from .models import AuditKind, RecordState, SyncRecord

#: Fields a mirror keeps in step (ids and codes identify an item; they are not renamed through a sync).
FIELDS = ("name", "active")


def post_mirror(record: SyncRecord, integration, flow, run) -> None:
    from .engine import adapter_for, sides

    reader, writer_connection = sides(integration, flow)
    writer = adapter_for(writer_connection)
    item = canonical.from_dict(record.canonical)
    entity, key = flow.destination_entity, record.idempotency_key
    counterpart = (
        record.destination_id
        or links.counterpart(integration, flow.source_entity, reader, item.native_id)
        or writer.find(entity, item, key)
    )
    if counterpart is None and not getattr(item, "active", True):
        ledger.mark_skipped(record, "Inactive and without a counterpart: nothing to create.", run)
        return
    if counterpart is None and not flow_options(integration, flow).get("create", True):
        ledger.mark_needs_mapping(record, [_no_counterpart(integration, flow, item, writer_connection)], run)
        return
    if counterpart is None:
        result, agreed = writer.write(entity, item, key, None), _values(item)
    else:
        result, agreed = _update(record, integration, flow, writer, item, counterpart, run)
    links.record_link(integration, flow.source_entity, reader, item, writer_connection, result.destination_id)
    ledger.mark_posted(record, result, run)
    SyncRecord.objects.filter(pk=record.pk).update(synced=agreed)


def _update(record, integration, flow, writer, item, counterpart: str, run):
    """Bring the counterpart in step with `item`; returns the write result and the values now agreed."""
    current = writer.get(flow.destination_entity, counterpart).record
    winner = flow_options(integration, flow).get("winner", "writer")
    wanted = copy.deepcopy(item)
    changed = False
    for field in FIELDS:
        ours, theirs, last = getattr(item, field), getattr(current, field), (record.synced or {}).get(field)
        if ours == theirs:
            continue
        both_changed = last is not None and theirs != last and ours != last
        if last is not None and ours == last:
            setattr(wanted, field, theirs)  # only the other side changed: its own mirror flow carries it back
        elif both_changed and winner == "writer":
            setattr(wanted, field, theirs)
            _audit_conflict(record, integration, field, ours, theirs, kept=theirs, run=run)
        else:
            changed = True
            if both_changed:
                _audit_conflict(record, integration, field, ours, theirs, kept=ours, run=run)
    if flow.direction == BACK and getattr(current, "origin_id", None) not in (None, item.native_id):
        # Writing back to the integration's source: it keeps the other side's id (e.g. Procore's origin_id), so a
        # counterpart linked by name is marked as linked even when nothing else differs.
        changed = True
    if not changed:
        return WriteResult(destination_id=str(counterpart), created=False, response={"unchanged": True}), _values(
            wanted
        )
    return writer.write(flow.destination_entity, wanted, record.idempotency_key, counterpart), _values(wanted)


def _audit_conflict(record, integration, field, ours, theirs, kept, run) -> None:
    ledger.audit(
        integration,
        AuditKind.CONFLICT,
        f"Both sides changed {field} since the last sync ({ours!r} here, {theirs!r} there); kept {kept!r} "
        "by the flow's rule.",
        record=record,
        run=run,
    )


def _values(item) -> dict:
    return {field: getattr(item, field) for field in FIELDS}


def _no_counterpart(integration, flow, item, writer_connection) -> MissingMapping:
    label = f"{item.name or item.code} ({flow.source_entity.replace('_', ' ')} {item.native_id})"
    message = (
        f"{label} has no counterpart in {writer_connection.spec.label} and the flow '{flow.label}' may not create "
        f"one in integration {integration.name}: map it, or allow creation in the integration's options"
    )
    return MissingMapping(flow.source_entity, f"{flow.source_entity}:{item.native_id}", label, message)


def mirror_now(integration, flow, native_id: str, run) -> bool:
    """Read one item and mirror it at once (a document is waiting for it); True when its counterpart exists now."""
    from .engine import adapter_for, post_record, sides

    item = adapter_for(sides(integration, flow)[0]).get(flow.source_entity, native_id)
    record = ledger.record_item(integration, flow, item, run)
    if record is None:
        record = SyncRecord.objects.filter(integration=integration, flow=flow.key, source_id=native_id).first()
        return bool(record and record.state == RecordState.POSTED)
    ledger.audit(
        integration,
        AuditKind.READ,
        f"Mirrored first: a document waits for {item.label or native_id}.",
        record=record,
        run=run,
    )
    return post_record(record.pk, run) == RecordState.POSTED
