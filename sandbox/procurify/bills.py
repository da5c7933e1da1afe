"""AP bills: the v3 list, the v2 detail (by UUID or id) and the v2 bill items.

Bill ``status`` is an integer (0 Draft, 1 Confirmed, 2 Approved, 3 Denied, 4 Paid, 5 Withdrawn,
6 Payment Confirmed, 7 Payment Approved, 8 Payment Limbo); ``type`` 0 order, 1 expense, 2 card.
The published bill schemas type amounts as JSON numbers, so totals are rendered as floats here and
only here; records keep them as decimal strings.
"""

from __future__ import annotations

from decimal import Decimal

from . import listing, orders, shapes
from .context import Ctx, error

PERMISSIONS = {"can_edit": False, "can_delete": False, "can_approve": False}


def bill_lines(ctx: Ctx, bill_id: int) -> list[dict]:
    return ctx.children("bill_items", "bill", bill_id)


def line_total(line: dict) -> Decimal:
    return Decimal(str(line["quantity"])) * Decimal(str(line["unit_cost"]))


def bill_total(ctx: Ctx, bill_id: int) -> Decimal:
    return sum((line_total(line) for line in bill_lines(ctx, bill_id)), Decimal("0"))


def _past_due(ctx: Ctx, bill: dict) -> bool:
    return bool(bill.get("due_date")) and bill["due_date"] < ctx.now and bill.get("status") not in (4, 6)


def _payment_uuid(ctx: Ctx, bill: dict) -> str | None:
    payment = ctx.get("payments", bill.get("payment"))
    return payment["uuid"] if payment else None


def simple_bill(ctx: Ctx, bill: dict) -> dict:
    """``SimpleBill``: one row of /api/v3/ap/bills/."""
    vendor = ctx.store.get("vendors", bill["vendor"]) or {"name": ""}
    data = {
        "version": bill.get("version", 1),
        "id": bill["id"],
        "status": bill["status"],
        "locked": bill["status"] in (4, 6),
        "currency": shapes.currency(ctx, bill.get("currency"), "simple"),
        "uuid": bill["uuid"],
        "items": [line["id"] for line in bill_lines(ctx, bill["id"])],
        "vendor": {"id": bill["vendor"], "name": vendor["name"]},
        "due_date": bill.get("due_date"),
        "total_cost_with_tax": float(bill_total(ctx, bill["id"])),
        "invoice_date": bill.get("invoice_date"),
        "next_approver_choices": None,
        "last_modified_datetime": bill["last_modified_datetime"],
        "submitted_date": bill.get("submitted_date"),
        "gl_post_date": bill.get("gl_post_date"),
        "invoice_number": bill.get("invoice_number", ""),
        "group": bill.get("group"),
        "type": bill.get("type", 0),
        "user": shapes.simple_user(ctx, bill["user"]),
        "approver": None,
        "past_due": _past_due(ctx, bill),
        "payment_uuid": _payment_uuid(ctx, bill),
    }
    if bill.get("last_export_date"):
        data["last_export_date"] = bill["last_export_date"]
        data["last_export_user"] = shapes.simple_user_profile(ctx, bill["user"])
    return data


def _filters(ctx: Ctx) -> list:
    def vendor_name(bill):
        return (ctx.store.get("vendors", bill["vendor"]) or {}).get("name", "")

    return [
        ("last_modified_datetime", "datetime", "last_modified_datetime"),
        ("modified_date", "date", "last_modified_datetime"),
        ("submitted_date", "date", "submitted_date"),
        ("invoice_date", "date", "invoice_date"),
        ("due_date", "date", "due_date"),
        ("gl_post_date", "date", "gl_post_date"),
        ("last_export_date", "date", "last_export_date"),
        ("is_exported", "bool", lambda b: bool(b.get("last_export_date"))),
        ("has_payment", "bool", lambda b: bool(b.get("payment"))),
        ("type", "int", "type"),
        ("vendor", "int", "vendor"),
        ("user", "int", "user"),
        ("group", "int", "group"),
        ("currency", "int", "currency"),
        ("search", "text", lambda b: f"{b.get('invoice_number', '')} {vendor_name(b)}"),
    ]


