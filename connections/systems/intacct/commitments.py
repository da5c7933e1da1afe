"""Canonical Commitment -> Intacct PODOCUMENT purchase orders, through create_potransaction / update_potransaction.

Purchase order transactions are written with the legacy functions the published SDK uses (the generic create does
not take PODOCUMENT). A document's id is its DOCID (`Purchase Order-PO0003`), which create_potransaction answers
as its `<key>` and update_potransaction takes as `key`.

Where our key lives: the transaction's `externalid` (`mlc-<digest of the key>`); the vendor's commitment number is
its `referenceno`. A look-up asks, in one request, for the document carrying our external id and for the vendor's
documents with that reference number: one without our marker is a conflict for a person.

Intacct has no change orders on a purchase order: each approved change order is one more line, coded like the
commitment's first coded line, so the committed total (lines + approved change orders) is the document's total,
which is read back and checked after every write. An update rewrites the existing lines in place by line number
(`updatepotransitem line_num`), appends the missing ones, and zeroes any surplus, so a change order amends the same
document. Each line needs an item: the connection's `po_item` (a non-inventory item such as SUBCONTRACT).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from connections import errors
from connections.systems.base import WriteResult
from syncs.canonical import Commitment, CommitmentLine

from . import xml
from .bills import sent_of
from .client import function, new_controlid, query_element
from .errors import details_of
from .fields import CENT, create_controlid, digest, money, text

DEFAULT_TYPE = "Purchase Order"
LOOKUP = ["RECORDNO", "DOCID", "VENDORID", "REFERENCENO", "EXTERNALID", "TOTAL", "STATE"]
#: canonical line dimension -> potransitem element, in the order the function takes them
LINE_DIMENSIONS = (("location", "locationid"), ("department", "departmentid"))
PROJECT_DIMENSIONS = (("project", "projectid"), ("class", "classid"), ("task", "taskid"), ("cost_type", "costtypeid"))


def external_id(key: str) -> str:
    return f"mlc-{digest(key)}"


def change_order_lines(record: Commitment) -> list[CommitmentLine]:
    """One line per approved change order, coded like the commitment's first coded line."""
    model = next((line for line in record.lines if line.account or line.dimensions), None)
    return [
        CommitmentLine(
            amount=co.amount,
            description=f"Change order {co.number} {co.description}".strip(),
            account=model.account if model else None,
            dimensions=dict(model.dimensions) if model else {},
            native_id=f"change_order:{co.native_id}",
        )
        for co in record.change_orders
        if co.status == "approved"
    ]


def date_element(day: dt.date) -> dict:
    return {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}


