"""Acumatica <-> canonical records.

A canonical Bill becomes an AP `Bill` (a net credit becomes a `Debit Adj.`), found on the destination by type,
vendor and VendorRef (the vendor's invoice number). There is no external-reference field, so our destination key is
written into the document's `note`: a look-up takes only the document that carries our key, and a same-numbered
document without it is a conflict for a person, never taken over. An existing document is updated in place: its
lines are updated by id, surplus lines deleted and missing ones inserted, so a retried update never doubles a line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.systems.base import CREATE, UPDATE, Adapter, ConnectionCheck, ReferenceItem, WriteResult

from .client import AcumaticaClient

#: reference kind -> (entity, id field, name field, has an active flag / status field)
REFERENCE_ENTITIES = {
    "vendor": ("Vendor", "VendorID", "VendorName", "Status"),
    "account": ("Account", "AccountCD", "Description", "Active"),
    "subaccount": ("Subaccount", "SubaccountCD", "Description", "Active"),
    "project": ("Project", "ProjectID", "Description", "Status"),
    "task": ("ProjectTask", "ProjectTaskID", "Description", "Status"),
    "cost_code": ("CostCode", "CostCodeID", "Description", None),
}
INACTIVE_STATUSES = {"inactive", "hold", "on hold", "completed", "cancelled", "canceled", "closed", "suspended"}
#: canonical line dimension -> Acumatica BillDetail field
LINE_DIMENSIONS = {
    "subaccount": "Subaccount",
    "project": "Project",
    "task": "ProjectTask",
    "cost_code": "CostCode",
    "branch": "Branch",
}


def value(field: dict | None):
    """Unwrap Acumatica's `{"value": ...}` (empty fields come back as `{}`)."""
    return (field or {}).get("value")


def wrap(data: dict) -> dict:
    """Wrap plain values as Acumatica value objects, leaving lists and `None` alone."""
    return {key: (val if isinstance(val, list) else {"value": val}) for key, val in data.items() if val is not None}


