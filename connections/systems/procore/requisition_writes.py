"""Canonical Bill -> Procore requisition (subcontractor invoice) on the commitment its vendor holds on the project.

Used when the flow asks for it (`Bill.document` = REQUISITION_IF_COMMITTED): a bill whose vendor holds an approved
commitment (work order or purchase order contract; the `/commitments` list names each one's vendor) on the bill's
project is billed against that commitment; any other bill stays a direct cost of type invoice (bill_writes.py).
When the vendor holds several, the first (by id) whose schedule of values carries every cost code of the bill is
taken; when none carries them all, the bill is refused with the codes that are missing (a person adds them to the
commitment, by change order, or writes the bill off as a direct cost), rather than billed beside the contract.

Procore builds a new requisition's items from the commitment's schedule of values (one contract item per commitment
line). The v1.1 create (`POST /rest/v1.1/requisitions`) takes this period's amounts for those items in the same call
(`items`, matched on `line_item_id`), together with our key in `origin_id`; one call, so there is never a
requisition that carries our key without its amounts. Each bill line is placed on a commitment line first (same
cost code; the same cost type where several lines share the code) and the amounts are summed per commitment line. The
requisition is looked up by `filters[origin_id]` before any create, so a lost answer never makes a second one.

An edit at the source updates the items (`bulk_item_update`; lines no longer billed go back to zero) and the header
fields that changed. Procore treats a record carrying an `origin_id` as synced with the ERP and may refuse changes
to it (422); the record then fails with that reason for a person to settle in Procore.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from connections import errors
from connections.systems.base import WriteResult
from syncs.canonical import Bill

from .commitment_writes import money, nested_id, source_note
from .placement import Placement

#: Bill.document value that asks for a requisition when the vendor holds a commitment on the project.
REQUISITION_IF_COMMITTED = "requisition_if_committed"
#: The bill is a posted document in the books it came from: it is approved; a connection may say otherwise.
DEFAULT_STATUS = "approved"
#: Commitments a subcontractor invoices against: executed and approved ones.
BILLABLE_COMMITMENT = "approved"
RULE = "requisition on commitment {number} of the vendor in project {project}"


def native_id(project_id, requisition_id) -> str:
    return f"requisition:{project_id}:{requisition_id}"


class ProcoreRequisitionWriter:
    """Find, create and update requisitions carrying our key, on the vendor's commitment."""

    def __init__(self, client, placement: Placement, status: str | None = None):
        self.client = client
        self.placement = placement
        self.status = status or DEFAULT_STATUS

    # --- which commitment ----------------------------------------------------------------------------------------
    def commitment_for(self, project_id: int, record: Bill) -> dict | None:
        """The vendor's approved commitment on the project that carries the bill's cost codes; None when the vendor
        holds none there. ValidationFailed when it holds some but none carries every cost code of the bill."""
        vendor = str(record.vendor.destination_id or "") if record.vendor else ""
        if not vendor:
            return None
        rows = self.client.paged("/rest/v1.0/commitments", project_id=project_id)
        held = [
            row
            for row in rows
            if str(nested_id(row.get("vendor")) or "") == vendor
            and str(row.get("status") or "").casefold() == BILLABLE_COMMITMENT
        ]
        missing: dict[str, set] = {}
        for row in sorted(held, key=lambda r: int(r["id"])):
            commitment = self.client.get(f"/rest/v1.0/commitments/{row['id']}", project_id=project_id)
            gaps = self.uncovered(project_id, record, commitment)
            if not gaps:
                return commitment
            missing[str(commitment.get("number") or commitment["id"])] = gaps
        if missing:
            detail = "; ".join(f"{number}: {', '.join(sorted(gaps))}" for number, gaps in missing.items())
            raise errors.ValidationFailed(
                f"bill {record.number}: the vendor holds commitments on Procore project {project_id}, but none "
                f"carries every cost code of the bill on its schedule of values (missing {detail}); add them to the "
                "commitment, or set the integration to write this bill as a direct cost"
            )
        return None

    def uncovered(self, project_id: int, record: Bill, commitment: dict) -> set[str]:
        """Cost codes of the bill's lines that no line of the commitment carries."""
        codes = {nested_id(line.get("cost_code")) for line in commitment.get("line_items") or []}
        gaps = set()
        for line in record.lines:
            if self.placement.cost_code_id(project_id, line) not in codes:
                gaps.add(str(line.dimensions.get("cost_code") or "(no cost code)"))
        return gaps

    def allocation(self, project_id: int, record: Bill, commitment: dict) -> dict[int, Decimal]:
        """Commitment line id -> the amount billed on it: each bill line on the commitment line with its cost code
        (and its cost type, where several lines share the code)."""
        lines = commitment.get("line_items") or []
        billed: dict[int, Decimal] = defaultdict(Decimal)
        for line in record.lines:
            code = self.placement.cost_code_id(project_id, line)
            same_code = [row for row in lines if nested_id(row.get("cost_code")) == code]
            cost_type = self.placement.cost_type_id(project_id, line)
            same_type = [row for row in same_code if nested_id(row.get("line_item_type")) == cost_type]
            chosen = (same_type or same_code or [None])[0]
            if chosen is None:
                raise errors.ValidationFailed(
                    f"bill {record.number}: cost code {line.dimensions.get('cost_code')} is not on the schedule of "
                    f"values of commitment {commitment.get('number') or commitment['id']}"
                )
            billed[int(chosen["id"])] += Decimal(line.amount)
        return dict(billed)

    # --- find, create, update ------------------------------------------------------------------------------------
    def find(self, project_id: int, key: str) -> str | None:
        """Our requisition (origin_id = key) in the project, if any."""
        params = {"project_id": project_id, "filters[origin_id]": key}
        for row in self.client.paged("/rest/v1.0/requisitions", **params):
            if str(row.get("origin_id") or "") == key:
                return native_id(project_id, row["id"])
        return None

    def create(self, project_id: int, commitment: dict, record: Bill, key: str) -> WriteResult:
        billed = self.allocation(project_id, record, commitment)  # refused before anything is created
        items = [
            {"item_type": "contract_item", "line_item_id": line_id, "work_completed_this_period": str(amount)}
            for line_id, amount in sorted(billed.items())
        ]
        fields = {**self.header(record, key), "status": self.status, "items": items}
        body = {"project_id": project_id, "commitment_id": int(commitment["id"]), "requisition": fields}
        # Not repeated on a lost answer: the next attempt looks the requisition up by origin_id first.
        answer = self.client.http.request("POST", "/rest/v1.1/requisitions", json=body).json()
        if not answer.get("id"):
            raise errors.OutcomeUnknown("Procore answered the requisition creation without an id")
        self.check_claimed(answer, billed, record)
        return WriteResult(native_id(project_id, answer["id"]), True, body, self.trim(answer, commitment, project_id))

    def update(self, project_id: int, requisition_id, record: Bill, key: str) -> WriteResult:
        current = self.client.requisition(project_id, requisition_id)
        if str(current.get("origin_id") or "") != key:
            raise errors.Conflict(
                f"Procore requisition {requisition_id} is linked to another document (origin_id "
                f"{current.get('origin_id')!r}); it is not updated"
            )
        commitment = self.client.get(f"/rest/v1.0/commitments/{current['commitment_id']}", project_id=project_id)
        billed = self.allocation(project_id, record, commitment)
        sent = {}
        header = {name: value for name, value in self.header(record, key).items() if differs(current, name, value)}
        if header:
            sent["requisition"] = header
            current = self.client.update_requisition(project_id, requisition_id, current["commitment_id"], header)
        items = self.set_items(project_id, requisition_id, billed, record)
        if items:
            sent["items"] = items
        result = self.trim(current, commitment, project_id)
        return WriteResult(native_id(project_id, requisition_id), False, sent or None, result)

    def header(self, record: Bill, key: str) -> dict:
        """The period ends on the bill's date and starts on the first of its month."""
        return {
            "invoice_number": record.number[:255],
            "billing_date": record.date.isoformat(),
            "requisition_start": record.date.replace(day=1).isoformat(),
            "requisition_end": record.date.isoformat(),
            "origin_id": key,
            "origin_data": source_note(record),
        }

    def set_items(self, project_id: int, requisition_id, billed: dict[int, Decimal], record: Bill) -> list[dict]:
        """Bring every contract item to what the bill puts on its commitment line (zero for the lines it no longer
        bills) in one bulk update; returns what was sent (nothing when all agree)."""
        items = list(self.client.requisition_contract_items(project_id, requisition_id))
        by_line = {int(item["line_item_id"]): item for item in items if item.get("line_item_id")}
        absent = sorted(set(billed) - set(by_line))
        if absent:
            raise errors.ValidationFailed(
                f"bill {record.number}: Procore requisition {requisition_id} has no item for commitment line(s) "
                f"{', '.join(map(str, absent))}"
            )
        updates = [
            {"id": int(item["id"]), "item_type": "contract_item", "work_completed_this_period": str(wanted)}
            for line_id, item in sorted(by_line.items())
            if money(item.get("work_completed_this_period")) != (wanted := billed.get(line_id, Decimal("0")))
        ]
        if updates:
            path = f"/rest/v1.0/requisitions/{requisition_id}/bulk_item_update"
            body = {"requisition_items": updates}
            self.client.http.request("PATCH", path, params={"project_id": project_id}, json=body, idempotent=True)
        return updates

    @staticmethod
    def check_claimed(answer: dict, billed: dict[int, Decimal], record: Bill) -> None:
        """The requisition Procore made claims what the bill says (when it tells its total)."""
        claimed = answer.get("total_claimed_amount")
        if claimed not in (None, "") and money(claimed) != sum(billed.values(), Decimal("0")):
            raise errors.ValidationFailed(
                f"Procore requisition {answer.get('id')} claims {claimed}; bill {record.number} totals {record.total}"
            )

    @staticmethod
    def trim(requisition: dict, commitment: dict, project_id) -> dict:
        keep = ("id", "number", "invoice_number", "status", "origin_id", "commitment_id")
        out = {name: requisition.get(name) for name in keep if name in requisition}
        out["rule"] = RULE.format(number=commitment.get("number") or commitment.get("id"), project=project_id)
        return out


def differs(current: dict, name: str, value) -> bool:
    held = str(current.get(name) or "")
    return (held[:10] if isinstance(value, str) and _is_date(value) else held) != str(value)


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
