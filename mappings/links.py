"""What a mirror flow learns about reference data: which item of one side is which item of the other.

When a mirror flow links or creates a vendor or a cost code, the reference records of both sides are brought up to
date at once (so the mapping grid shows the new item without waiting for the hourly pull), and for vendors the
vendor map row is recorded, through the same `save_map` as every other edit (history, audit, and the records that
were waiting for it re-queued).
"""

from __future__ import annotations

from django.utils import timezone

from .models import ChangeSource, ReferenceRecord, VendorMap
from .services import save_map


def reference_id(kind: str, item, native_id: str) -> str:
    """The native id reference pulls use for an item of this kind: cost codes are listed by their code."""
    return item.code if kind == "cost_code" and getattr(item, "code", "") else native_id


def upsert_reference(connection, kind: str, item, native_id: str, create: bool = True) -> ReferenceRecord | None:
    """The reference record of an item a flow just read, linked or created on `connection`.

    With `create` off, only a record the connection's own reference pull already made is brought up to date: the
    side a mirror reads may list an item under another id than its pull does (e.g. a cost type per task there).
    """
    values = {
        "code": str(getattr(item, "code", "") or "")[:200],
        "name": str(getattr(item, "name", "") or "")[:300],
        "active": bool(getattr(item, "active", True)),
        "last_seen_at": timezone.now(),
        "missing_since": None,
    }
    lookup = {"connection": connection, "kind": kind, "native_id": reference_id(kind, item, native_id)}
    if not create:
        ReferenceRecord.objects.filter(**lookup).update(**values)
        return ReferenceRecord.objects.filter(**lookup).first()
    ref, _ = ReferenceRecord.objects.update_or_create(**lookup, defaults=values)
    return ref


def counterpart(integration, kind: str, connection, native_id: str) -> str | None:
    """The native id of the item linked to `native_id` (listed by `connection`) on the integration's other side."""
    if kind != "vendor":
        return None
    if connection.pk == integration.source_id:
        row = VendorMap.objects.filter(
            integration=integration, source__native_id=str(native_id), source__connection=connection
        ).select_related("destination").first()
        return row.destination.native_id if row else None
    row = VendorMap.objects.filter(
        integration=integration, destination__native_id=str(native_id), destination__connection=connection
    ).select_related("source").first()
    return row.source.native_id if row else None


def record_link(integration, kind: str, reader, item, writer, written_id: str) -> None:
    """Keep both sides' reference records and (for vendors) the vendor map in step with a mirror's outcome."""
    read_ref = upsert_reference(reader, kind, item, item.native_id, create=kind == "vendor")
    written_ref = upsert_reference(writer, kind, item, written_id)
    if kind != "vendor" or read_ref is None:
        return
    source, destination = (read_ref, written_ref) if reader.pk == integration.source_id else (written_ref, read_ref)
    row = VendorMap.objects.filter(integration=integration, source=source).first() or VendorMap(
        integration=integration, source=source
    )
    if row.destination_id != destination.pk and source.is_usable and destination.is_usable:
        row.destination = destination
        save_map(row, None, ChangeSource.SYNC)
