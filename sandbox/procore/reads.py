"""Procore read endpoints (REST v1.0)."""

from __future__ import annotations

from ..core.http import Response
from . import listing, render
from .context import Ctx, error

CONTRACT_KINDS = ("work_order_contracts", "purchase_order_contracts")


def me(ctx: Ctx) -> dict:
    return {
        "id": 8_000_000_001,
        "login": "dmsa@summitbuilders.example",
        "name": "ml-connector service account",
    }


def companies(ctx: Ctx):
    rows = [c for c in ctx.store.all("companies") if c.get("app_installed", True)]
    return [{"id": c["id"], "name": c["name"], "is_active": c.get("is_active", True)} for c in rows]


def projects(ctx: Ctx):
    company_id = int(ctx.params.get("company_id") or ctx.int_id("company_id"))
    company = ctx.company(company_id)
    status = (ctx.request.arg("filters[by_status]") or "Active").lower()
    rows = [
        p
        for p in ctx.store.find("projects", company_id=company_id)
        if status == "all" or bool(p.get("active", True)) == (status == "active")
    ]

    def show(project):
        return {**render.public(project), "company": {"id": company["id"], "name": company["name"]}}

    return ctx.listing(rows, {"updated_at", "origin_id", "id"}, show)


def vendors(ctx: Ctx):
    company_id = ctx.int_id("company_id")
    ctx.company(company_id)
    rows = list(ctx.store.find("vendors", company_id=company_id))
    search = ctx.request.arg("filters[search]")
    if search:
        rows = [v for v in rows if search.lower() in (v.get("name") or "").lower()]
    return ctx.listing(rows, {"updated_at", "created_at", "origin_id", "id"}, render.public)


def vendor(ctx: Ctx):
    ctx.company(ctx.int_id("company_id"))
    return render.public(ctx.record("vendors", int(ctx.params["id"]), company_id=int(ctx.request.arg("company_id"))))


def cost_codes(ctx: Ctx):
    project = ctx.project()
    rows = list(ctx.store.find("cost_codes", project_id=project["id"]))
    return ctx.listing(rows, {"origin_id", "id"}, lambda r: render.cost_code(ctx.store, r))


def line_item_types(ctx: Ctx):
    if ctx.request.arg("project_id"):
        company_id = ctx.project()["company_id"]
    else:
        company_id = ctx.int_id("company_id")
    ctx.company(company_id)
    rows = list(ctx.store.find("line_item_types", company_id=company_id))
    return ctx.listing(rows, {"origin_id", "id"}, render.public)


def _live_contracts(ctx: Ctx, kind: str, project_id: int) -> list[dict]:
    rows = list(ctx.store.find(kind, project_id=project_id))
    mode = ctx.request.arg("filters[include_deleted]")
    if mode == "only":
        return [r for r in rows if r.get("deleted_at")]
    return rows if mode == "with" else [r for r in rows if not r.get("deleted_at")]


def contracts(ctx: Ctx):
    kind, project = ctx.params["kind"], ctx.project()
    rows = _live_contracts(ctx, kind, project["id"])
    filters = {"status", "updated_at", "created_at", "id", "origin_id"}
    return ctx.listing(rows, filters, lambda r: render.contract(ctx.store, r))


def contract(ctx: Ctx):
    project = ctx.project()
    record = ctx.record(ctx.params["kind"], int(ctx.params["id"]), project_id=project["id"])
    return render.contract(ctx.store, record)


def contract_lines(ctx: Ctx):
    project = ctx.project()
    record = ctx.record(ctx.params["kind"], int(ctx.params["id"]), project_id=project["id"])
    return ctx.listing(
        record.get("line_items", []),
        {"cost_code_id", "line_item_type_id", "updated_at"},
        lambda line: render.cost_line(ctx.store, line),
    )


def commitments(ctx: Ctx):
    """Both contract kinds; this endpoint takes only page/per_page (no filters, no sort)."""
    project = ctx.project()
    rows = [r for kind in CONTRACT_KINDS for r in _live_contracts(ctx, kind, project["id"])]
    page, headers = listing.paginate(sorted(rows, key=lambda r: r["id"]), ctx.request, ctx.config)
    return Response.json([render.contract(ctx.store, r) for r in page], headers=headers)


def requisitions(ctx: Ctx):
    project = ctx.project()
    rows = list(ctx.store.find("requisitions", project_id=project["id"]))
    filters = {"status", "commitment_id", "period_id", "updated_at", "created_at", "origin_id", "id"}
    return ctx.listing(rows, filters, lambda r: render.requisition(ctx.store, r))


def _requisition(ctx: Ctx) -> dict:
    project = ctx.project()
    return ctx.record("requisitions", int(ctx.params["id"]), project_id=project["id"])


def requisition(ctx: Ctx):
    return render.requisition(ctx.store, _requisition(ctx))


def _items(ctx: Ctx, record: dict) -> list[dict]:
    with_type = ctx.config["requisition_item_line_item_type"]
    return [render.requisition_item(ctx.store, item, with_type) for item in record.get("items", [])]


def requisition_detail(ctx: Ctx):
    """The requisition header with ``items``: every contract and change-order item of this period."""
    record = _requisition(ctx)
    return {**render.requisition(ctx.store, record), "items": _items(ctx, record)}


def requisition_items(ctx: Ctx):
    record = _requisition(ctx)
    wanted = ctx.params["item_kind"].rstrip("s")
    return [item for item in _items(ctx, record) if item.get("item_type", "contract_item") == wanted]


def direct_costs(ctx: Ctx):
    project = ctx.project()
    rows = list(ctx.store.find("direct_costs", project_id=project["id"]))
    filters = {
        "updated_at",
        "created_at",
        "origin_id",
        "invoice_number",
        "payment_date",
        "received_date",
        "id",
    }
    return ctx.listing(rows, filters, lambda r: render.direct_cost(ctx.store, r, with_lines=False))


def _direct_cost(ctx: Ctx) -> dict:
    project = ctx.project(int(ctx.params["project_id"]))
    return ctx.record("direct_costs", int(ctx.params["id"]), project_id=project["id"])


def direct_cost(ctx: Ctx):
    return render.direct_cost(ctx.store, _direct_cost(ctx), with_lines=True)


def direct_cost_lines(ctx: Ctx):
    record = _direct_cost(ctx)
    return ctx.listing(
        record.get("line_items", []),
        {"cost_code_id", "line_item_type_id", "updated_at"},
        lambda line: render.cost_line(ctx.store, line),
    )


def contract_payments(ctx: Ctx):
    project = ctx.project()
    contract_id = ctx.int_id("contract_id")
    if render.find_contract(ctx.store, contract_id) is None:
        raise error(404, "Not Found")
    rows = list(ctx.store.find("contract_payments", project_id=project["id"], contract_id=contract_id))
    return ctx.listing(rows, {"updated_at", "origin_id", "id"}, render.contract_payment)


def contract_payment(ctx: Ctx):
    project = ctx.project()
    record = ctx.record("contract_payments", int(ctx.params["id"]), project_id=project["id"])
    return render.contract_payment(record)
