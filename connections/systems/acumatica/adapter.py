"""Acumatica <-> canonical records.

A canonical Bill becomes an AP `Bill` (type "Bill"), keyed on the destination by vendor + VendorRef (the vendor's
invoice number): there is no external-reference field, so we always look the pair up before a PUT. A bill that
exists is updated in place, its old lines deleted and the new ones inserted, so an edit at the source never
duplicates a line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.systems.base import Adapter, ConnectionCheck, ReferenceItem, WriteResult

from .client import AcumaticaClient

#: reference kind -> (entity, id field, name field, has an active flag / status field)
REFERENCE_ENTITIES = {
    "vendor": ("Vendor", "VendorID", "VendorName", "Status"),
    "account": ("Account", "AccountCD", "Description", "Active"),
    "subaccount": ("Subaccount", "SubaccountCD", "Description", "Active"),
    "project": ("Project", "ProjectID", "Description", "Status"),
    "task": ("ProjectTask", "ProjectTaskID", "Description", "Status"),
    "cost_code": ("CostCode", "CostCodeID", "Description", None),
    "branch": ("Branch", "BranchID", "BranchName", "Active"),
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
    reads = frozenset()
    writes = frozenset({"bill"})
    reference_kinds = frozenset(REFERENCE_ENTITIES)

    def __init__(self, connection):
        super().__init__(connection)
        self.client = AcumaticaClient(connection)

    def check(self) -> ConnectionCheck:
        versions = self.client.versions()
        if self.client.version not in versions:
            return ConnectionCheck(False, f"Endpoint version mismatch: the instance offers {', '.join(versions)}.")
        next(self.client.list("Branch"), None)
        return ConnectionCheck(True, f"Signed in; endpoint Default/{self.client.version}.")

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
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

    @staticmethod
    def _active(row: dict, status_field: str | None) -> bool:
        if status_field is None:
            return True
        state = value(row.get(status_field))
        if isinstance(state, bool):
            return state
        return str(state or "active").strip().lower() not in INACTIVE_STATUSES

    def find(self, entity: str, record) -> str | None:
        """The ReferenceNbr of the bill with this vendor and vendor reference, or None."""
        found = self.client.find_bill(record.vendor.destination_id, record.number)
        return value(found.get("ReferenceNbr")) if found else None

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        """Insert the bill, or update the existing one in place (replacing its lines)."""
        if entity not in self.writes:
            raise errors.Permanent(f"Acumatica adapter cannot write {entity!r}")
        body = self.bill_body(record, key)
        if existing_id:
            current = self.client.get_bill("Bill", existing_id)
            stale_lines = [{"id": line["id"], "delete": True} for line in current.get("Details", []) if line.get("id")]
            body = {**body, "Type": {"value": "Bill"}, "ReferenceNbr": {"value": existing_id}}
            body["Details"] = stale_lines + body["Details"]
        try:
            answer = self.client.put_bill(body, insert_only=not existing_id)
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                f"Acumatica rejected the bill: {field_errors(exc.body) or exc}", status=exc.status, body=exc.body
            ) from exc
        reference = value(answer.get("ReferenceNbr"))
        if not reference:
            raise errors.OutcomeUnknown("Acumatica answered without a ReferenceNbr")
        self._verify_amount(answer, record)
        return WriteResult(
            destination_id=str(reference),
            created=not existing_id,
            sent=body,
            response={
                "ReferenceNbr": reference,
                "Status": value(answer.get("Status")),
                "Amount": value(answer.get("Amount")),
            },
        )

    def bill_body(self, record, key: str) -> dict:
        """The PUT body of a canonical bill whose vendor and lines have been resolved to Acumatica codes."""
        branch = self.connection.settings.get("branch") or None
        header = wrap(
            {
                "Type": "Bill",
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
        header["Details"] = [self._line(line, branch) for line in record.lines]
        return header

    @staticmethod
    def _line(line, branch: str | None) -> dict:
        data = {
            "TransactionDescription": (line.description or "")[:255],
            "Qty": "1",
            "UnitCost": str(line.amount),
            "Amount": str(line.amount),
            "Account": line.account,
        }
        for dimension, field in LINE_DIMENSIONS.items():
            if line.dimensions.get(dimension):
                data[field] = line.dimensions[dimension]
        if branch and "Branch" not in data:
            data["Branch"] = branch
        return wrap(data)

    @staticmethod
    def _verify_amount(answer: dict, record) -> None:
        """A 200 on PUT does not prove the save: check the total Acumatica computed."""
        amount = value(answer.get("Amount"))
        if amount is not None and Decimal(str(amount)).quantize(Decimal("0.01")) != record.total.quantize(
            Decimal("0.01")
        ):
            raise errors.ValidationFailed(f"Acumatica saved the bill with amount {amount}, expected {record.total}")


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
