"""Acumatica <-> canonical records.

A canonical Bill becomes an AP `Bill` (a net credit becomes a `Debit Adj.`), found on the destination by type,
vendor and VendorRef (the vendor's invoice number). There is no external-reference field, so our destination key is
written into the document's `note`: a look-up takes only the document that carries our key, and a same-numbered
document without it is a conflict for a person, never taken over. An existing document is updated in place: its
lines are updated by id, surplus lines deleted and missing ones inserted, so a retried update never doubles a line.
A bill whose source names the purchase order it was bought on is linked to the PurchaseOrder written for that order
(each line's POOrderType and POOrderNbr). GL accounts are read for the chart's mirror (accounts.py).
Vendors and cost codes (vendors.py), purchase orders and subcontracts (purchase_orders.py), payment status
(payments.py) and push notifications (push.py) live in their own modules; this class dispatches to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.systems.base import (
    CREATE,
    READ,
    UPDATE,
    Adapter,
    ConnectionCheck,
    ReferenceItem,
    SourceItem,
    WebhookHint,
    WriteResult,
)
from syncs.money import rounded, rounded_lines

from . import push
from .accounts import AcumaticaAccounts
from .client import AcumaticaClient
from .fields import CENT, already_saved, field_errors, key_marker, merge_lines, value, wrap
from .order_links import awaited_order, awaiting_note
from .payments import AcumaticaPayments
from .purchase_orders import AcumaticaCommitments
from .vendors import AcumaticaCostCodes, AcumaticaVendors

#: reference kind -> (entity, id field, name field, has an active flag / status field)
REFERENCE_ENTITIES = {
    "vendor": ("Vendor", "VendorID", "VendorName", "Status"),
    "account": ("Account", "AccountCD", "Description", "Active"),
    "subaccount": ("Subaccount", "SubaccountCD", "Description", "Active"),
    "project": ("Project", "ProjectID", "Description", "Status"),
    "task": ("ProjectTask", "ProjectTaskID", "Description", "Status"),
    "cost_code": ("CostCode", "CostCodeID", "Description", None),
}


def folded(business_key: tuple) -> tuple:
    return tuple(str(part or "").casefold() for part in business_key)


#: Bills looked up by one `$filter` ahead of posting (the URL stays a few kilobytes long).
PREFETCH_GROUP = 20
INACTIVE_STATUSES = {"inactive", "hold", "on hold", "completed", "cancelled", "canceled", "closed", "suspended"}
#: canonical line dimension -> Acumatica BillDetail field
LINE_DIMENSIONS = {
    "subaccount": "Subaccount",
    "project": "Project",
    "task": "ProjectTask",
    "cost_code": "CostCode",
    "branch": "Branch",
}


class AcumaticaAdapter(Adapter):
    capabilities = {
        "bill": frozenset({CREATE, UPDATE}),
        "vendor": frozenset({READ, CREATE, UPDATE}),
        "cost_code": frozenset({READ, CREATE, UPDATE}),
        "commitment": frozenset({READ, CREATE, UPDATE}),
        "payment_status": frozenset({READ}),
        "account": frozenset({READ}),
    }
    reference_kinds = frozenset({*REFERENCE_ENTITIES, "branch"})

    def __init__(self, connection):
        super().__init__(connection)
        self.client = AcumaticaClient(connection)
        self._prefetched: dict[str, tuple[tuple, list[dict]]] = {}  # key -> (business key, bills found)
        # entity -> the module that reads and writes it; bills are written here below
        self.ops = {
            "vendor": AcumaticaVendors(self.client),
            "cost_code": AcumaticaCostCodes(self.client),
            "commitment": AcumaticaCommitments(self.client, connection.settings),
            "payment_status": AcumaticaPayments(self.client),
            "account": AcumaticaAccounts(self.client),
        }

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

    # --- entities served by their own modules ----------------------------------------------------------------
    def changed(self, entity: str, since: dt.datetime | None, partition: str = "") -> Iterator[SourceItem]:
        """Records modified after `since` (LastModifiedDateTime); payment status also through the checks."""
        self.require(entity, READ)
        return self.ops[entity].changed(since)

    def get(self, entity: str, native_id: str, scope: dict | None = None) -> SourceItem:
        self.require(entity, READ)
        return self.ops[entity].get(native_id)

    def documents(self, entity: str, scope: dict) -> Iterator:
        """Purchase orders and subcontracts of the project `scope["project_code"]`."""
        self.require(entity, READ)
        return self.ops[entity].documents(scope)

    def verify_webhook(self, headers: dict, body: bytes) -> bool:
        """Push notifications carry the header configured in Acumatica (`push_header_name`), compared in constant
        time with the connection's secret."""
        return push.verify(self.connection, headers)

    def webhook_event_id(self, headers: dict, body: bytes) -> str:
        return push.event_id(body)

    def parse_webhook(self, headers: dict, body: bytes) -> list[WebhookHint]:
        return push.hints(self.connection, body)

    # --- bills, and the dispatch of the other entities --------------------------------------------------------
    def find(self, entity: str, record, key: str) -> str | None:
        """The ReferenceNbr of the document carrying our key; a same-numbered one without it is a conflict."""
        if entity != "bill":
            self.require(entity, CREATE)
            ops = self.ops[entity]
            return ops.find(record, key) if entity == "commitment" else ops.find(record)
        business_key = (doc_type(record), record.vendor.destination_id, record.number)
        known, candidates = self._prefetched.pop(key, (None, None))
        if known != business_key:  # not prefetched, or the document changed since
            candidates = self.client.find_bills(*business_key)
        ours = [row for row in candidates if key_marker(key) in str(value(row.get("note")) or "")]
        if ours:
            return value(ours[0].get("ReferenceNbr"))
        # Documents another record of ours wrote (a vendor numbering per job) are not in the way; others are.
        foreign = [row for row in candidates if key_marker("") not in str(value(row.get("note")) or "")]
        if foreign:
            numbers = ", ".join(str(value(row.get("ReferenceNbr"))) for row in foreign)
            raise errors.Conflict(
                f"Acumatica already has {doc_type(record)} {numbers} for vendor {record.vendor.destination_id} with "
                f"vendor reference {record.number}, not created by ml-connector. Check whether it is this invoice: "
                "if it is, delete or void one of the two; if not, change the vendor reference of one, then replay."
            )
        return None

    def prefetch(self, entity: str, documents: list[tuple[str, object]], patience: float | None = None) -> None:
        """Bills about to be posted, looked up PREFETCH_GROUP at a time with one `$filter` each (an `or` of their
        type, vendor and vendor reference): one call for a group instead of one per bill."""
        if entity != "bill":
            return
        wanted = {
            key: (doc_type(record), record.vendor.destination_id, record.number)
            for key, record in documents
            if record.vendor.destination_id and record.number
        }
        keys = list(wanted)
        for start in range(0, len(keys), PREFETCH_GROUP):
            group = {wanted[key] for key in keys[start : start + PREFETCH_GROUP]}
            found: dict[tuple, list[dict]] = {folded(business_key): [] for business_key in group}
            for row in self.client.find_many_bills(sorted(group), patience=patience):
                business_key = (value(row.get("Type")), value(row.get("Vendor")), value(row.get("VendorRef")))
                found.get(folded(business_key), []).append(row)  # compared as Acumatica compares: any case
            for key in keys[start : start + PREFETCH_GROUP]:
                self._prefetched[key] = (wanted[key], found[folded(wanted[key])])

    def drop_prefetched(self, key: str) -> None:
        self._prefetched.pop(key, None)

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        """Insert the document, or update the existing one in place, then check the total Acumatica computed."""
        self.require(entity, UPDATE if existing_id else CREATE)
        if entity == "commitment":
            return self.ops[entity].write(record, key, existing_id)
        if entity != "bill":
            return self.ops[entity].write(record, existing_id)
        body = self.bill_body(record, key)
        inserts_lines = True
        if existing_id:
            current = self.client.get_bill(doc_type(record), existing_id)
            if already_saved(current, body, key):
                response = {"ReferenceNbr": existing_id, "Type": doc_type(record), "unchanged": True}
                return WriteResult(destination_id=str(existing_id), created=False, sent=None, response=response)
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

    def preview(self, entity: str, record, key: str) -> dict | None:
        """The PUT body a new bill or commitment would carry (a commitment's project may be looked up)."""
        if entity == "bill":
            return self.bill_body(record, key)
        if entity == "commitment":
            return self.ops[entity].preview(record, key)
        return None

    def bill_body(self, record, key: str) -> dict:
        """The PUT body of a canonical bill whose vendor and lines have been resolved to Acumatica codes."""
        branch = self.connection.settings.get("branch") or None
        header = wrap(
            {
                "Type": doc_type(record),
                "Vendor": record.vendor.destination_id,
                "VendorRef": record.number,
                "Date": date_time(record.date),
                "DueDate": date_time(record.due_date),
                "CurrencyID": record.currency or None,
                "Description": (record.description or f"{record.number}")[:255],
                "Hold": False,
                "BranchID": branch,
            }
        )
        header["note"] = {"value": key_marker(key)}
        sign = -1 if record.kind == "credit" else 1
        # Rounded here, explicitly, so that Acumatica's sum of the lines is the bill's total to the cent.
        amounts = rounded_lines([line.amount * sign for line in record.lines], record.currency)
        header["Details"] = [
            self._line(line, branch, amount) for line, amount in zip(record.lines, amounts, strict=True)
        ]
        order = self.ops["commitment"].linked_order(record) if record.kind != "credit" else None
        for line in header["Details"] if order else []:
            line.update(wrap({"POOrderType": order[0], "POOrderNbr": order[1]}))
        awaited = awaited_order(record) if not order else None
        if awaited:  # linked when that order is written (order_links.py)
            header["note"] = {"value": awaiting_note(key, awaited)}
        return header

    @staticmethod
    def _line(line, branch: str | None, amount: Decimal) -> dict:
        data = {
            "TransactionDescription": (line.description or "")[:255],
            "Qty": Decimal(1),
            "UnitCost": amount,
            "Amount": amount,
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
        expected = rounded(abs(record.total), record.currency).quantize(CENT)
        if amount is None or Decimal(str(amount)).quantize(CENT) != expected:
            raise errors.ValidationFailed(
                f"Acumatica saved {doc_type(record)} {reference} with amount {amount}, expected {expected}: "
                "check the document in Acumatica (a rounding, tax or line rule may have changed it)."
            )
        return str(amount)


def date_time(day) -> str | None:
    """A date as the contract's DateTimeValue: midnight, with no offset (a calendar date, never shifted)."""
    return f"{day.isoformat()}T00:00:00" if day else None


def doc_type(record) -> str:
    """The Acumatica document type: a net credit from a vendor is a debit adjustment."""
    return "Debit Adj." if record.kind == "credit" else "Bill"
