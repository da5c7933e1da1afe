"""QuickBooks vendors <-> canonical Vendor.

Vendors are a name list: never deleted, made inactive (`Active: false`), and a plain query returns only active
rows, so every list asks for both. `DisplayName` is unique across vendors, customers and employees; it is what a
look-up matches on. A create carries a requestid derived from our key; an update sends the SyncToken last read and,
when QuickBooks answers that it is stale (5010), reads the vendor again and retries once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connections import errors
from connections.systems.base import SourceItem, WriteResult
from syncs.canonical import Vendor

from .client import QuickBooksClient, quoted, request_id
from .common import changed_rows, deleted_item, fingerprint, is_deleted, modified, ref_value
from .errors import StaleObject

ACTIVE_AND_INACTIVE = ["Active = true", "Active = false"]


def to_vendor(row: dict) -> Vendor:
    return Vendor(
        native_id=str(row["Id"]),
        name=row.get("DisplayName") or "",
        active=bool(row.get("Active", True)),
        email=str((row.get("PrimaryEmailAddr") or {}).get("Address") or ""),
        tax_id=str(row.get("TaxIdentifier") or ""),
        currency=ref_value(row.get("CurrencyRef")),
    )


def vendor_item(row: dict) -> SourceItem:
    vendor = to_vendor(row)
    version = f"{row.get('SyncToken', '')}:{fingerprint(vendor)}"
    return SourceItem(vendor.native_id, version, modified(row), vendor, label=f"Vendor {vendor.name}", raw=row)


def vendor_fields(record: Vendor) -> dict:
    """What we write on a vendor: its name, whether it is active, its e-mail address when known."""
    fields = {"DisplayName": record.name, "Active": record.active}
    if record.email:
        fields["PrimaryEmailAddr"] = {"Address": record.email}
    return fields


class QuickBooksVendors:
    """Read, find and write vendors."""

    def __init__(self, client: QuickBooksClient):
        self.client = client
        self.sync_tokens: dict[str, str] = {}  # vendor id -> the SyncToken of our last read

    def _seen(self, row: dict) -> dict:
        if row.get("SyncToken") is not None:
            self.sync_tokens[str(row["Id"])] = str(row["SyncToken"])
        return row

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        for _, row in changed_rows(self.client, ["Vendor"], since, lambda entity: ACTIVE_AND_INACTIVE):
            yield deleted_item("Vendor", row) if is_deleted(row) else vendor_item(self._seen(row))

    def rows(self) -> Iterator[dict]:
        """Every vendor, active and inactive."""
        for condition in ACTIVE_AND_INACTIVE:
            yield from self.client.select("Vendor", condition)

    def get(self, native_id: str) -> SourceItem:
        return vendor_item(self._seen(self.client.read("Vendor", native_id)))

    def find(self, record: Vendor) -> str | None:
        """The vendor with exactly the record's display name (unique in a company), active or not."""
        for condition in ACTIVE_AND_INACTIVE:
            rows = list(self.client.select("Vendor", f"DisplayName = {quoted(record.name)} AND {condition}"))
            if rows:
                return str(self._seen(rows[0])["Id"])
        return None

    def write(self, record: Vendor, key: str, existing_id: str | None) -> WriteResult:
        """Create the vendor (requestid from `key`), or update the existing one's name, state and e-mail."""
        fields = vendor_fields(record)
        if not existing_id:
            row = self.client.create("Vendor", fields, request_id("create", "Vendor", key))
            return WriteResult(str(row["Id"]), True, sent=fields, response=trim(self._seen(row)))
        row = self.update(existing_id, fields, key)
        return WriteResult(str(existing_id), False, sent=fields, response=trim(row))

    def update(self, native_id: str, fields: dict, key: str) -> dict:
        """Sparse update with the SyncToken last read; on 5010 (stale) read the vendor again and retry once."""
        native_id = str(native_id)
        if native_id not in self.sync_tokens:
            self._seen(self.client.read("Vendor", native_id))
        try:
            return self._send_update(native_id, fields, key)
        except StaleObject:
            self._seen(self.client.read("Vendor", native_id))
            return self._send_update(native_id, fields, key)

    def _send_update(self, native_id: str, fields: dict, key: str) -> dict:
        body = {"Id": native_id, "SyncToken": self.sync_tokens[native_id], **fields}
        # The requestid names this very change (record, SyncToken and fields): a retry after a lost answer is
        # replayed, while the retry after a stale SyncToken is a new request.
        change = fingerprint(sorted(fields.items()))
        requestid = request_id("update", "Vendor", key, native_id, body["SyncToken"], change)
        row = self.client.update("Vendor", body, requestid)
        if str(row.get("Id")) != native_id:
            raise errors.ValidationFailed(f"QuickBooks answered the update of vendor {native_id} with another record")
        return self._seen(row)


def trim(row: dict) -> dict:
    return {key: row.get(key) for key in ("Id", "SyncToken", "DisplayName", "Active") if key in row}
