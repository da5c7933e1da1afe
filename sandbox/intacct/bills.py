"""AP bills (APBILL with APBILLITEMS) and AP payments (APPYMT) and what a payment does to its bills.

A bill posts when created (``ACTION`` Submit, the default) or stays a draft (``ACTION`` Draft). An update
needs RECORDNO and replaces the line list wholesale (facts B7). A payment applied to bills lowers their
TOTALDUE and raises TOTALPAID; a bill whose TOTALDUE reaches zero is Paid, otherwise Partially Paid.
Deleting a payment gives the amounts back.
"""

from __future__ import annotations

from decimal import Decimal

from . import validate
from .context import Call
from .errors import business, duplicate
from .objects import SPECS
from .records import by_recordno, find, insert, money, touch

BILL = SPECS["APBILL"]
PAYMENT = SPECS["APPYMT"]
ZERO = Decimal("0.00")


def create_bill(call: Call, fields: dict) -> dict:
    draft = _action(fields) == "Draft"
    _check_header(call, fields, draft)
    lines = _lines(call, fields)
    if call.config["unique_bill_numbers"] and fields.get("RECORDID"):
        _unique_number(call, fields["VENDORID"], fields["RECORDID"])
    vendor = validate.vendor(call.store, fields["VENDORID"], "the bill")
    header = {k: v for k, v in fields.items() if k not in ("ACTION", "APBILLITEMS")}
    header.setdefault("WHENPOSTED", fields["WHENCREATED"])
    header.setdefault("CURRENCY", "USD")
    header.setdefault("BASECURR", "USD")
    header["VENDORNAME"] = vendor.get("NAME", "")
    header["STATE"] = "Draft" if draft else "Posted"
    record = insert(call.store, BILL, header, call.stamp())
    record["WHENCREATED"] = fields["WHENCREATED"]  # the bill date, not an audit stamp
    _set_lines(call, record, lines)
    return record


def update_bill(call: Call, fields: dict) -> dict:
    record = by_recordno(call.store, BILL, fields.get("RECORDNO"))
    if record is None:
        raise business(f"Bill {fields.get('RECORDNO') or '(no RECORDNO)'} does not exist.", "Give the RECORDNO.")
    if Decimal(record.get("TOTALPAID", "0")) != ZERO:
        raise business(f"Bill {record['RECORDNO']} has payments applied and cannot be edited.")
    merged = {**record, **{k: v for k, v in fields.items() if k not in ("RECORDNO", "APBILLITEMS")}}
    draft = _action(fields) == "Draft" if "ACTION" in fields else record["STATE"] == "Draft"
    _check_header(call, merged, draft)
    vendor = validate.vendor(call.store, merged["VENDORID"], "the bill")
    lines = _lines(call, fields) if "APBILLITEMS" in fields else None
    record.update({k: v for k, v in fields.items() if k not in ("RECORDNO", "ACTION", "APBILLITEMS")})
    record["VENDORNAME"] = vendor.get("NAME", "")
    record["STATE"] = "Draft" if draft else "Posted"
    if lines is not None:  # the line list is replaced wholesale
        _set_lines(call, record, lines)
    touch(record, call.stamp())
    return record


def _action(fields: dict) -> str:
    action = (fields.get("ACTION") or "Submit").strip()
    if action not in ("Submit", "Draft"):
        raise business(f"ACTION '{action}' is not valid.", "Use Submit or Draft.")
    return action


def _check_header(call: Call, fields: dict, draft: bool) -> None:
    for name in BILL.required:
        if not fields.get(name):
            raise business(f"Required field {name} is missing for the bill.", f"Enter {name}, and try again.")
    for name in ("WHENCREATED", "WHENPOSTED", "WHENDUE"):
        validate.date_field(fields.get(name), name)
    if not draft and not fields.get("WHENDUE") and not fields.get("TERMNAME"):
        raise business("Enter a due date or a payment term for the bill.", "WHENDUE is required unless ACTION=Draft.")
    if not draft:
        validate.open_period(call, fields.get("WHENPOSTED") or fields["WHENCREATED"], "posting")


def _lines(call: Call, fields: dict) -> list[dict]:
    lines = fields.get("APBILLITEMS")
    if not isinstance(lines, list) or not lines:
        raise business("A bill needs at least one line (APBILLITEMS/APBILLITEM).", "Add a line, and try again.")
    for number, line in enumerate(lines, start=1):
        if not line.get("TRX_AMOUNT"):
            raise business(f"Enter an amount on line {number}, and try again.")
        try:
            line["TRX_AMOUNT"] = str(money(line["TRX_AMOUNT"]))
        except ValueError as exc:
            raise business(f"The amount on line {number} is not a number: {line['TRX_AMOUNT']}.") from exc
        validate.line(call, line, number)
    return lines


