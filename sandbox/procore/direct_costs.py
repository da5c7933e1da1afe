"""Direct costs (v1.0 and v1.1) and their line items.

Each version takes the body wrapper its own published request schema shows: ``item`` in v1.0,
``direct_cost`` in v1.1 (create and update alike); the other version's wrapper is a 400, as any missing
envelope is. A line is wrapped in ``line_item``. The payment fields an ERP writes back are ``payment_date``
and ``status``.
"""

from __future__ import annotations

from ..core.http import Response
from . import erp, line_sync
from .context import Ctx, error
from .render_docs import direct_cost, direct_cost_line, direct_cost_row

RESOURCE = "Direct Costs"
LINE_RESOURCE = "Direct Cost Line Items"
TYPES = ("invoice", "expense", "payroll")
STATUSES = ("draft", "pending", "revise_and_resubmit", "approved")
#: the request body wrapper each published version names (RestV10...DirectCosts*, RestV11...DirectCosts*)
WRAPPERS = {"1.0": "item", "1.1": "direct_cost"}
LIST_FILTERS = {"updated_at", "created_at", "origin_id", "invoice_number", "payment_date", "received_date", "id"}
LINE_FIELDS = {
    "amount", "cost_code_id", "description", "extended_type", "quantity", "line_item_type_id", "origin_data",
    "origin_id", "unit_cost", "uom", "tax_code_id", "wbs_code_id",
}  # fmt: skip


def _project(ctx: Ctx) -> dict:
    return ctx.project(ctx.path_id("project_id"))


def _version(ctx: Ctx) -> str:
    return ctx.params.get("version", "1.0")


def _fields(ctx: Ctx) -> dict:
    """The direct cost fields of a create or update body, under this version's wrapper."""
    return ctx.body(WRAPPERS[_version(ctx)])


def _check(fields: dict) -> dict:
    if "direct_cost_type" in fields and fields["direct_cost_type"] not in TYPES:
        raise error(422, {"direct_cost_type": ["is not included in the list"]})
    if "status" in fields and fields["status"] not in STATUSES:
        raise error(422, {"status": ["is not included in the list"]})
    return fields


def direct_costs(ctx: Ctx):
    project = _project(ctx)
    rows = [r for r in ctx.store.find("direct_costs", project_id=project["id"]) if not r.get("deleted_at")]
    return ctx.listing(rows, LIST_FILTERS, lambda r: direct_cost_row(ctx.store, r))


def _direct_cost(ctx: Ctx, key: str = "id") -> dict:
    project = _project(ctx)
    record = ctx.record("direct_costs", ctx.path_id(key), project_id=project["id"])
    if record.get("deleted_at"):
        raise error(404, "Not Found")
    return record


def show(ctx: Ctx):
    return direct_cost(ctx.store, _direct_cost(ctx), _version(ctx))


def _new_lines(ctx: Ctx, lines) -> list[dict]:
    return [
        {**{k: v for k, v in line.items() if k in LINE_FIELDS}, "id": ctx.store.new_id("direct_cost_lines"),
         "created_at": ctx.now, "updated_at": ctx.now}
        for line in lines or []
    ]  # fmt: skip


def _create(ctx: Ctx, project_id: int, fields: dict) -> dict:
    fields = _check(dict(fields))
    if fields.get("direct_cost_type") is None:
        raise error(422, {"direct_cost_type": ["can't be blank"]})
    lines = _new_lines(ctx, fields.pop("line_items", None))
    record = {"status": "draft", **fields, "project_id": project_id, "line_items": lines}
    record = erp.new_record(ctx, "direct_costs", record)
    ctx.emit(RESOURCE, "create", record, "direct_costs")
    return record


def create(ctx: Ctx):
    project = _project(ctx)
    record = _create(ctx, project["id"], _fields(ctx))
    return Response.json(direct_cost(ctx.store, record, _version(ctx)), 201)


def patch(ctx: Ctx):
    record = _direct_cost(ctx)
    erp.apply_patch(ctx, "direct_costs", record, _check(_fields(ctx)))
    ctx.emit(RESOURCE, "update", record, "direct_costs")
    return direct_cost(ctx.store, record, _version(ctx))


