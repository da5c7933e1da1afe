"""Canonical records: the hub every adapter reads into and writes from.

Plain dataclasses with Decimal money and explicit currency, easy to build in tests. No Django here.
`to_dict`/`from_dict` give the JSON stored in the ledger; money travels as strings so nothing is lost to floats.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Ref:
    """A reference to a record on one side: its native id, human code and name.

    `destination_id` is filled by the resolver with the matching record's id on the other side.
    """

    native_id: str
    code: str = ""
    name: str = ""
    destination_id: str | None = None


@dataclass
class Vendor:
    native_id: str
    name: str
    code: str = ""
    active: bool = True
    email: str = ""
    tax_id: str = ""
    currency: str = ""
    origin_id: str = ""  # the id of its counterpart in the other system, where this system stores one


@dataclass
class Account:
    native_id: str
    code: str
    name: str
    account_type: str = ""
    active: bool = True


@dataclass
class CostCode:
    native_id: str
    code: str
    name: str
    cost_type: Ref | None = None
    active: bool = True
    origin_id: str = ""


@dataclass
class CostLine:
    """One coded line of a bill or a commitment: an amount on a cost code and cost type."""

    amount: Decimal
    description: str = ""
    cost_code: Ref | None = None
    cost_type: Ref | None = None
    project: Ref | None = None
    quantity: Decimal | None = None
    unit_cost: Decimal | None = None
    native_id: str = ""
    cost_center: str = ""  # the source's cost center code, for sources that code lines by account + cost center
    # Filled by the resolver: the destination's GL account and dimensions (subaccount, project, task, ...).
    account: str | None = None
    dimensions: dict[str, str] = field(default_factory=dict)


# Bills and commitments carry the same kind of line; the names say which record a line belongs to.
BillLine = CommitmentLine = CostLine


@dataclass
class Bill:
    """An AP bill (a subcontractor invoice, a direct cost of type invoice, a vendor bill)."""

    native_id: str
    vendor: Ref
    number: str  # the vendor's invoice number: the destination's dedupe anchor
    date: dt.date
    currency: str
    lines: list[BillLine]
    due_date: dt.date | None = None
    description: str = ""
    project: Ref | None = None
    commitment: Ref | None = None
    status: str = ""
    kind: str = "bill"  # bill | credit: a net credit posts as the destination's credit document
    retainage: Decimal = Decimal("0")  # withheld from this bill (its lines are gross of it)
    # Which document the flow asks the destination for, where it holds several kinds (flow option `document`);
    # blank: the destination's usual one.
    document: str = ""

    def __post_init__(self):
        # Whatever the source calls it, a document whose lines sum below zero is a credit from the vendor.
        if self.lines and self.total < 0:
            self.kind = "credit"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


@dataclass
class ChangeOrder:
    native_id: str
    number: str
    amount: Decimal
    status: str = ""
    description: str = ""


@dataclass
class Commitment:
    """A subcontract or purchase order, with its lines and its approved change orders."""

    native_id: str
    vendor: Ref
    number: str
    title: str
    currency: str
    status: str
    lines: list[CommitmentLine]
    change_orders: list[ChangeOrder] = field(default_factory=list)
    project: Ref | None = None
    date: dt.date | None = None
    kind: str = "subcontract"  # subcontract | purchase_order

    @property
    def total(self) -> Decimal:
        """The committed amount: the lines plus the approved change orders."""
        lines = sum((line.amount for line in self.lines), Decimal("0"))
        return lines + sum((co.amount for co in self.change_orders if co.status == "approved"), Decimal("0"))


@dataclass
class Payment:
    native_id: str
    vendor: Ref
    amount: Decimal
    currency: str
    date: dt.date
    bill: Ref | None = None
    reference: str = ""
    status: str = ""


@dataclass
class PaymentStatus:
    """Where a posted document stands in the books: what was paid against it, and by which payments."""

    native_id: str  # the document's id on the side that reports the status (e.g. the ERP bill)
    status: str  # open | partly_paid | paid | voided
    amount: Decimal
    balance: Decimal
    currency: str = ""
    payments: list[Payment] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return self.amount - self.balance


#: The cost code of the line that states retainage withheld on a bill (mapped to a retainage-payable account).
RETAINAGE_CODE = "(retainage)"


def with_options(record, options: dict):
    """The record as the flow's options shape it before it is resolved and written.

    `retainage`: "gross" (default) posts bills gross of retainage; "line" adds a negative line for the retainage
    withheld, coded to the `(retainage)` cost code, so the bill's total is what is payable now.
    `contract_kind`: "purchase_order" or "work_order" (a subcontract) for the commitment the destination holds.
    `project_from`: "cost_center" routes each line by its cost center (project maps on cost centers) instead of the
    source project; any other value names the line dimension that holds the project instead (e.g. "class").
    `document`: the kind of destination document asked for, where the destination holds several (Bill.document).
    `link_orders`: False posts a bill without its commitment (no order of ours to link it to; see flow_options).
    """
    record = _contract_kind(record, options.get("contract_kind"))
    if options.get("link_orders") is False and isinstance(record, Bill) and record.commitment is not None:
        record = dataclasses.replace(record, commitment=None)
    if options.get("project_from") == "cost_center" and isinstance(record, Bill | Commitment):
        record = copy.deepcopy(record)
        for line in record.lines:
            line.project = Ref(native_id=line.cost_center, code=line.cost_center) if line.cost_center else None
        record.project = None
    if options.get("document") and isinstance(record, Bill):
        record = copy.deepcopy(record)
        record.document = str(options["document"])
    if options.get("project_from") not in (None, "", "cost_center") and getattr(record, "lines", None):
        record = _project_from(record, str(options["project_from"]))  # a dimension, e.g. "class"
    if isinstance(record, Bill) and record.retainage and options.get("retainage") == "line":
        record = copy.deepcopy(record)
        record.lines.append(
            CostLine(
                amount=-record.retainage,
                description="Retainage withheld",
                cost_code=Ref(native_id="", code=RETAINAGE_CODE, name="Retainage"),
                project=record.project,
                native_id="retainage",
            )
        )
    return record


#: option value -> Commitment.kind
CONTRACT_KINDS = {"purchase_order": "purchase_order", "work_order": "subcontract"}


def _contract_kind(record, kind: str | None):
    if not kind or not isinstance(record, Commitment):
        return record
    if kind not in CONTRACT_KINDS:
        raise ValueError(f"contract_kind must be one of {', '.join(CONTRACT_KINDS)}, not {kind!r}")
    return dataclasses.replace(record, kind=CONTRACT_KINDS[kind])


def _project_from(record, dimension: str):
    """Each line's project taken from one of its dimensions (e.g. a source that tracks jobs by class): a line
    without that dimension has no project; the document's own project is dropped unless all its lines agree."""
    record = copy.deepcopy(record)
    for line in record.lines:
        value = (line.dimensions or {}).get(dimension)
        line.project = Ref(native_id=str(value)) if value else None
    projects = {line.project.native_id for line in record.lines if line.project}
    whole = len(projects) == 1 and all(line.project for line in record.lines)
    record.project = Ref(native_id=projects.pop()) if whole else None
    return record


