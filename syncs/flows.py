"""Flows, declared as data: what is read on which side, what is written on the other, how, and when.

A flow names canonical entities only; which systems it joins is the integration's business. Its direction says which
side it reads: `forward` reads the integration's source and writes its destination; `back` does the opposite
(payment status, ERP vendors and accounts flowing back). Its kind says how the engine treats what it reads:

- `post`: a document created once on the writing side, updated when the source changes, flagged when it is deleted;
- `mirror`: reference data (vendor, cost code): linked to its counterpart, created there when the flow allows it,
  renames and deactivations propagated, two-sided edits settled by a stated rule;
- `status`: a state read on one side (paid, partly paid...) written against the document a `post` flow linked;
- `reconcile`: documents compared on both sides per scope (project), with a stored report; fixes go through `post`.

The engine checks that the reading side can `read` the source entity and that the writing side can do what the
kind needs, naming the missing capability when it cannot.
"""

from dataclasses import dataclass, field

FORWARD, BACK = "forward", "back"
POST, MIRROR, STATUS, RECONCILE = "post", "mirror", "status", "reconcile"


@dataclass(frozen=True)
class Flow:
    key: str
    label: str
    source_entity: str  # entity read on the reading side, e.g. "bill"
    destination_entity: str  # entity written on the writing side, e.g. "bill"
    kind: str = POST
    direction: str = FORWARD
    trigger: str = "schedule+webhook"
    options: dict = field(default_factory=dict)  # defaults; an integration's `options[flow.key]` overrides them
    links_to: str = ""  # status flows: the post flow whose ledger links a document to its source
    fixes_with: str = ""  # reconcile flows: the post flow that creates or updates what differs

    def needs(self) -> list[tuple[str, str, str]]:
        """(side, entity, operation) triples the adapters must serve; side is "reader" or "writer"."""
        needs = [("reader", self.source_entity, "read")]
        if self.kind == POST:
            needs += [("writer", self.destination_entity, "create"), ("writer", self.destination_entity, "update")]
        elif self.kind == MIRROR:
            needs += [("writer", self.destination_entity, "update")]
            if self.options.get("create", True):
                needs += [("writer", self.destination_entity, "create")]
        elif self.kind == STATUS:
            needs += [("writer", self.destination_entity, "status")]
        elif self.kind == RECONCILE:
            needs += [("writer", self.destination_entity, "read")]
        return needs


def mirror(entity: str, plural: str, direction: str) -> Flow:
    """A mirror flow of reference data. Its default rule for two-sided edits: the ERP wins, which is the side written
    by a forward flow (the integration's destination) and the side read by a back flow."""
    sides = ("source", "destination") if direction == FORWARD else ("destination", "source")
    return Flow(
        key=f"{entity}s_{direction}",
        label=f"{plural} of the {sides[0]} -> {plural.lower()} of the {sides[1]}",
        source_entity=entity,
        destination_entity=entity,
        kind=MIRROR,
        direction=direction,
        options={"create": True, "winner": "writer" if direction == FORWARD else "reader"},
    )


FLOWS: dict[str, Flow] = {
    flow.key: flow
    for flow in (
        Flow(
            key="ap_bills",
            label="Approved supplier invoices -> AP bills",
            source_entity="bill",
            destination_entity="bill",
            options={"link_orders": "auto"},
        ),
        Flow(
            key="commitments",
            label="Commitments and approved change orders -> purchase orders",
            source_entity="commitment",
            destination_entity="commitment",
            trigger="schedule+webhook",
        ),
        Flow(
            key="commitments_reconcile",
            label="Committed cost compared with purchase orders, per project",
            source_entity="commitment",
            destination_entity="commitment",
            kind=RECONCILE,
            trigger="schedule",
            fixes_with="commitments",
        ),
        # Sources that are books (Exact Online): their purchase orders and purchase invoices become the project
        # side's commitments and direct costs, every line on a project (through the project maps).
        Flow(
            key="purchase_orders_to_commitments",
            label="Purchase orders -> commitments (purchase order or work order contracts)",
            source_entity="commitment",
            destination_entity="commitment",
            options={"contract_kind": "purchase_order", "project_required": True},
        ),
        Flow(
            key="purchase_invoices_to_costs",
            label="Purchase invoices -> direct costs of type invoice",
            source_entity="bill",
            destination_entity="bill",
            options={"project_required": True},
        ),
        # Books that feed a project system (QuickBooks Online): each bill line lands on a project, cost code and cost
        # type through the lookup table (project maps; account + description rules); a bill whose vendor holds a
        # commitment on the project is billed against it, any other becomes a direct cost of type invoice.
        Flow(
            key="bills_to_project_costs",
            label="Bills -> subcontractor invoices on the vendor's commitment, else direct costs of type invoice",
            source_entity="bill",
            destination_entity="bill",
            options={"project_required": True, "document": "requisition_if_committed"},
        ),
        Flow(
            key="bill_payments_forward",
            label="Payments of bills -> payments on the invoices and direct costs they became",
            source_entity="payment_status",
            destination_entity="bill",
            kind=STATUS,
            trigger="schedule+webhook",
            links_to="bills_to_project_costs",
        ),
        mirror("vendor", "Vendors", FORWARD),
        mirror("vendor", "Vendors", BACK),
        mirror("cost_code", "Cost codes", FORWARD),
        mirror("cost_code", "Cost codes", BACK),
        mirror("cost_type", "Cost types", BACK),
        mirror("account", "Accounts", BACK),
        Flow(
            key="payments_back",
            label="Payment status of AP bills -> the invoices they came from",
            source_entity="payment_status",
            destination_entity="bill",
            kind=STATUS,
            direction=BACK,
            trigger="schedule+webhook",
            links_to="ap_bills",
        ),
        Flow(
            key="commitment_status_back",
            label="Status of purchase orders (received, closed) -> the orders they came from",
            source_entity="commitment",
            destination_entity="commitment",
            kind=STATUS,
            direction=BACK,
            trigger="schedule",
            links_to="commitments",
        ),
    )
}


def flow_choices() -> list[tuple[str, str]]:
    return [(key, flow.label) for key, flow in FLOWS.items()]


def flow_options(integration, flow: Flow) -> dict:
    """The flow's options as this integration sets them (its own values over the flow's defaults).

    `link_orders` "auto": a bill is linked to the destination's order for its commitment only where this
    integration writes commitments; without such a flow no order of ours can exist there, and looking for one would
    cost a call per bill."""
    options = {**flow.options, **((integration.options or {}).get(flow.key) or {})}
    if options.get("link_orders") == "auto":
        options["link_orders"] = any(
            FLOWS[key].kind == POST
            and FLOWS[key].destination_entity == "commitment"
            and FLOWS[key].direction == flow.direction
            for key in integration.flows
            if key in FLOWS
        )
    return options
