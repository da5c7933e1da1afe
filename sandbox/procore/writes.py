"""Procore write endpoints an ERP integration uses.

ERP rules (Procore's ERP integration guide): ``origin_id`` is unique per object type within a company
(a duplicate is a 409), and once a record carries an ``origin_id`` it is "synced": users and apps can no
longer change its business fields (422), only the ERP linkage fields below.
"""

from __future__ import annotations

import json

from ..core.http import HttpError, Response
from . import render
from .context import Ctx, error

ERP_FIELDS = {"origin_id", "origin_data", "origin_code", "erp_status", "synced_to_erp"}
READ_ONLY = {"id", "project_id", "company_id", "created_at", "updated_at", "line_items", "items"}
SYNC_ITEM_TYPES = {
    "vendor": "vendors",
    "project": "projects",
    "work_order_contract": "work_order_contracts",
    "purchase_order_contract": "purchase_order_contracts",
    "requisition": "requisitions",
    "contract_payment": "contract_payments",
    "item": "direct_costs",
}


def company_of(ctx: Ctx, record: dict) -> int | None:
    if "company_id" in record:
        return record["company_id"]
    project = ctx.store.get("projects", record.get("project_id"))
    return project.get("company_id") if project else None


def check_origin_id(ctx: Ctx, collection: str, record: dict, origin_id) -> None:
    """409 when another record of this type in the same company already holds the origin_id."""
    if origin_id in (None, ""):
        return
    company = company_of(ctx, record)
    for other in ctx.store.find(collection, origin_id=origin_id):
        if other["id"] != record.get("id") and company_of(ctx, other) == company:
            raise error(409, {"origin_id": ["has already been taken"]})


def apply_patch(ctx: Ctx, collection: str, record: dict, changes: dict) -> dict:
    """Apply a PATCH body to a stored record under the ERP lock rules; bumps updated_at."""
    changes = {k: v for k, v in changes.items() if k not in READ_ONLY}
    business = {k for k, v in changes.items() if k not in ERP_FIELDS and record.get(k) != v}
    if record.get("origin_id") and business:
        raise error(
            422,
            {"base": [f"This record is synced with the ERP; {', '.join(sorted(business))} can't be changed"]},
        )
    if "origin_id" in changes:
        check_origin_id(ctx, collection, record, changes["origin_id"])
    record.update(changes)
    record["updated_at"] = ctx.now
    return record


def patch_requisition(ctx: Ctx):
    project = ctx.project()
    record = ctx.record("requisitions", int(ctx.params["id"]), project_id=project["id"])
    apply_patch(ctx, "requisitions", record, ctx.body("requisition"))
    return render.requisition(ctx.store, record)


def patch_direct_cost(ctx: Ctx):
    project = ctx.project(int(ctx.params["project_id"]))
    record = ctx.record("direct_costs", int(ctx.params["id"]), project_id=project["id"])
    apply_patch(ctx, "direct_costs", record, ctx.body("direct_cost"))
    return render.direct_cost(ctx.store, record, with_lines=True)


def patch_vendor(ctx: Ctx):
    company_id = ctx.int_id("company_id")
    ctx.company(company_id)
    record = ctx.record("vendors", int(ctx.params["id"]), company_id=company_id)
    apply_patch(ctx, "vendors", record, ctx.body("vendor"))
    return render.public(record)


def patch_contract(ctx: Ctx):
    kind, project = ctx.params["kind"], ctx.project()
    record = ctx.record(kind, int(ctx.params["id"]), project_id=project["id"])
    apply_patch(ctx, kind, record, ctx.body(kind[:-1]))
    return render.contract(ctx.store, record)


def _new_record(ctx: Ctx, collection: str, record: dict) -> dict:
    check_origin_id(ctx, collection, record, record.get("origin_id"))
    record.update(id=None, created_at=ctx.now, updated_at=ctx.now)
    return ctx.store.insert(collection, record)


def create_vendor(ctx: Ctx):
    company_id = ctx.int_id("company_id")
    ctx.company(company_id)
    body = ctx.body("vendor")
    if not body.get("name"):
        raise error(422, {"name": ["can't be blank"]})
    record = _new_record(ctx, "vendors", {"is_active": True, **body, "company_id": company_id})
    return Response.json(render.public(record), 201)


def create_direct_cost(ctx: Ctx):
    project = ctx.project(int(ctx.params["project_id"]))
    body = ctx.body("direct_cost")
    if body.get("direct_cost_type") not in ("invoice", "expense", "payroll"):
        raise error(422, {"direct_cost_type": ["is not included in the list"]})
    lines = []
    for line in body.pop("line_items", None) or []:
        line = {**line, "id": ctx.store.new_id("direct_cost_line_items"), "updated_at": ctx.now}
        lines.append(line)
    record = {"status": "draft", **body, "project_id": project["id"], "line_items": lines}
    record = _new_record(ctx, "direct_costs", record)
    return Response.json(render.direct_cost(ctx.store, record, with_lines=True), 201)


def create_contract_payment(ctx: Ctx):
    project = ctx.project()
    body = ctx.body("contract_payment")
    if render.find_contract(ctx.store, body.get("contract_id")) is None:
        raise error(422, {"contract_id": ["is invalid"]})
    record = _new_record(ctx, "contract_payments", {**body, "project_id": project["id"]})
    return Response.json(render.contract_payment(record), 201)


def patch_contract_payment(ctx: Ctx):
    project = ctx.project()
    record = ctx.record("contract_payments", int(ctx.params["id"]), project_id=project["id"])
    apply_patch(ctx, "contract_payments", record, ctx.body("contract_payment"))
    return render.contract_payment(record)


def delete_contract_payment(ctx: Ctx):
    project = ctx.project()
    record = ctx.record("contract_payments", int(ctx.params["id"]), project_id=project["id"])
    ctx.store.delete("contract_payments", record["id"])
    return Response.empty(204)


def _sync_one(ctx: Ctx, company_id: int, update: dict) -> dict:
    collection = SYNC_ITEM_TYPES.get(update.get("item_type"))
    if collection is None:
        raise error(422, {"item_type": ["is not included in the list"]})
    record = ctx.store.get(collection, update.get("item_id"))
    if record is None or company_of(ctx, record) != company_id:
        raise error(422, {"item_id": ["not found"]})
    apply_patch(ctx, collection, record, {"origin_id": update.get("origin_id")})
    return {"item_type": update["item_type"], "item_id": record["id"], "origin_id": record["origin_id"]}


def external_data_sync(ctx: Ctx):
    """PATCH /companies/{cid}/external_data/sync: always 200 with {entities, errors}."""
    company_id = int(ctx.params["company_id"])
    ctx.company(company_id)
    updates = (ctx.request.json() or {}).get("updates") or []
    if len(updates) > 1000:
        raise error(400, "at most 1000 updates per call")
    entities, errors = [], []
    for update in updates:
        try:
            entities.append(_sync_one(ctx, company_id, update))
        except HttpError as exc:  # each item fails on its own, as Procore's sync actions do
            errors.append({**update, "errors": _errors_of(exc.response)})
    return {"entities": entities, "errors": errors}


def _errors_of(response: Response) -> dict:
    payload = json.loads(response.body or b"{}").get("errors")
    return payload if isinstance(payload, dict) else {"base": [payload]}
