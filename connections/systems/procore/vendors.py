"""Procore company directory vendors <-> canonical Vendor.

A vendor linked to the ERP carries the ERP's id in `origin_id` (unique per company; Procore then shows it as synced)
and the ERP's code in `origin_code`. A synced vendor is locked against ordinary edits, so updates go through the ERP
write path, the batch `sync` call (matched on id), which answers 200 with the `errors` of each item. Inactive vendors
have their own list (`/companies/{id}/vendors/inactive`); both lists are read, so a deactivation is seen whether or
not the main list includes inactive vendors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connections import errors
from connections.systems.base import SourceItem, WriteResult
from syncs.canonical import Vendor

from .common import changed_since, item, procore_range


def to_vendor(row: dict) -> Vendor:
    return Vendor(
        native_id=str(row["id"]),
        name=row.get("name") or "",
        code=str(row.get("origin_code") or ""),
        active=bool(row.get("is_active", True)),
        origin_id=str(row.get("origin_id") or ""),
    )


def vendor_item(row: dict) -> SourceItem:
    vendor = to_vendor(row)
    stamp = row.get("updated_at")
    return item(vendor.native_id, stamp or "", stamp, vendor, f"Vendor {vendor.name}", row)


class ProcoreVendors:
    """Read, find and write company vendors."""

    def __init__(self, client):
        self.client = client

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        """Vendors changed since `since`: the main list filtered by Procore, the inactive list filtered here."""
        seen = set()
        for row in self.client.vendors(procore_range(since)):
            seen.add(row["id"])
            yield vendor_item(row)
        for row in self.client.inactive_vendors():
            if row["id"] not in seen and changed_since(row.get("updated_at"), since):
                yield vendor_item({**row, "is_active": False})

    def get(self, native_id: str) -> SourceItem:
        return vendor_item(self._row(native_id))

    def _row(self, native_id: str) -> dict:
        try:
            return self.client.vendor(native_id)
        except errors.NotFound:
            # An inactive vendor may be visible only in the inactive list.
            for row in self.client.inactive_vendors():
                if str(row.get("id")) == str(native_id):
                    return {**row, "is_active": False}
            raise

    def find(self, record: Vendor) -> str | None:
        """The vendor linked to `record` (its origin_id is the record's id), else the one unlinked vendor with
        exactly the record's name; None when there is neither."""
        for row in self.client.vendors(origin_id=record.native_id):
            if str(row.get("origin_id") or "") == record.native_id:
                return str(row["id"])
        for row in self.client.inactive_vendors():
            if str(row.get("origin_id") or "") == record.native_id:
                return str(row["id"])
        return self._unlinked_namesake(record)

    def _unlinked_namesake(self, record: Vendor) -> str | None:
        wanted = record.name.strip().casefold()
        if not wanted:
            return None
        matches = [
            row
            for row in self.client.vendors(search=record.name)
            if (row.get("name") or "").strip().casefold() == wanted and not row.get("origin_id")
        ]
        return str(matches[0]["id"]) if len(matches) == 1 else None

    def write(self, record: Vendor, existing_id: str | None) -> WriteResult:
        """Create the vendor linked to the record, or bring the existing one in step (name, active, link)."""
        if not existing_id:
            fields = {"name": record.name, "is_active": record.active, "origin_id": record.native_id}
            if record.code:
                fields["origin_code"] = record.code
            answer = self.client.create_vendor(fields)
            if not answer.get("id"):
                raise errors.OutcomeUnknown("Procore answered the vendor creation without an id")
            return WriteResult(str(answer["id"]), True, sent=fields, response=trim(answer))
        current = self._row(existing_id)
        fields = {"id": int(existing_id), "name": record.name, "is_active": record.active}
        if not current.get("origin_id"):
            fields["origin_id"] = record.native_id
        if not current.get("origin_code") and record.code:
            fields["origin_code"] = record.code
        answer = synced_entity(self.client.sync_vendors([fields]), "vendor")
        return WriteResult(str(existing_id), False, sent=fields, response=trim(answer))


def synced_entity(answer: dict, what: str) -> dict:
    """The one record a sync call wrote; its `errors` (the call answers 200 either way) become a typed failure."""
    problems = answer.get("errors") or []
    entities = answer.get("entities") or []
    if problems or not entities:
        detail = "; ".join(str(problem.get("errors") or problem) for problem in problems) or "nothing was written"
        raise errors.ValidationFailed(f"Procore refused the {what} update: {detail}", status=200, body=str(answer))
    return entities[0]


def trim(answer: dict) -> dict:
    return {key: answer.get(key) for key in ("id", "name", "is_active", "origin_id", "origin_code") if key in answer}
