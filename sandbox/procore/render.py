"""How stored Procore records look on the wire.

Stored records are flat and hold ids; the API nests some references and computes totals. Money is a
decimal string with two places, ids are (int64) integers, timestamps are ISO 8601 UTC.

Shapes, by endpoint:

- contract and direct-cost line items carry nested ``cost_code{id,code,full_code,name}`` and
  ``line_item_type{id,name,code}`` objects (no ``*_id`` fields), as the spec says;
- requisition items carry a flat ``cost_code_id`` and ``line_item_id`` (the commitment line) as the spec
  says, plus a flat ``line_item_type_id`` unless the ``requisition_item_line_item_type`` switch is off:
  whether real items carry it is not confirmed, so a client should be able to fall back to the
  commitment line's nested ``line_item_type``.
"""

from __future__ import annotations

from decimal import Decimal

from ..core.store import Store

INTERNAL = {"line_items", "items", "app_installed", "secret"}


def money(value) -> str:
    return str(Decimal(str(value or 0)).quantize(Decimal("0.01")))


def total(lines: list[dict], *fields: str) -> Decimal:
    return sum((Decimal(str(line.get(f) or 0)) for line in lines for f in fields), Decimal(0))


def public(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in INTERNAL}


def cost_code_ref(store: Store, cost_code_id) -> dict | None:
    code = store.get("cost_codes", cost_code_id)
    if code is None:
        return None
    return {
        "id": code["id"],
        "code": code.get("code"),
        "full_code": code.get("full_code"),
        "name": code.get("name"),
    }


def line_item_type_ref(store: Store, type_id) -> dict | None:
    kind = store.get("line_item_types", type_id)
    if kind is None:
        return None
    return {"id": kind["id"], "name": kind.get("name"), "code": kind.get("code")}


def vendor_ref(store: Store, vendor_id) -> dict | None:
    vendor = store.get("vendors", vendor_id)
    return {"id": vendor["id"], "company": vendor.get("name"), "name": vendor.get("name")} if vendor else None


def cost_line(store: Store, line: dict) -> dict:
    """A contract or direct-cost line item with nested cost code and cost type."""
    out = {k: v for k, v in line.items() if k not in ("cost_code_id", "line_item_type_id")}
    out["amount"] = money(line.get("amount"))
    out["unit_cost"] = money(line.get("unit_cost", line.get("amount")))
    out["quantity"] = str(line.get("quantity", "1.0"))
    out["cost_code"] = cost_code_ref(store, line.get("cost_code_id"))
    out["line_item_type"] = line_item_type_ref(store, line.get("line_item_type_id"))
    return out


def cost_code(store: Store, record: dict) -> dict:
    out = public(record)
    out["parent"] = {"id": record.get("parent_id")} if record.get("parent_id") else None
    out["line_item_types"] = [line_item_type_ref(store, i) for i in record.get("line_item_type_ids", [])]
    return out


def contract(store: Store, record: dict) -> dict:
    out = public(record)
    grand = total(record.get("line_items", []), "amount")
    paid = total(list(store.find("contract_payments", contract_id=record["id"])), "amount")
    out.update(grand_total=money(grand), revised_contract=money(grand), total_payments=money(paid))
    out["vendor"] = vendor_ref(store, record.get("vendor_id"))
    return out


def commitment_line(store: Store, contract_record: dict, line_id) -> dict | None:
    for line in contract_record.get("line_items", []):
        if line["id"] == line_id:
            return line
    return None


def find_contract(store: Store, contract_id) -> dict | None:
    return store.get("work_order_contracts", contract_id) or store.get("purchase_order_contracts", contract_id)


def requisition_item(store: Store, item: dict, with_type: bool) -> dict:
    out = dict(item)
    for field in (
        "scheduled_value",
        "work_completed_from_previous_application",
        "work_completed_this_period",
        "materials_presently_stored",
        "work_completed_retainage_retained_this_period",
        "materials_stored_retainage_currently_retained",
    ):
        out[field] = money(item.get(field))
    done = total(
        [item],
        "work_completed_from_previous_application",
        "work_completed_this_period",
        "materials_presently_stored",
    )
    out["total_completed_and_stored_to_date"] = money(done)
    if not with_type:
        out.pop("line_item_type_id", None)
    return out


def _this_period(items: list[dict]) -> tuple[Decimal, Decimal]:
    claimed = total(items, "work_completed_this_period", "materials_presently_stored")
    retained = total(
        items,
        "work_completed_retainage_retained_this_period",
        "materials_stored_retainage_currently_retained",
    )
    return claimed, retained


def requisition(store: Store, record: dict) -> dict:
    """Requisition header with vendor_name, total_claimed_amount and a g702 summary."""
    out = public(record)
    items = record.get("items", [])
    claimed, retained = _this_period(items)
    contract_record = find_contract(store, record.get("commitment_id")) or {}
    vendor = store.get("vendors", contract_record.get("vendor_id")) or {}
    earlier = [
        r
        for r in store.find("requisitions", commitment_id=record.get("commitment_id"))
        if r.get("number", 0) < record.get("number", 0)
    ]
    previous = sum(
        (_this_period(r.get("items", []))[0] - _this_period(r.get("items", []))[1] for r in earlier),
        Decimal(0),
    )
    contract_sum = total(contract_record.get("line_items", []), "amount")
    to_date = total(items, "work_completed_from_previous_application") + claimed
    out.update(vendor_name=vendor.get("name"), total_claimed_amount=money(claimed))
    out["g702"] = {
        "original_contract_sum": money(contract_sum),
        "net_change_by_change_orders": money(0),
        "contract_sum_to_date": money(contract_sum),
        "total_completed_and_stored_to_date": money(to_date),
        "total_retainage": money(retained),
        "total_earned_less_retainage": money(to_date - retained),
        "less_previous_certificates_for_payment": money(previous),
        "current_payment_due": money(claimed - retained),
        "balance_to_finish_including_retainage": money(contract_sum - to_date + retained),
    }
    return out


def direct_cost(store: Store, record: dict, with_lines: bool) -> dict:
    out = public(record)
    out["grand_total"] = money(total(record.get("line_items", []), "amount"))
    vendor = store.get("vendors", record.get("vendor_id"))
    out["vendor"] = {"id": vendor["id"], "name": vendor.get("name")} if vendor else None
    if with_lines:
        out["line_items"] = [cost_line(store, line) for line in record.get("line_items", [])]
    return out


def contract_payment(record: dict) -> dict:
    out = public(record)
    out["amount"] = money(record.get("amount"))
    return out
