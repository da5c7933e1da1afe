"""Exact purchase orders and purchase entries as canonical records.

Purchase order lines carry no GL account (Exact takes it from the item), so `line.account` stays empty on
commitments; purchase entry lines carry theirs (`GLAccountCode`). A line's cost center code travels in
`line.cost_center` (account rules match on it), its Exact project as the line's `project` reference (the Exact id,
code and name; project maps route by the id). `line.dimensions` is left to the resolver: it holds destination values
only. Amounts are the document's own currency (`AmountFC`, else `AmountDC`), net of VAT. Document dates are local
calendar days.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from connections import errors
from connections.systems.base import SourceItem
from syncs.canonical import Bill, BillLine, Commitment, CommitmentLine, Ref, to_dict

from .common import RUN_STOPPERS
from .consts import CANCELLED, CREDIT_NOTE, ENTRY_STATUS, ORDER_STATUS, REJECTED
from .values import amount, code, day, moment, number, optional_decimal


def version_of(record) -> str:
    """Changes exactly when the canonical record changes (whatever Exact's own stamps did)."""
    digest = hashlib.sha256(json.dumps(to_dict(record), sort_keys=True, default=str).encode()).hexdigest()
    return digest[:20]


def latest(zone, *stamps):
    times = [moment(stamp, zone) for stamp in stamps if stamp]
    return max(times) if times else None


def _money(line: dict):
    return amount(line["AmountFC"] if line.get("AmountFC") is not None else line.get("AmountDC"))


def _cost_center(line: dict) -> str:
    """The line's cost center code (Exact names cost centers on lines by their code)."""
    return code(line.get("CostCenterCode") or line.get("CostCenter"))


def _project(line: dict, projects: dict | None = None) -> Ref | None:
    project_id = line.get("Project")
    if not project_id:
        return None
    known = (projects or {}).get(project_id) or {}
    project_code = code(line.get("ProjectCode") or known.get("Code"))
    name = line.get("ProjectDescription") or known.get("Description") or ""
    return Ref(str(project_id), code=project_code, name=name)


def _common(refs: list[Ref | None]) -> Ref | None:
    """The document's project when all its lines name the same one."""
    ids = {ref.native_id for ref in refs if ref}
    return next(ref for ref in refs if ref) if len(ids) == 1 and all(refs) else None


def _order_line(line: dict) -> CommitmentLine:
    project = _project(line)
    return CommitmentLine(
        amount=_money(line),
        description=line.get("Description") or "",
        project=project,
        quantity=optional_decimal(line.get("QuantityInPurchaseUnits")),
        unit_cost=optional_decimal(line.get("NetPrice") if line.get("NetPrice") is not None else line.get("UnitPrice")),
        native_id=str(line["ID"]),
        cost_center=_cost_center(line),
    )


def commitment(header: dict, lines: list[dict]) -> Commitment:
    """A purchase order with its lines (ordered by line number)."""
    lines = sorted(lines, key=lambda line: number(line.get("LineNumber")) or 0)
    canonical = [_order_line(line) for line in lines]
    return Commitment(
        native_id=str(header["PurchaseOrderID"]),
        vendor=Ref(str(header.get("Supplier") or ""), code=code(header.get("SupplierCode")),
                   name=header.get("SupplierName") or ""),  # fmt: skip
        number=str(header.get("OrderNumber") or ""),
        title=header.get("Description") or "",
        currency=header.get("Currency") or "",
        status=ORDER_STATUS.get(number(header.get("OrderStatus")), str(header.get("OrderStatus") or "")),
        lines=canonical,
        project=_common([line.project for line in canonical]),
        date=day(header.get("OrderDate")),
        kind="purchase_order",
    )


def _entry_line(line: dict, projects: dict, sign: int) -> BillLine:
    project = _project(line, projects)
    return BillLine(
        amount=_money(line) * sign,
        description=line.get("Description") or "",
        project=project,
        quantity=optional_decimal(line.get("Quantity")),
        native_id=str(line["ID"]),
        account=code(line.get("GLAccountCode")) or None,
        cost_center=_cost_center(line),
    )


def bill(header: dict, lines: list[dict], projects: dict, suppliers: dict) -> Bill:
    """A purchase entry (invoice or credit note) with its lines."""
    lines = sorted(lines, key=lambda line: number(line.get("LineNumber")) or 0)
    # A credit note whose lines come positive is still money back from the supplier: it posts as a credit.
    credit = number(header.get("Type")) == CREDIT_NOTE
    sign = -1 if credit and sum(_money(line) for line in lines) > 0 else 1
    canonical = [_entry_line(line, projects, sign) for line in lines]
    supplier = str(header.get("Supplier") or "")
    reference = header.get("YourRef") or header.get("InvoiceNumber") or header.get("EntryNumber") or ""
    return Bill(
        native_id=str(header["EntryID"]),
        vendor=Ref(supplier, code=code((suppliers.get(supplier) or {}).get("Code")),
                   name=header.get("SupplierName") or ""),  # fmt: skip
        number=str(reference),
        date=day(header.get("EntryDate")),
        currency=header.get("Currency") or "",
        lines=canonical,
        due_date=day(header.get("DueDate")),
        description=header.get("Description") or "",
        project=_common([line.project for line in canonical]),
        status=ENTRY_STATUS.get(number(header.get("Status")), str(header.get("Status") or "")),
        kind="credit" if credit else "bill",
    )


def order_label(header: dict) -> str:
    return f"Purchase order {header.get('OrderNumber') or ''} - {header.get('SupplierName') or ''}".strip(" -")


def entry_label(header: dict) -> str:
    reference = header.get("YourRef") or header.get("EntryNumber") or ""
    return f"Purchase invoice {reference} - {header.get('SupplierName') or ''}".strip(" -")


def is_cancelled(header: dict) -> bool:
    return number(header.get("OrderStatus")) == CANCELLED


def is_rejected(header: dict) -> bool:
    return number(header.get("Status")) == REJECTED


def item(native_id: str, header: dict, modified, label: str, build, *, eligible=True, deleted=False) -> SourceItem:
    """A SourceItem; a record that cannot be read becomes an error on its item, never a crash of the run."""
    record, problem = None, ""
    try:
        record = build()
    except RUN_STOPPERS:
        raise  # the whole connection is limited or locked out: stop the run, not just this record
    except errors.ApiError as exc:
        problem = f"Exact could not give the whole record: {exc}"
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        problem = f"Exact returned a record that cannot be read: {type(exc).__name__}: {exc}"
    version = version_of(record) if record is not None else str(header.get("Modified") or "")
    return SourceItem(
        native_id, version, modified, record, label=label, eligible=eligible, raw=_trim(header), error=problem,
        deleted=deleted,
    )  # fmt: skip


def _trim(header: dict) -> dict:
    """The raw header kept in the ledger: JSON-safe, without metadata and line collections."""
    return {
        key: str(value) if isinstance(value, Decimal) else value
        for key, value in header.items()
        if not key.startswith("__") and not isinstance(value, dict | list)
    }
