"""Canonical Bill -> Intacct APBILL with APBILLITEMS, written exactly once.

Where our key lives: APBILL has no external-reference field we can count on, so the bill's RECORDID is the
vendor's invoice number (what AP clerks search by) and our key is written as a marker at the end of the bill's
DESCRIPTION (`[mlc:<digest of the key>]`). A look-up reads the bills of that vendor with that RECORDID and takes
the one carrying our marker; a same-numbered bill without any marker was not written by us and is a conflict for
a person, never taken over.

Every create carries a function control id derived from the key (`fields.create_controlid`) in a request sent with
uniqueid=true, so a repeat after a lost answer is refused by the gateway instead of creating a second bill. Any
failed create is then looked up by our key before it is reported: when our bill is there, the failure was the
repeat's (a "duplicate" answer, whatever its number), and the existing bill is linked. Updates name the RECORDNO
and replace the line list wholesale (Intacct's rule), so repeating one is harmless.

Several bills go in one request (`write_many`); each function's result is applied to its own bill, so one refused
bill among five leaves the other four posted, and only it needs another attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from connections import errors
from connections.systems.base import WriteResult
from syncs.money import quantum, rounded_lines

from . import xml
from .client import function, new_controlid, query_element
from .errors import details_of
from .fields import MARKER_PREFIX, create_controlid, key_marker, text

#: canonical line dimension -> APBILLITEM field, in the order the object lists them (VENDORID sits between).
LINE_DIMENSIONS = (
    ("location", "LOCATIONID"),
    ("department", "DEPARTMENTID"),
    ("project", "PROJECTID"),
    ("task", "TASKID"),
    ("cost_type", "COSTTYPEID"),
)
CENT = Decimal("0.01")
LOOKUP_FIELDS = ["RECORDNO", "RECORDID", "VENDORID", "DESCRIPTION", "STATE", "TOTALENTERED"]


@dataclass
class BillWrite:
    """One bill of a batch: the canonical record, our key, and the RECORDNO when it already exists."""

    record: object
    key: str
    existing_id: str | None = None


def refuse_credit(record) -> None:
    if record.kind == "credit":
        raise errors.ValidationFailed(
            f"Bill {record.number} is a net credit ({record.total}). This connector posts AP bills to Intacct; "
            "a vendor credit is an AP adjustment there, which it does not write. Enter the adjustment in Intacct "
            "by hand, then mark this record skipped."
        )


class IntacctBills:
    """Find and write AP bills, one at a time or several per request."""

    def __init__(self, client, settings: dict):
        self.client = client
        self.settings = settings or {}

    # --- look-up ---------------------------------------------------------------------------------------------
    def lookup_function(self, record):
        vendor = record.vendor.destination_id or record.vendor.native_id
        flt = ("and", [("equalto", "VENDORID", vendor), ("equalto", "RECORDID", record.number)])
        return function(new_controlid("find"), query_element("APBILL", LOOKUP_FIELDS, flt))

    def pick(self, record, key: str, rows: list[dict]) -> str | None:
        """Our bill among the same-numbered bills of the vendor; Conflict when only someone else's is there."""
        ours = [row for row in rows if key_marker(key) in text(row, "DESCRIPTION")]
        if ours:
            return text(ours[0], "RECORDNO")
        foreign = [row for row in rows if MARKER_PREFIX not in text(row, "DESCRIPTION")]
        if foreign:
            numbers = ", ".join(text(row, "RECORDNO") for row in foreign)
            raise errors.Conflict(
                f"Intacct already has bill {record.number} of vendor {text(foreign[0], 'VENDORID')} (record "
                f"{numbers}), not created by ml-connector. If it is this invoice, delete one of the two or link "
                "it by hand; if not, change the bill number of one, then replay."
            )
        return None

    def find_many(self, items: list[BillWrite]) -> list[str | None | errors.ApiError]:
        """Look several bills up in one request; per bill its RECORDNO, None, or the error of its look-up."""
        if not items:
            return []
        results = self.client.execute([self.lookup_function(item.record) for item in items])
        found: list = []
        for item, result in zip(items, results, strict=True):
            try:
                if not result.ok:
                    raise result.error("the bill look-up")
                found.append(self.pick(item.record, item.key, result.records()))
            except errors.ApiError as exc:
                found.append(exc)
        return found

    def find(self, record, key: str) -> str | None:
        found = self.find_many([BillWrite(record, key)])[0]
        if isinstance(found, errors.ApiError):
            raise found
        return found

    # --- writing ---------------------------------------------------------------------------------------------
    def body(self, build: xml.Builder, record, key: str, recordno: str | None) -> etree._Element:
        vendor = record.vendor.destination_id or record.vendor.native_id
        description = f"{(record.description or f'Invoice {record.number}')[:900]} {key_marker(key)}"
        header = {
            "RECORDNO": recordno,
            "VENDORID": vendor,
            "WHENCREATED": record.date,
            "WHENPOSTED": record.date,
            "WHENDUE": record.due_date or record.date,
            "RECORDID": record.number,
            "DESCRIPTION": description,
            "CURRENCY": record.currency or None,
            "APBILLITEMS": {"APBILLITEM": [self.line(line, vendor, amount) for line, amount in self.amounts(record)]},
        }
        return build.element("APBILL", header)

    @staticmethod
    def amounts(record) -> list[tuple]:
        """Each line with its amount rounded explicitly, so Intacct's sum of the lines is the bill's total (Intacct
        keeps at most cents, as xml.fmt writes them)."""
        step = max(quantum(record.currency), CENT)
        amounts = rounded_lines([line.amount for line in record.lines], record.currency, step)
        return list(zip(record.lines, amounts, strict=True))

    @staticmethod
    def line(line, vendor: str, amount) -> dict:
        data = {
            "ACCOUNTNO": line.account,
            "TRX_AMOUNT": amount,
            "ENTRYDESCRIPTION": (line.description or "")[:1000] or None,
        }
        for dimension, name in LINE_DIMENSIONS:
            data[name] = line.dimensions.get(dimension) or None
        data["VENDORID"] = line.dimensions.get("vendor") or vendor
        data["CLASSID"] = line.dimensions.get("class") or None
        return data

    def preview(self, record, key: str) -> dict:
        """What a create of this bill sends (control id and XML), without sending it."""
        refuse_credit(record)
        return sent_of(self._function(BillWrite(record, key))[0])

    def write(self, record, key: str, existing_id: str | None) -> WriteResult:
        outcome = self.write_many([BillWrite(record, key, existing_id)])[0]
        if isinstance(outcome, errors.ApiError):
            raise outcome
        return outcome

    def write_many(self, items: list[BillWrite]) -> list[WriteResult | errors.ApiError]:
        """Create or update several bills in one request (uniqueid=true, not a transaction).

        Returns, per bill, its WriteResult or the typed error of its own function. A failure of the request as a
        whole (rate limit, lost answer, refused session) is raised: it concerns every bill of the batch.
        """
        outcomes: list = [None] * len(items)
        sent: dict[int, tuple] = {}
        for index, item in enumerate(items):
            try:
                refuse_credit(item.record)
                sent[index] = self._function(item)
            except errors.ApiError as exc:
                outcomes[index] = exc
        if sent:
            nodes = [node for node, _build in sent.values()]
            results = self.client.execute(nodes, unique=True, idempotent=False)
            for (index, (node, build)), result in zip(sent.items(), results, strict=True):
                outcomes[index] = self._outcome(items[index], node, build, result)
            self._reconcile(items, outcomes, sent)
        return outcomes

    def _function(self, item: BillWrite) -> tuple[etree._Element, xml.Builder]:
        build = xml.Builder()
        verb = "update" if item.existing_id else "create"
        controlid = new_controlid("update") if item.existing_id else create_controlid(item.key, "APBILL")
        wrapper = etree.Element(verb)
        wrapper.append(self.body(build, item.record, item.key, item.existing_id))
        return function(controlid, wrapper), build

    def _outcome(self, item: BillWrite, node, build: xml.Builder, result) -> WriteResult | errors.ApiError:
        if not result.ok:
            return result.error(f"bill {item.record.number}")
        records = result.records()
        recordno = item.existing_id or (text(records[0], "RECORDNO") if records else "")
        if not recordno:
            return errors.OutcomeUnknown(f"Intacct answered the bill {item.record.number} without its RECORDNO")
        return WriteResult(
            destination_id=recordno,
            created=not item.existing_id,
            sent=sent_of(node),
            response={"RECORDNO": recordno, "controlid": result.controlid, "stripped": build.stripped},
        )

    def _reconcile(self, items: list[BillWrite], outcomes: list, sent: dict) -> None:
        """Failed creates are looked up by our key (one request): a bill of ours there is linked, not failed."""
        failed = [i for i in sent if isinstance(outcomes[i], errors.ApiError) and not items[i].existing_id]
        if not failed:
            return
        found = self.find_many([items[i] for i in failed])
        for index, recordno in zip(failed, found, strict=True):
            if isinstance(recordno, str) and recordno:
                refusal = outcomes[index]
                outcomes[index] = WriteResult(
                    destination_id=recordno,
                    created=True,
                    sent=sent_of(sent[index][0]),
                    response={
                        "RECORDNO": recordno,
                        "reconciled": "Intacct refused the repeated create; the bill an earlier attempt created "
                        "was found by our key and linked.",
                        "errors": details_of(refusal),
                        "stripped": sent[index][1].stripped,
                    },
                )


def sent_of(node: etree._Element) -> dict:
    """What was sent, for the ledger: the function's control id and its XML."""
    return {"controlid": node.get("controlid"), "xml": etree.tostring(node, encoding="unicode")}
