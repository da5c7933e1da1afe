"""Which rules apply to which entity: checks on PUT, computed fields after a write, and actions."""

from __future__ import annotations

from . import bills, orders, payments
from .bills import Context
from .entities import Entity
from .refs import empty, ref_errors

VALIDATORS = {
    "Bill": bills.validate,
    "Check": payments.validate,
    "PurchaseOrder": orders.validate_order,
    "Subcontract": orders.validate_subcontract,
}
SETTLERS = {
    "Bill": bills.settle,
    "Check": payments.settle,
    "PurchaseOrder": orders.settle_order,
    "Subcontract": orders.settle_subcontract,
}
ACTIONS = {
    ("Bill", "ReleaseBill"): bills.release,
    ("Check", "ReleaseCheck"): payments.release,
    ("Check", "VoidCheck"): payments.void,
    ("Subcontract", "ReleaseFromHold"): orders.release_from_hold,
    ("Subcontract", "PutOnHold"): orders.put_on_hold,
}
#: documents whose released state forbids edits other than the description and the note
GUARDS = {"Bill": bills.guard_released}
#: reference entities default to Active on insert (the forms' default)
ACTIVE_DEFAULTS = {"Vendor": ("Status", "Active"), "Account": ("Active", True), "Subaccount": ("Active", True)}


def validate(ctx: Context, entity: Entity, fields: dict, record: dict | None) -> tuple[dict, dict[int, dict]]:
    """Header errors {field: message} and line errors {line index: {field: message}}."""
    validator = VALIDATORS.get(entity.name)
    if validator:
        header, lines = validator(ctx, fields, record)
    else:
        header, lines = ref_errors(ctx.store, fields, entity.refs), {}
    if record is None and not entity.numbered:
        header.update({key: empty(key) for key in entity.keys if fields.get(key) in (None, "")})
    return header, lines


def settle(ctx: Context, entity: Entity, record: dict, inserted: bool, tracked: bool) -> None:
    """Entity rules after a write, then the LastModifiedDateTime bump."""
    if inserted and entity.name in ACTIVE_DEFAULTS:
        name, value = ACTIVE_DEFAULTS[entity.name]
        record.setdefault(name, value)
    settler = SETTLERS.get(entity.name)
    if settler:
        settler(ctx, record, inserted)
    if tracked:
        if inserted or "CreatedDateTime" not in record:
            record.setdefault("CreatedDateTime", ctx.now)
        record["LastModifiedDateTime"] = ctx.now