RECORD_TYPES = {cls.__name__: cls for cls in (Vendor, Account, CostCode, Bill, Commitment, Payment, PaymentStatus)}


def to_dict(record) -> dict[str, Any]:
    """JSON-safe dict of a canonical record, tagged with its type."""
    return {"type": type(record).__name__, **_encode(dataclasses.asdict(record))}


def _encode(value):
    if isinstance(value, str):
        return without_nul(value)
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def without_nul(text: str) -> str:
    """Text as every database keeps it: PostgreSQL refuses NUL in text and JSON, so a NUL a vendor sent becomes
    U+FFFD (shown, never silently dropped)."""
    return text.replace("\x00", "\ufffd")


def from_dict(data: dict[str, Any]):
    """Rebuild a canonical record from `to_dict` output."""
    data = dict(data)
    cls = RECORD_TYPES[data.pop("type")]
    return _decode(cls, data)


def _decode(cls, data):
    hints = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for name, value in data.items():
        if name not in hints:
            continue
        kwargs[name] = _decode_value(hints[name].type, value)
    return cls(**kwargs)


_NESTED = {
    "Ref": Ref,
    "BillLine": CostLine,
    "CommitmentLine": CostLine,
    "ChangeOrder": ChangeOrder,
    "Payment": Payment,
}


def _decode_value(type_hint: str, value):
    if value is None:
        return None
    hint = str(type_hint)
    for name, cls in _NESTED.items():
        if hint.startswith(f"list[{name}]"):
            return [_decode(cls, item) for item in value]
        if hint.split(" ")[0] == name:
            return _decode(cls, value)
    if hint.startswith("Decimal"):
        return Decimal(value)
    if hint.startswith("dt.date"):
        return dt.date.fromisoformat(value)
    return value
