"""Order items and purchase orders as the published serializers render them.

A purchase order is keyed by ``procurify_PO`` (its integer number, also its ``id`` and, as a string,
its ``number``); its lines are the order items whose ``purchase_order`` points at it. ``state`` is
0 PURCHASED, 1 CANCELLED, 3 CLOSED, 4 PAID, 5 REOPENED; ``fulfilment_status`` empty, partial or full.
"""

from __future__ import annotations

from decimal import Decimal

from . import shapes
from .context import Ctx

PARTIES = ("name", "contact", "addressLineOne", "postalCode", "city", "state_province", "country")


def money(value) -> str:
    return str(Decimal(str(value or "0")).quantize(Decimal("0.01")))


def item_total(item: dict) -> Decimal:
    return Decimal(str(item["quantity"])) * Decimal(str(item["price"]))


def lines(ctx: Ctx, po_id: int) -> list[dict]:
    return ctx.children("order_items", "purchase_order", po_id)


def subtotal(ctx: Ctx, po_id: int) -> Decimal:
    return sum((item_total(i) for i in lines(ctx, po_id)), Decimal("0"))


def total(ctx: Ctx, po: dict) -> Decimal:
    return subtotal(ctx, po["id"]) + Decimal(str(po.get("freight") or "0")) + Decimal(str(po.get("other") or "0"))


# -- order items --------------------------------------------------------------------------------------


def _item_common(ctx: Ctx, item: dict) -> dict:
    code = ctx.store.get("account_codes", (ctx.store.get("accounts", item["account"]) or {}).get("account_code"))
    vendor = ctx.store.get("vendors", item["pref_vendor"]) or {}
    po_id = item.get("purchase_order")
    return {
        "PO": [po_id] if po_id else [],
        "PO_line_num": item.get("PO_line_num", 1),
        "accountCode": (code or {}).get("code", ""),
        "active": True,
        "approved_currency_rate": "1.000000",
        "approved_datetime": item.get("approved_datetime"),
        "approved_price": item.get("price"),
        "approved_shipping_amount": None,
        "approved_tax_amount": None,
        "created_at": item.get("created_at"),
        "dateInvoiced": None,
        "external_id": item.get("external_id", ""),
        "hot": False,
        "id": item["id"],
        "inventoryItem": None,
        "is_active": True,
        "item_attachments": [],
        "last_changed_by": None,
        "last_modified": item.get("last_modified"),
        "lineComment": item.get("lineComment"),
        "name": item["name"],
        "num": str(item.get("num", item["id"])),
        "orderNum": item.get("orderNum"),
        "po_note": item.get("po_note", ""),
        "po_version": item.get("po_version", 1),
        "price": item["price"],
        "purchase_order": po_id,
        "shipping_amount": None,
        "sku": item.get("sku", ""),
        "status": item.get("status", 0),
        "tax_amount": None,
        "total_cost": money(item_total(item)),
        "unit": item.get("unit", "ea"),
        "updated_at": item.get("last_modified"),
        "vendor": vendor.get("name"),
        "receive_method": 0,
        "type": 0,
    }


def order_item(ctx: Ctx, item: dict) -> dict:
    """``OrderItem``: the flat form of /api/v3/order-items/ and /api/v2/global/order_items/."""
    return {
        **_item_common(ctx, item),
        "account": item["account"],
        "approved_quantity": item["quantity"],
        "attachments": "",
        "catalog_item": None,
        "currency": item.get("currency"),
        "pref_vendor": item["pref_vendor"],
        "purchaser": item.get("purchaser"),
        "quantity": item["quantity"],
        "receivedFailQty": item.get("receivedFailQty", "0"),
        "receivedPassQty": item.get("receivedPassQty", "0"),
    }


def po_line(ctx: Ctx, item: dict, po: dict) -> dict:
    """``PurchaseOrderLineItemRead``: a line nested in a purchase order (quantities as numbers)."""
    # The published line schema types quantities as JSON numbers; the flat item list uses strings.
    return {
        **_item_common(ctx, item),
        "account": shapes.account(ctx, item["account"]),
        "approved_quantity": float(Decimal(str(item["quantity"]))),
        "attachments": [],
        "catalog_item": None,
        "currency": shapes.currency(ctx, item.get("currency"), "summary"),
        "pref_vendor": shapes.vendor(ctx.store.get("vendors", item["pref_vendor"])),
        "purchaser": shapes.user_summary(ctx, item.get("purchaser") or po["purchaser"]),
        "quantity": float(Decimal(str(item["quantity"]))),
        "receivedFailQty": float(Decimal(str(item.get("receivedFailQty", "0")))),
        "receivedPassQty": float(Decimal(str(item.get("receivedPassQty", "0")))),
        "recurrence": None,
        "requester": shapes.simple_user_summary(ctx, item.get("requester") or po["purchaser"]),
        "order_status": item.get("order_status", 3),
        "order_uuid": item.get("order_uuid"),
        "purchase_order_number": str(po["id"]),
        "purchase_order_uuid": po["uuid"],
        "submitted_date": item.get("submitted_date") or item.get("created_at"),
        "taxes": [],
    }


# -- purchase orders ----------------------------------------------------------------------------------


def _parties(ctx: Ctx, po: dict) -> dict:
    data = {}
    for party in ("buyer", "receiver"):
        data.update({f"{party}_{key}": po.get(f"{party}_{key}", "") for key in PARTIES})
        data[f"{party}_address"] = shapes.address_summary(ctx, po["location"])
    return data


