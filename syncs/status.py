"""Status flows: a state read on one side (paid, partly paid, voided) written against the linked document.

The link is the ledger row of the `post` flow that created the document (`Flow.links_to`): its destination id is
the document whose status is read, its source id the record the status is written to. The status record's version
covers the state and every payment, so re-reading an unchanged state changes nothing, and the writing adapter
writes each payment once.
"""

from __future__ import annotations

from connections import errors

from . import canonical, ledger
from .models import SyncRecord


def post_status(record: SyncRecord, integration, flow, run, link: SyncRecord | None) -> None:
    from .engine import adapter_for, sides

    if link is None:
        raise errors.Permanent(
            f"No document posted by the flow '{flow.links_to}' has the id {record.source_id}: nothing to update."
        )
    status = canonical.from_dict(record.canonical)
    writer = adapter_for(sides(integration, flow)[1])
    result = writer.write_status(flow.destination_entity, link.source_id, status, record.idempotency_key)
    ledger.mark_posted(record, result, run)