def list_bills(ctx: Ctx) -> dict:
    order = {
        "id": "id",
        "last_modified_datetime": "last_modified_datetime",
        "invoice_date": "invoice_date",
        "due_date": "due_date",
        "submitted_date": "submitted_date",
    }
    rows = listing.apply_filters(ctx.all("bills"), ctx, _filters(ctx))
    rows = listing.apply_order(rows, ctx, order)
    page, pagination = listing.paginate(rows, ctx)
    summary = {
        "has_multiple_currency": len({b.get("currency") for b in rows}) > 1,
        "total_cost": float(sum((bill_total(ctx, b["id"]) for b in rows), Decimal("0"))),
    }
    data = [simple_bill(ctx, bill) for bill in page]
    return listing.envelope(data, pagination, summary=summary, permissions=PERMISSIONS)


def bill_item(ctx: Ctx, line: dict) -> dict:
    """``ItemReadSerializer_v2``: one bill line, coded through its cost allocation to an account."""
    bill = ctx.store.get("bills", line["bill"]) or {}
    currency = shapes.currency(ctx, bill.get("currency"))
    total = float(line_total(line))
    data = {
        "description": line.get("description", ""),
        "id": line["id"],
        "bill": line["bill"],
        "vendor": shapes.vendor(ctx.store.get("vendors", bill["vendor"])),
        "sku": line.get("sku", ""),
        "unit": line.get("unit", "ea"),
        "quantity": line["quantity"],
        "currency": currency,
        "total_cost": total,
        "received_on": line.get("received_on") or line.get("created_at"),
        "packing_slips": [],
        "cost_allocations": [
            {
                "id": line["id"],
                "budget": shapes.account(ctx, line["account"]),
                "object_id": line["id"],
                "amount": orders.money(line_total(line)),
                "currency": currency,
                "created_on": line.get("created_at"),
            }
        ],
        "archived": False,
        "expense": None,
        "same_unit_cost": True,
        "creditcard_item": None,
        "is_edited": False,
        "unit_cost_diff_log": None,
        "tax_name": "",
        "tax_percentage": None,
        "tax_amount": 0.0,
        "tax_is_inclusive": False,
        "tax": None,
        "total_cost_with_tax": total,
        "shipping_amount": None,
        "unit_cost": float(Decimal(str(line["unit_cost"]))),
        "custom_fields": [],
        "item_type": 0,
        "type": "order",
        "bill_by_cost": False,
    }
    po = ctx.get("purchase_orders", line.get("po"))
    if po:
        data["po"] = {"number": str(po["id"]), "id": po["id"], "uuid": po["uuid"]}
        item = ctx.get("order_items", line.get("orderitem"))
        if item:
            data["orderitem"] = {**orders.po_line(ctx, item, po), "attachments": ""}
    return data


def _bill_payment(ctx: Ctx, bill: dict) -> dict | None:
    payment = ctx.get("payments", bill.get("payment"))
    if payment is None:
        return None
    method = payment.get("method") or {}
    return {
        "id": payment["id"],
        "payment": {
            "id": payment["id"],
            "user": payment["creator"],
            "approver": None,
            "status": payment["status"],
            "currency": payment["currency"],
            "amount": payment["amount"],
            "payment_method": method.get("id"),
            "payment_date": payment.get("payment_date"),
            "memo": payment.get("memo", ""),
            "reference_number": payment.get("reference_number", ""),
            "is_processed": payment["status"] == 5,
        },
        "payment_method": {
            "id": method.get("id", 0),
            "vendor": bill["vendor"],
            "name": method.get("name", ""),
            "type": method.get("type", 0),
            "data": "",
            "currency": shapes.currency(ctx, payment["currency"]),
        },
        "amount": orders.money(bill_total(ctx, bill["id"])),
        "transaction": None,
    }


def _vendor_copy(vendor: dict) -> dict:
    pairs = {
        "vendor_contact": "contact",
        "vendor_address_one": "addressLineOne",
        "vendor_address_two": "addressLineTwo",
        "vendor_postal_code": "postalCode",
        "vendor_city": "city",
        "vendor_state_province": "state_province",
        "vendor_country": "country",
    }
    return {"vendor_name": vendor.get("name", ""), **{key: vendor.get(src) or "" for key, src in pairs.items()}}


