"""Canonical Commitment -> Procore commitment (purchase order contract or work order contract), written as an ERP.

The kind follows `record.kind` (the integration's options may set it before the write): `purchase_order` becomes a
purchase order contract, `subcontract` a work order contract. Procore is the destination here, so the contract
carries our destination key in `origin_id` (unique per company and object type, stable across retries) and the
source document in `origin_data` / `origin_code`. It is looked up by `filters[origin_id]` before anything is
created, so a lost answer is never followed by a second contract.

The create call takes the header only; lines go through the line item `sync` call, matched on their own
`origin_id` (`<key>:<source line id>`), which creates a line the first time and updates it afterwards. A record
carrying an `origin_id` is locked against ordinary edits, so every later change (header or lines) goes through the
batch `sync` calls, which answer 200 with `entities` and `errors`. Sync cannot delete: a line gone from the source is
set to zero. Approved change orders become lines of their own, on the first line's cost code and cost type.

A document cancelled at the source is flagged, never deleted: nothing is sent and the WriteResult says so.
"""

from __future__ import annotations

from decimal import Decimal

from connections import errors
from connections.systems.base import WriteResult
from syncs.canonical import Commitment

from .commitments import KINDS, PREFIXES
from .common import chunks
from .placement import Placement
from .vendors import synced_entity

#: canonical kind -> Procore list path
PATHS = {canonical: path for path, (_prefix, canonical, _statuses) in KINDS.items()}
#: Source statuses that mean the document was called off.
CANCELLED = frozenset({"cancelled", "canceled", "void", "voided"})
#: Both contract kinds publish "Approved": the source document is a committed order, so its cost is committed.
APPROVED = "Approved"
SYNC_LIMIT = 1000  # items per batch call
CODING = ("cost_code_id", "line_item_type_id")


def money(value) -> Decimal:
    return Decimal(str(value if value not in (None, "") else "0"))


def nested_id(obj) -> int | None:
    return int(obj["id"]) if isinstance(obj, dict) and obj.get("id") else None


def is_cancelled(record) -> bool:
    return (record.status or "").strip().casefold() in CANCELLED


def source_note(record) -> str:
    """`origin_data`: the source document as people know it."""
    return f"{record.number} (source id {record.native_id})"[:255]


def line_changes(wanted: list[dict], current: list[dict], key: str, with_ids: bool = False) -> list[dict]:
    """Line updates that bring `current` to `wanted`: new and changed lines, and ours no longer wanted set to 0.

    `with_ids`: the sync call publishes the line `id`, so lines Procore holds are matched on it (and new ones on
    their origin_id); otherwise every line is matched on its origin_id."""
    by_origin = {str(row.get("origin_id") or ""): row for row in current}
    updates = []
    for line in wanted:
        row = by_origin.get(line["origin_id"])
        if row is None or not same_line(line, row):
            updates.append({**line, "id": int(row["id"])} if row is not None and with_ids else line)
    kept = {line["origin_id"] for line in wanted}
    for origin_id, row in by_origin.items():
        if origin_id.startswith(f"{key}:") and origin_id not in kept and money(row.get("amount")):
            zero = {"origin_id": origin_id, "amount": "0.00"}
            updates.append({"id": int(row["id"]), **zero} if with_ids else zero)
    return updates


def same_line(line: dict, row: dict) -> bool:
    return (
        money(row.get("amount")) == money(line["amount"])
        and nested_id(row.get("cost_code")) == line.get("cost_code_id")
        and nested_id(row.get("line_item_type")) == line.get("line_item_type_id")
    )


def sync_errors(answer: dict, what: str) -> None:
    """A sync call answers 200 either way: its `errors` become a typed failure."""
    problems = answer.get("errors") or []
    if problems:
        detail = "; ".join(str(problem.get("errors") or problem) for problem in problems)
        raise errors.ValidationFailed(f"Procore refused {what}: {detail}", status=200, body=str(answer)[:2000])


