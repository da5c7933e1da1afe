"""Bills and bill payments: line totals, open balances, and the links a payment leaves on the bills it pays.

A BillPayment line ``{Amount, LinkedTxn: [{TxnId, TxnType: "Bill"}]}`` lowers that bill's ``Balance`` and adds
``{TxnId: <payment>, TxnType: "BillPaymentCheck" | "BillPaymentCreditCard"}`` to the bill's ``LinkedTxn``; the
bill gets a new SyncToken and LastUpdatedTime, as the recorded change-data-capture response shows. Deleting or
changing the payment undoes that. A vendor's ``Balance`` is the sum of its open bills.
"""

from __future__ import annotations

from decimal import Decimal

from . import faults
from .entities import BILL_PAYMENT_LINK, ENTITIES, USD
from .jsonio import money

BILL = ENTITIES["Bill"]
PAYMENT = ENTITIES["BillPayment"]
VENDOR = ENTITIES["Vendor"]
LINE_DETAILS = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")


def shape_bill(books, realm: str, fields: dict, own_id: str | None) -> dict:
    if not fields.get("VendorRef"):
        faults.required("VendorRef")
    lines = fields.get("Line") or []
    if not lines:
        faults.required("Line")
    fields["Line"] = [_expense_line(line, number) for number, line in enumerate(lines, start=1)]
    fields["TotalAmt"] = money(sum((line["Amount"] for line in fields["Line"]), Decimal(0)))
    _transaction_defaults(books, realm, fields)
    fields.setdefault("DueDate", fields["TxnDate"])
    paid = paid_on(books, realm, own_id) if own_id else Decimal(0)
    if paid > fields["TotalAmt"]:
        faults.business(f"The bill total cannot be less than the {paid} already paid on it.")
    fields["Balance"] = money(fields["TotalAmt"] - paid)
    return fields


def _expense_line(line: dict, number: int) -> dict:
    kind = line.get("DetailType")
    if kind not in LINE_DETAILS:
        faults.validation("2170", "Invalid Enumeration", f"Invalid Enumeration : {kind}", "Line.DetailType")
    detail = line.get(kind)
    if not isinstance(detail, dict):
        faults.required(f"Line.{kind}")
    key = "AccountRef" if kind == LINE_DETAILS[0] else "ItemRef"
    if not detail.get(key):
        faults.required(f"Line.{kind}.{key}")
    amount = line.get("Amount")
    if amount is None and kind == LINE_DETAILS[1] and "Qty" in detail and "UnitPrice" in detail:
        amount = Decimal(str(detail["Qty"])) * Decimal(str(detail["UnitPrice"]))
    if amount is None:
        faults.required("Line.Amount")
    detail.setdefault("BillableStatus", "NotBillable")
    out = {"Id": str(line.get("Id") or number), "LineNum": number, **line, "Amount": money(amount), kind: detail}
    out["Id"] = str(out["Id"])
    return out


def _transaction_defaults(books, realm: str, fields: dict) -> None:
    fields.setdefault("TxnDate", books.today())
    fields.setdefault("CurrencyRef", dict(USD))
    if not fields.get("APAccountRef"):
        payable = books.payables_account(realm)
        if payable is not None:
            fields["APAccountRef"] = {"value": payable["Id"], "name": payable["FullyQualifiedName"]}


def shape_payment(books, realm: str, fields: dict, own_id: str | None) -> dict:
    if not fields.get("VendorRef"):
        faults.required("VendorRef")
    pay_type = fields.get("PayType")
    if not pay_type:
        faults.required("PayType")
    if pay_type not in BILL_PAYMENT_LINK:
        faults.validation("2170", "Invalid Enumeration", f"Invalid Enumeration : {pay_type}", "PayType")
    sub, account = ("CheckPayment", "BankAccountRef") if pay_type == "Check" else ("CreditCardPayment", "CCAccountRef")
    if not (fields.get(sub) or {}).get(account):
        faults.required(f"{sub}.{account}")
    if pay_type == "Check":
        fields[sub].setdefault("PrintStatus", "NotSet")
    lines = [_payment_line(books, realm, fields, line, own_id) for line in fields.get("Line") or []]
    applied = sum((line["Amount"] for line in lines), Decimal(0))
    total = money(fields["TotalAmt"]) if fields.get("TotalAmt") is not None else money(applied)
    if applied > total:
        faults.business("The amount applied to bills is more than the payment total.")
    fields["Line"], fields["TotalAmt"] = lines, total
    _transaction_defaults(books, realm, fields)
    return fields


def _payment_line(books, realm: str, payment: dict, line: dict, own_id: str | None) -> dict:
    links = [link for link in line.get("LinkedTxn") or [] if link.get("TxnType") == "Bill"]
    if len(links) != 1:
        faults.required("Line.LinkedTxn")
    bill = books.get(BILL, realm, str(links[0].get("TxnId")))
    if bill is None:
        faults.invalid_reference("Line.LinkedTxn.TxnId", str(links[0].get("TxnId")))
    if bill["VendorRef"]["value"] != payment["VendorRef"]["value"]:
        faults.business(f"Bill {bill['Id']} belongs to another vendor.")
    amount = money(line.get("Amount") or 0)
    available = bill["Balance"] + allocated(books.get(PAYMENT, realm, own_id) if own_id else None, bill["Id"])
    if amount <= 0 or amount > available:
        faults.business(f"The payment amount {amount} must be more than 0 and at most the bill's open {available}.")
    return {**line, "Amount": amount, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}


def allocated(payment: dict | None, bill_id: str) -> Decimal:
    """How much of ``payment`` goes to the bill ``bill_id``."""
    if payment is None:
        return Decimal(0)
    return sum(
        (line["Amount"] for line in payment.get("Line", []) if line["LinkedTxn"][0]["TxnId"] == bill_id), Decimal(0)
    )


def paid_on(books, realm: str, bill_id: str) -> Decimal:
    return sum((allocated(payment, bill_id) for payment in books.live(PAYMENT, realm)), Decimal(0))


def bills_of(payment: dict | None) -> set[str]:
    return {line["LinkedTxn"][0]["TxnId"] for line in (payment or {}).get("Line", [])}


def settle(books, realm: str, bill_ids: set[str]) -> None:
    """Recompute Balance and payment links of these bills after a payment changed; each changed bill is touched."""
    for bill_id in sorted(bill_ids):
        bill = books.get(BILL, realm, bill_id)
        if bill is None:
            continue
        payments = [p for p in books.live(PAYMENT, realm) if bill_id in bills_of(p)]
        links = [{"TxnId": p["Id"], "TxnType": BILL_PAYMENT_LINK[p["PayType"]]} for p in payments]
        balance = money(bill["TotalAmt"] - sum((allocated(p, bill_id) for p in payments), Decimal(0)))
        if balance != bill["Balance"] or links != bill.get("LinkedTxn", []):
            bill["Balance"] = balance
            if links:
                bill["LinkedTxn"] = links
            else:
                bill.pop("LinkedTxn", None)
            books.touch(BILL, bill, "Update")
    refresh_vendor_balances(books, realm)


def refresh_vendor_balances(books, realm: str) -> None:
    """Vendor Balance = its open bills; QuickBooks keeps it current without a new SyncToken."""
    totals: dict[str, Decimal] = {}
    for bill in books.live(BILL, realm):
        vendor = bill["VendorRef"]["value"]
        totals[vendor] = totals.get(vendor, Decimal(0)) + bill["Balance"]
    for vendor in books.live(VENDOR, realm):
        vendor["Balance"] = money(totals.get(vendor["Id"], Decimal(0)))
