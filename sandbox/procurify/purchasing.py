"""Purchase order and order item endpoints (v2 reads, v3 update / close / reopen / billing history)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..core.http import HttpError, Response
from . import listing, orders
from .context import Ctx, error, field_errors

STATUSES = ("all", "open", "partial", "closed", "cancelled", "paid")
OPEN_STATES = (0, 5)  # PURCHASED, REOPENED
PO_FILTERS = [
    ("date", "date", "date"),
    ("modified_date", "date", "last_modified"),
    ("promise_date", "date", "promise_date"),
    ("pref_vendor", "int", "pref_vendor"),
    ("contract", "int", "contract"),
]
PO_ORDER = {"date": "date", "last_modified": "last_modified", "procurify_PO": "id", "promise_date": "promise_date"}
PO_REQUIRED = (
    "buyer_address",
    "buyer_addressLineOne",
    "buyer_city",
    "buyer_contact",
    "buyer_country",
    "buyer_name",
    "buyer_postalCode",
    "discount",
    "order_items",
    "promise_date",
    "receiver_address",
    "receiver_addressLineOne",
    "receiver_city",
    "receiver_contact",
    "receiver_country",
    "receiver_name",
    "receiver_postalCode",
    "tax",
    "version",
)
PO_TEXT = tuple(f"{p}_{k}" for p in ("buyer", "receiver") for k in orders.PARTIES) + ("PO_Num", "comment")


def _in_status(po: dict, status: str) -> bool:
    state, fulfilment = po.get("state", 0), po.get("fulfilment_status", "empty")
    return {
        "all": True,
        "open": state in OPEN_STATES and fulfilment != "partial",
        "partial": state in OPEN_STATES and fulfilment == "partial",
        "closed": state == 3,
        "cancelled": state == 1,
        "paid": state == 4,
    }[status]


def _in_role(po: dict, role: str) -> bool:
    # An API client sees every order it purchased; "receivable" keeps those still awaiting goods.
    return role == "purchased" or (po.get("state", 0) in OPEN_STATES and po.get("fulfilment_status") != "full")


def list_purchase_orders(ctx: Ctx) -> dict:
    role, status = ctx.params["role"], ctx.params["status"]
    if role not in ("purchased", "receivable") or status not in STATUSES:
        raise error(404, "Not found.")
    every = ctx.all("purchase_orders")
    rows = [po for po in every if _in_role(po, role) and _in_status(po, status)]
    rows = listing.apply_order(listing.apply_filters(rows, ctx, PO_FILTERS), ctx, PO_ORDER)
    page, pagination = listing.paginate(rows, ctx)
    counts = {}
    for name in ("purchased", "receivable"):
        mine = [po for po in every if _in_role(po, name)]
        # The published counts name every status but "paid".
        counts[name] = {s: sum(1 for po in mine if _in_status(po, s)) for s in STATUSES if s != "paid"}
        counts[name]["page"] = pagination["current_page"]
    data = [orders.purchase_order(ctx, po) for po in page]
    return listing.envelope(data, pagination, counts=counts)


def _po(ctx: Ctx, key: str) -> dict:
    """A purchase order by its number or its UUID."""
    if key.isdigit():
        return ctx.record("purchase_orders", key)
    found = next((po for po in ctx.all("purchase_orders") if po["uuid"] == key), None)
    if found is None:
        raise error(404, "Not found.")
    return found


def get_purchase_order(ctx: Ctx) -> dict:
    po = _po(ctx, ctx.params["id"])
    return listing.single(orders.purchase_order(ctx, po, detail=True), can_edit=True, can_delete=False)


def _decimal(errors: dict, name: str, value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors[name] = ["A valid number is required."]
        return None


def _apply_lines(ctx: Ctx, po: dict, lines: list) -> None:
    mine = {item["id"]: item for item in orders.lines(ctx, po["id"])}
    errors: dict = {}
    for position, line in enumerate(lines):
        item = mine.get(line.get("id")) if isinstance(line, dict) else None
        if item is None:
            errors[f"order_items[{position}]"] = ["Order item does not belong to this purchase order."]
            continue
        for name in ("quantity", "price"):
            if name in line and _decimal(errors, name, line[name]) is not None:
                item[name] = str(line[name])
        item.update({k: line[k] for k in ("name", "sku", "unit", "po_note") if k in line})
        item.update(last_modified=ctx.now, po_version=po["version"] + 1)
    if errors:
        raise field_errors(errors)


def update_purchase_order(ctx: Ctx) -> dict:
    po = ctx.record("purchase_orders", ctx.params["procurify_PO"])
    body = ctx.body()
    missing = {name: ["This field is required."] for name in PO_REQUIRED if name not in body}
    if missing:
        raise field_errors(missing)
    conflict = ctx.config["po_version_conflict_status"]
    if conflict and body["version"] != po.get("version", 1):
        raise error(conflict, "This purchase order was changed by someone else; reload it and try again.")
    _apply_lines(ctx, po, body["order_items"] if isinstance(body["order_items"], list) else [])
    po.update({name: body[name] for name in PO_TEXT + ("promise_date", "freight", "other") if name in body})
    po.update(version=po.get("version", 1) + 1, last_modified=ctx.now)
    return listing.single(_update_shape(ctx, po))


def _update_shape(ctx: Ctx, po: dict) -> dict:
    """``PurchaseOrderUpdate``: what a PUT answers."""
    data = {name: po.get(name, "") for name in PO_TEXT}
    data.update(PO_Num=po.get("PO_Num"), comment=po.get("comment"))
    data.update(buyer_address=po["location"], receiver_address=po["location"])
    data.update(
        version=po["version"],
        order_items=[
            {
                "id": item["id"],
                "name": item["name"],
                "sku": item.get("sku", ""),
                "unit": item.get("unit", "ea"),
                "quantity": item["quantity"],
                "price": item["price"],
                "po_note": item.get("po_note", ""),
                "custom_fields": [],
                "tax_amount": None,
                "shipping_amount": None,
            }
            for item in orders.lines(ctx, po["id"])
        ],
        promise_date=po.get("promise_date"),
        freight=orders.money(po.get("freight")),
        other=orders.money(po.get("other")),
        discount={},
        tax={},
        disclaimer_description=None,
        disclaimer_text=None,
        payment_term_ref=None,
        shipping_term_ref=None,
        payment_method_ref=None,
        shipping_method_ref=None,
        creditcard=None,
        expiry_date=None,
        contract=po.get("contract"),
    )
    return data


def _transition(ctx: Ctx, allowed: tuple[int, ...], target: int, verb: str) -> dict:
    po = ctx.record("purchase_orders", ctx.params["procurify_PO"])
    if po.get("state", 0) not in allowed:
        raise HttpError(Response.json({"detail": f"This purchase order cannot be {verb}."}, 400))
    po.update(state=target, last_modified=ctx.now, closed_date=ctx.now if target == 3 else None)
    return listing.single(orders.read_docs(ctx, po))


def close_purchase_order(ctx: Ctx) -> dict:
    return _transition(ctx, (0, 4, 5), 3, "closed")


def reopen_purchase_order(ctx: Ctx) -> dict:
    return _transition(ctx, (3,), 5, "reopened")


def billing_history(ctx: Ctx) -> dict:
    billed: dict[int, Decimal] = {}
    for line in ctx.all("bill_items"):
        if line.get("orderitem"):
            billed[line["orderitem"]] = billed.get(line["orderitem"], Decimal("0")) + Decimal(line["quantity"])
    data = []
    for po in ctx.all("purchase_orders"):
        items = orders.lines(ctx, po["id"])
        rows = [
            {"id": i["id"], "billed_qty": str(billed.get(i["id"], Decimal("0"))), "received_qty": i["receivedPassQty"]}
            for i in items
        ]
        pending = any(Decimal(r["billed_qty"]) < Decimal(i["quantity"]) for r, i in zip(rows, items, strict=True))
        data.append({"id": po["id"], "number": str(po["id"]), "has_unbilled_unreceived_items": pending, "items": rows})
    return listing.single(data)


# -- order items --------------------------------------------------------------------------------------


def _item_filters(ctx: Ctx) -> list:
    def account(item):
        return ctx.store.get("accounts", item["account"]) or {}

    def po(item):
        return ctx.store.get("purchase_orders", item.get("purchase_order")) or {}

    def department(item):
        return ctx.store.get("departments", account(item).get("department")) or {}

    return [
        ("last_modified", "date", "last_modified"),
        ("approved_datetime", "date", "approved_datetime"),
        ("po_created_date", "date", lambda i: po(i).get("date")),
        ("purchased_date", "date", lambda i: po(i).get("date")),
        ("order_created_date", "date", "submitted_date"),
        ("status", "int", "status"),
        ("account", "int", "account"),
        ("account_code", "int", lambda i: account(i).get("account_code")),
        ("department", "int", lambda i: account(i).get("department")),
        ("location", "int", lambda i: department(i).get("branch")),
        ("branch", "int", lambda i: department(i).get("branch")),
        ("po_vendor", "int", lambda i: po(i).get("pref_vendor")),
        ("pref_vendor", "int", "pref_vendor"),
        ("orderNum", "int", "orderNum"),
        ("purchaser", "int", "purchaser"),
        ("requester", "int", "requester"),
        ("is_purchased", "bool", lambda i: i.get("purchase_order") is not None),
        ("name", "text", "name"),
        ("sku", "exact", "sku"),
        ("search", "text", "name"),
    ]


def list_order_items(ctx: Ctx) -> dict:
    order = {"id": "id", "last_modified": "last_modified", "name": "name", "approved_datetime": "approved_datetime"}
    render = lambda item: orders.order_item(ctx, item)  # noqa: E731 - a one-line adapter
    return listing.listing(ctx, ctx.all("order_items"), _item_filters(ctx), render, order)
