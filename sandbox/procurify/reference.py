"""Reference data: account codes, departments, locations and users.

Account codes are listed, created (POST) and updated (PUT); the published update body has no
``active`` field, so a PUT carrying one is ignored unless ``account_code_put_sets_active`` is on.
"""

from __future__ import annotations

from . import listing, shapes
from .context import Ctx, field_errors

ACCOUNT_TYPES = (0, 1, 2, 3, 4, 5)


# -- account codes ------------------------------------------------------------------------------------


def list_account_codes(ctx: Ctx) -> dict:
    filters = [
        ("active", "bool", "active"),
        ("code", "exact", "code"),
        ("is_parent", "bool", lambda r: any(c.get("parent") == r["id"] for c in ctx.all("account_codes"))),
        ("search", "text", lambda r: f"{r['code']} {r.get('description', '')}"),
    ]
    order = {"code": "code", "description": "description", "id": "id"}
    return listing.listing(ctx, ctx.all("account_codes"), filters, shapes.account_code, order)


def _account_code_fields(ctx: Ctx, body: dict, record_id=None) -> dict:
    errors = {name: ["This field is required."] for name in ("code", "description") if not body.get(name)}
    if "account_type" in body and body["account_type"] not in ACCOUNT_TYPES:
        errors["account_type"] = [f'"{body["account_type"]}" is not a valid choice.']
    code = body.get("code")
    if code and ctx.config["unique_account_codes"]:
        if any(r["code"] == code and r["id"] != record_id for r in ctx.all("account_codes")):
            errors["code"] = ["account code with this code already exists."]
    if errors:
        raise field_errors(errors)
    return {name: body[name] for name in ("code", "description", "account_type") if name in body}


def create_account_code(ctx: Ctx):
    body = ctx.body()
    record = {"active": True, "account_type": 2, "parent": body.get("parent"), **_account_code_fields(ctx, body)}
    ctx.insert("account_codes", record)
    for department_id in body.get("departments") or []:
        if ctx.get("departments", department_id):
            ctx.insert("accounts", {"account_code": record["id"], "department": department_id, "active": True})
    return 201, listing.single(shapes.account_code(record))


def update_account_code(ctx: Ctx) -> dict:
    record = ctx.record("account_codes", ctx.params["id"])
    body = ctx.body()
    record.update(_account_code_fields(ctx, body, record["id"]))
    if ctx.config["account_code_put_sets_active"] and isinstance(body.get("active"), bool):
        record["active"] = body["active"]
    return listing.single(shapes.account_code(record))


# -- departments --------------------------------------------------------------------------------------


def department(ctx: Ctx, row: dict) -> dict:
    """``DepartmentRead``."""
    return {
        "id": row["id"],
        "branch": shapes.branch(ctx, row["branch"], headquarter=True),
        "external_id": row.get("external_id"),
        "name": row["name"],
        "active": bool(row.get("active", True)),
        "punchout_email": row.get("punchout_email"),
        "is_active_for_account_code": bool(row.get("active", True)),
    }


def list_departments(ctx: Ctx) -> dict:
    filters = [("branch", "int", "branch"), ("search", "text", "name")]
    order = {"name": "name", "id": "id"}
    return listing.listing(ctx, ctx.all("departments"), filters, lambda r: department(ctx, r), order)


def _department_fields(ctx: Ctx, body: dict) -> dict:
    errors = {name: ["This field is required."] for name in ("branch", "name") if body.get(name) in (None, "")}
    if "branch" not in errors and not ctx.get("locations", body.get("branch")):
        errors["branch"] = [f'Invalid pk "{body.get("branch")}" - object does not exist.']
    if errors:
        raise field_errors(errors)
    names = ("branch", "name", "external_id", "active", "punchout_email")
    return {name: body[name] for name in names if name in body}


def create_department(ctx: Ctx):
    record = ctx.insert("departments", {"active": True, **_department_fields(ctx, ctx.body())})
    return 201, listing.single(department(ctx, record))


def update_department(ctx: Ctx) -> dict:
    record = ctx.record("departments", ctx.params["id"])
    record.update(_department_fields(ctx, ctx.body()))
    return listing.single(department(ctx, record))


# -- locations ----------------------------------------------------------------------------------------


