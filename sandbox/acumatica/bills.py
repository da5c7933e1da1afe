"""AP documents: reference checks on Bill and Check, the Bill life cycle, and the release actions.

Life cycle (AP301000): Hold true -> "On Hold", false -> "Balanced"; ReleaseBill only from Balanced,
giving "Open"; a released Check applies its amounts to Open bills, which close when their balance
reaches zero. Amount is always the sum of the lines.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ..core.clock import parse_iso
from ..core.store import Store
from .entities import ENTITIES
from .records import as_date, by_keys
from .values import px_error

NON_PROJECT = "X"
HEADER_REFS = {
    "Vendor": ("Vendor", "VendorID", "Vendor"),
    "BranchID": ("Branch", "BranchID", "Branch"),
    "Project": ("Project", "ProjectID", "Project"),
}
LINE_REFS = {
    "Branch": ("Branch", "BranchID", "Branch"),
    "Account": ("Account", "AccountCD", "Account"),
    "Subaccount": ("Subaccount", "SubaccountCD", "Subaccount"),
    "Project": ("Project", "ProjectID", "Project"),
    "CostCode": ("CostCode", "CostCodeID", "Cost Code"),
}


def missing(label: str) -> str:
    return f"'{label}' cannot be found in the system."


def _exists(store: Store, collection: str, key: str, value) -> bool:
    if collection == "Project" and value == NON_PROJECT:
        return True
    if collection == "Subaccount":
        value = str(value).replace("-", "")
        return any(str(r.get(key, "")).replace("-", "") == value for r in store.all(collection))
    return by_keys(store, ENTITIES[collection], {key: value}) is not None


def _ref_errors(store: Store, fields: dict, refs: dict) -> dict[str, str]:
    errors = {}
    for field, (collection, key, label) in refs.items():
        value = fields.get(field)
        if value not in (None, "") and not _exists(store, collection, key, value):
            errors[field] = missing(label)
    return errors


def _task_error(store: Store, line: dict, header_project) -> str | None:
    task, project = line.get("ProjectTask"), line.get("Project") or header_project
    if not task:
        return None
    found = project not in (None, NON_PROJECT) and store.first("ProjectTask", ProjectID=project, ProjectTaskID=task)
    return None if found else missing("Project Task")


def validate_bill(store: Store, fields: dict, record: dict | None) -> tuple[dict, dict[int, dict]]:
    """Errors on header fields and on lines (by position in the sent Details)."""
    header = _ref_errors(store, fields, HEADER_REFS)
    if record is None and not fields.get("Vendor"):
        header["Vendor"] = "'Vendor' cannot be empty."
    project = fields.get("Project") or (record or {}).get("Project")
    lines = {}
    for index, line in enumerate(fields.get("Details") or []):
        if line.get("delete"):
            continue
        errors = _ref_errors(store, line, LINE_REFS)
        if not line.get("id") and not line.get("Account"):
            errors["Account"] = "'Account' cannot be empty."
        task = _task_error(store, line, project)
        if task:
            errors["ProjectTask"] = task
        if errors:
            lines[index] = errors
    return header, lines


def validate_check(store: Store, fields: dict, record: dict | None) -> tuple[dict, dict[int, dict]]:
    return _ref_errors(store, fields, {"Vendor": HEADER_REFS["Vendor"]}), {}


def guard_released(record: dict | None, fields: dict) -> None:
    if (
        record
        and record.get("Status") in ("Open", "Closed")
        and (set(fields) - {"Description", "note", "Type", "ReferenceNbr", "id"})
    ):
        raise px_error("The document has been released and cannot be edited.")


def _money(value) -> Decimal:
    return Decimal(str(value or 0))


def _number(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def settle_bill(record: dict, today: str, defaults: dict, inserted: bool) -> None:
    """Defaults on insert, line amounts, Amount = sum of lines, Status from Hold."""
    if inserted:
        date = as_date(record.get("Date")) or as_date(today)
        due = (parse_iso(date) + timedelta(days=30)).isoformat()
        for key, value in {
            "Date": date,
            "DueDate": due,
            "PostPeriod": parse_iso(date).strftime("%m%Y"),
            "LocationID": "MAIN",
            "CurrencyID": "USD",
            "Terms": "30D",
            "TaxTotal": 0.0,
            "Project": NON_PROJECT,
            "BranchID": defaults["default_branch"],
            "Hold": defaults["bill_hold_on_entry"],
        }.items():
            if record.get(key) is None:
                record[key] = value
    for line in record.get("Details", []):
        _settle_line(line, record)
    amount = sum((_money(line.get("Amount")) for line in record.get("Details", [])), Decimal(0))
    record["Amount"] = _number(amount)
    if record.get("Status") in (None, "On Hold", "Balanced"):
        record["Status"] = "On Hold" if record.get("Hold") else "Balanced"
        record["Balance"] = record["Amount"]


def _settle_line(line: dict, header: dict) -> None:
    line.setdefault("Branch", header.get("BranchID"))
    line.setdefault("Project", header.get("Project") or NON_PROJECT)
    if line.get("Amount") is None and line.get("UnitCost") is not None:
        line["Amount"] = _number(_money(line.get("Qty", 1)) * _money(line["UnitCost"]))
    if line.get("UnitCost") is None:
        line["Qty"], line["UnitCost"] = line.get("Qty") or 1.0, line.get("Amount") or 0.0
    line["Amount"] = _number(_money(line.get("Amount")))


def settle_check(record: dict, today: str, defaults: dict, inserted: bool) -> None:
    if inserted:
        record.setdefault("ApplicationDate", as_date(today))
        record["Hold"] = bool(record.get("Hold", False))
    paid = sum((_money(line.get("AmountPaid")) for line in record.get("Details", [])), Decimal(0))
    if record.get("PaymentAmount") is None:
        record["PaymentAmount"] = _number(paid)
    if record.get("Status") in (None, "On Hold", "Balanced"):
        record["Status"] = "On Hold" if record.get("Hold") else "Balanced"


def release_bill(store: Store, record: dict) -> list[dict]:
    status = record.get("Status")
    if status == "On Hold":
        raise px_error("The document is on hold and cannot be released.")
    if status in ("Open", "Closed"):
        raise px_error("The document has already been released.")
    if status != "Balanced":
        raise px_error("The document status is invalid for processing.")
    record["Status"], record["Balance"] = "Open", record.get("Amount", 0.0)
    return [record]


def release_check(store: Store, record: dict) -> list[dict]:
    if record.get("Status") != "Balanced":
        raise px_error("The document status is invalid for processing.")
    bills = []
    for line in record.get("Details", []):
        bill = by_keys(
            store, ENTITIES["Bill"], {"Type": line.get("DocType") or "Bill", "ReferenceNbr": line.get("ReferenceNbr")}
        )
        if bill is None or bill.get("Status") != "Open" or _money(bill.get("Balance")) < _money(line["AmountPaid"]):
            raise px_error(f"The document {line.get('ReferenceNbr')} cannot be paid: it is not open or is overpaid.")
        bills.append((bill, _money(line.get("AmountPaid"))))
    for bill, paid in bills:
        bill["Balance"] = _number(_money(bill.get("Balance")) - paid)
        if _money(bill["Balance"]) == 0:
            bill["Status"] = "Closed"
    record["Status"] = "Closed"
    return [record] + [bill for bill, _ in bills]


VALIDATORS = {"Bill": validate_bill, "Check": validate_check}
SETTLERS = {"Bill": settle_bill, "Check": settle_check}
ACTIONS = {("Bill", "ReleaseBill"): release_bill, ("Check", "ReleaseCheck"): release_check}