def _linked_po(ctx: Ctx, po: dict) -> dict:
    """``BillPurchaseOrderDocs``."""
    currency = shapes.currency(ctx, po.get("currency"))["name"]
    total = orders.money(orders.total(ctx, po))
    return {"id": po["id"], "number": str(po["id"]), "currency": currency, "total_amount": total}


def bill_read(ctx: Ctx, bill: dict) -> dict:
    """``BillRead``: the v2 detail with lines, status history, payment and linked purchase orders."""
    vendor = ctx.store.get("vendors", bill["vendor"]) or {"id": bill["vendor"], "name": ""}
    total = float(bill_total(ctx, bill["id"]))
    history = [
        {"id": bill["id"] * 100 + n, "user": shapes.user_summary(ctx, s["user"]), "date": s["date"]}
        | {"status": s["status"], "bill": bill["id"]}
        for n, s in enumerate(bill.get("history") or [])
    ]
    linked = [ctx.get("purchase_orders", po_id) for po_id in bill.get("purchase_orders") or []]
    data = {key: value for key, value in simple_bill(ctx, bill).items() if key in ("version", "id", "uuid", "locked")}
    data.update(
        user=shapes.user_summary(ctx, bill["user"]),
        vendor=shapes.vendor(vendor),
        approval_chain=None,
        approver=None,
        items=[bill_item(ctx, line) for line in bill_lines(ctx, bill["id"])],
        costs=[],
        invoice_attachments=[],
        bill_statuses=history,
        currency=shapes.currency(ctx, bill.get("currency")),
        comments=[],
        version_choices=[],
        next_approver_choices=None,
        bill_payment=_bill_payment(ctx, bill),
        **_vendor_copy(vendor),
        **{key: bill.get(key) for key in ("last_modified_datetime", "submitted_date", "invoice_date", "due_date")},
        invoice_number=bill.get("invoice_number", ""),
        payment_terms=bill.get("payment_terms", "Net 30"),
        status=bill["status"],
        type=bill.get("type", 0),
        active=True,
        note=bill.get("note", ""),
        gl_post_date=bill.get("gl_post_date"),
        group=bill.get("group"),
        payment_method=None,
        payment_method_name="",
        added_purchase_orders=[_linked_po(ctx, po) for po in linked if po],
        shipping_amount=0.0,
    )
    for name in ("tax_amount", "inclusive_tax_amount", "exclusive_tax_amount"):
        data[name] = 0.0
    for name in ("subtotal_cost", "total_cost", "total_cost_with_tax", "converted_total_cost"):
        data[name] = total
    return data


def get_bill(ctx: Ctx) -> dict:
    key = ctx.params["id"]
    bill = next((b for b in ctx.all("bills") if b["uuid"] == key), None)
    if bill is None and key.isdigit() and ctx.config["bill_detail_accepts_id"]:
        bill = ctx.get("bills", int(key))
    if bill is None:
        raise error(404, "Not found.")
    summary = {"has_multiple_currency": False, "total_cost": float(bill_total(ctx, bill["id"]))}
    return listing.single(bill_read(ctx, bill), summary=summary, permissions=PERMISSIONS)


def list_items(ctx: Ctx) -> dict:
    def bill(line):
        return ctx.store.get("bills", line["bill"]) or {}

    def account(line):
        return ctx.store.get("accounts", line["account"]) or {}

    def branch(line):
        return (ctx.store.get("departments", account(line).get("department")) or {}).get("branch")

    filters = [
        ("bill", "int", "bill"),
        ("bill_uuid", "exact", lambda line: bill(line).get("uuid")),
        ("vendor", "int", lambda line: bill(line).get("vendor")),
        ("department", "int", lambda line: account(line).get("department")),
        ("location", "int", branch),
        ("created_at", "date", "created_at"),
        ("received_on", "date", "received_on"),
        ("billed", "bool", lambda line: line.get("bill") is not None),
        ("search", "text", "description"),
    ]
    rows = listing.apply_order(listing.apply_filters(ctx.all("bill_items"), ctx, filters), ctx, {"id": "id"})
    page, pagination = listing.paginate(rows, ctx)
    summary = {"total_items": len(rows), "total_cost": float(sum((line_total(r) for r in rows), Decimal("0")))}
    return listing.envelope([bill_item(ctx, line) for line in page], pagination, summary=summary)
