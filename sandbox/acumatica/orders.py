"""Purchase orders (PO301000) and construction subcontracts (SC301000).

Keys: PurchaseOrder ``Type`` + ``OrderNbr`` (Type defaults to "Normal"), Subcontract ``SubcontractNbr``;
both numbered by the server. Line ``ExtendedCost`` is OrderQty x UnitCost (or the sent amount);
``LineTotal`` the sum of the lines; ``OrderTotal`` / ``SubcontractTotal`` the line total plus tax
(none simulated). Status follows Hold: "On Hold" or "Open". A subcontract has no Hold field in the
contract; its actions ReleaseFromHold and PutOnHold move it between the two.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ..core.clock import parse_iso
from .bills import Context
from .entities import ENTITIES, PO_TYPES
from .records import as_date
from .refs import empty, line_errors, ref_errors
from .values import cents, money, px_error

PURCHASE_ORDER = ENTITIES["PurchaseOrder"]
SUBCONTRACT = ENTITIES["Subcontract"]
ZERO = Decimal("0.00")


def validate_order(ctx: Context, fields: dict, record: dict | None) -> tuple[dict, dict[int, dict]]:
    header = ref_errors(ctx.store, fields, PURCHASE_ORDER.refs)
    if record is None and not fields.get("VendorID"):
        header["VendorID"] = empty("Vendor")
    if fields.get("Type") not in (None, "") and fields["Type"] not in PO_TYPES:
        header["Type"] = f"The order type '{fields['Type']}' is not valid."
    return header, line_errors(ctx.store, PURCHASE_ORDER, fields, record)


def validate_subcontract(ctx: Context, fields: dict, record: dict | None) -> tuple[dict, dict[int, dict]]:
    header = ref_errors(ctx.store, fields, SUBCONTRACT.refs)
    if record is None and not fields.get("VendorID"):
        header["VendorID"] = empty("Vendor")
    return header, line_errors(ctx.store, SUBCONTRACT, fields, record)


def _header_defaults(ctx: Context, record: dict) -> None:
    date = as_date(record.get("Date")) or as_date(ctx.now)
    defaults = {
        "Date": date,
        "CurrencyID": "USD",
        "BaseCurrencyID": "USD",
        "CurrencyRate": Decimal(1),
        "CurrencyReciprocalRate": Decimal(1),
        "Terms": "30D",
        "Location": "MAIN",
        "Branch": ctx.config["default_branch"],
        "TaxTotal": ZERO,
    }
    for key, value in defaults.items():
        if record.get(key) is None:
            record[key] = value


def _lines(record: dict, number_field: str, type_field: str | None) -> Decimal:
    """Number new lines, compute ExtendedCost, and return the line total."""
    total = Decimal(0)
    lines = record.get("Details", [])
    next_nbr = max((int(line.get("LineNbr") or 0) for line in lines), default=0) + 1
    for line in lines:
        if not line.get("LineNbr"):
            line["LineNbr"], next_nbr = next_nbr, next_nbr + 1
        if line.get("UnitCost") is not None and line.get("OrderQty") is not None:
            line["ExtendedCost"] = money(line["OrderQty"]) * money(line["UnitCost"])
        elif line.get("Amount") is not None and line.get("ExtendedCost") is None:
            line["ExtendedCost"] = line["Amount"]
        line["ExtendedCost"] = cents(line.get("ExtendedCost"))
        line["OrderNbr"] = record.get(number_field)
        if type_field:
            line["OrderType"] = record.get(type_field)
        total += line["ExtendedCost"]
    return cents(total)


def settle_order(ctx: Context, record: dict, inserted: bool) -> None:
    if inserted:
        _header_defaults(ctx, record)
        record.setdefault("Hold", ctx.config["po_hold_on_entry"])
        promised = parse_iso(record["Date"]) + timedelta(days=14)
        record.setdefault("PromisedOn", promised.isoformat())
    for line in record.get("Details", []):
        line.setdefault("LineType", "Non-Stock" if line.get("InventoryID") else "Service")
        line.setdefault("BranchID", record.get("Branch"))
        line.setdefault("Project", record.get("Project"))
    record["LineTotal"] = _lines(record, "OrderNbr", "Type")
    record["OrderTotal"] = cents(record["LineTotal"] + money(record.get("TaxTotal")))
    record["ControlTotal"] = record["OrderTotal"]
    if record.get("Status") in (None, "On Hold", "Open"):
        record["Status"] = "On Hold" if record.get("Hold") else "Open"


def settle_subcontract(ctx: Context, record: dict, inserted: bool) -> None:
    if inserted:
        _header_defaults(ctx, record)
        record.setdefault("Status", "On Hold" if ctx.config["po_hold_on_entry"] else "Open")
        record.setdefault("StartDate", record["Date"])
    for line in record.get("Details", []):
        line.setdefault("BranchID", record.get("Branch"))
    record["LineTotal"] = _lines(record, "SubcontractNbr", None)
    record["SubcontractTotal"] = cents(record["LineTotal"] + money(record.get("TaxTotal")))
    record.setdefault("RetainageTotal", ZERO)
    record.setdefault("DiscountTotal", ZERO)
    record["ControlTotal"] = record["SubcontractTotal"]


def release_from_hold(ctx: Context, record: dict) -> list[dict]:
    if record.get("Status") != "On Hold":
        raise px_error("The subcontract is not on hold.")
    record["Status"] = "Open"
    return [record]


def put_on_hold(ctx: Context, record: dict) -> list[dict]:
    if record.get("Status") not in ("Open", "Pending Approval"):
        raise px_error("The subcontract cannot be put on hold in its current status.")
    record["Status"] = "On Hold"
    return [record]
