"""Canonical Bill -> Procore direct cost of type invoice, with line items on the project, cost code and cost type.

The direct cost carries our destination key in `origin_id` and is looked up by `filters[origin_id]` before anything is
created. Its header is created through v1.0 (`item`); the v1.1 create publishes line items in the body, but only
WBS-coded ones (`wbs_code_id` required, no cost code or cost type field), and no published call here lists WBS codes.
So lines go through the direct cost line item `sync` call, with `cost_code_id` and `line_item_type_id`, matched on
their own `origin_id` (`<key>:<source line id>`). Later changes use the batch `sync` calls (a record with an
`origin_id` is locked against ordinary edits); a line gone from the source is set to zero (sync cannot delete).

Requisitions (subcontractor invoices) are not written. Procore publishes their create (`POST /rest/v1.0/requisitions`,
v1.1 too) but not in a usable form for a bill: v1.0 takes the header only, amounts are edited afterwards item by item
on the lines Procore derives from the commitment's schedule of values, with no `sync` path once the requisition
carries an `origin_id`; v1.1's item fields are published without types; and the billing period the create asks
for has no published list among the calls we use. A bill that names a commitment is therefore written as a direct
cost too, and the WriteResult states that rule.
"""

from __future__ import annotations

from decimal import Decimal

from connections import errors
from connections.systems.base import WriteResult
from syncs.canonical import Bill
from syncs.money import rounded, rounded_lines

from .commitment_writes import SYNC_LIMIT, line_changes, money, nested_id, source_note, sync_errors
from .common import chunks
from .placement import Placement
from .vendors import synced_entity

INVOICE = "invoice"
#: The bill is a posted document in the books it came from: its cost is incurred. A connection may say otherwise.
DEFAULT_STATUS = "approved"
RULE_DIRECT = "direct cost of type invoice"
RULE_ON_COMMITMENT = (
    "direct cost of type invoice: the bill names commitment {commitment}, but requisitions cannot be created through "
    "Procore's published API in a usable form, so it is written as a direct cost"
)


