"""Requisitions (subcontractor invoices): v1.0 and v1.1 list/show/update, the v1.0 detail and item lists,
and the v2.0 payment details update an ERP uses to report an invoice's payment. Creation, deletion and item
updates are in ``requisition_writes``."""

from __future__ import annotations

from ..core.http import Response
from . import erp
from .context import Ctx, error
from .render_docs import PreviousCertificates, change_order_item, detail_line, requisition, requisition_item

RESOURCE = "Requisitions"  # the webhook resource name is unconfirmed ("Draw Requests" in older material)
FILTERS = {"status", "commitment_id", "period_id", "updated_at", "created_at", "origin_id", "id"}
ITEM_KINDS = {
    "contract_items": "contract_item",
    "contract_detail_items": "contract_detail_item",
    "change_order_items": "change_order_item",
}


def _version(ctx: Ctx) -> str:
    return ctx.params.get("version", "1.0")


def with_type(ctx: Ctx) -> bool:
    return bool(ctx.config["requisition_item_line_item_type"])


def with_items(ctx: Ctx) -> bool:
    """v1.1 answers carry the items only for the views that include them."""
    return ctx.request.arg("view") in ("extended", "items")


def requisitions(ctx: Ctx):
    project = ctx.project()
    rows = list(ctx.store.find("requisitions", project_id=project["id"]))
    version, items = _version(ctx), with_items(ctx)
    certified = PreviousCertificates(ctx.store)
    return ctx.listing(rows, FILTERS, lambda r: requisition(ctx.store, r, version, with_type(ctx), certified, items))


def _requisition(ctx: Ctx, key: str = "id") -> dict:
    project = ctx.project()
    return ctx.record("requisitions", ctx.path_id(key), project_id=project["id"])


def show(ctx: Ctx):
    return requisition(ctx.store, _requisition(ctx), _version(ctx), with_type(ctx), items=with_items(ctx))


def patch(ctx: Ctx):
    record = _requisition(ctx)
    changes = ctx.json_body().get("requisition") or {}
    if not isinstance(changes, dict):
        raise error(400, {"requisition": ["must be an object"]})
    erp.apply_patch(ctx, "requisitions", record, changes)
    ctx.emit(RESOURCE, "update", record, "requisitions")
    return requisition(ctx.store, record, _version(ctx), with_type(ctx), items=with_items(ctx))


def detail(ctx: Ctx):
    """An array of detail lines, one per item of the requisition; nothing else."""
    record = _requisition(ctx, "requisition_id")
    return [detail_line(item, number) for number, item in enumerate(record.get("items", []), start=1)]


def _items_of(ctx: Ctx, record: dict) -> list[dict]:
    wanted = ITEM_KINDS[ctx.params["item_kind"]]
    return [item for item in record.get("items", []) if item.get("item_type", "contract_item") == wanted]


def render_item(ctx: Ctx, item: dict, kind: str | None = None) -> dict:
    """One item as the item list of ``kind`` (default: this route's) shows it."""
    kind = kind or ctx.params["item_kind"]
    if kind == "change_order_items":
        return change_order_item(item)
    out = requisition_item(item, with_type(ctx))
    if kind == "contract_detail_items":
        out.pop("item_type", None)
        out["detail_line_item_id"] = out.pop("line_item_id", None)
        out.pop("comment", None)
    return out


def items(ctx: Ctx):
    record = _requisition(ctx, "requisition_id")
    rows = _items_of(ctx, record)
    return ctx.listing(rows, set(), lambda item: render_item(ctx, item))


def item(ctx: Ctx):
    record = _requisition(ctx, "requisition_id")
    item_id = ctx.path_id()
    for found in _items_of(ctx, record):
        if found["id"] == item_id:
            return render_item(ctx, found)
    raise error(404, "Not Found")


def payment_details(ctx: Ctx):
    """PATCH /rest/v2.0/companies/{cid}/projects/{pid}/requisitions/{id}/payment_details.

    The published body holds only ``due_date``; the answer is ``{"data": {"due_date": ...}}``.
    """
    owner = ctx.company(ctx.path_id("company_id"))
    project = ctx.project(ctx.path_id("project_id"))
    if project.get("company_id") != owner["id"]:
        raise error(404, "Not Found")
    record = ctx.record("requisitions", ctx.path_id(), project_id=project["id"])
    body = ctx.json_body()
    unknown = sorted(set(body) - {"due_date"})
    if unknown:
        raise error(400, {name: ["is not a payment detail"] for name in unknown})
    erp.apply_patch(ctx, "requisitions", record, {"payment_due_date": body.get("due_date")}, erp_path=True)
    ctx.emit(RESOURCE, "update", record, "requisitions")
    return Response.json({"data": {"due_date": record.get("payment_due_date")}})
