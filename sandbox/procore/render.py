"""How stored Procore reference records look on the wire, field for field as the published schemas show.

Stored records are flat and hold ids; the API nests some references and computes totals. Money is a
decimal string with two places, ids are (int64) integers, timestamps ISO 8601 UTC, dates YYYY-MM-DD.
Every renderer builds its output from an explicit field list taken from the published response schema
(``sandbox/procore/contract/``), so a stored helper field never leaks onto the wire.

Shapes worth knowing:

- ``base_type`` of a cost type ("line item type") is the published lower-case enum (``materials``,
  ``commitment``, ...). Stored values are lower-cased; two common legacy spellings are mapped;
- a contract's ``vendor`` is ``{id, company, origin_id, origin_data}`` with ``company`` a string; the
  commitments list has ``vendor{id, name}``;
- contract and direct-cost line items nest ``cost_code{id, full_code, name, origin_id}`` and
  ``line_item_type{id, name, code, base_type, origin_data, origin_id}`` (no ``*_id`` fields).
"""

from __future__ import annotations

from decimal import Decimal

from ..core.store import Store

#: legacy seeds spelled base types like the UI labels; the API speaks the enum
BASE_TYPE_ALIASES = {"material": "materials", "subcontract": "commitment"}


def money(value) -> str:
    return str(Decimal(str(value or 0)).quantize(Decimal("0.01")))


def total(lines: list[dict], *fields: str) -> Decimal:
    return sum((Decimal(str(line.get(f) or 0)) for line in lines for f in fields), Decimal(0))


def pick(record: dict, *names: str) -> dict:
    return {name: record.get(name) for name in names}


def company(record: dict) -> dict:
    return {"id": record["id"], "name": record.get("name"), "is_active": record.get("is_active", True)}


PROJECT_FIELDS = (
    "id",
    "name",
    "display_name",
    "project_number",
    "active",
    "origin_id",
    "origin_data",
    "origin_code",
    "created_at",
    "updated_at",
)


def project(record: dict, owner: dict) -> dict:
    out = pick(record, *PROJECT_FIELDS)
    out["display_name"] = record.get("display_name") or f"{record.get('project_number')} - {record.get('name')}"
    out["active"] = record.get("active", True)
    out["company"] = {"id": owner["id"], "name": owner.get("name")}
    return out


def vendor(record: dict) -> dict:
    """The vendor's published schema is empty ("Vendor Extended View"); these are the fields the facts list."""
    out = pick(record, "id", "name", "abbreviated_name", "origin_id", "origin_data", "origin_code")
    out["company"] = record.get("company") or record.get("name")
    out["is_active"] = record.get("is_active", True)
    out["synced_to_erp"] = bool(record.get("origin_id"))
    out.update(pick(record, "created_at", "updated_at"))
    return out


def base_type(value) -> str | None:
    text = str(value).lower() if value else None
    return BASE_TYPE_ALIASES.get(text, text)


def line_item_type(record: dict) -> dict:
    out = pick(record, "id", "name", "code", "origin_data", "origin_id")
    out["base_type"] = base_type(record.get("base_type"))
    return out


def line_item_type_ref(store: Store, type_id) -> dict | None:
    kind = store.get("line_item_types", type_id)
    return line_item_type(kind) if kind else None


def cost_code_ref(store: Store, cost_code_id) -> dict | None:
    code = store.get("cost_codes", cost_code_id)
    return pick(code, "id", "full_code", "name", "origin_id") if code else None


def _standard_list_id(store: Store, record: dict) -> int | None:
    if record.get("standard_cost_code_list_id") is not None:
        return record["standard_cost_code_list_id"]
    standard = store.get("standard_cost_codes", record.get("standard_cost_code_id"))
    return standard.get("standard_cost_code_list_id") if standard else None


def cost_code(store: Store, record: dict) -> dict:
    """A project cost code with every field of the published show schema.

    The project is the biller (no sub jobs here) and ``biller`` its name (the schema says only "Biller", a
    string); ``budgeted`` is the stored flag, false by default as no budget is kept here; the standard list
    is the record's own or that of the standard cost code it came from, null for a code made from scratch.
    """
    out = pick(record, "id", "code", "full_code", "name", "origin_id", "origin_data", "position")
    out.update(pick(record, "standard_cost_code_id", "created_at", "updated_at", "deleted_at"))
    out["standard_cost_code_list_id"] = _standard_list_id(store, record)
    out["biller_type"] = "Project"
    out["biller_id"] = record.get("project_id")
    out["biller"] = (store.get("projects", record.get("project_id")) or {}).get("name")
    out["budgeted"] = bool(record.get("budgeted", False))
    out["sortable_code"] = record.get("full_code")
    out["parent"] = {"id": record["parent_id"]} if record.get("parent_id") else None
    kinds = [line_item_type_ref(store, i) for i in record.get("line_item_type_ids", [])]
    out["line_item_types"] = [k for k in kinds if k]
    return out


def standard_cost_code_list_row(record: dict) -> dict:
    """An entry of the list endpoint: the published list items have no company_id, the show has no
    available_to_use_on_new_projects."""
    out = pick(record, "id", "name")
    out["is_erp_list"] = bool(record.get("is_erp_list"))
    out["available_to_use_on_new_projects"] = record.get("available_to_use_on_new_projects", True)
    return out


def standard_cost_code_list(record: dict) -> dict:
    out = pick(record, "id", "name", "company_id")
    out["is_erp_list"] = bool(record.get("is_erp_list"))
    return out


def standard_cost_code(record: dict) -> dict:
    return pick(
        record, "id", "standard_cost_code_list_id", "parent_id", "code", "full_code", "name", "origin_data", "origin_id"
    )


