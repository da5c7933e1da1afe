"""Procore commitments (work order contracts = subcontracts, purchase order contracts) <-> canonical Commitment.

Both kinds are listed per project, so each (kind, project) is a partition: `work_order_contracts:<project id>` and
`purchase_order_contracts:<project id>`. Native ids carry kind and project: `work_order_contract:<project>:<id>`.
A commitment's approved change orders come from the project's commitment change order list; approving a change
order need not touch the contract's own stamp, so a read also takes the contracts whose change orders changed, and
a commitment's version covers its change orders. Only committed contracts are eligible (not drafts or voids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.systems.base import SourceItem
from syncs.canonical import ChangeOrder, Commitment, CommitmentLine, Ref

from .common import RUN_STOPPERS, currency_of, nested_ref, parse_time, procore_range

#: list path -> (native id prefix, canonical kind, statuses that commit cost)
KINDS = {
    "work_order_contracts": ("work_order_contract", "subcontract", frozenset({"Approved", "Complete"})),
    "purchase_order_contracts": (
        "purchase_order_contract",
        "purchase_order",
        frozenset({"Approved", "Partially Received", "Received", "Closed"}),
    ),
}
PREFIXES = {prefix: kind for kind, (prefix, _, _) in KINDS.items()}
APPROVED_CHANGE_ORDER = "approved"


class ProcoreCommitments:
    """Read commitments, per project and kind, with their approved change orders."""

    def __init__(self, client, currency: str):
        self.client = client
        self.currency = currency
        self._projects: dict[str, dict] | None = None
        self._change_orders: dict[str, list[dict]] = {}

    def projects(self) -> dict[str, dict]:
        if self._projects is None:
            self._projects = {str(project["id"]): project for project in self.client.projects()}
        return self._projects

    def partitions(self) -> list[str]:
        return [f"{kind}:{project_id}" for project_id in self.projects() for kind in KINDS]

    def reconcile_scopes(self) -> list[dict]:
        return [
            {"project": project_id, "project_code": project.get("project_number") or "", "label": project.get("name")}
            for project_id, project in self.projects().items()
        ]

    def changed(self, since: dt.datetime | None, partition: str) -> Iterator[SourceItem]:
        kind, _, project_id = partition.partition(":")
        if kind not in KINDS:
            raise ValueError(f"unknown Procore commitment partition {partition!r}")
        seen = set()
        for header in self.client.contracts(kind, project_id, procore_range(since)):
            seen.add(header["id"])
            yield self.item(kind, project_id, header)
        if since is None:
            return
        moved = {co.get("contract_id") for co in self.client.commitment_change_orders(project_id, procore_range(since))}
        if moved - seen:
            for header in self.client.contracts(kind, project_id):  # which of them are of this kind
                if header["id"] in moved - seen:
                    yield self.item(kind, project_id, header)

    def documents(self, scope: dict) -> Iterator[Commitment]:
        """Every committed contract of the scope's project, both kinds."""
        project_id = str(scope["project"])
        for kind in KINDS:
            for header in self.client.contracts(kind, project_id):
                found = self.item(kind, project_id, header)
                if found.eligible and found.record is not None:
                    yield found.record

    def get(self, native_id: str) -> SourceItem:
        """One commitment; a `commitment_change_order:<project>:<id>` id (from a webhook) gives its contract."""
        prefix, project_id, record_id = native_id.split(":")
        if prefix == "commitment_change_order":
            contract_id = self.client.commitment_change_order(project_id, record_id)["contract_id"]
            for kind in KINDS:
                try:
                    return self.item(kind, project_id, self.client.contract(kind, project_id, contract_id))
                except errors.NotFound:
                    continue
            raise errors.NotFound(f"Procore has no contract {contract_id} in project {project_id}", status=404)
        kind = PREFIXES[prefix]
        return self.item(kind, project_id, self.client.contract(kind, project_id, record_id))

    def item(self, kind: str, project_id: str, header: dict) -> SourceItem:
        prefix, _, committed = KINDS[kind]
        native_id = f"{prefix}:{project_id}:{header['id']}"
        vendor = (header.get("vendor") or {}).get("company") or ""
        label = f"{header.get('number') or header['id']} {header.get('title') or ''} - {vendor}".strip(" -")
        eligible = header.get("status") in committed
        version, stamp = header.get("updated_at") or "", parse_time(header.get("updated_at"))
        record, problem = None, ""
        if eligible:
            orders = self.change_orders(project_id, header["id"])
            version += "".join(f"|{co['id']}:{co.get('status')}:{co.get('updated_at')}" for co in orders)
            stamps = [stamp, *(parse_time(co.get("updated_at")) for co in orders)]
            stamp = max((s for s in stamps if s is not None), default=None)
            try:
                record = self.commitment(kind, project_id, header, orders)
            except RUN_STOPPERS:
                raise
            except errors.ApiError as exc:
                problem = f"Procore could not give the whole contract: {exc}"
            except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
                problem = f"Procore returned a contract that cannot be read: {type(exc).__name__}: {exc}"
        return SourceItem(native_id, version, stamp, record, label, eligible, raw=header, error=problem)

    def change_orders(self, project_id: str, contract_id) -> list[dict]:
        """The contract's commitment change orders (every status: a status change is a new version)."""
        if project_id not in self._change_orders:
            self._change_orders[project_id] = list(self.client.commitment_change_orders(project_id))
        rows = [co for co in self._change_orders[project_id] if str(co.get("contract_id")) == str(contract_id)]
        return sorted(rows, key=lambda co: co["id"])

    def commitment(self, kind: str, project_id: str, header: dict, orders: list[dict]) -> Commitment:
        prefix, canonical_kind, _ = KINDS[kind]
        detail = self.client.contract(kind, project_id, header["id"])
        vendor = detail.get("vendor") or header.get("vendor") or {}
        project = self.projects().get(project_id) or {}
        day = detail.get("contract_date") or detail.get("execution_date")
        return Commitment(
            native_id=f"{prefix}:{project_id}:{detail['id']}",
            vendor=Ref(str(vendor.get("id") or ""), name=vendor.get("company") or vendor.get("name") or ""),
            number=str(detail.get("number") or ""),
            title=detail.get("title") or "",
            currency=currency_of(detail, self.currency),
            status=detail.get("status") or "",
            lines=[self.line(project_id, line) for line in detail.get("line_items") or []],
            change_orders=[
                ChangeOrder(
                    native_id=str(co["id"]),
                    number=str(co.get("number") or ""),
                    amount=Decimal(str(co.get("grand_total") or "0")),
                    status=APPROVED_CHANGE_ORDER,
                    description=co.get("title") or "",
                )
                for co in orders
                if co.get("status") == APPROVED_CHANGE_ORDER
            ],
            project=Ref(project_id, code=project.get("project_number") or "", name=project.get("name") or ""),
            date=dt.date.fromisoformat(day[:10]) if day else None,
            kind=canonical_kind,
        )

    @staticmethod
    def line(project_id: str, line: dict) -> CommitmentLine:
        amount = line.get("amount")
        if amount in (None, ""):
            amount = line.get("extended_amount") or line.get("total_amount") or "0"
        return CommitmentLine(
            amount=Decimal(str(amount)),
            description=line.get("description") or "",
            cost_code=nested_ref(line.get("cost_code")),
            cost_type=nested_ref(line.get("line_item_type")),
            project=Ref(str(project_id)),
            quantity=Decimal(str(line["quantity"])) if line.get("quantity") not in (None, "") else None,
            unit_cost=Decimal(str(line["unit_cost"])) if line.get("unit_cost") not in (None, "") else None,
            native_id=str(line.get("id", "")),
        )