def delete(ctx: Ctx):
    record = _direct_cost(ctx)
    record["deleted_at"] = record["updated_at"] = ctx.now
    ctx.emit(RESOURCE, "delete", record, "direct_costs")
    return Response.json({})


def sync(ctx: Ctx):
    project = _project(ctx)

    def make(fields: dict) -> dict:
        return _create(ctx, project["id"], {"direct_cost_type": "invoice", **fields})

    updates = ctx.json_body().get("updates")
    for update in updates if isinstance(updates, list) else []:
        _check(update)
    return erp.sync_batch(
        ctx, "direct_costs", updates, {"project_id": project["id"]}, make, lambda r: direct_cost(ctx.store, r, "1.0")
    )


# -- line items -------------------------------------------------------------------------------------------


def lines(ctx: Ctx):
    record = _direct_cost(ctx, "direct_cost_id")
    filters = {"cost_code_id", "line_item_type_id", "updated_at", "created_at", "id"}
    return ctx.listing(record.get("line_items", []), filters, lambda line: direct_cost_line(ctx.store, line, record))


def _line(ctx: Ctx, record: dict) -> dict:
    line_id = ctx.path_id()
    for line in record.get("line_items", []):
        if line["id"] == line_id:
            return line
    raise error(404, "Not Found")


def line(ctx: Ctx):
    record = _direct_cost(ctx, "direct_cost_id")
    return direct_cost_line(ctx.store, _line(ctx, record), record)


def create_line(ctx: Ctx):
    record = _direct_cost(ctx, "direct_cost_id")
    (new,) = _new_lines(ctx, [ctx.body("line_item")])
    record.setdefault("line_items", []).append(new)
    record["updated_at"] = ctx.now
    ctx.emit(LINE_RESOURCE, "create", new, "direct_costs")
    return Response.json(direct_cost_line(ctx.store, new, record), 201)


def patch_line(ctx: Ctx):
    record = _direct_cost(ctx, "direct_cost_id")
    target = _line(ctx, record)
    target.update({k: v for k, v in ctx.body("line_item").items() if k in LINE_FIELDS}, updated_at=ctx.now)
    record["updated_at"] = ctx.now
    ctx.emit(LINE_RESOURCE, "update", target, "direct_costs")
    return direct_cost_line(ctx.store, target, record)


def delete_line(ctx: Ctx):
    record = _direct_cost(ctx, "direct_cost_id")
    target = _line(ctx, record)
    record["line_items"] = [other for other in record["line_items"] if other is not target]
    record["updated_at"] = ctx.now
    ctx.emit(LINE_RESOURCE, "delete", target, "direct_costs")
    return Response.empty(200)


def all_lines(ctx: Ctx):
    """GET /projects/{pid}/direct_costs/line_items: every line of the project's direct costs."""
    project = _project(ctx)
    owners, rows = {}, []
    for record in ctx.store.find("direct_costs", project_id=project["id"]):
        if record.get("deleted_at"):
            continue
        for item in record.get("line_items", []):
            owners[item["id"]] = record
            rows.append({**item, "direct_cost_id": record["id"]})
    filters = {"cost_code_id", "line_item_type_id", "updated_at", "created_at", "id", "direct_cost_id"}
    return ctx.listing(rows, filters, lambda item: direct_cost_line(ctx.store, item, owners[item["id"]], True))


def sync_lines(ctx: Ctx):
    """PATCH /projects/{pid}/direct_costs/line_items/sync: lines of the project's live direct costs, matched on
    ``id`` or ``origin_id``; a new line goes to the item's ``direct_cost_id``."""
    project = _project(ctx)
    holders = [r for r in ctx.store.find("direct_costs", project_id=project["id"]) if not r.get("deleted_at")]
    scope = line_sync.LineScope(holders, LINE_FIELDS, holder_key="direct_cost_id")
    new_line = lambda item: _new_lines(ctx, [item])[0]  # noqa: E731
    show = lambda line, owner: direct_cost_line(ctx.store, line, owner)  # noqa: E731
    return line_sync.sync_lines(ctx, ctx.json_body().get("updates"), scope, new_line, show)
