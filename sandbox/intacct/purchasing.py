"""Purchasing transactions (PODOCUMENT), written the way the SDK writes them: the legacy functions
``create_potransaction``, ``update_potransaction`` and ``delete_potransaction``.

A document is keyed ``<transaction type>-<document number>`` (``Purchase Order-PO0213``, as in the SDK's
approve/decline/delete examples); that key is what ``create_potransaction`` answers in ``<key>``. An
update names the document by that key, or by its external id with ``externalkey="true"``; it edits
lines by ``line_num`` (``updatepotransitem``) and appends new ones (``potransitem``). Reads go through
the generic read/readByQuery/query on PODOCUMENT, with lines under PODOCUMENTENTRIES.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from . import validate
from .context import Call, Outcome
from .errors import business, duplicate
from .objects import SPECS
from .records import find, insert, money, touch
from .xmlio import children, text

PO = SPECS["PODOCUMENT"]
HEADER = {"referenceno": "REFERENCENO", "termname": "TERMNAME", "message": "MESSAGE", "externalid": "EXTERNALID",
          "currency": "CURRENCY", "basecurr": "BASECURR", "state": "STATE"}  # fmt: skip
LINE = {"itemid": "ITEMID", "itemdesc": "ITEMDESC", "quantity": "QUANTITY", "unit": "UNIT", "price": "PRICE",
        "locationid": "LOCATIONID", "departmentid": "DEPARTMENTID", "projectid": "PROJECTID", "taskid": "TASKID",
        "costtypeid": "COSTTYPEID", "classid": "CLASSID", "vendorid": "VENDORID", "memo": "MEMO",
        "billable": "BILLABLE"}  # fmt: skip


def _date(element: etree._Element | None, name: str) -> str | None:
    """The legacy ``<datecreated><year/><month/><day/></datecreated>`` as mm/dd/yyyy."""
    if element is None:
        return None
    try:
        day = date(int(text(element, "year")), int(text(element, "month")), int(text(element, "day")))
    except (TypeError, ValueError) as exc:
        raise business(f"{name} is not a valid date.", "Give year, month and day.") from exc
    return day.strftime("%m/%d/%Y")


def _header(element: etree._Element) -> dict:
    header = {upper: text(element, lower) for lower, upper in HEADER.items() if element.find(lower) is not None}
    for lower, upper in (("datecreated", "WHENCREATED"), ("datedue", "WHENDUE")):
        if element.find(lower) is not None:
            header[upper] = _date(element.find(lower), lower)
    return header


def _line(element: etree._Element) -> dict:
    return {upper: text(element, lower) for lower, upper in LINE.items() if element.find(lower) is not None}


def create(call: Call, element: etree._Element) -> Outcome:
    header = _header(element)
    header["DOCPARID"] = text(element, "transactiontype") or ""
    header["VENDORID"] = text(element, "vendorid") or ""
    header["DOCNO"] = text(element, "documentno") or ""
    items = element.find("potransitems")
    lines = [_line(item) for item in children(items) if item.tag == "potransitem"] if items is not None else []
    record = create_document(call, {**header, "PODOCUMENTENTRIES": lines})
    return Outcome(key=record["DOCID"])


def create_document(call: Call, fields: dict) -> dict:
    """Create a purchasing transaction from UPPERCASE fields (legacy or generic form)."""
    kind = fields.get("DOCPARID") or ""
    if kind not in call.config["po_transaction_types"]:
        raise business(f"Invalid transaction type '{kind}'.", "Use a transaction definition of the company.")
    if not fields.get("WHENCREATED"):
        raise business("Required field datecreated is missing.", "Enter the transaction date.")
    vendor = validate.vendor(call.store, fields.get("VENDORID") or "", "the purchasing transaction")
    docno = fields.get("DOCNO") or _next_number(call, kind)
    if find(call.store, PO, f"{kind}-{docno}") is not None:
        raise duplicate(PO.label, f"{kind}-{docno}")
    header = {k: v for k, v in fields.items() if k != "PODOCUMENTENTRIES"}
    header.update(DOCNO=docno, DOCID=f"{kind}-{docno}", VENDORNAME=vendor.get("NAME", ""))
    header.setdefault("STATE", "Pending")
    header.setdefault("CURRENCY", "USD")
    lines = _checked_lines(call, fields.get("PODOCUMENTENTRIES"))
    record = insert(call.store, PO, header, call.stamp())
    record["WHENCREATED"] = fields["WHENCREATED"]  # the document date, not an audit stamp
    _set_lines(call, record, lines)
    return record


def _next_number(call: Call, kind: str) -> str:
    prefix = "".join(word[0] for word in kind.split()).upper()
    number = len(call.store.all("PODOCUMENT")) + 1
    while find(call.store, PO, f"{kind}-{prefix}{number:04d}") is not None:
        number += 1
    return f"{prefix}{number:04d}"


def _checked_lines(call: Call, lines) -> list[dict]:
    if not isinstance(lines, list) or not lines:
        raise business("A purchasing transaction needs at least one line (potransitem).", "Add a line.")
    for number, line in enumerate(lines, start=1):
        _check_line(call, line, number)
    return lines


def _check_line(call: Call, line: dict, number: int) -> None:
    if not line.get("ITEMID"):
        raise business(f"Enter an item on line {number}, and try again.")
    try:
        line["QUANTITY"] = str(Decimal(str(line.get("QUANTITY") or "1")).normalize())
        line["PRICE"] = str(money(line.get("PRICE") or "0"))
    except (ArithmeticError, ValueError) as exc:
        raise business(f"The quantity or price on line {number} is not a number.") from exc
    validate.line(call, line, number, account_required=False)


def _set_lines(call: Call, record: dict, lines: list[dict]) -> None:
    total = Decimal("0.00")
    for number, line in enumerate(lines, start=1):
        line.setdefault("RECORDNO", str(call.store.new_id("PODOCUMENTENTRY")))
        line["LINE_NO"] = str(number)
        line["TOTAL"] = str(money(Decimal(line["QUANTITY"]) * Decimal(line["PRICE"])))
        total += Decimal(line["TOTAL"])
    record["PODOCUMENTENTRIES"] = lines
    record["SUBTOTAL"] = record["TOTAL"] = str(total)


def _target(call: Call, element: etree._Element) -> dict:
    key = element.get("key", "")
    if element.get("externalkey", "false").lower() == "true":
        record = next((r for r in call.store.all("PODOCUMENT") if r.get("EXTERNALID") == key), None)
    else:
        record = find(call.store, PO, key)
    if record is None:
        raise business(f"Purchasing transaction '{key}' does not exist.", "Check the key (e.g. Purchase Order-PO0001).")
    return record


def update(call: Call, element: etree._Element) -> Outcome:
    record = _target(call, element)
    if record.get("STATE") in ("Closed", "Converted"):
        raise business(f"{record['DOCID']} is {record['STATE'].lower()} and cannot be edited.")
    changes = _header(element)
    lines = [dict(line) for line in record["PODOCUMENTENTRIES"]]
    items = element.find("updatepotransitems")
    for item in children(items) if items is not None else []:
        _edit_lines(lines, item)
    for number, line in enumerate(lines, start=1):
        _check_line(call, line, number)
    record.update({k: v for k, v in changes.items() if v is not None})
    _set_lines(call, record, lines)
    touch(record, call.stamp())
    return Outcome(key=record["DOCID"])


def _edit_lines(lines: list[dict], item: etree._Element) -> None:
    if item.tag == "potransitem":
        lines.append(_line(item))
        return
    if item.tag != "updatepotransitem":
        raise business(f"<{item.tag}> is not allowed in updatepotransitems.")
    try:
        index = int(item.get("line_num", "")) - 1
    except ValueError as exc:
        raise business("updatepotransitem needs a line_num.") from exc
    if not 0 <= index < len(lines):
        raise business(f"Line {index + 1} does not exist on the transaction.")
    lines[index].update(_line(item))


def delete(call: Call, element: etree._Element) -> Outcome:
    record = _target(call, element)
    call.store.delete("PODOCUMENT", record["id"])
    return Outcome()
