"""Commitments: work order contracts (subcontracts) and purchase order contracts, their line items, the
combined /commitments list, and commitment change orders.

Both contract kinds share one id sequence, since /commitments lists them together. Line items live inside
their contract record. Approved change orders amend a contract: ``approved_change_orders`` and
``revised_contract`` follow them. Change order statuses are not published for this endpoint; the
simulator uses the lower-case change order package statuses the contract schemas publish.
"""

from __future__ import annotations

from ..core.http import Response
from . import erp, line_sync, render
from .context import Ctx, error
from .listing import apply_filters, in_id_order

KINDS = ("work_order_contracts", "purchase_order_contracts")
RESOURCE = {"work_order_contracts": "Work Order Contracts", "purchase_order_contracts": "Purchase Order Contracts"}
LINE_RESOURCE = {
    "work_order_contracts": "Work Order Contract Line Items",
    "purchase_order_contracts": "Purchase Order Contract Line Items",
}
CHANGE_ORDERS = "commitment_change_orders"
CHANGE_ORDER_RESOURCE = "Commitment Change Orders"
CHANGE_ORDER_STATUSES = {
    "draft", "not_pricing", "pricing", "pending", "revised", "proceeding", "not_proceeding", "no_charge", "approved",
    "rejected", "void",
}  # fmt: skip
LINE_FIELDS = {
    "amount", "cost_code_id", "description", "extended_type", "quantity", "line_item_type_id", "origin_data",
    "origin_id", "tax_code_id", "unit_cost", "uom", "wbs_code_id",
}  # fmt: skip


def _live(ctx: Ctx, kind: str, project_id: int) -> list[dict]:
    rows = list(ctx.store.find(kind, project_id=project_id))
    mode = ctx.request.arg("filters[include_deleted]")
    if mode == "only":
        return [r for r in rows if r.get("deleted_at")]
    return rows if mode == "with" else [r for r in rows if not r.get("deleted_at")]


def _contract(ctx: Ctx, kind: str | None = None, key: str = "id") -> tuple[str, dict]:
    kind = kind or ctx.params["kind"]
    project = ctx.project()
    return kind, ctx.record(kind, ctx.path_id(key), project_id=project["id"])


def contracts(ctx: Ctx):
    kind, project = ctx.params["kind"], ctx.project()
    filters = {"status", "updated_at", "created_at", "id", "origin_id", "vendor_id"}
    return ctx.listing(_live(ctx, kind, project["id"]), filters, lambda r: render.contract(ctx.store, r, False))


def contract(ctx: Ctx):
    return render.contract(ctx.store, _contract(ctx)[1])


def _new_lines(ctx: Ctx, lines) -> list[dict]:
    return [
        {**_line_fields(line), "id": ctx.store.new_id("contract_lines"), "created_at": ctx.now, "updated_at": ctx.now}
        for line in lines or []
    ]


def _line_fields(line: dict) -> dict:
    return {k: v for k, v in line.items() if k in LINE_FIELDS}


def _create_contract(ctx: Ctx, kind: str, project_id: int, fields: dict) -> dict:
    fields = dict(fields)
    lines = _new_lines(ctx, fields.pop("line_items", None))
    if fields.get("vendor_id") is not None and ctx.store.get("vendors", fields["vendor_id"]) is None:
        raise error(422, {"vendor_id": ["is invalid"]})
    record = {"status": "Draft", "executed": False, "deleted_at": None, **fields, "project_id": project_id}
    record["line_items"] = lines
    record = erp.new_record(ctx, kind, record)
    ctx.emit(RESOURCE[kind], "create", record, kind)
    return record


def create_contract(ctx: Ctx):
    kind, project = ctx.params["kind"], ctx.project()
    record = _create_contract(ctx, kind, project["id"], ctx.body(kind[:-1]))
    return Response.json(render.contract(ctx.store, record), 201)


def patch_contract(ctx: Ctx):
    kind, record = _contract(ctx)
    erp.apply_patch(ctx, kind, record, ctx.body(kind[:-1]))
    ctx.emit(RESOURCE[kind], "update", record, kind)
    return render.contract(ctx.store, record)


def delete_contract(ctx: Ctx):
    kind, record = _contract(ctx)
    record["deleted_at"] = record["updated_at"] = ctx.now
    ctx.emit(RESOURCE[kind], "delete", record, kind)
    return Response.empty(200)


def sync_contracts(ctx: Ctx):
    kind, project = ctx.params["kind"], ctx.project()

    def create(fields: dict) -> dict:
        return _create_contract(ctx, kind, project["id"], fields)

    updates = ctx.json_body().get("updates")
    return erp.sync_batch(
        ctx, kind, updates, {"project_id": project["id"]}, create, lambda r: render.contract(ctx.store, r)
    )


# -- contract line items ----------------------------------------------------------------------------------


def _line(ctx: Ctx, record: dict) -> dict:
    line_id = ctx.path_id()
    for line in record.get("line_items", []):
        if line["id"] == line_id:
            return line
    raise error(404, "Not Found")


def contract_lines(ctx: Ctx):
    _kind, record = _contract(ctx, key="contract_id")
    render_line = lambda line: render.cost_line(ctx.store, line)  # noqa: E731
    return ctx.listing(
        record.get("line_items", []), {"cost_code_id", "line_item_type_id", "updated_at", "id"}, render_line
    )