def _address(row: dict) -> dict:
    address = row.get("address") or {}
    keys = ("addressLineOne", "city", "postalCode", "state_province", "country")
    return {"id": row["id"], "name": row["name"], **{key: address.get(key, "") for key in keys}}


def location(ctx: Ctx, row: dict) -> dict:
    """``LocationView``."""
    return {
        "id": row["id"],
        "name": row["name"],
        "url": row.get("url"),
        "logo": "",
        "currency": shapes.currency(ctx, row.get("currency")),
        "phoneOne": row.get("phoneOne", ""),
        "fax": row.get("fax"),
        "email": row.get("email"),
        "primary_billing_address": _address(row),
        "primary_shipping_address": _address(row),
        "shipping_addresses": [_address(row)],
        "language": 1,
        "locationTimezone": row.get("locationTimezone", "UTC"),
        "headquarter": bool(row.get("headquarter")),
        "department_count": sum(1 for d in ctx.all("departments") if d.get("branch") == row["id"]),
        "active": bool(row.get("active", True)),
        "external_id": row.get("external_id"),
    }


def list_locations(ctx: Ctx) -> dict:
    filters = [("active", "bool", "active"), ("headquarter", "bool", "headquarter"), ("search", "text", "name")]

    def render(row):
        # The published list schema wraps every location in its own {metadata, data: [...]} object.
        if ctx.config["location_list_shape"] == "published":
            return {"metadata": {}, "data": [location(ctx, row)]}
        return location(ctx, row)

    return listing.listing(ctx, ctx.all("locations"), filters, render, {"name": "name", "id": "id"})


def get_location(ctx: Ctx) -> dict:
    return listing.single(location(ctx, ctx.record("locations", ctx.params["id"])))


# -- users --------------------------------------------------------------------------------------------


def user(ctx: Ctx, row: dict) -> dict:
    """``UserProfileUnoptimized``."""
    dept = ctx.get("departments", row.get("department")) or {}
    return {
        "id": row["id"],
        "firstName": row["firstName"],
        "lastName": row["lastName"],
        "user": row.get("user", row["id"]),
        "email": row["email"],
        "department": {
            "id": dept.get("id"),
            "name": dept.get("name", ""),
            "location": shapes.branch(ctx, dept.get("branch"), headquarter=True),
        }
        if dept
        else None,
        "location": shapes.branch(ctx, row.get("location"), headquarter=True),
        "profile_image": None,
        "is_active": bool(row.get("is_active", True)),
        "phone": row.get("phone"),
        "position": row.get("position"),
        "role": row.get("role") or {"id": 3, "name": "Requester", "type": 3},
        "approval_delegatee": shapes.simple_user_profile(ctx, row.get("approval_delegatee") or row["id"]),
        "pending_approvals_count": {"order": 0, "expense": 0, "travel": 0, "bill": 0, "payment": 0},
    }


def list_users(ctx: Ctx) -> dict:
    filters = [
        ("is_active", "bool", "is_active"),
        ("location", "exact", lambda r: str(r.get("location"))),
        ("role", "int", lambda r: (r.get("role") or {}).get("id")),
        ("search", "text", lambda r: f"{r['firstName']} {r['lastName']} {r['email']}"),
    ]
    order = {"firstName": "firstName", "lastName": "lastName", "email": "email", "id": "id"}
    return listing.listing(ctx, ctx.all("users"), filters, lambda r: user(ctx, r), order)


def me(ctx: Ctx) -> dict:
    """``UserProfileMe`` of the API client's user."""
    row = ctx.record("users", ctx.params["user_id"])
    summary = shapes.user_summary(ctx, row["id"])
    dept = ctx.get("departments", row.get("department")) or {}
    branch = ctx.get("locations", dept.get("branch"))
    summary.pop("approval_delegatee")
    data = {
        **summary,
        "domains": {"active": False, "procurify_domains": [{"subdomain": ctx.domain, "name": ctx.domain}]},
        "headquarter_logo": "",
        "systemaccess_cache": {},
        "approval_delegatee": None,
        "is_approval_delegatee": False,
        "department": {**department(ctx, dept), "branch": location(ctx, branch)} if dept and branch else None,
        "pending_invite": False,
        "role": row.get("role") or {"id": 1, "name": "Administrator", "type": 1},
    }
    if data["department"] is None:
        data.pop("department")
    return listing.single(data)
