"""Canonical Commitment <-> Acumatica purchase orders (Type Normal) and subcontracts.

A subcontract (Procore work order contract) becomes a `Subcontract`, which the Default endpoint exposes; a purchase
order contract becomes a `PurchaseOrder` of type Normal. Native ids are `<Type>/<number>` (`Normal/PO000123`,
`Subcontract/SC000045`). Like bills, a commitment is found by vendor and VendorRef (the commitment's number) with our
key in the `note`; a same-numbered document without it is a conflict for a person. Lines are updated in place by
id. Acumatica has no change orders on a purchase order: each approved change order is written as one more line,
so the committed total (lines + approved change orders) is the document's total, which is checked after the write.
A bill bought on one of these purchase orders is linked to it (`linked_order`: its lines' POOrderType and POOrderNbr).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from connections import errors
from connections.systems.base import SourceItem, WriteResult
from syncs.canonical import Commitment, CommitmentLine, Ref

from .fields import (
    CENT,
    already_saved,
    carries_key,
    equals,
    field_errors,
    key_marker,
    merge_lines,
    modified_since,
    money,
    parse_date,
    parse_datetime,
    text,
    value,
    wrap,
)
from .order_links import link_waiting_bills


@dataclass(frozen=True)
class Kind:
    entity: str
    number: str  # the header's number field
    doc_type: str  # the Type value (purchase orders) or the entity name (subcontracts) in native ids
    total: str
    task: str  # the line's project task field
    canonical: str

    def filter(self, **fields) -> str:
        if self.entity == "PurchaseOrder":
            fields = {"Type": self.doc_type, **fields}
        return equals(**fields)


KINDS = {
    "purchase_order": Kind("PurchaseOrder", "OrderNbr", "Normal", "OrderTotal", "ProjectTask", "purchase_order"),
    "subcontract": Kind("Subcontract", "SubcontractNbr", "Subcontract", "SubcontractTotal", "Task", "subcontract"),
}
BY_TYPE = {kind.doc_type: kind for kind in KINDS.values()}
LINE_DIMENSIONS = {"subaccount": "Subaccount", "project": "Project", "cost_code": "CostCode", "branch": "BranchID"}


class AcumaticaCommitments:
    """Read, find and write purchase orders and subcontracts."""

    def __init__(self, client, settings: dict):
        self.client = client
        self.branch = settings.get("branch") or None
        self.item_id = settings.get("commitment_item") or None
        self._subcontracts: list[dict] | None = None
        self._projects: dict[str, str | None] = {}

    # --- reading --------------------------------------------------------------------------------------------
    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        for kind in KINDS.values():
            flt = " and ".join(part for part in (modified_since(since), kind.filter()) if part) or None
            for row in self.client.list(kind.entity, filter=flt, expand="Details"):
                yield self.item(kind, row)

    def project_id(self, code: str) -> str | None:
        """The ProjectID of a project known elsewhere by `code`: its own id, or its external reference number."""
        if code not in self._projects:
            found = self.client.rows("Project", equals(ProjectID=code)) or self.client.rows(
                "Project", equals(ExternalRefNbr=code)
            )
            self._projects[code] = text(found[0], "ProjectID") if found else None
        return self._projects[code]

    def documents(self, scope: dict) -> Iterator[Commitment]:
        """The scope's project's purchase orders (by their Project) and subcontracts (by their lines' Project).

        `scope["project_code"]` is the project's number on the other side: Acumatica's ProjectID, or the project's
        ExternalRefNbr when the two numberings differ. An empty scope is every purchase order and subcontract."""
        project = self.project_id(str(scope.get("project_code") or "")) if scope.get("project_code") else None
        if scope.get("project_code") and not project:
            return
        kind = KINDS["purchase_order"]
        orders = kind.filter(Project=project) if project else kind.filter()
        for row in self.client.list(kind.entity, filter=orders, expand="Details"):
            yield to_commitment(kind, row)
        if self._subcontracts is None:  # no header project and no filters on details: read them once
            self._subcontracts = list(self.client.list("Subcontract", expand="Details"))
        for row in self._subcontracts:
            if not project or any(text(line, "Project") == project for line in row.get("Details") or []):
                yield to_commitment(KINDS["subcontract"], row)

    def get(self, native_id: str) -> SourceItem:
        kind, number = self._parse(native_id)
        return self.item(kind, self._row(kind, number))

    def item(self, kind: Kind, row: dict) -> SourceItem:
        record = to_commitment(kind, row)
        stamp = value(row.get("LastModifiedDateTime"))
        label = f"{kind.entity} {text(row, kind.number)} {record.number} - {record.vendor.native_id}"
        return SourceItem(record.native_id, str(stamp or ""), parse_datetime(stamp), record, label=label, raw=row)

    def _parse(self, native_id: str) -> tuple[Kind, str]:
        doc_type, _, number = native_id.partition("/")
        if doc_type not in BY_TYPE or not number:
            raise ValueError(f"not an Acumatica commitment id: {native_id!r}")
        return BY_TYPE[doc_type], number

    def _row(self, kind: Kind, number: str) -> dict:
        rows = self.client.rows(kind.entity, kind.filter(**{kind.number: number}), expand="Details")
        if not rows:
            raise errors.NotFound(f"Acumatica has no {kind.entity} {number}", status=404)
        return rows[0]

    def linked_order(self, bill) -> tuple[str, str] | None:
        """(Type, OrderNbr) of the purchase order we wrote for the commitment a bill names, if there is one.

        Found like any commitment of ours, by vendor and VendorRef (the source's order number) with our marker in
        its note; a bill whose order is not (yet) in Acumatica is posted without the link."""
        ref, vendor = getattr(bill, "commitment", None), bill.vendor.destination_id or bill.vendor.native_id
        if ref is None or not (ref.code or ref.native_id) or not vendor:
            return None
        kind = KINDS["purchase_order"]
        rows = self.client.rows(kind.entity, kind.filter(VendorID=vendor, VendorRef=ref.code or ref.native_id))
        ours = [text(row, kind.number) for row in rows if carries_key(row, "") and text(row, kind.number)]
        return (kind.doc_type, ours[0]) if ours else None

    # --- writing --------------------------------------------------------------------------------------------
    def find(self, record: Commitment, key: str) -> str | None:
        kind = KINDS[record.kind]
        vendor = record.vendor.destination_id or record.vendor.native_id
        candidates = self.client.rows(kind.entity, kind.filter(VendorID=vendor, VendorRef=record.number))
        ours = [row for row in candidates if carries_key(row, key)]
        if ours:
            return f"{kind.doc_type}/{text(ours[0], kind.number)}"
        if candidates:
            numbers = ", ".join(text(row, kind.number) for row in candidates)
            raise errors.Conflict(
                f"Acumatica already has {kind.entity} {numbers} for vendor {vendor} with vendor reference "
                f"{record.number}, not created by ml-connector. If it is this commitment, delete one of the two or "
                "add the link by hand; if not, change the vendor reference of one, then replay."
            )
        return None

    def write(self, record: Commitment, key: str, existing_id: str | None) -> WriteResult:
        kind = KINDS[record.kind]
        body = self.body(kind, record, key)
        inserts = True
        if existing_id:
            kind, number = self._parse(existing_id)
            current = self._row(kind, number)
            if already_saved(current, body, key):
                response = {kind.number: number, "unchanged": True, **self.link_bills(kind, record, number)}
                return WriteResult(existing_id, created=False, sent=None, response=response)
            body[kind.number] = {"value": number}
            body["Details"], inserts = merge_lines(current.get("Details") or [], body["Details"])
        try:
            answer = self.client.put(
                kind.entity, body, insert_only=not existing_id, idempotent=not inserts, expand="Details"
            )
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                f"Acumatica rejected the {kind.entity}: {field_errors(exc.body) or exc}",
                status=exc.status,
                body=exc.body,
            ) from exc
        number = text(answer, kind.number)
        if not number:
            raise errors.OutcomeUnknown(f"Acumatica answered the {kind.entity} without its {kind.number}")
        total = self._saved_total(kind, answer, record, number)
        response = {kind.number: number, "Status": value(answer.get("Status")), kind.total: total}
        response.update(self.link_bills(kind, record, number))
        return WriteResult(f"{kind.doc_type}/{number}", created=not existing_id, sent=body, response=response)

    def link_bills(self, kind: Kind, record: Commitment, number: str) -> dict:
        """Link the bills posted before this purchase order (their note says they wait for it); also when the
        order was saved already, so a write retried after a failure here still links them."""
        if kind.entity != "PurchaseOrder":
            return {}
        vendor = record.vendor.destination_id or record.vendor.native_id
        linked = link_waiting_bills(self.client, vendor, record.number, (kind.doc_type, number))
        return {"bills_linked": linked} if linked else {}

    def preview(self, record: Commitment, key: str) -> dict:
        """The PUT body of a new document, for an approval (nothing is written)."""
        if record.kind not in KINDS:
            raise errors.ValidationFailed(f"commitment {record.number}: Acumatica has no document kind {record.kind!r}")
        return self.body(KINDS[record.kind], record, key)

    def body(self, kind: Kind, record: Commitment, key: str) -> dict:
        lines = [*record.lines, *change_order_lines(record)]
        project = next((line.dimensions["project"] for line in lines if line.dimensions.get("project")), None)
        header = {
            "VendorID": record.vendor.destination_id or record.vendor.native_id,
            "VendorRef": record.number,
            "Date": f"{(record.date or dt.date.today()).isoformat()}T00:00:00",  # a date: no offset, no shift
            "Description": (record.title or record.number)[:255],
            "CurrencyID": record.currency or None,
            "Branch": self.branch,
        }
        if kind.entity == "PurchaseOrder":  # a subcontract has no Hold (it has actions) and no header project
            if not project and record.project:
                project = record.project.destination_id or self.project_id(record.project.code or "")
            header.update(Type=kind.doc_type, Hold=False, Project=project)
        body = wrap(header)
        body["note"] = {"value": key_marker(key)}
        body["Details"] = [self.line(kind, line) for line in lines]
        return body

    def line(self, kind: Kind, line: CommitmentLine) -> dict:
        data = {
            "InventoryID": self.item_id,
            "Description": (line.description or "")[:255],
            "OrderQty": Decimal(1),
            "UnitCost": line.amount,
            "Account": line.account,
        }
        for dimension, field in LINE_DIMENSIONS.items():
            if line.dimensions.get(dimension):
                data[field] = line.dimensions[dimension]
        if line.dimensions.get("task"):
            data[kind.task] = line.dimensions["task"]
        if self.branch and "BranchID" not in data:
            data["BranchID"] = self.branch
        return wrap(data)

    def _saved_total(self, kind: Kind, answer: dict, record: Commitment, number: str) -> str:
        """A 200 does not prove the save: Acumatica's total must be the committed total (read back if absent)."""
        total = value(answer.get(kind.total))
        if total is None:
            total = value(self._row(kind, number).get(kind.total))
        expected = record.total.quantize(CENT)
        if total is None or money({"t": {"value": total}}, "t").quantize(CENT) != expected:
            raise errors.ValidationFailed(
                f"Acumatica saved {kind.entity} {number} with total {total}, expected {expected}: check the "
                "document in Acumatica (a tax, rounding or line rule may have changed it)."
            )
        return str(total)


def change_order_lines(record: Commitment) -> list[CommitmentLine]:
    """One line per approved change order, coded like the commitment's first coded line."""
    model = next((line for line in record.lines if line.account), record.lines[0] if record.lines else None)
    return [
        CommitmentLine(
            amount=co.amount,
            description=f"Change order {co.number} {co.description}".strip()[:255],
            account=model.account if model else None,
            dimensions=dict(model.dimensions) if model else {},
            native_id=f"change_order:{co.native_id}",
        )
        for co in record.change_orders
        if co.status == "approved"
    ]


def to_commitment(kind: Kind, row: dict) -> Commitment:
    number = text(row, kind.number)
    native_id = f"{kind.doc_type}/{number}"
    lines = [to_line(kind, line) for line in row.get("Details") or []]
    project = text(row, "Project") or next((line.project.native_id for line in lines if line.project), "")
    return Commitment(
        native_id=native_id,
        vendor=Ref(text(row, "VendorID")),
        number=text(row, "VendorRef") or native_id,  # an unnumbered document must not pair with another by ""
        title=text(row, "Description"),
        currency=text(row, "CurrencyID"),
        status=text(row, "Status"),
        lines=lines,
        project=Ref(project, code=project) if project else None,
        date=parse_date(value(row.get("Date"))),
        kind=kind.canonical,
    )


def to_line(kind: Kind, line: dict) -> CommitmentLine:
    amount = value(line.get("ExtendedCost"))
    if amount is None:
        amount = value(line.get("Amount"))
    if amount is None:
        amount = money(line, "OrderQty") * money(line, "UnitCost")
    project, cost_code = text(line, "Project"), text(line, "CostCode")
    return CommitmentLine(
        amount=money({"a": {"value": amount}}, "a"),
        description=text(line, "Description") or text(line, "LineDescription"),
        cost_code=Ref(cost_code, code=cost_code) if cost_code else None,
        project=Ref(project, code=project) if project else None,
        native_id=str(line.get("id") or ""),
        account=text(line, "Account") or None,
        dimensions={
            name: text(line, field)
            for name, field in (*LINE_DIMENSIONS.items(), ("task", kind.task))
            if text(line, field)
        },
    )
