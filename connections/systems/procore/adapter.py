"""Procore <-> canonical records.

The `bill` entity on the Procore side is both kinds of supplier invoice Procore holds: requisitions
(subcontractor pay applications, approved or approved as noted) and direct costs of type invoice that are approved.
Their native ids carry the kind and the project, because every Procore read is scoped to a project:
`requisition:<project id>:<id>` and `direct_cost:<project id>:<id>`. Payment status from the ERP is written back on
them (payments.py). Vendors (vendors.py), standard cost codes (cost_codes.py), cost types (cost_types.py),
commitments (commitments.py) and webhooks (hooks.py) live in their own modules; this class dispatches to them.

Procore is also the destination of documents: commitments become purchase order or work order contracts
(commitment_writes.py) and bills direct costs of type invoice (bill_writes.py), or requisitions on the vendor's
commitment where the flow asks for them (requisition_writes.py, chosen in bill_routing.py), with their lines, carrying
our key in `origin_id`; placement.py turns the mapped project, cost code and cost type into Procore ids.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django import db

from connections import errors
from connections.systems.base import (
    CREATE,
    READ,
    STATUS,
    UPDATE,
    Adapter,
    ConnectionCheck,
    ReferenceItem,
    SourceItem,
    WebhookHint,
    WriteResult,
)
from syncs.canonical import Bill, BillLine, Ref

from . import hooks
from .bill_routing import ProcoreBillRouter
from .bill_writes import ProcoreBillWriter
from .client import ProcoreClient
from .commitment_writes import ProcoreCommitmentWriter
from .commitments import ProcoreCommitments
from .common import RUN_STOPPERS, chunks, parse_time, procore_range
from .consts import APPROVED_DIRECT_COST, APPROVED_REQUISITION, BILLABLE_DIRECT_COST_TYPE
from .cost_codes import ProcoreCostCodes
from .cost_types import ProcoreCostTypes
from .payments import ProcorePayments
from .placement import Placement
from .requisition_writes import ProcoreRequisitionWriter
from .vendors import ProcoreVendors

DEFAULT_CURRENCY = "USD"
CENT = Decimal("0.01")
READ_CONCURRENCY = 8


def _closing_database(function, *args):
    """Run `function` in a pool thread, closing any database connection it opened (a token renewed after a 401)."""
    try:
        return function(*args)
    finally:
        db.connections.close_all()




def retained_this_period(item: dict) -> Decimal:
    """Retainage withheld this period on one detail line: on work completed and on stored materials."""
    return Decimal(item.get("work_completed_retainage_retained_this_period") or "0") + Decimal(
        item.get("materials_stored_retainage_retained_this_period") or "0"
    )


def items_are_whole(header: dict, items: list[dict], *, change_orders_listed: bool) -> bool:
    """Whether `items` are all of a requisition's lines, so its /detail need not be read: they add up to the total
    Procore says was claimed, none stores materials (whose retainage this period only /detail gives), and, for the
    contract items alone (`change_orders_listed` False), the commitment has no approved change order whose items only
    the detail would list."""
    claimed = header.get("total_claimed_amount")
    if claimed in (None, ""):
        return False
    if not change_orders_listed:
        change_orders = (header.get("summary") or {}).get("net_change_by_change_orders")
        if change_orders in (None, "") or Decimal(str(change_orders)):
            return False
    if any(Decimal(str(item.get("materials_presently_stored") or "0")) for item in items):
        return False
    total = sum((Decimal(str(item.get("work_completed_this_period") or "0")) for item in items), Decimal("0"))
    return total.quantize(CENT) == Decimal(str(claimed)).quantize(CENT)


def vendor_name(header: dict) -> str:
    """The vendor's name: `vendor_name`, or `vendor` (a string in lists, an object in the v1.1 show)."""
    vendor = header.get("vendor")
    if isinstance(vendor, dict):
        vendor = vendor.get("name")
    return str(header.get("vendor_name") or vendor or "")