class AcumaticaAdapter(Adapter):
    capabilities = {"bill": frozenset({CREATE, UPDATE})}
    reference_kinds = frozenset({*REFERENCE_ENTITIES, "branch"})

    def __init__(self, connection):
        super().__init__(connection)
        self.client = AcumaticaClient(connection)

    def check(self) -> ConnectionCheck:
        versions = self.client.versions()
        if self.client.version not in versions:
            return ConnectionCheck(False, f"Endpoint version mismatch: the instance offers {', '.join(versions)}.")
        branches = self.client.branches()
        return ConnectionCheck(
            True, f"Signed in; endpoint Default/{self.client.version}; {len(branches)} branches visible."
        )

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
        if kind == "branch":
            yield from self._branches()
            return
        entity, id_field, name_field, status_field = REFERENCE_ENTITIES[kind]
        for row in self.client.list(entity):
            code = str(value(row.get(id_field)) or "").strip()
            if not code:
                continue
            parent = str(value(row.get("ProjectID")) or "") if kind == "task" else ""
            native_id = f"{parent}/{code}" if parent else code
            yield ReferenceItem(
                kind,
                native_id,
                code,
                str(value(row.get(name_field)) or ""),
                self._active(row, status_field),
                parent=parent,
            )

    def _branches(self) -> Iterator[ReferenceItem]:
        for row in self.client.branches():
            code = str(value(row.get("BranchID")) or "").strip()
            if code:
                active = value(row.get("BranchStatus"))
                yield ReferenceItem("branch", code, code, str(value(row.get("BranchName")) or ""), active is not False)

    @staticmethod
    def _active(row: dict, status_field: str | None) -> bool:
        if status_field is None:
            return True
        state = value(row.get(status_field))
        if isinstance(state, bool):
            return state
        return str(state or "active").strip().lower() not in INACTIVE_STATUSES

    def find(self, entity: str, record, key: str) -> str | None:
        """The ReferenceNbr of the document carrying our key; a same-numbered one without it is a conflict."""
        candidates = self.client.find_bills(doc_type(record), record.vendor.destination_id, record.number)
        ours = [row for row in candidates if key_marker(key) in str(value(row.get("note")) or "")]
        if ours:
            return value(ours[0].get("ReferenceNbr"))
        if candidates:
            numbers = ", ".join(str(value(row.get("ReferenceNbr"))) for row in candidates)
            raise errors.Conflict(
                f"Acumatica already has {doc_type(record)} {numbers} for vendor {record.vendor.destination_id} with "
                f"vendor reference {record.number}, not created by ml-connector. Check whether it is this invoice: "
                "if it is, delete or void one of the two; if not, change the vendor reference of one, then replay."
            )
        return None

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        """Insert the document, or update the existing one in place, then check the total Acumatica computed."""
        if not self.can(entity, CREATE):
            raise errors.Permanent(f"Acumatica adapter cannot write {entity!r}")
        body = self.bill_body(record, key)
        inserts_lines = True
        if existing_id:
            current = self.client.get_bill(doc_type(record), existing_id)
            body["ReferenceNbr"] = {"value": existing_id}
            body["Details"], inserts_lines = merge_lines(current.get("Details") or [], body["Details"])
        try:
            answer = self.client.put_bill(body, insert_only=not existing_id, idempotent=not inserts_lines)
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                f"Acumatica rejected the bill: {field_errors(exc.body) or exc}", status=exc.status, body=exc.body
            ) from exc
        reference = value(answer.get("ReferenceNbr"))
        if not reference:
            raise errors.OutcomeUnknown("Acumatica answered without a ReferenceNbr")
        amount = self._saved_amount(answer, record, reference)
        return WriteResult(
            destination_id=str(reference),
            created=not existing_id,
            sent=body,
            response={
                "ReferenceNbr": reference,
                "Type": doc_type(record),
                "Status": value(answer.get("Status")),
                "Amount": amount,
            },
        )

    def bill_body(self, record, key: str) -> dict:
        """The PUT body of a canonical bill whose vendor and lines have been resolved to Acumatica codes."""
        branch = self.connection.settings.get("branch") or None
        header = wrap(
            {
                "Type": doc_type(record),
                "Vendor": record.vendor.destination_id,
                "VendorRef": record.number,
                "Date": record.date.isoformat(),
                "DueDate": record.due_date.isoformat() if record.due_date else None,
                "CurrencyID": record.currency or None,
                "Description": (record.description or f"{record.number}")[:255],
                "Hold": False,
                "BranchID": branch,
            }
        )
        header["note"] = {"value": key_marker(key)}
        sign = -1 if record.kind == "credit" else 1
        header["Details"] = [self._line(line, branch, sign) for line in record.lines]
        return header

    @staticmethod
    def _line(line, branch: str | None, sign: int) -> dict:
        amount = line.amount * sign
        data = {
            "TransactionDescription": (line.description or "")[:255],
            "Qty": "1",
            "UnitCost": str(amount),
            "Amount": str(amount),
            "Account": line.account,
        }
        for dimension, field in LINE_DIMENSIONS.items():
            if line.dimensions.get(dimension):
                data[field] = line.dimensions[dimension]
        if branch and "Branch" not in data:
            data["Branch"] = branch
        return wrap(data)

    def _saved_amount(self, answer: dict, record, reference: str) -> str:
        """A 200 on PUT does not prove the save: compare the total Acumatica computed with ours.

        When the answer does not carry the total, it is read back. A mismatch fails the record (never `posted`).
        """
        amount = value(answer.get("Amount"))
        if amount is None:
            amount = value(self.client.get_bill(doc_type(record), reference, expand="").get("Amount"))
        expected = abs(record.total).quantize(CENT)
        if amount is None or Decimal(str(amount)).quantize(CENT) != expected:
            raise errors.ValidationFailed(
                f"Acumatica saved {doc_type(record)} {reference} with amount {amount}, expected {expected}: "
                "check the document in Acumatica (a rounding, tax or line rule may have changed it)."
            )
        return str(amount)


CENT = Decimal("0.01")


def doc_type(record) -> str:
    """The Acumatica document type: a net credit from a vendor is a debit adjustment."""
    return "Debit Adj." if record.kind == "credit" else "Bill"


def key_marker(key: str) -> str:
    """How our destination key is written in a document's note (and recognised by the look-up)."""
    return f"ml-connector:{key}"


def merge_lines(current: list[dict], wanted: list[dict]) -> tuple[list[dict], bool]:
    """The Details of an update: current lines rewritten in place by id, the surplus deleted, the rest inserted.

    Returns the lines and whether any is an insert (an update that inserts lines is not safe to repeat blindly:
    a lost answer is followed by a fresh read and a new merge instead).
    """
    ids = [line["id"] for line in current if line.get("id")]
    merged = [{**line, "id": line_id} for line_id, line in zip(ids, wanted, strict=False)]
    merged += [{"id": line_id, "delete": True} for line_id in ids[len(wanted) :]]
    inserts = wanted[len(ids) :]
    return merged + inserts, bool(inserts)


def field_errors(body: str) -> str:
    """The per-field `error` texts of an Acumatica 422 body, joined, or the body's message."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return ""
    found = []

    def walk(node, path=""):
        if isinstance(node, dict):
            if isinstance(node.get("error"), str):
                found.append(f"{path or 'bill'}: {node['error']}")
            for key, child in node.items():
                if key != "error":
                    walk(child, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{path}[{index}]")

    walk(data)
    return "; ".join(found) or str(data.get("exceptionMessage") or data.get("message") or "")