def _vendor_copy(vendor: dict) -> dict:
    keys = ("contact", "addressLineOne", "postalCode", "city", "state_province")
    data = {"vendor_name": vendor.get("name")}
    data.update({f"vendor_{key}": vendor.get(key) for key in keys})
    data["vendor_country"] = vendor.get("country")
    return data


def _state_fields(po: dict) -> dict:
    return {
        "state": po.get("state", 0),
        "fulfilment_status": po.get("fulfilment_status", "empty"),
        "recorded_date": po.get("date"),
        "closed_date": po.get("closed_date"),
        "last_modified": po.get("last_modified"),
        "expiry_date": None,
        "punchout_system": None,
        "purchase_agreement": None,
        "purchase_agreement_status": None,
        "punchout_vendor_reference": None,
        "punchout_supplier_icon": None,
        "punchout_supplier_name": None,
        "has_blanket_order_items": False,
    }


def purchase_order(ctx: Ctx, po: dict, detail: bool = False) -> dict:
    """``PurchaseOrderDocs`` (list) or, with detail, ``PurchaseOrderDetail`` with its order items."""
    vendor = ctx.store.get("vendors", po["pref_vendor"]) or {"id": po["pref_vendor"], "name": ""}
    contract = ctx.store.get("contracts", po.get("contract")) or {}
    data = {
        "version": po.get("version", 1),
        "number": str(po["id"]),
        "uuid": po["uuid"],
        "purchaser": shapes.user_summary(ctx, po["purchaser"]),
        "procurify_PO": po["id"],
        "PO_Num": po.get("PO_Num"),
        "date": po.get("date"),
        **_parties(ctx, po),
        "pref_vendor": shapes.vendor(vendor),
        **_vendor_copy(vendor),
        "payment_terms": po.get("payment_terms", "Net 30"),
        "shipping_terms": po.get("shipping_terms", "FOB Destination"),
        "shipping_method": po.get("shipping_method", "Ground"),
        "promise_date": po.get("promise_date"),
        "subtotal": money(subtotal(ctx, po["id"])),
        "freight": money(po.get("freight")),
        "tax": {"value": 0.0, "type": "percentage"},
        "discount": {"value": 0.0, "type": "amount"},
        "other": money(po.get("other")),
        "total": money(total(ctx, po)),
        "comment": po.get("comment"),
        "purchased_currency": shapes.currency(ctx, po.get("currency"), "summary"),
        "purchased_currency_rate": "1.000000",
        "active": True,
        **_state_fields(po),
        "disclaimer_description": None,
        "disclaimer_text": None,
        "staged_for_export": False,
        "item_count": len(lines(ctx, po["id"])),
        "most_recent_version": po.get("version", 1),
        "contract": {"id": contract.get("id", 0), "uuid": contract.get("uuid", ""), "name": contract.get("name", "")},
    }
    if detail:
        terms = {"id": 1, "name": data["payment_terms"], "description": None, "active": True}
        data.update(
            shipping_method={"id": 1, "name": data["shipping_method"], "description": None, "active": True},
            order_items=[po_line(ctx, item, po) for item in lines(ctx, po["id"])],
            creditcard_is_editable=False,
            creditcard=None,
            payment_term=terms,
            shipping_term={**terms, "name": data["shipping_terms"]},
            cost_details=None,
        )
    return data


def read_docs(ctx: Ctx, po: dict) -> dict:
    """``PurchaseOrderReadDocs``: the answer of close (and reopen)."""
    vendor = ctx.store.get("vendors", po["pref_vendor"]) or {"id": po["pref_vendor"], "name": ""}
    simple_vendor = {key: vendor.get(key) for key in ("addressLineOne", "addressLineTwo", "postalCode", "city")}
    simple_vendor.update(state_province=vendor.get("state_province"), country=vendor.get("country"))
    state = _state_fields(po)
    return {
        "version": po.get("version", 1),
        "id": po["id"],
        "PO_Num": po.get("PO_Num"),
        "date": po.get("date"),
        "discount": {"value": 0.0, "type": "amount"},
        "freight": money(po.get("freight")),
        "fulfilment_status": state["fulfilment_status"],
        "item_count": len(lines(ctx, po["id"])),
        "last_modified": po.get("last_modified"),
        "number": str(po["id"]),
        "other": money(po.get("other")),
        "pref_vendor": {
            "id": vendor["id"],
            "name": vendor["name"],
            "active": bool(vendor.get("active", True)),
            **simple_vendor,
            "overall_score": str(vendor.get("overall_score") or ""),
            "is_auto_email_po_enabled": bool(vendor.get("is_auto_email_po_enabled", False)),
        },
        "procurify_PO": po["id"],
        "promise_date": po.get("promise_date"),
        "purchased_currency": shapes.currency(ctx, po.get("currency"), "simple"),
        "purchased_currency_rate": "1.000000",
        "purchaser": shapes.simple_user(ctx, po["purchaser"]),
        "state": state["state"],
        "subtotal": money(subtotal(ctx, po["id"])),
        "total": money(total(ctx, po)),
        "uuid": po["uuid"],
        "punchout_items_rejected": False,
        "total_amount": money(total(ctx, po)),
        "currency": shapes.currency(ctx, po.get("currency"))["name"],
        "email_status": None,
        "email_status_updated_at": None,
        **{key: state[key] for key in ("punchout_system", "purchase_agreement", "purchase_agreement_status")},
        **{key: state[key] for key in ("punchout_supplier_name", "punchout_supplier_icon")},
        "punchout_vendor_reference": None,
        "has_blanket_order_items": False,
        "expiry_date": None,
    }
