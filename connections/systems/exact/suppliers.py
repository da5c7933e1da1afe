"""Exact suppliers (crm/Accounts with IsSupplier) as canonical vendors, so a mirror flow can create them elsewhere.

Exact stays a source: suppliers are read, never written. A blocked supplier reads as inactive.
"""

from __future__ import annotations

from connections.systems.base import SourceItem
from syncs.canonical import Vendor

from .documents import latest
from .values import code


def vendor(row: dict) -> Vendor:
    return Vendor(
        native_id=str(row["ID"]),
        name=(row.get("Name") or "").strip(),
        code=code(row.get("Code")),
        active=not row.get("Blocked"),
        email=row.get("Email") or "",
        tax_id=row.get("VATNumber") or "",
        currency=row.get("PurchaseCurrency") or "",
    )


def item(row: dict, zone) -> SourceItem:
    record = vendor(row)
    label = f"Supplier {record.code} - {record.name}".strip(" -")
    return SourceItem(record.native_id, str(row.get("Modified") or ""), latest(zone, row.get("Modified")), record,
                      label=label)  # fmt: skip
