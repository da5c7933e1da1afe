"""Requisition (subcontractor invoice) writes: create (v1.0 and v1.1), delete (v1.0 and v1.1), and item updates
(one contract item, one contract detail item, or many at once through ``bulk_item_update``).

As published (``RestV1xRequisitionsPost``): ``project_id`` and ``commitment_id`` beside a ``requisition`` object;
v1.1's object may also carry ``items``. A new requisition gets one contract item per line of its commitment: the
line's amount is the scheduled value, this period's amounts are zero, and what earlier requisitions on the same
commitment claimed is carried into the "from previous application" figures (the G702/G703 columns the item schemas
name). Fields outside the published request schemas are dropped, as the other writes here do; a published field
of the wrong type, or a status outside the published enum, is a 422 ``{"errors": {field: [message]}}``.

Item amounts are written as decimal strings (the published item request schemas); the requisition's totals
(``total_claimed_amount``, ``summary``) are computed from its items on every read, so an item update shows at once.
A requisition holding an ``origin_id`` is synced with an ERP, and its items are business data: ``erp_lock``
decides whether they can still change, exactly as for the requisition's own fields.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from ..core.http import Response
from . import erp, render, requisitions
from .context import Ctx, error
from .render_docs import requisition

COLLECTION = "requisitions"
STATUSES = ("draft", "under_review", "revise_and_resubmit", "approved", "approved_as_noted", "pending_owner_approval")
#: the ``requisition`` object of the published create bodies, with each field's published type
HEADER_FIELDS = {
    "period_id": "integer", "requisition_start": "date", "requisition_end": "date", "billing_date": "date",
    "final": "boolean", "invoice_number": "string", "payment_date": "date", "origin_data": "string",
    "origin_id": "string", "status": "string", "submitted_at": "date", "comment": "string",
}  # fmt: skip
V11_ONLY = {"items": "array", "prostore_file_ids": "array", "upload_ids": "array"}
CUSTOM_FIELD = re.compile(r"custom_field_\d+")
#: amounts the item update endpoints publish (contract items, contract detail items, bulk_item_update)
ITEM_AMOUNTS = (
    "work_completed_this_period",
    "materials_presently_stored",
    "work_completed_retainage_retained_this_period",
    "materials_stored_retainage_currently_retained",
    "work_completed_retainage_released_this_period",
    "work_completed_this_period_quantity",
)
#: further amounts the v1.1 create body publishes for its items
CREATE_ITEM_AMOUNTS = ITEM_AMOUNTS + (
    "materials_presently_stored_from_previous_progress", "new_materials", "new_materials_quantity", "stored_materials",
    "stored_materials_quantity", "work_completed_retainage_percent_this_period",
    "materials_stored_retainage_percent_this_period", "subcontractor_claimed_amount",
)  # fmt: skip
ITEM_STATUSES = ("approved", "rejected", "no_action")  # RestV10RequisitionsRequisitionIdBulkItemUpdatePatch
ITEM_TYPES = ("contract_item", "contract_detail_item", "change_order_item")
#: (amount retained, amount it is retained on): the item schemas say retainage needs a non-zero amount to hold it
RETAINAGE_BASIS = (
    ("work_completed_retainage_retained_this_period", "work_completed_this_period"),
    ("materials_stored_retainage_currently_retained", "materials_presently_stored"),
)
#: item wrapper of each single-item update (RestV10RequisitionsRequisitionId{ContractItems,ContractDetailItems}IdPatch)
ITEM_WRAPPERS = {
    "contract_items": "requisition_contract_item",
    "contract_detail_items": "requisition_contract_detail_item",
}


# -- typed fields ---------------------------------------------------------------------------------------------


def _typed(name: str, value, kind: str):
    """``value`` if it has the published ``kind``; null clears a field. Otherwise a 422 naming the field."""
    if value is None:
        return None
    ok = {
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
        "array": lambda v: isinstance(v, list),
        "date": _is_date,
    }[kind](value)
    if not ok:
        raise error(422, {name: [f"is not a valid {kind}"]})
    return value


def _is_date(value) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _amount(name: str, value) -> str:
    """A published decimal-string amount (a JSON number is taken too); anything else is a 422."""
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        parsed = Decimal(str(value))
        if not parsed.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise error(422, {name: ["is not a number"]}) from None
    return render.money(parsed)


def _header(fields: dict, version: str) -> dict:
    published = {**HEADER_FIELDS, **(V11_ONLY if version == "1.1" else {})}
    out = {}
    for name, value in fields.items():
        if name in published:
            out[name] = _typed(name, value, published[name])
        elif CUSTOM_FIELD.fullmatch(name):
            out[name] = value  # the value's type follows a custom field definition this simulator does not hold
    if out.get("status") is not None and out["status"] not in STATUSES:
        raise error(422, {"status": ["is not included in the list"]})
    return out


# -- create ---------------------------------------------------------------------------------------------------


def _commitment(ctx: Ctx, project: dict) -> dict:
    """The commitment named in the body: missing, unknown, deleted or on another project is a 422."""
    raw = ctx.arg("commitment_id")
    if raw is None:
        raise error(422, {"commitment_id": ["can't be blank"]})
    try:
        commitment_id = int(raw)
    except (TypeError, ValueError):
        raise error(422, {"commitment_id": ["is invalid"]}) from None
    contract = render.find_contract(ctx.store, commitment_id)
    if contract is None or contract.get("project_id") != project["id"] or contract.get("deleted_at"):
        raise error(422, {"commitment_id": ["is invalid"]})
    return contract


def _carried(earlier: list[dict], line_id) -> dict:
    """What earlier requisitions on the commitment already claimed and retained on one commitment line."""
    items = [i for r in earlier for i in r.get("items", []) if i.get("line_item_id") == line_id]
    done = render.total(items, "work_completed_this_period")
    retained = render.total(items, "work_completed_retainage_retained_this_period") - render.total(
        items, "work_completed_retainage_released_this_period"
    )
    return {
        "work_completed_from_previous_application": render.money(done),
        "work_completed_retainage_from_previous_application": render.money(retained),
    }


def _contract_items(ctx: Ctx, contract: dict, earlier: list[dict]) -> list[dict]:
    """One contract item per commitment line, scheduled at the line's amount, nothing claimed yet this period."""
    return [
        {
            "id": ctx.store.new_id(f"{COLLECTION}_lines"),
            "item_type": "contract_item",
            "line_item_id": line["id"],
            "cost_code_id": line.get("cost_code_id"),
            "line_item_type_id": line.get("line_item_type_id"),
            "description_of_work": line.get("description"),
            "scheduled_value": render.money(line.get("amount")),
            **_carried(earlier, line["id"]),
            **{name: "0.00" for name in ITEM_AMOUNTS if not name.endswith("_quantity")},
            "position": position,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        }
        for position, line in enumerate(contract.get("line_items", []), start=1)
    ]


