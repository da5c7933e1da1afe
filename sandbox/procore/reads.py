"""Procore reference reads: me, companies, projects, vendors, cost codes, cost types, standard cost codes and
the company's standard cost code lists."""

from __future__ import annotations

from . import render
from .context import Ctx


def me(ctx: Ctx) -> dict:
    return {"id": 8_000_000_001, "login": "dmsa@summitbuilders.example", "name": "ml-connector service account"}


def companies(ctx: Ctx):
    rows = [c for c in ctx.store.all("companies") if c.get("app_installed", True)]
    return ctx.listing(rows, set(), render.company)


def projects(ctx: Ctx):
    owner = ctx.company()
    status = (ctx.request.arg("filters[by_status]") or "Active").lower()
    rows = [
        p
        for p in ctx.store.find("projects", company_id=owner["id"])
        if status == "all" or bool(p.get("active", True)) == (status == "active")
    ]
    return ctx.listing(rows, {"updated_at", "created_at", "origin_id", "id"}, lambda p: render.project(p, owner))


def project(ctx: Ctx):
    owner = ctx.company()
    record = ctx.record("projects", ctx.path_id(), company_id=owner["id"])
    return render.project(record, owner)


def _company_vendors(ctx: Ctx, active: bool) -> list[dict]:
    owner = ctx.company()
    return [v for v in ctx.store.find("vendors", company_id=owner["id"]) if bool(v.get("is_active", True)) == active]


def vendors(ctx: Ctx):
    rows = _company_vendors(ctx, active=True)
    search = ctx.request.arg("filters[search]")
    if search:
        rows = [v for v in rows if search.lower() in (v.get("name") or "").lower()]
    return ctx.listing(rows, {"updated_at", "created_at", "origin_id", "id"}, render.vendor)


def inactive_vendors(ctx: Ctx):
    return ctx.listing(_company_vendors(ctx, active=False), set(), render.vendor)


def vendor(ctx: Ctx):
    owner = ctx.company()
    return render.vendor(ctx.record("vendors", ctx.path_id(), company_id=owner["id"]))


def cost_codes(ctx: Ctx):
    project_record = ctx.project()
    rows = list(ctx.store.find("cost_codes", project_id=project_record["id"]))
    return ctx.listing(rows, {"origin_id", "id"}, lambda r: render.cost_code(ctx.store, r))


def cost_code(ctx: Ctx):
    project_record = ctx.project()
    return render.cost_code(ctx.store, ctx.record("cost_codes", ctx.path_id(), project_id=project_record["id"]))


def _types_company(ctx: Ctx) -> dict:
    if ctx.request.arg("project_id"):
        return ctx.company(ctx.project()["company_id"])
    return ctx.company()


def line_item_types(ctx: Ctx):
    owner = _types_company(ctx)
    rows = list(ctx.store.find("line_item_types", company_id=owner["id"]))
    return ctx.listing(rows, {"origin_id", "id"}, render.line_item_type)


def line_item_type(ctx: Ctx):
    owner = _types_company(ctx)
    return render.line_item_type(ctx.record("line_item_types", ctx.path_id(), company_id=owner["id"]))


def standard_cost_codes(ctx: Ctx):
    owner = ctx.company()
    rows = list(ctx.store.find("standard_cost_codes", company_id=owner["id"]))
    list_id = ctx.request.arg("standard_cost_code_list_id")
    if list_id:
        rows = [r for r in rows if str(r.get("standard_cost_code_list_id")) == list_id]
    return ctx.listing(rows, {"origin_id", "id"}, render.standard_cost_code)


def standard_cost_code(ctx: Ctx):
    owner = ctx.company()
    return render.standard_cost_code(ctx.record("standard_cost_codes", ctx.path_id(), company_id=owner["id"]))


def standard_cost_code_lists(ctx: Ctx):
    """GET /standard_cost_code_lists?company_id=: the company's lists, paginated (no filters are published)."""
    owner = ctx.company()
    rows = list(ctx.store.find("standard_cost_code_lists", company_id=owner["id"]))
    return ctx.listing(rows, set(), render.standard_cost_code_list_row)


def standard_cost_code_list(ctx: Ctx):
    owner = ctx.company()
    record = ctx.record("standard_cost_code_lists", ctx.path_id(), company_id=owner["id"])
    return render.standard_cost_code_list(record)