class IntacctCommitments:
    def __init__(self, client, settings: dict):
        self.client = client
        self.doc_type = (settings or {}).get("po_transaction_type") or DEFAULT_TYPE
        self.item_id = (settings or {}).get("po_item") or ""

    # --- look-up ---------------------------------------------------------------------------------------------
    def find(self, record: Commitment, key: str) -> str | None:
        vendor = record.vendor.destination_id or record.vendor.native_id
        ours = ("and", [("equalto", "DOCPARID", self.doc_type), ("equalto", "EXTERNALID", external_id(key))])
        same = ("and", [("equalto", "DOCPARID", self.doc_type), ("equalto", "VENDORID", vendor),
                        ("equalto", "REFERENCENO", record.number)])  # fmt: skip
        nodes = [function(new_controlid("find"), query_element("PODOCUMENT", LOOKUP, flt)) for flt in (ours, same)]
        results = self.client.execute(nodes)
        for result in results:
            if not result.ok:
                raise result.error("the purchase order look-up")
        if results[0].records():
            return text(results[0].records()[0], "DOCID")
        foreign = results[1].records()  # same vendor and number, not carrying our key: ours under another key too
        if foreign:
            raise errors.Conflict(
                f"Intacct already has {', '.join(text(row, 'DOCID') for row in foreign)} for vendor {vendor} with "
                f"reference {record.number}, not written for this commitment. If it is this commitment, link or "
                "delete it by hand; if not, change the reference of one, then replay."
            )
        return None

    def document(self, docid: str) -> dict:
        """The whole purchase order (header and PODOCUMENTENTRIES) by its DOCID."""
        rows = list(self.client.query("PODOCUMENT", ["RECORDNO", "DOCID"], ("equalto", "DOCID", docid)))
        if not rows:
            raise errors.NotFound(f"Intacct has no {docid}", status=404)
        found = self.client.read("PODOCUMENT", [text(rows[0], "RECORDNO")])
        if not found:
            raise errors.NotFound(f"Intacct has no {docid}", status=404)
        return found[0]

    # --- writing ---------------------------------------------------------------------------------------------
    def write(self, record: Commitment, key: str, existing_id: str | None) -> WriteResult:
        if not self.item_id:
            raise errors.Permanent(
                "Set the connection's 'Item for purchase order lines' (a non-inventory item in Intacct): every "
                "purchase order line names an item."
            )
        build = xml.Builder()
        lines = [*record.lines, *change_order_lines(record)]
        if existing_id:
            current = self.document(existing_id).get("PODOCUMENTENTRIES") or []
            node = function(new_controlid("update"), self.update_body(build, record, existing_id, lines, current))
            inserts = len(lines) > len(current)
        else:
            node = function(create_controlid(key, "PODOCUMENT"), self.create_body(build, record, key, lines))
            inserts = True
        # A repeated update that appends lines would append them twice: only a pure rewrite is repeated blindly.
        result = self.client.execute([node], unique=True, idempotent=not inserts)[0]
        response = {"controlid": node.get("controlid"), "stripped": build.stripped}
        docid = existing_id or result.key
        if not result.ok:
            refusal = result.error(f"purchase order {record.number}")
            docid = None if existing_id else self.find(record, key)
            if not docid:
                raise refusal
            response.update(reconciled="The purchase order an earlier attempt created was found and linked.",
                            errors=details_of(refusal))  # fmt: skip
        if not docid:
            raise errors.OutcomeUnknown(f"Intacct answered purchase order {record.number} without its key")
        response.update(DOCID=docid, TOTAL=self._saved_total(docid, record))
        return WriteResult(destination_id=docid, created=not existing_id, sent=sent_of(node), response=response)

    def preview(self, record: Commitment, key: str) -> dict:
        """What a create of this purchase order sends (control id and XML), without sending it."""
        lines = [*record.lines, *change_order_lines(record)]
        body = self.create_body(xml.Builder(), record, key, lines)
        return sent_of(function(create_controlid(key, "PODOCUMENT"), body))

    def create_body(self, build: xml.Builder, record: Commitment, key: str, lines: list) -> etree._Element:
        vendor = record.vendor.destination_id or record.vendor.native_id
        content = {
            "transactiontype": self.doc_type,
            "datecreated": date_element(record.date or dt.date.today()),
            "vendorid": vendor,
            "referenceno": record.number,
            "message": (record.title or "")[:1000] or None,
            "externalid": external_id(key),
            "potransitems": {"potransitem": [self.line(line) for line in lines]},
        }
        return build.element("create_potransaction", content)

    def update_body(self, build, record: Commitment, docid: str, lines: list, current: list) -> etree._Element:
        node = build.element("update_potransaction", attrs={"key": docid})
        build.children(node, {"referenceno": record.number, "message": (record.title or "")[:1000] or None})
        items = etree.SubElement(node, "updatepotransitems")
        numbers = [text(row, "LINE_NO") or str(n) for n, row in enumerate(current, start=1)]
        for number, line in zip(numbers, lines, strict=False):
            items.append(build.element("updatepotransitem", self.line(line), attrs={"line_num": number}))
        for number in numbers[len(lines) :]:  # no line delete in the function: a surplus line is zeroed
            items.append(build.element("updatepotransitem", {"price": Decimal("0"), "memo": "Removed"},
                                       attrs={"line_num": number}))  # fmt: skip
        for line in lines[len(numbers) :]:
            items.append(build.element("potransitem", self.line(line)))
        return node

    def line(self, line: CommitmentLine) -> dict:
        data = {
            "itemid": self.item_id,
            "itemdesc": (line.description or "")[:1000] or None,
            "quantity": "1",
            "price": line.amount,
        }
        for dimension, name in LINE_DIMENSIONS:
            data[name] = line.dimensions.get(dimension) or None
        data["memo"] = (line.description or "")[:1000] or None
        for dimension, name in PROJECT_DIMENSIONS:
            data[name] = line.dimensions.get(dimension) or None
        return data

    def _saved_total(self, docid: str, record: Commitment) -> str:
        """The document's total as Intacct computed it must be the committed total."""
        rows = list(self.client.query("PODOCUMENT", LOOKUP, ("equalto", "DOCID", docid)))
        total = money(rows[0], "TOTAL") if rows else None
        expected = record.total.quantize(CENT)
        if total is None or total.quantize(CENT) != expected:
            raise errors.ValidationFailed(
                f"Intacct saved {docid} with total {total}, expected {expected}: check the document in Intacct "
                "(a tax, rounding or line rule may have changed it)."
            )
        return str(total)
