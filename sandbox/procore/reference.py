"""Procore reference writes: vendors, cost codes, cost types (line item types), standard cost codes.

Each has a single create and update (body wrapped as the published request schema shows, e.g.
``{"company_id": 1, "vendor": {...}}``) and a batch ``.../sync`` PATCH under the ERP rules of ``erp.py``.
"""

from __future__ import annotations

from ..core.http import Response
from . import erp, render
from .context import Ctx, error

VENDOR = "Company Vendors"
COST_CODE = "Cost Codes"
COST_TYPE = "Line Item Types"
STANDARD_CODE = "Standard Cost Codes"


def _named(body: dict, field: str = "name") -> dict:
    if not body.get(field):
        raise error(422, {field: ["can't be blank"]})
    return body


# -- vendors ----------------------------------------------------------------------------------------------


def _create_vendor(ctx: Ctx, company_id: int, fields: dict) -> dict:
    record = erp.new_record(ctx, "vendors", {"is_active": True, **_named(fields), "company_id": company_id})
    ctx.emit(VENDOR, "create", record, "vendors")
    return record


def create_vendor(ctx: Ctx):
    owner = ctx.company()
    return Response.json(render.vendor(_create_vendor(ctx, owner["id"], ctx.body("vendor"))), 201)


def patch_vendor(ctx: Ctx):
    owner = ctx.company()
    record = ctx.record("vendors", ctx.path_id(), company_id=owner["id"])
    erp.apply_patch(ctx, "vendors", record, ctx.body("vendor"))
    ctx.emit(VENDOR, "update", record, "vendors")
    return render.vendor(record)


def reactivate_vendor(ctx: Ctx):
    owner = ctx.company(int(ctx.params["company_id"]))
    record = ctx.record("vendors", ctx.path_id(), company_id=owner["id"])
    erp.apply_patch(ctx, "vendors", record, {"is_active": True}, erp_path=True)
    ctx.emit(VENDOR, "update", record, "vendors")
    return render.vendor(record)


def sync_vendors(ctx: Ctx):
    owner = ctx.company()

    def create(fields: dict) -> dict:
        return _create_vendor(ctx, owner["id"], fields)

    updates = ctx.json_body().get("updates")
    return erp.sync_batch(ctx, "vendors", updates, {"company_id": owner["id"]}, create, render.vendor)


# -- project cost codes -----------------------------------------------------------------------------------


def _create_cost_code(ctx: Ctx, project_id: int, fields: dict) -> dict:
    fields = _named(_named(fields, "code"))
    parent = ctx.store.get("cost_codes", fields.get("parent_id")) or {}
    full = f"{parent['full_code']}-{fields['code']}" if parent.get("full_code") else fields["code"]
    types = [t["id"] for t in ctx.store.find("line_item_types", company_id=ctx.project(project_id)["company_id"])]
    record = {"full_code": full, "line_item_type_ids": types, **fields, "project_id": project_id}
    record = erp.new_record(ctx, "cost_codes", record)
    ctx.emit(COST_CODE, "create", record, "cost_codes")
    return record


def create_cost_code(ctx: Ctx):
    project = ctx.project()
    record = _create_cost_code(ctx, project["id"], ctx.body("cost_code"))
    return Response.json(render.cost_code(ctx.store, record), 201)


def patch_cost_code(ctx: Ctx):
    project = ctx.project()
    record = ctx.record("cost_codes", ctx.path_id(), project_id=project["id"])
    erp.apply_patch(ctx, "cost_codes", record, ctx.body("cost_code"))
    ctx.emit(COST_CODE, "update", record, "cost_codes")
    return render.cost_code(ctx.store, record)


def sync_cost_codes(ctx: Ctx):
    project = ctx.project()

    def create(fields: dict) -> dict:
        return _create_cost_code(ctx, project["id"], fields)

    updates = ctx.json_body().get("updates")
    return erp.sync_batch(
        ctx, "cost_codes", updates, {"project_id": project["id"]}, create, lambda r: render.cost_code(ctx.store, r)
    )