class ProcoreAdapter(Adapter):
    capabilities = {
        "bill": frozenset({READ, STATUS, CREATE, UPDATE}),
        "vendor": frozenset({READ, CREATE, UPDATE}),
        "cost_code": frozenset({READ, CREATE, UPDATE}),
        "cost_type": frozenset({READ, CREATE, UPDATE}),
        "commitment": frozenset({READ, CREATE, UPDATE}),
    }
    reference_kinds = frozenset({"vendor", "cost_code", "cost_type", "project"})

    def __init__(self, connection):
        super().__init__(connection)
        self.client = ProcoreClient(connection)
        self._cost_codes: dict[str, dict[int, dict]] = {}
        self._commitments: dict[tuple, dict] = {}
        self.currency = connection.settings.get("currency") or DEFAULT_CURRENCY
        # entity -> the module that reads (and writes) it; bills are read here below
        self.ops = {
            "vendor": ProcoreVendors(self.client),
            "cost_code": ProcoreCostCodes(self.client, connection.settings.get("standard_cost_code_list_id")),
            "cost_type": ProcoreCostTypes(self.client),
            "commitment": ProcoreCommitments(self.client, self.currency),
        }
        # documents written to Procore as their destination, by our key in origin_id
        placement = Placement(self.client)
        self.writers = {
            "commitment": ProcoreCommitmentWriter(self.client, placement),
            "bill": ProcoreBillRouter(
                placement,
                ProcoreBillWriter(self.client, placement, connection.settings.get("direct_cost_status")),
                ProcoreRequisitionWriter(self.client, placement, connection.settings.get("requisition_status")),
            ),
        }

    # --- contract ------------------------------------------------------------------------------------------
    def check(self) -> ConnectionCheck:
        projects = list(self.client.projects())
        return ConnectionCheck(True, f"Signed in; {len(projects)} active projects visible.")

    def partitions(self, entity: str) -> list[str]:
        """One requisition list and one direct cost list per active project: Procore lists are per project.

        Commitments: one list per project and contract kind; vendors, cost codes and cost types: one company list."""
        self.require(entity)
        if entity == "commitment":
            return self.ops[entity].partitions()
        if entity in self.ops:
            return [""]
        return [
            f"{kind}:{project['id']}" for project in self.client.projects() for kind in ("requisitions", "direct_costs")
        ]

    def changed(self, entity: str, since: dt.datetime | None, partition: str = "") -> Iterator[SourceItem]:
        """Requisitions or direct costs of one project changed since `since` (in Procore's own order)."""
        self.require(entity)
        if entity == "commitment":
            yield from self.ops[entity].changed(since, partition)
            return
        if entity == "vendor":
            yield from self.ops[entity].changed(since)
            return
        if entity in ("cost_code", "cost_type"):
            yield from self.ops[entity].changed()  # no change stamps: the whole list, versions tell what changed
            return
        kind, _, project_id = partition.partition(":")
        updated = procore_range(since)
        if kind == "requisitions":
            yield from self._built(self.client.requisitions(project_id, updated), project_id, self._requisition_item)
        elif kind == "direct_costs":
            yield from self._built(self.client.direct_costs(project_id, updated), project_id, self._direct_cost_item)
        else:
            raise ValueError(f"unknown Procore partition {partition!r}")

    def _built(self, headers: Iterator[dict], project_id, make_item) -> Iterator[SourceItem]:
        """The items of a list, in its order, each built from its row and the reads the row cannot spare (a direct
        cost's line items; a requisition's detail only when it stores materials).

        Those reads are sent `read_concurrency` at a time (the connection's setting, default 8), so a reader waits on
        Procore's latency once per group instead of once per call. Only HTTP happens in the threads: the shared
        look-ups (the project's cost codes, the commitments) and the token are read here first."""
        width = int(self.connection.settings.get("read_concurrency") or READ_CONCURRENCY)
        with ThreadPoolExecutor(max(width, 1), thread_name_prefix="procore-read") as pool:
            for group in chunks(headers, max(width, 1) * 2):
                self._read_shared(project_id, group, make_item)
                yield from pool.map(lambda header: _closing_database(make_item, project_id, header), group)

    def _read_shared(self, project_id, headers: list[dict], make_item) -> None:
        self.client.http.auth.headers()  # a token due for renewal is renewed by this thread, not by several
        if make_item != self._requisition_item:
            return
        try:
            for header in headers:
                if header.get("status") in APPROVED_REQUISITION and not header.get("deleted_at"):
                    self._project_cost_codes(project_id)
                    if header.get("commitment_id") is not None:
                        self._commitment(project_id, header["commitment_id"], header.get("commitment_type") or "")
        except RUN_STOPPERS:
            raise
        except errors.ApiError:
            pass  # read again by the record that needs it, whose error it then becomes

    def get(self, entity: str, native_id: str, scope: dict | None = None) -> SourceItem:
        self.require(entity)
        if entity in self.ops:
            return self.ops[entity].get(native_id)
        kind, project_id, record_id = native_id.split(":")
        if kind == "requisition":
            return self._requisition_item(project_id, self.client.requisition(project_id, record_id))
        return self._direct_cost_item(project_id, self.client.direct_cost(project_id, record_id))

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
        if kind == "vendor":
            for vendor in self.client.vendors():
                yield ReferenceItem(
                    "vendor",
                    str(vendor["id"]),
                    str(vendor.get("origin_code") or ""),
                    vendor.get("name") or "",
                    bool(vendor.get("is_active", True)),
                )
        elif kind == "cost_type":
            for kind_row in self.ops["cost_type"].rows():
                yield ReferenceItem(
                    "cost_type", str(kind_row["id"]), kind_row.get("code") or "", kind_row.get("name") or ""
                )
        elif kind == "project":
            for project in self.client.projects():
                yield ReferenceItem(
                    "project",
                    str(project["id"]),
                    project.get("project_number") or "",
                    project.get("name") or "",
                    bool(project.get("active", True)),
                )
        elif kind == "cost_code":
            yield from self._company_cost_codes()

    def find(self, entity: str, record, key: str) -> str | None:
        """Vendors: the one linked by origin_id; cost codes and cost types: linked by origin_id, else the same code.
        Commitments and bills (direct costs): the one carrying our key in origin_id, in the record's project."""
        self.require(entity, CREATE)
        if entity in self.writers:
            return self.writers[entity].find(record, key)
        return self.ops[entity].find(record)

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        """Vendors, cost codes and cost types: created, or kept in step through `sync`. Commitments become purchase
        order or work order contracts (by `record.kind`), bills direct costs of type invoice; both with lines, by our
        key."""
        self.require(entity, UPDATE if existing_id else CREATE)
        if entity in self.writers:
            return self.writers[entity].write(record, key, existing_id)
        return self.ops[entity].write(record, existing_id)

    def preview(self, entity: str, record, key: str) -> dict | None:
        """What creating a commitment or a bill (direct cost) would send: header and coded lines. The project, cost
        codes and cost types are looked up (read only) to show the ids Procore would receive."""
        if entity in self.writers:
            return self.writers[entity].preview(record, key)
        return None

    def reconcile_scopes(self, entity: str) -> list[dict]:
        """One scope per active project: {"project": id, "project_code": project number, "label": name}."""
        self.require(entity)
        return self.ops["commitment"].reconcile_scopes()

    def documents(self, entity: str, scope: dict) -> Iterator:
        """Every committed contract (both kinds) of the scope's project, with its approved change orders."""
        self.require(entity)
        return self.ops["commitment"].documents(scope)

    def write_status(self, entity: str, native_id: str, status, key: str) -> WriteResult:
        """Payments on a requisition (contract payments, payment date) or a direct cost (payment date)."""
        self.require(entity, STATUS)
        return ProcorePayments(self.client).write_status(native_id, status)

    def register_webhooks(self, destination_url: str, secret: str) -> dict:
        """Create (or reuse) the company hook sending `Authorization: Bearer <secret>`, and its triggers."""
        return hooks.register(self.client, destination_url, secret)

    def verify_webhook(self, headers: dict, body: bytes) -> bool:
        """Procore does not sign deliveries; it sends back the Authorization header we configured."""
        expected = self.connection.secrets.get("webhook_secret") or ""
        given = headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())

    def parse_webhook(self, headers: dict, body: bytes) -> list[WebhookHint]:
        """Bills (requisitions, direct costs), commitments (contracts, change orders) and company vendors."""
        return hooks.hints(body)

    def webhook_event_id(self, headers: dict, body: bytes) -> str:
        return hooks.event_id(body)

    @staticmethod
    def _source_item(native_id, header, label, eligible, build, project_id) -> SourceItem:
        """Build the canonical record for eligible items; a malformed record becomes an error on its item."""
        record, problem = None, ""
        deleted = bool(header.get("deleted_at"))
        if eligible and not deleted:
            try:
                record = build(project_id, header)
            except RUN_STOPPERS:
                raise  # the whole connection is limited or locked out: stop the run, not just this record
            except errors.ApiError as exc:
                problem = f"Procore could not give the whole record: {exc}"
            except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
                problem = f"Procore returned a record that cannot be read: {type(exc).__name__}: {exc}"
        return SourceItem(
            native_id,
            header.get("updated_at") or "",
            parse_time(header.get("updated_at")),
            record,
            label=label.strip(" -"),
            eligible=eligible,
            raw=header,
            error=problem,
            deleted=deleted,
        )

    # --- requisitions ----------------------------------------------------------------------------------------
    def _requisition_item(self, project_id, header: dict) -> SourceItem:
        native_id = f"requisition:{project_id}:{header['id']}"
        label = f"Requisition {header.get('invoice_number') or header['id']} - {header.get('vendor_name') or ''}"
        eligible = header.get("status") in APPROVED_REQUISITION
        return self._source_item(native_id, header, label, eligible, self._requisition_bill, project_id)

    def _requisition_bill(self, project_id, header: dict) -> Bill:
        """Vendor from the requisition's commitment; lines from the items the list carries, else from its contract
        items, else (change order items or stored materials) from its detail lines; cost types from the commitment."""
        commitment = self._commitment(project_id, header["commitment_id"], header.get("commitment_type") or "")
        vendor = commitment.get("vendor") or {}
        listed = header.get("items")  # v1.1 `view=items`: contract and change order items
        if isinstance(listed, list):
            items, whole = listed, items_are_whole(header, listed, change_orders_listed=True)
        else:  # an answer without items
            items = list(self.client.requisition_contract_items(project_id, header["id"]))
            whole = items_are_whole(header, items, change_orders_listed=False)
        detail = items if whole else self.client.requisition_detail(project_id, header["id"])
        types = self._contract_item_types(items, commitment)
        lines = [self._requisition_line(project_id, item, types) for item in detail]
        lines = [line for line in lines if line.amount]
        self._check_claimed_total(header, lines)
        retainage = sum((retained_this_period(item) for item in detail), Decimal("0"))
        return Bill(
            native_id=f"requisition:{project_id}:{header['id']}",
            vendor=Ref(str(vendor.get("id", "")), name=vendor.get("company") or header.get("vendor_name") or ""),
            number=header.get("invoice_number") or f"REQ-{header['id']}",
            date=dt.date.fromisoformat((header.get("billing_date") or header["requisition_end"])[:10]),
            currency=self._currency(header),
            lines=lines,
            description=f"{commitment.get('number', '')} {commitment.get('title', '')} pay app #{header.get('number')}",
            project=Ref(str(project_id)),
            commitment=Ref(str(commitment.get("id", "")), code=commitment.get("number") or ""),
            retainage=retainage,
        )

    def _requisition_line(self, project_id, item: dict, types: dict) -> BillLine:
        """This period's work and stored materials, gross of retainage, on the item's cost code and type."""
        amount = Decimal(item.get("work_completed_this_period") or "0") + Decimal(
            item.get("materials_presently_stored") or "0"
        )
        cost_type = types.get(item.get("id")) if item.get("item_type") == "contract_item" else None
        return BillLine(
            amount=amount,
            description=item.get("description_of_work") or "",
            cost_code=self._cost_code_ref(project_id, item.get("cost_code_id")),
            cost_type=cost_type,
            project=Ref(str(project_id)),
            native_id=f"{item.get('item_type', 'item')}:{item.get('id', '')}",
        )

    @staticmethod
    def _check_claimed_total(header: dict, lines: list[BillLine]) -> None:
        """Refuse to post a requisition whose lines do not add up to what Procore says was claimed."""
        claimed = header.get("total_claimed_amount")
        total = sum((line.amount for line in lines), Decimal("0"))
        if claimed not in (None, "") and Decimal(str(claimed)).quantize(CENT) != total.quantize(CENT):
            raise ValueError(f"its detail lines add up to {total}, but Procore's total claimed amount is {claimed}")

    def _contract_item_types(self, items: list[dict], commitment: dict) -> dict:
        """Contract item id -> cost type, through the commitment line each contract item bills."""
        line_types = {
            line.get("id"): self._nested_cost_type(line.get("line_item_type"))
            for line in commitment.get("line_items") or []
        }
        return {item.get("id"): line_types.get(item.get("line_item_id")) for item in items}

    def _commitment(self, project_id, commitment_id, commitment_type: str) -> dict:
        key = (str(project_id), str(commitment_id))
        if key not in self._commitments:
            self._commitments[key] = self.client.commitment(project_id, commitment_id, commitment_type)
        return self._commitments[key]

    def _currency(self, header: dict) -> str:
        return (header.get("currency_configuration") or {}).get("currency_iso_code") or self.currency

    # --- direct costs ----------------------------------------------------------------------------------------
    def _direct_cost_item(self, project_id, header: dict) -> SourceItem:
        native_id = f"direct_cost:{project_id}:{header['id']}"
        eligible = (
            header.get("direct_cost_type") == BILLABLE_DIRECT_COST_TYPE and header.get("status") == APPROVED_DIRECT_COST
        )
        label = f"Direct cost {header.get('invoice_number') or header['id']} - {vendor_name(header)}"
        return self._source_item(native_id, header, label, eligible, self._direct_cost_bill, project_id)

    def _direct_cost_bill(self, project_id, header: dict) -> Bill:
        """The header from the list; the line items from the v1.1 show (v1.0 answers only their count)."""
        detail = self.client.direct_cost(project_id, header["id"])
        lines = [
            BillLine(
                amount=Decimal(line.get("amount") or "0"),
                description=line.get("description") or "",
                cost_code=self._nested_cost_code(line.get("cost_code")),
                cost_type=self._nested_cost_type(line.get("line_item_type")),
                project=Ref(str(project_id)),
                native_id=str(line.get("id", "")),
            )
            for line in detail.get("line_items") or []
        ]
        day = detail.get("received_date") or detail.get("direct_cost_date") or header.get("direct_cost_date")
        return Bill(
            native_id=f"direct_cost:{project_id}:{detail['id']}",
            vendor=Ref(str(detail.get("vendor_id") or header.get("vendor_id") or ""), name=vendor_name(detail)),
            number=detail.get("invoice_number") or f"DC-{detail['id']}",
            date=dt.date.fromisoformat(day[:10]),
            currency=self._currency(detail),
            lines=lines,
            description=detail.get("description") or "",
            project=Ref(str(project_id)),
        )

    # --- reference look-ups ---------------------------------------------------------------------------------
    def _project_cost_codes(self, project_id) -> dict[int, dict]:
        key = str(project_id)
        if key not in self._cost_codes:
            self._cost_codes[key] = {code["id"]: code for code in self.client.cost_codes(project_id)}
        return self._cost_codes[key]

    def _cost_code_ref(self, project_id, cost_code_id) -> Ref | None:
        if cost_code_id is None:
            return None
        code = self._project_cost_codes(project_id).get(cost_code_id)
        if code is None:
            return Ref(str(cost_code_id))
        return Ref(str(code["id"]), code=code.get("full_code") or code.get("code") or "", name=code.get("name") or "")

    @staticmethod
    def _nested_cost_code(code: dict | None) -> Ref | None:
        if not isinstance(code, dict) or not code.get("id"):
            return None
        return Ref(str(code["id"]), code=code.get("full_code") or code.get("code") or "", name=code.get("name") or "")

    @staticmethod
    def _nested_cost_type(kind: dict | None) -> Ref | None:
        if not isinstance(kind, dict) or not kind.get("id"):
            return None
        return Ref(str(kind["id"]), code=kind.get("code") or "", name=kind.get("name") or "")

    def _company_cost_codes(self) -> Iterator[ReferenceItem]:
        """Cost codes are per project in Procore; list each code once, keyed by its full code."""
        seen = set()
        for project in self.client.projects():
            for code in self._project_cost_codes(project["id"]).values():
                full = code.get("full_code") or code.get("code") or ""
                if full and full not in seen:
                    seen.add(full)
                    yield ReferenceItem("cost_code", full, full, code.get("name") or "")