class ProcoreCommitmentWriter:
    """Find and write commitments in Procore by our key."""

    def __init__(self, client, placement: Placement):
        self.client = client
        self.placement = placement

    def find(self, record: Commitment, key: str) -> str | None:
        """Our contract (origin_id = key) of the record's kind in its project; Conflict when a contract with the
        same number exists there that we did not write."""
        kind, project_id = self.kind(record), self.placement.project_id(record)
        for row in self.client.contracts_with_origin(kind, project_id, key):
            if str(row.get("origin_id") or "") == key:
                return self.native_id(kind, project_id, row["id"])
        number = (record.number or "").strip()
        if number:
            for row in self.client.contracts(kind, project_id):
                if str(row.get("number") or "").strip() == number and not row.get("deleted_at"):
                    raise errors.Conflict(
                        f"Procore project {project_id} already has {kind.removesuffix('s').replace('_', ' ')} "
                        f"{number} (id {row['id']}), not written by this integration; it is not taken over"
                    )
        return None

    def write(self, record: Commitment, key: str, existing_id: str | None) -> WriteResult:
        if is_cancelled(record):
            return self.flag_cancelled(record, existing_id)
        project_id = self.placement.project_id(record)
        lines = self.lines(record, key, project_id)
        if existing_id:
            prefix, existing_project, contract_id = existing_id.split(":")
            if int(existing_project) != project_id:
                raise errors.ValidationFailed(
                    f"commitment {record.number} moved to Procore project {project_id}, but its contract "
                    f"{existing_id} is in project {existing_project}; a contract cannot change project"
                )
            return self.update(PREFIXES[prefix], project_id, contract_id, record, key, lines)
        return self.create(self.kind(record), project_id, record, key, lines)

    def preview(self, record: Commitment, key: str) -> dict:
        """The contract and line items a create would send (nothing is written)."""
        if is_cancelled(record):
            return {"note": self.flag_cancelled(record, None).response["note"]}
        kind, project_id = self.kind(record), self.placement.project_id(record)
        fields = {**self.header(record, key), "status": APPROVED, "accounting_method": "amount",
                  "origin_code": record.number[:255]}  # fmt: skip
        lines = self.lines(record, key, project_id)
        return {"project_id": project_id, kind.removesuffix("s"): fields, "line_items": lines}

    @staticmethod
    def kind(record: Commitment) -> str:
        """The Procore list path of the record's kind: purchase orders or work orders (subcontracts)."""
        if record.kind not in PATHS:
            raise errors.ValidationFailed(f"commitment {record.number}: Procore has no contract kind {record.kind!r}")
        return PATHS[record.kind]

    def flag_cancelled(self, record: Commitment, existing_id: str | None) -> WriteResult:
        where = f"contract {existing_id} is left as it is" if existing_id else "nothing was created in Procore"
        note = f"cancelled at the source (status {record.status!r}): {where}; void or delete it there if it should go"
        return WriteResult(existing_id or "", False, sent=None, response={"flag": "cancelled", "note": note})

    def create(self, kind: str, project_id: int, record: Commitment, key: str, lines: list[dict]) -> WriteResult:
        fields = self.header(record, key)
        fields.update(status=APPROVED, accounting_method="amount", origin_code=record.number[:255])
        answer = self.client.create_contract(kind, project_id, fields)
        if not answer.get("id"):
            raise errors.OutcomeUnknown("Procore answered the contract creation without an id")
        sent_lines = self.sync_lines(kind, project_id, answer["id"], lines)
        contract = self.check_total(kind, project_id, answer["id"], record)
        sent = {kind.removesuffix("s"): fields, "line_items": sent_lines}
        return WriteResult(self.native_id(kind, project_id, answer["id"]), True, sent=sent, response=trim(contract))

    def update(self, kind, project_id, contract_id, record: Commitment, key: str, lines: list[dict]) -> WriteResult:
        current = self.client.contract(kind, project_id, contract_id)
        if str(current.get("origin_id") or "") != key:
            raise errors.Conflict(
                f"Procore contract {contract_id} is linked to another document (origin_id "
                f"{current.get('origin_id')!r}); the sync call matches on origin_id, so it is not updated"
            )
        sent = {}
        header = {name: value for name, value in self.header(record, key).items() if self.differs(current, name, value)}
        if header:
            sent["contract"] = {"origin_id": key, **header}
            if kind == "work_order_contracts":
                sent["contract"]["id"] = int(contract_id)  # published for this kind only: match on the id as well
            answer = synced_entity(self.client.sync_contracts(kind, project_id, [sent["contract"]]), "contract")
            if str(answer.get("id")) != str(contract_id):
                raise errors.Permanent(f"Procore's contract sync wrote contract {answer.get('id')}, not {contract_id}")
        changes = line_changes(lines, current.get("line_items") or [], key)
        if changes:
            sent["line_items"] = self.sync_lines(kind, project_id, contract_id, changes)
        if sent:
            current = self.check_total(kind, project_id, contract_id, record)
        else:
            self.compare_total(current, record)
        return WriteResult(
            self.native_id(kind, project_id, contract_id), False, sent=sent or None, response=trim(current)
        )

    def header(self, record: Commitment, key: str) -> dict:
        if not record.vendor or not record.vendor.destination_id:
            raise errors.ValidationFailed(f"commitment {record.number} has no Procore vendor")
        fields = {
            "number": record.number[:255],
            "title": (record.title or record.number)[:255],
            "vendor_id": int(record.vendor.destination_id),
            "origin_id": key,
            "origin_data": source_note(record),
        }
        if record.date:
            fields["contract_date"] = record.date.isoformat()
        return fields

    @staticmethod
    def differs(current: dict, name: str, value) -> bool:
        if name == "vendor_id":
            return nested_id(current.get("vendor")) != value
        return str(current.get(name) or "")[: 10 if name == "contract_date" else None] != str(value)

    def lines(self, record: Commitment, key: str, project_id: int) -> list[dict]:
        """Every line as the contract line item sync takes it (amounts as strings, as this contract declares them);
        approved change orders as lines of their own, coded like the first line."""
        out = [{**line, "amount": str(line["amount"])} for line in self.placement.coded_lines(project_id, record, key)]
        coding = {name: value for name, value in (out[0] if out else {}).items() if name in CODING}
        for order in record.change_orders:
            if order.status == "approved":
                out.append({"origin_id": f"{key}:co:{order.native_id}"[:255], "amount": str(order.amount), **coding})
        return out

    def sync_lines(self, kind: str, project_id: int, contract_id, updates: list[dict]) -> list[dict]:
        for batch in chunks(updates, SYNC_LIMIT):
            answer = self.client.sync_contract_line_items(kind, project_id, contract_id, batch)
            sync_errors(answer, f"the lines of contract {contract_id}")
        return updates

    def check_total(self, kind: str, project_id: int, contract_id, record: Commitment) -> dict:
        contract = self.client.contract(kind, project_id, contract_id)
        self.compare_total(contract, record)
        return contract

    @staticmethod
    def compare_total(contract: dict, record: Commitment) -> None:
        held = sum((money(row.get("amount")) for row in contract.get("line_items") or []), Decimal("0"))
        if held != record.total:
            raise errors.ValidationFailed(
                f"Procore contract {contract.get('id')} holds {held} on its lines; commitment {record.number} "
                f"totals {record.total}"
            )

    @staticmethod
    def native_id(kind: str, project_id, contract_id) -> str:
        return f"{KINDS[kind][0]}:{project_id}:{contract_id}"


def trim(contract: dict) -> dict:
    keep = ("id", "number", "title", "status", "grand_total", "origin_id", "origin_code")
    return {name: contract.get(name) for name in keep if name in contract}
