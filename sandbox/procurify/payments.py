"""Payments: the deprecated ``/api/v2/ap/payments/`` and its replacement ``/api/public/v1/payments/``.

v2 speaks integer statuses (0 Draft, 1 Confirmed, 2 Approved, 3 Denied, 4 Void, 5 Paid, 6 Partially
Paid, 7 Processing, 8 Failed, 9 Scheduled) and ``payment_date_0/1``; public v1 speaks strings and
``*_after`` / ``*_before`` ranges. A payment settles the bills of the groups it lists.
"""

from __future__ import annotations

from decimal import Decimal

from . import listing, shapes
from .bills import PERMISSIONS, bill_total
from .context import Ctx, error

#: v2 integer status -> public v1 string. Void and Partially Paid have no public name; the public
#: status is nullable, so they render as null and "processing" (an assumption, noted as such).
PUBLIC_STATUS = {
    0: "draft",
    1: "pending_approval",
    2: "approved",
    3: "denied",
    4: None,
    5: "paid",
    6: "processing",
    7: "processing",
    8: "failed",
    9: "scheduled",
}


def _bills(ctx: Ctx, payment: dict) -> list[dict]:
    return [b for b in (ctx.get("bills", bill_id) for bill_id in payment.get("bills") or []) if b]


def _vendor_name(ctx: Ctx, payment: dict) -> str | None:
    bills = _bills(ctx, payment)
    return (ctx.store.get("vendors", bills[0]["vendor"]) or {}).get("name") if bills else None


def _user_docs(ctx: Ctx, user_id: int) -> dict:
    return {**shapes.simple_user_summary(ctx, user_id), "approval_delegatee": None}


def _bill_payment(ctx: Ctx, payment: dict, bill: dict) -> dict:
    vendor = ctx.store.get("vendors", bill["vendor"]) or {"name": ""}
    method = payment.get("method") or {}
    return {
        "id": bill["id"],
        "bill": {
            "id": bill["id"],
            "uuid": bill["uuid"],
            "vendor": {"id": bill["vendor"], "name": vendor["name"]},
            "tax_amount": 0.0,
            "vendor_name": vendor["name"],
            "due_date": bill.get("due_date"),
            "status": bill["status"],
            "type": bill.get("type", 0),
            "group": bill.get("group") or 0,
        },
        "user": _user_docs(ctx, payment["creator"]),
        "payment_method": {
            "id": method.get("id", 0),
            "vendor": bill["vendor"],
            "name": method.get("name", ""),
            "type": method.get("type", 0),
            "data": {},
            "currency": shapes.currency(ctx, payment["currency"]),
        },
        "amount": str(bill_total(ctx, bill["id"]).quantize(Decimal("0.01"))),
        "transaction": None,
    }


def payment_v2(ctx: Ctx, payment: dict) -> dict:
    """``PaymentListRead``."""
    method = payment.get("method") or {}
    return {
        "id": payment["id"],
        "bill_payments": [_bill_payment(ctx, payment, bill) for bill in _bills(ctx, payment)],
        "payment_method_type": method.get("type", 0),
        "payment_method": {
            "id": method.get("id", 0),
            "name": method.get("name", ""),
            "type": method.get("type", 0),
            "data": {},
            "currency": shapes.currency(ctx, payment["currency"]),
            "gl_code": method.get("gl_code", ""),
        },
        "payment_date": payment.get("payment_date"),
        "amount": payment["amount"],
        "total_amount_with_tax": payment["amount"],
        "tax_amount": "0.00",
        "inclusive_tax_amount": "0.00",
        "exclusive_tax_amount": "0.00",
        "currency": shapes.currency(ctx, payment["currency"]),
        "status": payment["status"],
        "next_approver_choices": [],
    }


def list_payments_v2(ctx: Ctx) -> dict:
    if ctx.config["v2_payments_removed"]:
        raise error(404, "Not found.")
    filters = [
        ("payment_date", "date", "payment_date"),
        ("currency", "int", "currency"),
        ("payment_method__type", "int", lambda p: (p.get("method") or {}).get("type")),
        ("search", "text", lambda p: f"{p.get('reference_number', '')} {_vendor_name(ctx, p) or ''}"),
    ]
    order = {"id": "id", "payment_date": "payment_date", "amount": lambda p: Decimal(p["amount"])}
    rows = listing.apply_order(listing.apply_filters(ctx.all("payments"), ctx, filters), ctx, order)
    page, pagination = listing.paginate(rows, ctx)
    summary = {"total_cost": float(sum((Decimal(p["amount"]) for p in rows), Decimal("0")))}
    data = [payment_v2(ctx, p) for p in page]
    return listing.envelope(data, pagination, summary=summary, permissions=PERMISSIONS)


def payment_public(ctx: Ctx, payment: dict) -> dict:
    """``PaymentResponse`` of the public v1 API."""
    creator = ctx.store.get("users", payment["creator"]) or {}
    currency = shapes.currency(ctx, payment["currency"], "simple")
    groups = sorted({b["group"] for b in _bills(ctx, payment) if b.get("group") is not None})
    return {
        "id": payment["id"],
        "uuid": payment["uuid"],
        "payment_source_name": None,
        "payment_source_type": "external",
        "external_payment_source_id": None,
        "creator": {
            "email": creator.get("email", ""),
            "first_name": creator.get("firstName", ""),
            "last_name": creator.get("lastName", ""),
        },
        "created_at": payment["created_at"],
        "updated_at": payment["updated_at"],
        "amount": payment["amount"],
        "currency": {"id": currency["id"], "name": currency["name"]},
        "status": PUBLIC_STATUS.get(payment["status"]),
        "processing_date": payment.get("processing_date"),
        "direct_debit_bank_account_mask": None,
        "vendor_name": _vendor_name(ctx, payment),
        "posted_date": payment.get("posted_date"),
        "gl_code": (payment.get("method") or {}).get("gl_code"),
        "vendor_payment_method_country_code": None,
        "vendor_payment_method_rail": None,
        "bill_groups": groups,
    }


def list_payments_public(ctx: Ctx) -> dict:
    def vendor(payment):
        return [b["vendor"] for b in _bills(ctx, payment)]

    filters = [
        ("created_at", "after_before", "created_at"),
        ("updated_at", "after_before", "updated_at"),
        ("processing_date", "after_before", "processing_date"),
        ("status", "str_list", lambda p: PUBLIC_STATUS.get(p["status"])),
        ("ids", "int_list", "id"),
        ("bill_groups", "int_list", lambda p: [b.get("group") for b in _bills(ctx, p)]),
        ("vendor", "int_list", vendor),
        ("currency", "int", "currency"),
        ("invoice_number", "str_list", lambda p: [b.get("invoice_number") for b in _bills(ctx, p)]),
    ]
    order = {"created_at": "created_at", "updated_at": "updated_at"}
    return listing.listing(ctx, ctx.all("payments"), filters, lambda p: payment_public(ctx, p), order)