def _claim_on_create(items: list[dict], claims) -> None:
    """v1.1 only: the ``items`` of the create body fill in the generated contract items, matched on line_item_id."""
    by_line = {item["line_item_id"]: item for item in items}
    for position, claim in enumerate(claims or []):
        where = f"items[{position}]"
        if not isinstance(claim, dict) or claim.get("item_type") in (None, ""):
            raise error(422, {where: ["item_type can't be blank"]})
        if claim["item_type"] != "contract_item":  # this commitment has no detail lines or change order items
            raise error(422, {where: [f"no {claim['item_type']} to claim against"]})
        target = by_line.get(_as_int(claim.get("line_item_id")))
        if target is None:
            raise error(422, {where: ["line_item_id is not a line of the commitment"]})
        _retainage_from_percent(claim)
        target.update(_item_changes(claim, CREATE_ITEM_AMOUNTS))
        _check_retainage(target)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retainage_from_percent(claim: dict) -> None:
    """A retainage percent without an amount: the amount is that percent of what it is retained on."""
    for (retained, basis), percent in zip(
        RETAINAGE_BASIS,
        ("work_completed_retainage_percent_this_period", "materials_stored_retainage_percent_this_period"),
        strict=True,
    ):
        if claim.get(percent) not in (None, "") and retained not in claim:
            rate = Decimal(_amount(percent, claim[percent])) / 100
            claim[retained] = render.money(Decimal(_amount(basis, claim.get(basis) or 0)) * rate)


def create(ctx: Ctx):
    """POST /rest/v1.x/requisitions: a new requisition on a commitment of the project, answered 201."""
    project = ctx.project()
    contract = _commitment(ctx, project)
    fields = ctx.json_body().get("requisition") or {}
    if not isinstance(fields, dict):
        raise error(400, {"requisition": ["must be an object"]})
    version = ctx.params["version"]
    fields = _header(fields, version)
    claims = fields.pop("items", None)
    for attachment_ids in ("prostore_file_ids", "upload_ids"):
        fields.pop(attachment_ids, None)  # attachments are not simulated
    earlier = _earlier(ctx, contract["id"])
    record = {
        "status": "draft", "erp_status": "not_ready", "payment_date": None, "origin_id": None, "origin_data": None,
        **{k: v for k, v in fields.items() if v is not None},
        "project_id": project["id"], "commitment_id": contract["id"],
        "number": max((r.get("number") or 0 for r in earlier), default=0) + 1,
    }  # fmt: skip
    record["items"] = _contract_items(ctx, contract, earlier)
    _claim_on_create(record["items"], claims)
    record = erp.new_record(ctx, COLLECTION, record)
    ctx.emit(requisitions.RESOURCE, "create", record, COLLECTION)
    # both published 201 schemas are the extended requisition, with vendor_id and items
    return Response.json(requisition(ctx.store, record, "1.1", requisitions.with_type(ctx)), 201)


