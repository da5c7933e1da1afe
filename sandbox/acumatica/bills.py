"""AP bills and adjustments (AP301000): checks on PUT, computed totals and status, and ReleaseBill.

Life cycle: Hold true -> "On Hold", false -> "Balanced"; ReleaseBill only from Balanced, giving "Open";
an Open document becomes "Closed" when payments bring its Balance to zero (``payments.py``). Amount is
the sum of the lines; Balance equals Amount until released, then falls with each payment. A debit
adjustment carries positive amounts like a bill; it is what a payment subtracts (``payments.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from ..core.clock import parse_iso
from ..core.store import Store
from .entities import AP_DOCUMENT_TYPES, ENTITIES
from .records import as_date, same
from .refs import NON_PROJECT, empty, line_errors, ref_errors
from .values import cents, money, px_error

BILL = ENTITIES["Bill"]
EDITABLE_AFTER_RELEASE = {"Description", "note", "Type", "ReferenceNbr", "id"}
DUPLICATE_REF = "A document with this vendor reference number already exists for this vendor."


@dataclass
class Context:
    store: Store
    config: dict
    now: str  # LastModifiedDateTime stamp of this request


def validate(ctx: Context, fields: dict, record: dict | None) -> tuple[dict, dict[int, dict]]:
    """Errors on header fields and on lines (by position in the sent Details)."""
    header = ref_errors(ctx.store, fields, BILL.refs)
    if record is None and not fields.get("Vendor"):
        header["Vendor"] = empty("Vendor")
    doc_type = fields.get("Type")
    if doc_type not in (None, "") and doc_type not in AP_DOCUMENT_TYPES:
        header["Type"] = f"The document type '{doc_type}' is not valid."
    if ctx.config["duplicate_vendor_ref"] == "error" and _duplicate_ref(ctx.store, fields, record):
        header["VendorRef"] = DUPLICATE_REF
    lines = line_errors(ctx.store, BILL, fields, record)
    for index, line in enumerate(fields.get("Details") or []):
        if not line.get("id") and not line.get("delete") and not line.get("Account"):
            lines.setdefault(index, {})["Account"] = empty("Account")
    if ctx.config["negative_bill_on_save"] == "reject" and _sent_total(fields, record) < 0:
        header["Amount"] = "The document balance cannot be negative."
    return header, lines


def _duplicate_ref(store: Store, fields: dict, record: dict | None) -> bool:
    """AP preference "Raise an error on duplicate vendor reference number": another open document of the
    same vendor with the same VendorRef (voided documents do not count)."""
    vendor = fields.get("Vendor") or (record or {}).get("Vendor")
    ref = fields.get("VendorRef") if "VendorRef" in fields else (record or {}).get("VendorRef")
    if not ref:
        return False
    return any(
        same(other.get("Vendor"), vendor) and same(other.get("VendorRef"), ref) and other.get("Status") != "Voided"
        for other in store.all("Bill")
        if record is None or other["id"] != record["id"]
    )


def _sent_total(fields: dict, record: dict | None) -> Decimal:
    lines = {line["id"]: money(line.get("Amount")) for line in (record or {}).get("Details", [])}
    for line in fields.get("Details") or []:
        if line.get("delete"):
            lines.pop(str(line.get("id")).lower(), None)
        else:
            amount = line.get("Amount")
            if amount is None and line.get("UnitCost") is not None:
                amount = money(line.get("Qty", 1)) * money(line["UnitCost"])
            lines[str(line.get("id") or id(line)).lower()] = money(amount)
    return sum(lines.values(), Decimal(0))


def guard_released(record: dict, fields: dict) -> None:
    if record.get("Status") not in ("On Hold", "Balanced") and set(fields) - EDITABLE_AFTER_RELEASE:
        raise px_error("The document has been released and cannot be edited.")


def settle(ctx: Context, record: dict, inserted: bool) -> None:
    """Defaults on insert, line amounts, Amount = sum of lines, Status and Balance from Hold."""
    if inserted:
        _defaults(ctx, record)
    for line in record.get("Details", []):
        _settle_line(line, record)
    record["Amount"] = cents(sum((money(line.get("Amount")) for line in record.get("Details", [])), Decimal(0)))
    if record.get("Status") in (None, "On Hold", "Balanced"):
        record["Status"] = "On Hold" if record.get("Hold") else "Balanced"
        record["Balance"] = record["Amount"]
    record.setdefault("Applications", [])


def _defaults(ctx: Context, record: dict) -> None:
    date = as_date(record.get("Date")) or as_date(ctx.now)
    defaults = {
        "Date": date,
        "DueDate": (parse_iso(date) + timedelta(days=30)).isoformat(),
        "PostPeriod": parse_iso(date).strftime("%m%Y"),
        "LocationID": "MAIN",
        "CurrencyID": "USD",
        "Terms": "30D",
        "TaxTotal": Decimal("0.00"),
        "Project": NON_PROJECT,
        "BranchID": ctx.config["default_branch"],
        "Hold": ctx.config["bill_hold_on_entry"],
        "ApprovedForPayment": False,
        "IsTaxValid": True,
    }
    for key, value in defaults.items():
        if record.get(key) is None:
            record[key] = value


def _settle_line(line: dict, header: dict) -> None:
    line.setdefault("Branch", header.get("BranchID"))
    line.setdefault("Project", header.get("Project") or NON_PROJECT)
    if line.get("Amount") is None and line.get("UnitCost") is not None:
        line["Amount"] = money(line.get("Qty") or 1) * money(line["UnitCost"])
    if line.get("UnitCost") is None:
        line["Qty"], line["UnitCost"] = money(line.get("Qty") or 1), money(line.get("Amount"))
    line["Amount"] = cents(line.get("Amount"))
    line["ExtendedCost"] = line["Amount"]


def release(ctx: Context, record: dict) -> list[dict]:
    """ReleaseBill: only from Balanced; a negative document cannot be released."""
    status = record.get("Status")
    if status == "On Hold":
        raise px_error("The document is on hold and cannot be released.")
    if status in ("Open", "Closed", "Voided"):
        raise px_error("The document has already been released.")
    if money(record.get("Amount")) < 0:
        raise px_error("The document balance cannot be negative. Enter a debit adjustment instead.")
    record["Balance"] = cents(record.get("Amount"))
    record["Status"] = "Closed" if record["Balance"] == 0 else "Open"
    return [record]