def _set_lines(call: Call, record: dict, lines: list[dict]) -> None:
    stored = []
    for number, line in enumerate(lines, start=1):
        recordno = call.store.new_id("APBILLITEM")
        stored.append({"RECORDNO": str(recordno), "LINE_NO": str(number), **line, "AMOUNT": line["TRX_AMOUNT"]})
    record["APBILLITEMS"] = stored
    total = sum((Decimal(line["TRX_AMOUNT"]) for line in stored), ZERO)
    record["TOTALENTERED"] = str(total)
    record["TOTALPAID"] = str(ZERO)
    record["TOTALDUE"] = str(total)


def _unique_number(call: Call, vendorid: str, number: str) -> None:
    for bill in call.store.all("APBILL"):
        if bill.get("VENDORID", "").lower() == vendorid.lower() and bill.get("RECORDID") == number:
            raise duplicate("Bill", f"{vendorid}, {number}")


# -- payments ------------------------------------------------------------------------------------------


def create_payment(call: Call, fields: dict) -> dict:
    for name in PAYMENT.required:
        if not fields.get(name):
            raise business(f"Required field {name} is missing for the payment.", f"Enter {name}, and try again.")
    validate.date_field(fields["PAYMENTDATE"], "PAYMENTDATE")
    validate.vendor(call.store, fields["VENDORID"], "the payment")
    bank = find(call.store, SPECS["CHECKINGACCOUNT"], fields["FINANCIALENTITY"])
    if bank is None:
        raise business(f"Invalid financial entity '{fields['FINANCIALENTITY']}'.", "Select a bank account.")
    details = fields.get("APPYMTDETAILS")
    if not isinstance(details, list) or not details:
        raise business("A payment needs at least one APPYMTDETAIL.", "Apply the payment to a bill.")
    submit = _action(fields) == "Submit"
    if submit:
        validate.open_period(call, fields["PAYMENTDATE"], "payment")
    applied = [_apply(call, fields, detail, number, submit) for number, detail in enumerate(details, start=1)]
    header = {k: v for k, v in fields.items() if k != "ACTION"}
    header["STATE"] = "Complete" if submit else "Draft"
    header["TOTALENTERED"] = str(sum(applied, ZERO))
    header.setdefault("CURRENCY", "USD")
    if submit:
        header["WHENPAID"] = fields["PAYMENTDATE"]
    return insert(call.store, PAYMENT, header, call.stamp())


def _apply(call: Call, payment: dict, detail: dict, number: int, submit: bool) -> Decimal:
    bill = by_recordno(call.store, BILL, detail.get("RECORDKEY"))
    if bill is None or bill.get("VENDORID", "").lower() != payment["VENDORID"].lower():
        raise business(f"Bill {detail.get('RECORDKEY')} on payment line {number} is not an open bill of the vendor.")
    if bill["STATE"] == "Draft":
        raise business(f"Bill {bill['RECORDNO']} is a draft and cannot be paid.")
    try:
        amount = money(detail.get("TRX_PAYMENTAMOUNT"))
    except ValueError as exc:
        raise business(f"The payment amount on line {number} is not a number.") from exc
    due = Decimal(bill["TOTALDUE"])
    if amount <= ZERO or amount > due:
        raise business(f"The payment amount {amount} on line {number} exceeds the amount due {due} on the bill.")
    detail["TRX_PAYMENTAMOUNT"] = str(amount)
    if submit:
        _pay(call, bill, amount, payment["PAYMENTDATE"])
    return amount


def _pay(call: Call, bill: dict, amount: Decimal, when: str | None) -> None:
    paid = Decimal(bill["TOTALPAID"]) + amount
    due = Decimal(bill["TOTALENTERED"]) - paid
    bill["TOTALPAID"], bill["TOTALDUE"] = str(paid), str(due)
    bill["STATE"] = "Paid" if due == ZERO else ("Partially Paid" if paid > ZERO else "Posted")
    if when:
        bill["WHENPAID"] = when
    else:
        bill.pop("WHENPAID", None)
    touch(bill, call.stamp())


def reverse_payment(call: Call, payment: dict) -> None:
    """Deleting a completed payment gives its amounts back to the bills."""
    if payment.get("STATE") != "Complete":
        return
    for detail in payment.get("APPYMTDETAILS", []):
        bill = by_recordno(call.store, BILL, detail.get("RECORDKEY"))
        if bill is not None:
            _pay(call, bill, -Decimal(detail["TRX_PAYMENTAMOUNT"]), None)
