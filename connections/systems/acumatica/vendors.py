"""Acumatica vendors and cost codes <-> canonical Vendor and CostCode.

Vendor look-up, in order: the vendor whose VendorID is the record's `origin_id` (the ERP id a linked Procore vendor
carries), then its `code` (e.g. Procore's origin_code), then the VendorID this adapter derives from the record's
own id (so a create retried after a lost answer finds its vendor), then the one vendor with exactly the record's
name (several namesakes are a conflict for a person). A new vendor gets that derived VendorID, written with
`If-None-Match: *` so it can never overwrite another; updates use `If-Match: *`.

Cost codes are found by CostCodeID = the record's `origin_id`, else its code; a new one takes the code as its id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from connections import errors
from connections.systems.base import SourceItem, WriteResult, short_key
from syncs.canonical import CostCode, Vendor

from .fields import equals, field_errors, modified_since, parse_datetime, text, value

ACTIVE, INACTIVE = "Active", "Inactive"
INACTIVE_STATUSES = {"inactive", "hold", "on hold", "suspended"}
#: What Acumatica accepts as a key as it is (segmented keys are upper-case letters, digits and a few signs).
PLAIN_KEY = re.compile(r"^[A-Z0-9][A-Z0-9_\-.]{0,14}$")


def derived_vendor_id(record: Vendor) -> str:
    """A VendorID that only this record yields: its code when that is a plain key, else "V" + its id in base 36."""
    code = (record.code or "").strip().upper()
    return code if PLAIN_KEY.match(code) else short_key(record.native_id)


def to_vendor(row: dict) -> Vendor:
    vendor_id = text(row, "VendorID")
    status = text(row, "Status")
    return Vendor(
        native_id=vendor_id,
        name=text(row, "VendorName"),
        code=vendor_id,
        active=status.lower() not in INACTIVE_STATUSES,
        currency=text(row, "CurrencyID"),
    )


def source_item(native_id: str, record, row: dict, label: str) -> SourceItem:
    stamp = value(row.get("LastModifiedDateTime"))
    return SourceItem(native_id, str(stamp or ""), parse_datetime(stamp), record, label=label, raw=row)


class AcumaticaReferenceData:
    """Read, find and write one kind of reference record: Vendor or CostCode."""

    entity = ""
    key_field = ""

    def __init__(self, client):
        self.client = client

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        for row in self.client.list(self.entity, filter=modified_since(since)):
            if text(row, self.key_field):
                yield self.item(row)

    def row(self, key: str) -> dict | None:
        rows = self.client.rows(self.entity, equals(**{self.key_field: key})) if key else []
        return rows[0] if rows else None

    def get(self, native_id: str) -> SourceItem:
        row = self.row(native_id)
        if row is None:
            raise errors.NotFound(f"Acumatica has no {self.entity} {native_id}", status=404)
        return self.item(row)

    def put(self, fields: dict, existing_id: str | None) -> WriteResult:
        """Insert or update; an insert is never repeated blindly (a lost answer is settled by the next look-up)."""
        body = {name: {"value": val} for name, val in fields.items()}
        try:
            answer = self.client.put(self.entity, body, insert_only=not existing_id, idempotent=bool(existing_id))
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                f"Acumatica rejected the {self.entity}: {field_errors(exc.body) or exc}",
                status=exc.status,
                body=exc.body,
            ) from exc
        key = text(answer, self.key_field)
        if not key:
            raise errors.OutcomeUnknown(f"Acumatica answered the {self.entity} without its {self.key_field}")
        response = {name: value(answer.get(name)) for name in fields if name in answer}
        return WriteResult(destination_id=key, created=not existing_id, sent=body, response=response)


class AcumaticaVendors(AcumaticaReferenceData):
    entity, key_field = "Vendor", "VendorID"

    def item(self, row: dict) -> SourceItem:
        vendor = to_vendor(row)
        return source_item(vendor.native_id, vendor, row, f"Vendor {vendor.native_id} {vendor.name}")

    def find(self, record: Vendor) -> str | None:
        for candidate in dict.fromkeys((record.origin_id, record.code, derived_vendor_id(record))):
            if candidate and self.row(candidate) is not None:
                return candidate
        if not record.name:
            return None
        namesakes = [text(row, "VendorID") for row in self.client.rows("Vendor", equals(VendorName=record.name))]
        if len(namesakes) > 1:
            raise errors.Conflict(
                f"Acumatica has several vendors named {record.name!r} ({', '.join(namesakes)}): map the vendor to "
                "the right one by hand, then replay."
            )
        return namesakes[0] if namesakes else None

    def write(self, record: Vendor, existing_id: str | None) -> WriteResult:
        fields = {
            "VendorID": existing_id or derived_vendor_id(record),
            "VendorName": record.name,
            "Status": ACTIVE if record.active else INACTIVE,
        }
        return self.put(fields, existing_id)


class AcumaticaCostCodes(AcumaticaReferenceData):
    entity, key_field = "CostCode", "CostCodeID"

    def item(self, row: dict) -> SourceItem:
        code_id = text(row, "CostCodeID")
        record = CostCode(native_id=code_id, code=code_id, name=text(row, "Description"))
        return source_item(code_id, record, row, f"Cost code {code_id} {record.name}".strip())

    def find(self, record: CostCode) -> str | None:
        for candidate in dict.fromkeys((record.origin_id, record.code)):
            if candidate and self.row(candidate) is not None:
                return candidate
        return None

    def write(self, record: CostCode, existing_id: str | None) -> WriteResult:
        return self.put({"CostCodeID": existing_id or record.code, "Description": record.name}, existing_id)
