"""What a finance user searches the ledger by (document number, vendor, project, amount), taken from a canonical
record when the ledger stores it, so the search is a look-up on the ledger's own columns."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from . import canonical

FIELDS = ("document_number", "vendor_name", "project_name", "amount")
CENT = Decimal("0.01")


def _ref_text(ref) -> str:
    if not isinstance(ref, dict):
        return ""
    return " ".join(part for part in (ref.get("code") or "", ref.get("name") or "") if part).strip()


def summary(data: dict, record=None) -> dict:
    """{document_number, vendor_name, project_name, amount} of a stored canonical record (blank where it has none);
    `record`: the same record decoded, when the caller has it."""
    data = data or {}
    vendor = data.get("vendor") if isinstance(data.get("vendor"), dict) else {}
    vendor_name = vendor.get("name") or (data.get("name") or "" if data.get("type") == "Vendor" else "")
    return {
        "document_number": str(data.get("number") or data.get("reference") or data.get("code") or "")[:200],
        "vendor_name": str(vendor_name),
        "project_name": _ref_text(data.get("project"))[:300],
        "amount": _amount(data, record),
    }


def _amount(data: dict, record=None) -> Decimal | None:
    """The document's total as the destination will see it: lines (and approved change orders), or the amount."""
    try:
        record = record if record is not None else canonical.from_dict(data)
        total = getattr(record, "total", None)
        if total is None:
            total = getattr(record, "amount", None)
        return Decimal(total).quantize(CENT) if total is not None else None
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None  # a record this summary cannot read keeps its other columns; search still finds it by them


def apply(record, source=None) -> None:
    """Set the summary columns of a SyncRecord from its canonical record (not saved here); `source`: that record
    decoded, when the caller has it."""
    for name, value in summary(record.canonical, source).items():
        setattr(record, name, value[: record._meta.get_field(name).max_length] if isinstance(value, str) else value)
