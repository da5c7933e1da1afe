"""AP checks (AP302000), the vendor payment: Details apply amounts to bills and adjustments.

A line names the document (DocType + ReferenceNbr) and the AmountPaid. Bills and credit adjustments
add to the payment; debit adjustments subtract from it. ReleaseCheck lowers each document's Balance,
closing it at zero, and records the application on the document (Bill ``Applications``) and the check
(``History``); VoidCheck gives every amount back and reopens closed documents.
"""

from __future__ import annotations

from decimal import Decimal

from .bills import Context
from .entities import AP_DOCUMENT_TYPES, ENTITIES
from .records import as_date, by_keys, same
from .refs import missing, ref_errors
from .values import cents, money, px_error

CHECK = ENTITIES["Check"]
BILL = ENTITIES["Bill"]


def _document(ctx: Context, line: dict) -> dict | None:
    return by_keys(ctx.store, BILL, {"Type": line.get("DocType") or "Bill", "ReferenceNbr": line.get("ReferenceNbr")})


def _signed(line: dict) -> Decimal:
    paid = money(line.get("AmountPaid"))
    return -paid if line.get("DocType") == "Debit Adj." else paid


def validate(ctx: Context, fields: dict, record: dict | None) -> tuple[dict, dict[int, dict]]:
    header = ref_errors(ctx.store, fields, CHECK.refs)
    vendor = fields.get("Vendor") or (record or {}).get("Vendor")
    lines: dict[int, dict] = {}
    for index, line in enumerate(fields.get("Details") or []):
        if line.get("delete") or line.get("id"):
            continue
        error = _line_error(ctx, line, vendor)
        if error:
            lines[index] = error
    return header, lines


def _line_error(ctx: Context, line: dict, vendor) -> dict | None:
    if line.get("DocType", "Bill") not in AP_DOCUMENT_TYPES:
        return {"DocType": f"The document type '{line.get('DocType')}' is not valid."}
    document = _document(ctx, line)
    if document is None or not same(document.get("Vendor"), vendor) or document.get("Status") != "Open":
        return {"ReferenceNbr": missing("Reference Nbr.")}
    if money(line.get("AmountPaid", document.get("Balance"))) > money(document.get("Balance")):
        return {"AmountPaid": "The amount paid cannot exceed the document balance."}
    return None


def settle(ctx: Context, record: dict, inserted: bool) -> None:
    if inserted:
        record["ApplicationDate"] = as_date(record.get("ApplicationDate") or ctx.now)
        record.setdefault("Hold", False)
        record.setdefault("CurrencyID", "USD")
        record.setdefault("History", [])
    for line in record.get("Details", []):
        document = _document(ctx, line)
        line.setdefault("DocType", "Bill")
        if line.get("AmountPaid") is None and document is not None:
            line["AmountPaid"] = document.get("Balance")
        line["AmountPaid"] = cents(line.get("AmountPaid"))
        if record.get("Status") in (None, "On Hold", "Balanced") and document is not None:
            line["Balance"] = cents(document.get("Balance"))
            line.setdefault("CashDiscountBalance", Decimal("0.00"))
    applied = sum((_signed(line) for line in record.get("Details", [])), Decimal(0))
    if record.get("PaymentAmount") is None:
        record["PaymentAmount"] = cents(applied)
    record["PaymentAmount"] = cents(record["PaymentAmount"])
    if record.get("Status") in (None, "On Hold", "Balanced"):
        record["Status"] = "On Hold" if record.get("Hold") else "Balanced"
        record["UnappliedBalance"] = cents(record["PaymentAmount"] - applied)


def release(ctx: Context, record: dict) -> list[dict]:
    """ReleaseCheck: apply every line to its document; all or nothing."""
    if record.get("Status") != "Balanced":
        raise px_error("The document status is invalid for processing.")
    if money(record.get("UnappliedBalance")) < 0:
        raise px_error("The amount applied exceeds the payment amount.")
    targets = []
    for line in record.get("Details", []):
        document = _document(ctx, line)
        paid = money(line.get("AmountPaid"))
        if document is None or document.get("Status") != "Open" or money(document.get("Balance")) < paid:
            raise px_error(f"The document {line.get('ReferenceNbr')} cannot be paid: it is not open or is overpaid.")
        targets.append((document, line, paid))
    for document, line, paid in targets:
        _apply(document, record, paid)
        record["History"].append({**_history(line, document), "AmountPaid": cents(paid)})
    record["Status"] = "Closed" if money(record.get("UnappliedBalance")) == 0 else "Open"
    return [record] + [document for document, _, _ in targets]


def void(ctx: Context, record: dict) -> list[dict]:
    """VoidCheck: only a released check; every applied amount goes back to its document."""
    if record.get("Status") not in ("Open", "Closed"):
        raise px_error("Only a released payment can be voided.")
    touched = [record]
    for line in record.get("Details", []):
        document = _document(ctx, line)
        if document is None:
            continue
        document["Balance"] = cents(money(document.get("Balance")) + money(line.get("AmountPaid")))
        document["Status"] = "Open"
        for application in document.get("Applications", []):
            if same(application.get("ReferenceNbr"), record["ReferenceNbr"]):
                application["Status"] = "Voided"
        touched.append(document)
    record["Status"] = "Voided"
    return touched


def _apply(document: dict, check: dict, paid: Decimal) -> None:
    document["Balance"] = cents(money(document.get("Balance")) - paid)
    if document["Balance"] == 0:
        document["Status"] = "Closed"
    document.setdefault("Applications", []).append(
        {
            "id": f"{check['id'][:-12]}{document['id'][-12:]}",
            "DocType": check.get("Type"),
            "ReferenceNbr": check.get("ReferenceNbr"),
            "AmountPaid": cents(paid),
            "Balance": cents(check.get("UnappliedBalance")),
            "Status": "Closed" if money(check.get("UnappliedBalance")) == 0 else "Open",
        }
    )


def _history(line: dict, document: dict) -> dict:
    return {
        "id": f"{document['id'][:-12]}{line['id'][-12:]}",
        "DocType": line.get("DocType"),
        "ReferenceNbr": line.get("ReferenceNbr"),
        "VendorRef": document.get("VendorRef"),
        "Balance": cents(document.get("Balance")),
        "CashDiscountBalance": Decimal("0.00"),
        "CashDiscountTaken": Decimal("0.00"),
    }