class ProcoreBillWriter:
    """Find and write bills as Procore direct costs by our key."""

    def __init__(self, client, placement: Placement, status: str | None = None):
        self.client = client
        self.placement = placement
        self.status = status or DEFAULT_STATUS

    def find(self, record: Bill, key: str) -> str | None:
        """Our direct cost (origin_id = key) in the bill's project; Conflict when the vendor's invoice with the same
        number is there already and we did not write it."""
        project_id = self.placement.project_id(record)
        for row in self.client.direct_costs_with(project_id, origin_id=key):
            if str(row.get("origin_id") or "") == key:
                return native_id(project_id, row["id"])
        vendor = str(record.vendor.destination_id or "")
        for row in self.client.direct_costs_with(project_id, invoice_number=record.number):
            same_vendor = str(row.get("vendor_id") or nested_id(row.get("vendor")) or "") == vendor
            if row.get("invoice_number") == record.number and same_vendor and not row.get("deleted_at"):
                raise errors.Conflict(
                    f"Procore project {project_id} already has direct cost {row['id']} for invoice {record.number} of "
                    "this vendor, not written by this integration; it is not taken over"
                )
        return None

    def write(self, record: Bill, key: str, existing_id: str | None) -> WriteResult:
        project_id = self.placement.project_id(record)
        lines = self.lines(record, key, project_id)
        if existing_id:
            kind, existing_project, cost_id = existing_id.split(":")
            if kind != "direct_cost" or int(existing_project) != project_id:
                raise errors.ValidationFailed(
                    f"bill {record.number} is on Procore project {project_id}, but it was written as {existing_id}"
                )
            result = self.update(project_id, cost_id, record, key, lines)
        else:
            result = self.create(project_id, record, key, lines)
        result.response = {**(result.response or {}), "rule": self.rule(record)}
        return result

    def preview(self, record: Bill, key: str) -> dict:
        """The direct cost and line items a create would send (nothing is written)."""
        project_id = self.placement.project_id(record)
        fields = {**self.header(record, key), "direct_cost_type": INVOICE, "status": self.status}
        lines = [{**line, "amount": str(line["amount"])} for line in self.lines(record, key, project_id)]
        return {"project_id": project_id, "item": fields, "line_items": lines, "rule": self.rule(record)}

    @staticmethod
    def rule(record: Bill) -> str:
        if record.commitment and (record.commitment.destination_id or record.commitment.native_id):
            return RULE_ON_COMMITMENT.format(commitment=record.commitment.code or record.commitment.native_id)
        return RULE_DIRECT

    def create(self, project_id: int, record: Bill, key: str, lines: list[dict]) -> WriteResult:
        fields = {**self.header(record, key), "direct_cost_type": INVOICE, "status": self.status}
        answer = self.client.create_direct_cost(project_id, fields)
        if not answer.get("id"):
            raise errors.OutcomeUnknown("Procore answered the direct cost creation without an id")
        sent_lines = self.sync_lines(project_id, answer["id"], lines)
        cost = self.check_total(project_id, answer["id"], record)
        return WriteResult(
            native_id(project_id, answer["id"]), True, {"item": fields, "line_items": sent_lines}, trim(cost)
        )

    def update(self, project_id: int, cost_id, record: Bill, key: str, lines: list[dict]) -> WriteResult:
        current = self.client.direct_cost(project_id, cost_id)
        if str(current.get("origin_id") or "") != key:
            raise errors.Conflict(
                f"Procore direct cost {cost_id} is linked to another document (origin_id "
                f"{current.get('origin_id')!r}); it is not updated"
            )
        sent = {}
        header = {name: value for name, value in self.header(record, key).items() if differs(current, name, value)}
        if header:
            sent["item"] = {"id": int(cost_id), "origin_id": key, **header}
            answer = synced_entity(self.client.sync_direct_costs(project_id, [sent["item"]]), "direct cost")
            if str(answer.get("id")) != str(cost_id):
                raise errors.Permanent(f"Procore's direct cost sync wrote {answer.get('id')}, not {cost_id}")
        changes = line_changes(lines, current.get("line_items") or [], key, with_ids=True)
        if changes:
            sent["line_items"] = self.sync_lines(project_id, cost_id, changes)
        if sent:
            current = self.check_total(project_id, cost_id, record)
        else:
            compare_total(current, record)
        return WriteResult(native_id(project_id, cost_id), False, sent=sent or None, response=trim(current))

    @staticmethod
    def header(record: Bill, key: str) -> dict:
        if not record.vendor or not record.vendor.destination_id:
            raise errors.ValidationFailed(f"bill {record.number} has no Procore vendor")
        return {
            "invoice_number": record.number[:255],
            "vendor_id": int(record.vendor.destination_id),
            "direct_cost_date": record.date.isoformat(),
            "received_date": record.date.isoformat(),
            "origin_id": key,
            "origin_data": source_note(record),
        }

    def lines(self, record: Bill, key: str, project_id: int) -> list[dict]:
        """Every line as the direct cost line item sync takes it: `amount` a (Decimal) number, rounded explicitly to
        the currency's minor unit so that the lines add up to the bill's rounded total."""
        lines = self.placement.coded_lines(project_id, record, key)
        for line, amount in zip(lines, rounded_lines([ln["amount"] for ln in lines], record.currency), strict=True):
            line["amount"] = amount
        return lines

    def sync_lines(self, project_id: int, cost_id, updates: list[dict]) -> list[dict]:
        updates = [{"direct_cost_id": int(cost_id), **line} for line in updates]
        for line in updates:
            line["amount"] = money(line["amount"])  # zeroed lines come as text
        for batch in chunks(updates, SYNC_LIMIT):
            sync_errors(
                self.client.sync_direct_cost_line_items(project_id, batch), f"the lines of direct cost {cost_id}"
            )
        return [{**line, "amount": str(line["amount"])} for line in updates]

    def check_total(self, project_id: int, cost_id, record: Bill) -> dict:
        cost = self.client.direct_cost(project_id, cost_id)
        compare_total(cost, record)
        return cost


def compare_total(cost: dict, record: Bill) -> None:
    held = sum((money(row.get("amount")) for row in cost.get("line_items") or []), Decimal("0"))
    if held != rounded(record.total, record.currency):
        raise errors.ValidationFailed(
            f"Procore direct cost {cost.get('id')} holds {held} on its lines; "
            f"bill {record.number} totals {record.total}"
        )


def differs(current: dict, name: str, value) -> bool:
    if name == "vendor_id":
        return str(current.get("vendor_id") or nested_id(current.get("vendor")) or "") != str(value)
    return str(current.get(name) or "")[: 10 if name.endswith("_date") else None] != str(value)


def native_id(project_id, cost_id) -> str:
    return f"direct_cost:{project_id}:{cost_id}"


def trim(cost: dict) -> dict:
    keep = ("id", "invoice_number", "status", "grand_total", "origin_id", "direct_cost_type")
    return {name: cost.get(name) for name in keep if name in cost}