def _earlier(ctx: Ctx, commitment_id: int) -> list[dict]:
    return list(ctx.store.find(COLLECTION, commitment_id=commitment_id))


# -- delete ---------------------------------------------------------------------------------------------------


def delete(ctx: Ctx):
    """DELETE /rest/v1.x/requisitions/{id}: only what reads as ``deletable`` (a draft) goes; answered 200."""
    record = ctx.record(COLLECTION, ctx.path_id(), project_id=ctx.project()["id"])
    if record.get("status") != "draft":
        raise error(422, {"base": [f"A requisition in status {record.get('status')} can't be deleted"]})
    ctx.store.delete(COLLECTION, record["id"])
    ctx.emit(requisitions.RESOURCE, "delete", record, COLLECTION)
    return Response.empty(200)


# -- item updates ---------------------------------------------------------------------------------------------


def _item_changes(fields: dict, amounts: tuple[str, ...]) -> dict:
    """The published item fields of one update: amounts as money strings, status from its enum, comment."""
    changes = {name: _amount(name, fields[name]) for name in amounts if fields.get(name) is not None}
    if fields.get("status") is not None:
        if fields["status"] not in ITEM_STATUSES:
            raise error(422, {"status": ["is not included in the list"]})
        changes["status"] = fields["status"]
    if "comment" in fields:
        changes["comment"] = _typed("comment", fields["comment"], "string")
    return changes


def _check_retainage(item: dict) -> None:
    for retained, basis in RETAINAGE_BASIS:
        if Decimal(str(item.get(retained) or 0)) and not Decimal(str(item.get(basis) or 0)):
            raise error(422, {retained: [f"needs a non-zero {basis} to hold a retainage"]})


def _editable(ctx: Ctx, record: dict) -> dict:
    """The requisition whose items change; a synced one (origin_id) is locked as its own fields are."""
    if ctx.config["erp_lock"] == "business_fields" and record.get("origin_id"):
        raise error(422, {"base": ["This record is synced with the ERP; its items can't be changed"]})
    return record


def _apply(ctx: Ctx, record: dict, updates: list[tuple[dict, dict]]) -> None:
    """Check every (item, changes) pair first, then write them all: one bad item changes nothing."""
    for item, changes in updates:
        _check_retainage({**item, **changes})
    for item, changes in updates:
        item.update(changes, updated_at=ctx.now)
    record["updated_at"] = ctx.now
    ctx.emit(requisitions.RESOURCE, "update", record, COLLECTION)


def _requisition(ctx: Ctx) -> dict:
    return ctx.record(COLLECTION, ctx.path_id("requisition_id"), project_id=ctx.project()["id"])


def patch_item(ctx: Ctx):
    """PATCH /rest/v1.0/requisitions/{rid}/{contract_items|contract_detail_items}/{id}: one item's amounts."""
    kind = ctx.params["item_kind"]
    record = _requisition(ctx)
    item_type = requisitions.ITEM_KINDS[kind]
    item = next((i for i in record.get("items", []) if i["id"] == ctx.path_id() and _type_of(i) == item_type), None)
    if item is None:
        raise error(404, "Not Found")
    changes = _item_changes(ctx.body(ITEM_WRAPPERS[kind]), ITEM_AMOUNTS)
    _apply(ctx, _editable(ctx, record), [(item, changes)])
    return requisitions.render_item(ctx, item, kind)


def bulk_item_update(ctx: Ctx):
    """PATCH /rest/v1.0/requisitions/{rid}/bulk_item_update: several items of any type, all or nothing.

    The 200 answer has no published schema; the updated items come back as the item lists show them.
    """
    record = _requisition(ctx)
    entries = ctx.json_body().get("requisition_items")
    if not isinstance(entries, list):
        raise error(400, {"requisition_items": ["is missing"]})
    amounts = ITEM_AMOUNTS + ("subcontractor_claimed_amount",)
    updates = [(_bulk_target(record, entry, n), _item_changes(entry, amounts)) for n, entry in enumerate(entries)]
    _apply(ctx, _editable(ctx, record), updates)
    kinds = {item_type: kind for kind, item_type in requisitions.ITEM_KINDS.items()}
    return [requisitions.render_item(ctx, item, kinds[_type_of(item)]) for item, _changes in updates]


def _bulk_target(record: dict, entry, position: int) -> dict:
    where = f"requisition_items[{position}]"
    if not isinstance(entry, dict):
        raise error(422, {where: ["is invalid"]})
    if entry.get("item_type") is not None and entry["item_type"] not in ITEM_TYPES:
        raise error(422, {where: ["item_type is not included in the list"]})
    for item in record.get("items", []):
        if item["id"] == entry.get("id") and entry.get("item_type") in (None, _type_of(item)):
            return item
    raise error(422, {where: ["id is not an item of this requisition"]})


def _type_of(item: dict) -> str:
    return item.get("item_type", "contract_item")