def contract_line(ctx: Ctx):
    _kind, record = _contract(ctx, key="contract_id")
    return render.cost_line(ctx.store, _line(ctx, record))


def create_contract_line(ctx: Ctx):
    kind, record = _contract(ctx, key="contract_id")
    (line,) = _new_lines(ctx, [ctx.body("line_item")])
    record.setdefault("line_items", []).append(line)
    record["updated_at"] = ctx.now
    ctx.emit(LINE_RESOURCE[kind], "create", line, kind)
    return Response.json(render.cost_line(ctx.store, line), 201)


def patch_contract_line(ctx: Ctx):
    kind, record = _contract(ctx, key="contract_id")
    line = _line(ctx, record)
    line.update(_line_fields(ctx.body("line_item")), updated_at=ctx.now)
    record["updated_at"] = ctx.now
    ctx.emit(LINE_RESOURCE[kind], "update", line, kind)
    return render.cost_line(ctx.store, line)


def delete_contract_line(ctx: Ctx):
    kind, record = _contract(ctx, key="contract_id")
    line = _line(ctx, record)
    record["line_items"] = [other for other in record["line_items"] if other is not line]
    record["updated_at"] = ctx.now
    ctx.emit(LINE_RESOURCE[kind], "delete", line, kind)
    return Response.empty(200)


def sync_contract_lines(ctx: Ctx):
    """Batch line writes on one contract, matched on ``id`` or ``origin_id`` like every sync call."""
    _kind, record = _contract(ctx, key="contract_id")
    scope = line_sync.LineScope([record], LINE_FIELDS)
    new_line = lambda item: _new_lines(ctx, [item])[0]  # noqa: E731
    show = lambda line, _owner: render.cost_line(ctx.store, line)  # noqa: E731
    return line_sync.sync_lines(ctx, ctx.json_body().get("updates"), scope, new_line, show)


# -- /commitments ----------------------------------------------------------------------------------------


def commitments(ctx: Ctx):
    """Both contract kinds; this endpoint takes only page/per_page (no filters)."""
    project = ctx.project()
    rows = [(kind, r) for kind in KINDS for r in _live(ctx, kind, project["id"])]
    kinds = {r["id"]: kind for kind, r in rows}
    return ctx.listing(
        [r for _kind, r in rows], set(), lambda r: render.commitment(ctx.store, r, kinds[r["id"]], False)
    )


def commitment(ctx: Ctx):
    project, record_id = ctx.project(), ctx.path_id()
    for kind in KINDS:
        record = ctx.store.get(kind, record_id)
        if record is not None and record.get("project_id") == project["id"]:
            return render.commitment(ctx.store, record, kind, True)
    raise error(404, "Not Found")


# -- commitment change orders ----------------------------------------------------------------------------


def _change_order_fields(ctx: Ctx, fields: dict, project_id: int) -> dict:
    fields = dict(fields)
    if "status" in fields and fields["status"] not in CHANGE_ORDER_STATUSES:
        raise error(422, {"status": ["is not included in the list"]})
    if "contract_id" in fields:
        target = render.find_contract(ctx.store, fields["contract_id"])
        if target is None or target.get("project_id") != project_id:
            raise error(422, {"contract_id": ["is invalid"]})
    return fields


def change_orders(ctx: Ctx):
    """No pagination is published for this list: every matching change order comes back at once."""
    project = ctx.project(ctx.path_id("project_id"))
    rows = list(ctx.store.find(CHANGE_ORDERS, project_id=project["id"]))
    rows = in_id_order(apply_filters(rows, ctx.request, {"id", "contract_id", "status", "updated_at"}))
    return [render.change_order(ctx.store, r) for r in rows]


def _change_order(ctx: Ctx) -> tuple[dict, dict]:
    project = ctx.project(ctx.path_id("project_id"))
    return project, ctx.record(CHANGE_ORDERS, ctx.path_id(), project_id=project["id"])


def change_order(ctx: Ctx):
    return render.change_order(ctx.store, _change_order(ctx)[1])


def create_change_order(ctx: Ctx):
    project = ctx.project(ctx.path_id("project_id"))
    fields = _change_order_fields(ctx, ctx.body("change_order"), project["id"])
    if "contract_id" not in fields:
        raise error(422, {"contract_id": ["can't be blank"]})
    count = sum(1 for _ in ctx.store.find(CHANGE_ORDERS, contract_id=fields["contract_id"]))
    record = {"status": "draft", "number": str(count + 1), "grand_total": "0.00", **fields, "project_id": project["id"]}
    record = erp.new_record(ctx, CHANGE_ORDERS, record)
    ctx.emit(CHANGE_ORDER_RESOURCE, "create", record, CHANGE_ORDERS)
    return Response.json(render.change_order(ctx.store, record), 201)


def patch_change_order(ctx: Ctx):
    project, record = _change_order(ctx)
    erp.apply_patch(ctx, CHANGE_ORDERS, record, _change_order_fields(ctx, ctx.body("change_order"), project["id"]))
    ctx.emit(CHANGE_ORDER_RESOURCE, "update", record, CHANGE_ORDERS)
    return render.change_order(ctx.store, record)


def delete_change_order(ctx: Ctx):
    _project, record = _change_order(ctx)
    ctx.store.delete(CHANGE_ORDERS, record["id"])
    ctx.emit(CHANGE_ORDER_RESOURCE, "delete", record, CHANGE_ORDERS)
    return Response.empty(204)
