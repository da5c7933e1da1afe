"""Contract payments: payments issued against a commitment, optionally naming the requisition they pay.

The list, show and delete take ``project_id`` and ``contract_id`` as query parameters; create and update
take them in the body beside the ``contract_payment`` object, as published. Delete answers 200.
"""

from __future__ import annotations

from ..core.http import Response
from . import erp, render
from .context import Ctx, error

COLLECTION = "contract_payments"
RESOURCE = "Contract Payments"  # unconfirmed webhook resource name
FIELDS = {
    "date", "invoice_number", "check_number", "invoice_date", "draw_request_number", "notes", "payment_number",
    "payment_method", "amount", "origin_id", "origin_data", "requisition_id",
}  # fmt: skip
METHODS = ("check", "credit_card", "electronic")


def _contract(ctx: Ctx) -> tuple[dict, dict]:
    project = ctx.project()
    contract = render.find_contract(ctx.store, ctx.int_id("contract_id"))
    if contract is None or contract.get("project_id") != project["id"]:
        raise error(404, "Not Found")
    return project, contract


def _fields(ctx: Ctx, contract: dict) -> dict:
    fields = {k: v for k, v in (ctx.json_body().get("contract_payment") or {}).items() if k in FIELDS}
    if "payment_method" in fields and fields["payment_method"] not in METHODS:
        raise error(422, {"payment_method": ["is not included in the list"]})
    requisition = fields.get("requisition_id")
    if requisition is not None:
        found = ctx.store.get("requisitions", requisition)
        if found is None or found.get("commitment_id") != contract["id"]:
            raise error(422, {"requisition_id": ["is invalid"]})
    return fields


def payments(ctx: Ctx):
    project, contract = _contract(ctx)
    rows = list(ctx.store.find(COLLECTION, project_id=project["id"], contract_id=contract["id"]))
    return ctx.listing(rows, set(), render.contract_payment)


def _payment(ctx: Ctx) -> tuple[dict, dict]:
    project, contract = _contract(ctx)
    record = ctx.record(COLLECTION, ctx.path_id(), project_id=project["id"], contract_id=contract["id"])
    return contract, record


def payment(ctx: Ctx):
    return render.contract_payment(_payment(ctx)[1])


def create(ctx: Ctx):
    project, contract = _contract(ctx)
    fields = _fields(ctx, contract)
    if fields.get("amount") in (None, ""):
        raise error(422, {"amount": ["can't be blank"]})
    record = {"status": "paid", **fields, "project_id": project["id"], "contract_id": contract["id"]}
    record = erp.new_record(ctx, COLLECTION, record)
    contract["updated_at"] = ctx.now
    ctx.emit(RESOURCE, "create", record, COLLECTION)
    return Response.json(render.contract_payment(record), 201)


def patch(ctx: Ctx):
    contract, record = _payment(ctx)
    erp.apply_patch(ctx, COLLECTION, record, _fields(ctx, contract))
    ctx.emit(RESOURCE, "update", record, COLLECTION)
    return render.contract_payment(record)


def delete(ctx: Ctx):
    contract, record = _payment(ctx)
    ctx.store.delete(COLLECTION, record["id"])
    contract["updated_at"] = ctx.now
    ctx.emit(RESOURCE, "delete", record, COLLECTION)
    return Response.empty(200)