def cost_line(store: Store, line: dict, project_record: dict | None = None) -> dict:
    """A contract or direct-cost line item with nested cost code and cost type."""
    out = pick(line, "id", "description", "origin_id", "origin_data", "uom", "created_at", "updated_at")
    amount = money(line.get("amount"))
    out.update(amount=amount, total_amount=amount, extended_amount=amount, extended_type="manual")
    out["quantity"] = str(line.get("quantity", "1.0"))
    out["unit_cost"] = money(line.get("unit_cost", line.get("amount")))
    out["position"] = line.get("position", 1)
    out["cost_code"] = cost_code_ref(store, line.get("cost_code_id"))
    out["line_item_type"] = line_item_type_ref(store, line.get("line_item_type_id"))
    if project_record is not None:
        out["project"] = {"id": project_record["id"], "name": project_record.get("name")}
    return out


def contract_vendor(store: Store, vendor_id) -> dict | None:
    record = store.get("vendors", vendor_id)
    if record is None:
        return None
    return {
        "id": record["id"],
        "company": record.get("company") or record.get("name"),
        **pick(record, "origin_id", "origin_data"),
    }


def find_contract(store: Store, contract_id) -> dict | None:
    return store.get("work_order_contracts", contract_id) or store.get("purchase_order_contracts", contract_id)


def change_order_totals(store: Store, contract_id) -> tuple[Decimal, Decimal]:
    """(approved, pending) change order totals of one contract."""
    orders = list(store.find("commitment_change_orders", contract_id=contract_id))
    approved = total([o for o in orders if o.get("status") == "approved"], "grand_total")
    pending = total([o for o in orders if o.get("status") in ("pending", "pricing", "revised", "draft")], "grand_total")
    return approved, pending


def contract_money(store: Store, record: dict) -> dict:
    grand = total(record.get("line_items", []), "amount")
    paid = total(list(store.find("contract_payments", contract_id=record["id"])), "amount")
    approved, pending = change_order_totals(store, record["id"])
    revised = grand + approved
    return {
        "grand_total": money(grand),
        "approved_change_orders": money(approved),
        "pending_change_orders": money(pending),
        "revised_contract": money(revised),
        "pending_revised_contract": money(revised + pending),
        "total_payments": money(paid),
        "remaining_balance_outstanding": money(revised - paid),
        "percentage_paid": money(paid * 100 / revised if revised else 0),
    }


CONTRACT_FIELDS = (
    "id",
    "number",
    "title",
    "status",
    "executed",
    "accounting_method",
    "description",
    "private",
    "retainage_percent",
    "origin_id",
    "origin_data",
    "origin_code",
    "created_at",
    "updated_at",
    "deleted_at",
    "contract_date",
)


def contract(store: Store, record: dict, with_lines: bool = True) -> dict:
    """A work order or purchase order contract as the show endpoints publish it."""
    out = pick(record, *CONTRACT_FIELDS)
    out["accounting_method"] = record.get("accounting_method") or "amount"
    out["private"] = bool(record.get("private", False))
    out["executed"] = bool(record.get("executed", False))
    out.update(contract_money(store, record))
    out["vendor"] = contract_vendor(store, record.get("vendor_id"))
    if out["vendor"] and not with_lines:  # the list's vendor is {id, company}
        out["vendor"] = {"id": out["vendor"]["id"], "company": out["vendor"]["company"]}
    project_record = store.get("projects", record.get("project_id")) or {}
    out["project"] = {"id": record.get("project_id"), "name": project_record.get("name")}
    if with_lines:
        out["line_items"] = [cost_line(store, line) for line in record.get("line_items", [])]
    return out


def commitment(store: Store, record: dict, kind: str, full: bool) -> dict:
    """An entry of /commitments (both contract kinds); the show adds money, type and line items."""
    out = pick(record, "id", "title", "number", "status", "description", "created_at")
    out["executed"] = bool(record.get("executed", False))
    out["private"] = bool(record.get("private", False))
    vendor_record = store.get("vendors", record.get("vendor_id"))
    out["vendor"] = {"id": vendor_record["id"], "name": vendor_record.get("name")} if vendor_record else None
    if full:
        out.update(pick(record, "retainage_percent", "updated_at", "deleted_at"))
        out["accounting_method"] = record.get("accounting_method") or "amount"
        out["type"] = "WorkOrderContract" if kind == "work_order_contracts" else "PurchaseOrderContract"
        money_fields = contract_money(store, record)
        out.update({k: v for k, v in money_fields.items() if k not in ("remaining_balance_outstanding",)})
        out["remaining_balance_outstanding"] = money_fields["remaining_balance_outstanding"]
        out["line_items"] = [cost_line(store, line) for line in record.get("line_items", [])]
    return out


def change_order(store: Store, record: dict) -> dict:
    """The change order schema is unpublished; these are the fields the facts list, plus timestamps."""
    out = pick(record, "id", "contract_id", "number", "title", "status", "description", "origin_id", "origin_data")
    out.update(pick(record, "due_date", "created_at", "updated_at"))
    out["grand_total"] = money(record.get("grand_total"))
    out["executed"] = bool(record.get("executed", False))
    out["paid"] = bool(record.get("paid", False))
    return out


PAYMENT_FIELDS = (
    "id",
    "contract_id",
    "project_id",
    "requisition_id",
    "date",
    "invoice_number",
    "check_number",
    "draw_request_number",
    "payment_number",
    "notes",
    "status",
    "origin_id",
    "origin_code",
    "origin_data",
    "created_at",
    "updated_at",
)


def contract_payment(record: dict) -> dict:
    out = pick(record, *PAYMENT_FIELDS)
    out["amount"] = money(record.get("amount"))
    return out