# -- cost types -------------------------------------------------------------------------------------------


def _create_type(ctx: Ctx, company_id: int, fields: dict) -> dict:
    fields = dict(_named(fields))
    fields.setdefault("code", fields.pop("csv_import_code", None) or fields["name"][:1].upper())
    record = erp.new_record(ctx, "line_item_types", {"base_type": "other", **fields, "company_id": company_id})
    ctx.emit(COST_TYPE, "create", record, "line_item_types")
    return record


def create_line_item_type(ctx: Ctx):
    owner = ctx.company()
    return Response.json(render.line_item_type(_create_type(ctx, owner["id"], ctx.body("line_item_type"))), 201)


def patch_line_item_type(ctx: Ctx):
    owner = ctx.company()
    record = ctx.record("line_item_types", ctx.path_id(), company_id=owner["id"])
    changes = dict(ctx.body("line_item_type"))
    if "csv_import_code" in changes:
        changes["code"] = changes.pop("csv_import_code")
    erp.apply_patch(ctx, "line_item_types", record, changes)
    ctx.emit(COST_TYPE, "update", record, "line_item_types")
    return render.line_item_type(record)


def sync_line_item_types(ctx: Ctx):
    owner = ctx.company()

    def create(fields: dict) -> dict:
        return _create_type(ctx, owner["id"], fields)

    updates = ctx.json_body().get("updates")
    return erp.sync_batch(ctx, "line_item_types", updates, {"company_id": owner["id"]}, create, render.line_item_type)


# -- company standard cost codes --------------------------------------------------------------------------


def _create_standard(ctx: Ctx, company_id: int, list_id: int, fields: dict) -> dict:
    fields = _named(_named(fields, "code"))
    parent = ctx.store.get("standard_cost_codes", fields.get("parent_id")) or {}
    full = f"{parent['full_code']}-{fields['code']}" if parent.get("full_code") else fields["code"]
    record = {"full_code": full, **fields, "company_id": company_id, "standard_cost_code_list_id": list_id}
    record = erp.new_record(ctx, "standard_cost_codes", record)
    ctx.emit(STANDARD_CODE, "create", record, "standard_cost_codes")
    return record


def create_standard_cost_code(ctx: Ctx):
    owner = ctx.company()
    record = _create_standard(
        ctx, owner["id"], ctx.int_id("standard_cost_code_list_id"), ctx.body("standard_cost_code")
    )
    return Response.json(render.standard_cost_code(record), 201)


def patch_standard_cost_code(ctx: Ctx):
    owner = ctx.company()
    record = ctx.record("standard_cost_codes", ctx.path_id(), company_id=owner["id"])
    erp.apply_patch(ctx, "standard_cost_codes", record, ctx.body("standard_cost_code"))
    ctx.emit(STANDARD_CODE, "update", record, "standard_cost_codes")
    return render.standard_cost_code(record)


def delete_standard_cost_code(ctx: Ctx):
    owner = ctx.company()
    record = ctx.record("standard_cost_codes", ctx.path_id(), company_id=owner["id"])
    ctx.store.delete("standard_cost_codes", record["id"])
    ctx.emit(STANDARD_CODE, "delete", record, "standard_cost_codes")
    return Response.empty(200)


def sync_standard_cost_codes(ctx: Ctx):
    owner, list_id = ctx.company(), ctx.int_id("standard_cost_code_list_id")

    def create(fields: dict) -> dict:
        return _create_standard(ctx, owner["id"], list_id, fields)

    scope = {"company_id": owner["id"], "standard_cost_code_list_id": list_id}
    updates = ctx.json_body().get("updates")
    return erp.sync_batch(ctx, "standard_cost_codes", updates, scope, create, render.standard_cost_code)
