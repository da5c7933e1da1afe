"""Status flows: a state read on one side (paid, partly paid, voided) written against the linked document.

The link is the ledger row of the `post` flow that created the document (`Flow.links_to`). A `back` flow reads the
status of the document that flow wrote (the link's destination id) and writes it on the record it came from (the
link's source id); a `forward` flow reads the status of the source document (e.g. a bill paid in the books that feed
a project system) and writes it on the document the post flow made of it. The status record's version
covers the state and every payment, so re-reading an unchanged state changes nothing, and the writing adapter
writes each payment once.
"""

from __future__ import annotations

from connections import errors
from mappings.resolve import MissingMapping

from . import canonical, ledger
from .flows import FORWARD
from .models import SyncRecord


def linked_document(integration, flow, native_id: str) -> SyncRecord | None:
    """The ledger row of `flow.links_to` for the document whose status was read as `native_id`."""
    rows = SyncRecord.objects.filter(integration=integration, flow=flow.links_to)
    if flow.direction == FORWARD:
        return rows.filter(source_id=native_id).first()
    return rows.filter(destination_id=native_id).first()


def post_status(record: SyncRecord, integration, flow, run, link: SyncRecord | None) -> None:
    from .engine import adapter_for, sides

    if link is None:
        raise errors.Permanent(
            f"No document posted by the flow '{flow.links_to}' has the id {record.source_id}: nothing to update."
        )
    status = canonical.from_dict(record.canonical)
    writer = adapter_for(sides(integration, flow)[1])
    target = link.destination_id if flow.direction == FORWARD else link.source_id
    if not target:
        # The document is not written yet (e.g. it waits for a mapping): wait with it; every run tries again.
        ledger.mark_needs_mapping(record, [_not_written(integration, flow, link)], run)
        return
    result = writer.write_status(flow.destination_entity, target, status, record.idempotency_key)
    ledger.mark_posted(record, result, run)


def _not_written(integration, flow, link: SyncRecord) -> MissingMapping:
    label = link.label or link.source_id
    message = (
        f"{label} is not written by the flow '{flow.links_to}' yet ({link.get_state_display().lower()}); its payment "
        f"status follows once it is, in integration {integration.name}"
    )
    return MissingMapping("document", f"document:{flow.links_to}:{link.source_id}", label, message)
