"""Fields Exact fills in itself: names and descriptions looked up from codes, line numbers, amounts, totals.

Amounts are kept as two-decimal strings; VAT is the line amount times VATPercentage (a fraction, 0.21).
"""

from __future__ import annotations

from decimal import Decimal

from ..core.store import Store
from .values import decimal, money, padded_code

PO_STATUS = {10: "Open", 20: "Partial", 30: "Complete", 40: "Canceled"}
ENTRY_STATUS = {5: "Rejected", 20: "Open", 50: "Processed"}
ENTRY_TYPE = {30: "Purchase entry", 31: "Purchase credit note"}
PROJECT_TYPE = {1: "Campaign", 2: "Fixed price", 3: "Time and Material", 4: "Non billable", 5: "Prepaid"}


def _by_code(store: Store, collection: str, division: int, code) -> dict | None:
    if code in (None, ""):
        return None
    return next((r for r in store.find(collection, Division=division) if str(r.get("Code")) == str(code)), None)


def _describe(store: Store, record: dict, field: str, collection: str) -> None:
    found = _by_code(store, collection, record.get("Division"), record.get(field))
    record[f"{field}Description"] = found.get("Description") if found else None


def _supplier(store: Store, record: dict) -> None:
    account = store.get("Accounts", str(record.get("Supplier") or "").lower())
    record["SupplierName"] = account.get("Name") if account else None
    if "SupplierCode" in record or account:
        record["SupplierCode"] = account.get("Code") if account else None


def _project(store: Store, record: dict) -> None:
    project = store.get("Projects", str(record.get("Project") or "").lower())
    record["ProjectDescription"] = project.get("Description") if project else None
    if "ProjectCode" in record or project:
        record["ProjectCode"] = project.get("Code") if project else None


def _next_number(store: Store, collection: str, field: str, division: int, start: int) -> int:
    numbers = [int(r[field]) for r in store.find(collection, Division=division) if r.get(field) is not None]
    return max(numbers, default=start - 1) + 1


def _line_number(store: Store, collection: str, foreign: str, record: dict) -> None:
    if record.get("LineNumber") is None:
        siblings = [int(r.get("LineNumber") or 0) for r in store.find(collection, **{foreign: record[foreign]})]
        record["LineNumber"] = max(siblings, default=0) + 1


def account(store: Store, record: dict) -> None:
    record["Code"] = padded_code(record.get("Code") or _next_number(store, "Accounts", "Code", record["Division"], 1))
    for flag in ("IsSupplier", "IsSales", "IsPurchase", "Blocked"):
        record.setdefault(flag, False)
    record.setdefault("Status", "A")
    record.setdefault("Type", "A")


def gl_account(store: Store, record: dict) -> None:
    record.setdefault("BalanceSide", "D")
    record.setdefault("BalanceType", "W")
    record.setdefault("IsBlocked", False)
    _describe(store, record, "Costcenter", "Costcenters")
    _describe(store, record, "Costunit", "Costunits")


def cost_center(store: Store, record: dict) -> None:
    record.setdefault("Active", True)


def project(store: Store, record: dict) -> None:
    account_row = store.get("Accounts", str(record.get("Account") or "").lower())
    record["AccountName"] = account_row.get("Name") if account_row else None
    record["AccountCode"] = account_row.get("Code") if account_row else None
    record.setdefault("Type", 2)
    record["TypeDescription"] = PROJECT_TYPE.get(int(record["Type"]))
    division = store.get("Divisions", record.get("Division"))
    record["DivisionName"] = division.get("Description") if division else None


