"""Intacct VENDOR <-> canonical Vendor, both ways.

Look-up, in one request of several query functions: the vendor whose VENDORID is the record's `origin_id` (the
ERP id a linked Procore vendor carries), its `code`, the VENDORID derived from the record's own id (so a create
retried after a lost answer finds its vendor), and the vendors with exactly the record's name (one namesake is
taken, several are a conflict for a person). A new vendor gets that derived VENDORID and a function control id
derived from our key with uniqueid=true; a refused repeat ("already exists", or the control id already ran) is
settled by reading the vendor. Names lose the characters XML 1.0 forbids, and the record says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from lxml import etree

from connections import errors
from connections.systems.base import SourceItem, WriteResult, short_key
from syncs.canonical import Vendor

from . import xml
from .bills import sent_of
from .client import function, new_controlid, query_element
from .errors import details_of
from .fields import create_controlid, modified_filter, parse_datetime, text, version_of, zone

SELECT = ["RECORDNO", "VENDORID", "NAME", "STATUS", "TAXID", "CURRENCY", "WHENMODIFIED"]
PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,19}$")


def derived_vendor_id(record: Vendor) -> str:
    """A VENDORID only this record yields: its code when that is a plain id, else "V" + its id in base 36."""
    code = (record.code or "").strip()
    return code.upper() if PLAIN_ID.match(code) else short_key(record.native_id)


def to_vendor(row: dict) -> Vendor:
    vendor_id = text(row, "VENDORID")
    return Vendor(
        native_id=vendor_id,
        name=text(row, "NAME"),
        code=vendor_id,
        active=text(row, "STATUS").lower() not in ("inactive", "f", "false"),
        tax_id=text(row, "TAXID"),
        currency=text(row, "CURRENCY"),
    )


class IntacctVendors:
    def __init__(self, client, settings: dict):
        self.client = client
        self.tz = zone(settings)

    def item(self, row: dict) -> SourceItem:
        vendor = to_vendor(row)
        stamp = text(row, "WHENMODIFIED")
        version = version_of(stamp, vendor.name, vendor.active, vendor.tax_id, vendor.currency)
        label = f"Vendor {vendor.native_id} {vendor.name}"
        return SourceItem(vendor.native_id, version, parse_datetime(stamp, self.tz), vendor, label=label, raw=row)

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        for row in self.client.query("VENDOR", SELECT, modified_filter(since, self.tz)):
            if text(row, "VENDORID"):
                yield self.item(row)

    def get(self, native_id: str) -> SourceItem:
        rows = list(self.client.query("VENDOR", SELECT, ("equalto", "VENDORID", native_id)))
        if not rows:
            raise errors.NotFound(f"Intacct has no vendor {native_id}", status=404)
        return self.item(rows[0])

    def find(self, record: Vendor) -> str | None:
        ids = [i for i in dict.fromkeys((record.origin_id, record.code, derived_vendor_id(record))) if i]
        checks = [("equalto", "VENDORID", vendor_id) for vendor_id in ids]
        if record.name:
            checks.append(("equalto", "NAME", xml.strip_forbidden(record.name)[0]))
        nodes = [function(new_controlid("find"), query_element("VENDOR", SELECT, flt)) for flt in checks]
        results = self.client.execute(nodes)
        for result in results:
            if not result.ok:
                raise result.error("the vendor look-up")
        for result in results[: len(ids)]:
            if result.records():
                return text(result.records()[0], "VENDORID")
        namesakes = [text(row, "VENDORID") for row in results[-1].records()] if record.name else []
        if len(namesakes) > 1:
            raise errors.Conflict(
                f"Intacct has several vendors named {record.name!r} ({', '.join(namesakes)}): map the vendor to the "
                "right one by hand, then replay."
            )
        return namesakes[0] if namesakes else None

    def write(self, record: Vendor, key: str, existing_id: str | None) -> WriteResult:
        build = xml.Builder()
        vendor_id = existing_id or derived_vendor_id(record)
        fields = {
            "VENDORID": vendor_id,
            "NAME": record.name,
            "DISPLAYCONTACT": {"PRINTAS": record.name, "EMAIL1": record.email or None},
            "STATUS": "active" if record.active else "inactive",
            "TAXID": record.tax_id or None,
        }
        verb = "update" if existing_id else "create"
        wrapper = etree.Element(verb)
        wrapper.append(build.element("VENDOR", fields))
        controlid = new_controlid("update") if existing_id else create_controlid(key, "VENDOR")
        node = function(controlid, wrapper)
        result = self.client.execute([node], unique=True, idempotent=bool(existing_id))[0]
        response = {"VENDORID": vendor_id, "controlid": controlid, "stripped": build.stripped}
        if not result.ok:
            refusal = result.error(f"vendor {record.name!r}")
            if existing_id or not self._exists(vendor_id):
                raise refusal
            response.update(reconciled="The vendor an earlier attempt created was found and linked.",
                            errors=details_of(refusal))  # fmt: skip
        return WriteResult(destination_id=vendor_id, created=not existing_id, sent=sent_of(node), response=response)

    def _exists(self, vendor_id: str) -> bool:
        return bool(list(self.client.query("VENDOR", ["RECORDNO", "VENDORID"], ("equalto", "VENDORID", vendor_id))))