def po_line(store: Store, record: dict) -> None:
    _line_number(store, "PurchaseOrderLines", "PurchaseOrderID", record)
    quantity = decimal(record.get("QuantityInPurchaseUnits") or record.get("Quantity")) or Decimal(0)
    record["QuantityInPurchaseUnits"] = record["Quantity"] = str(quantity)
    unit = decimal(record.get("UnitPrice")) or Decimal(0)
    discount = decimal(record.get("Discount")) or Decimal(0)
    record["UnitPrice"], record["Discount"] = money(unit), str(discount)
    record["NetPrice"] = money(unit * (1 - discount))
    record["AmountDC"] = record["AmountFC"] = money(quantity * Decimal(record["NetPrice"]))
    record["VATAmount"] = money(Decimal(record["AmountDC"]) * (decimal(record.get("VATPercentage")) or Decimal(0)))
    for name in ("ReceivedQuantity", "InvoicedQuantity"):
        record.setdefault(name, "0")
    _project(store, record)
    _describe(store, record, "CostCenter", "Costcenters")
    _describe(store, record, "CostUnit", "Costunits")


def purchase_order(store: Store, record: dict) -> None:
    _supplier(store, record)
    if record.get("OrderNumber") is None:
        record["OrderNumber"] = _next_number(store, "PurchaseOrders", "OrderNumber", record["Division"], 1)
    for name in ("OrderStatus", "ReceiptStatus", "InvoiceStatus"):
        record.setdefault(name, 10)
    record.setdefault("Currency", "EUR")
    record.setdefault("Source", 1)
    lines = list(store.find("PurchaseOrderLines", PurchaseOrderID=record["id"]))
    record["AmountDC"] = record["AmountFC"] = money(sum(Decimal(line["AmountDC"]) for line in lines))
    record["VATAmount"] = money(sum(Decimal(line["VATAmount"]) for line in lines))
    record["PurchaseOrderLineCount"] = len(lines)


def entry_line(store: Store, record: dict) -> None:
    _line_number(store, "PurchaseEntryLines", "EntryID", record)
    amount = decimal(record.get("AmountFC") if record.get("AmountDC") is None else record.get("AmountDC"))
    record["AmountDC"] = record["AmountFC"] = money(amount)
    vat = Decimal(record["AmountDC"]) * (decimal(record.get("VATPercentage")) or Decimal(0))
    record["VATAmountDC"] = record["VATAmountFC"] = money(vat)
    record["VATBaseAmountDC"] = record["VATBaseAmountFC"] = record["AmountDC"]
    gl = store.get("GLAccounts", str(record.get("GLAccount") or "").lower())
    record["GLAccountCode"] = gl.get("Code") if gl else None
    record["GLAccountDescription"] = gl.get("Description") if gl else None
    record.setdefault("Type", 30)
    _project(store, record)
    record.pop("ProjectCode", None)  # purchase entry lines document no ProjectCode
    _describe(store, record, "CostCenter", "Costcenters")
    _describe(store, record, "CostUnit", "Costunits")


def purchase_entry(store: Store, record: dict) -> None:
    _supplier(store, record)
    record.pop("SupplierCode", None)  # purchase entries document SupplierName only
    if record.get("EntryNumber") is None:
        record["EntryNumber"] = _next_number(store, "PurchaseEntries", "EntryNumber", record["Division"], 24700001)
    record.setdefault("Journal", "60")
    record.setdefault("JournalDescription", "Inkoopboek")
    record.setdefault("Status", 20)
    record["StatusDescription"] = ENTRY_STATUS.get(int(record["Status"]))
    record.setdefault("Type", 30)
    record["TypeDescription"] = ENTRY_TYPE.get(int(record["Type"]))
    record.setdefault("Currency", "EUR")
    lines = list(store.find("PurchaseEntryLines", EntryID=record["id"]))
    vat = sum(Decimal(line["VATAmountDC"]) for line in lines)
    record["VATAmountDC"] = record["VATAmountFC"] = money(vat)
    record["AmountDC"] = record["AmountFC"] = money(sum(Decimal(line["AmountDC"]) for line in lines) + vat)
    if record.get("EntryDate"):
        record["ReportingYear"], record["ReportingPeriod"] = int(record["EntryDate"][:4]), int(record["EntryDate"][5:7])


DERIVE = {
    "Accounts": account,
    "GLAccounts": gl_account,
    "Costcenters": cost_center,
    "Projects": project,
    "PurchaseOrderLines": po_line,
    "PurchaseOrders": purchase_order,
    "PurchaseEntryLines": entry_line,
    "PurchaseEntries": purchase_entry,
}
