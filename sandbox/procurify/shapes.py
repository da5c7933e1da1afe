"""The small nested objects Procurify embeds everywhere (currency, user, department, vendor, account).

The published schemas name several variants of each (``UserSummary``, ``SimpleUser``,
``SimpleUserSummary``...); each function here renders exactly one of them, with the field casing of
the spec (camelCase ``firstName``, ``addressLineOne``, ``dateModified`` next to snake_case).
"""

from __future__ import annotations

from .context import Ctx

VENDOR_TEXT = (
    "addressLineOne",
    "addressLineTwo",
    "postalCode",
    "city",
    "state_province",
    "country",
    "phoneOne",
    "phoneTwo",
    "fax",
    "comments",
    "contact",
    "url",
    "external_id",
)
VENDOR_REFS = ("payment_term_ref", "shipping_term_ref", "payment_method_ref", "shipping_method_ref")


def currency(ctx: Ctx, currency_id: int, variant: str = "full") -> dict:
    """``Currency`` (full), ``CurrencySummary`` (summary) or ``SimpleCurrency`` (simple)."""
    row = ctx.store.get("currencies", currency_id) or {}
    data = {"id": currency_id, "name": row.get("name", "USD"), "rate": row.get("rate", "1.000000")}
    if variant in ("full", "summary"):
        data["base"] = bool(row.get("base", True))
    if variant == "full":
        data.update(description=row.get("description", ""), active=bool(row.get("active", True)))
    return data


def branch(ctx: Ctx, location_id: int, headquarter: bool = False) -> dict:
    """``BranchSummary`` or, with headquarter, ``SimpleLocation`` / ``LocationSimple``."""
    row = ctx.store.get("locations", location_id) or {}
    data = {"id": location_id, "name": row.get("name", "")}
    if headquarter:
        data["headquarter"] = bool(row.get("headquarter"))
    return data


def department_summary(ctx: Ctx, department_id: int) -> dict:
    row = ctx.store.get("departments", department_id) or {}
    return {
        "id": department_id,
        "branch": branch(ctx, row.get("branch")),
        "external_id": row.get("external_id"),
        "name": row.get("name", ""),
        "punchout_email": row.get("punchout_email"),
        "active": bool(row.get("active", True)),
    }


def user_summary(ctx: Ctx, user_id: int) -> dict:
    """``UserSummary``: the full profile embedded as purchaser, bill submitter, status author."""
    row = ctx.store.get("users", user_id) or {}
    return {
        "id": user_id,
        "department": department_summary(ctx, row.get("department")),
        "created_at": row.get("created_at"),
        "updated_at": row.get("updated_at"),
        "firstName": row.get("firstName", ""),
        "lastName": row.get("lastName", ""),
        "email": row.get("email", ""),
        "position": row.get("position"),
        "phone": row.get("phone"),
        "address": None,
        "notifications": True,
        "is_active": bool(row.get("is_active", True)),
        "mobile": False,
        "profile_image": None,
        "slack_user_id": "",
        "is_sso_enabled": False,
        "last_changed_by": None,
        "user": row.get("user", user_id),
        "approval_delegatee": None,
    }


def simple_user_summary(ctx: Ctx, user_id: int) -> dict:
    row = ctx.store.get("users", user_id) or {}
    return {
        "id": user_id,
        "firstName": row.get("firstName", ""),
        "lastName": row.get("lastName", ""),
        "email": row.get("email", ""),
        "position": row.get("position"),
        "profile_image": None,
        "approval_delegatee": None,
    }


def simple_user(ctx: Ctx, user_id: int) -> dict:
    """``SimpleUser``: with department and branch names."""
    row = ctx.store.get("users", user_id) or {}
    department = ctx.store.get("departments", row.get("department")) or {}
    location = ctx.store.get("locations", department.get("branch")) or {}
    return {
        "id": user_id,
        "firstName": row.get("firstName", ""),
        "lastName": row.get("lastName", ""),
        "email": row.get("email", ""),
        "profile_image": None,
        "department_name": department.get("name", ""),
        "branch_name": location.get("name", ""),
    }


def simple_user_profile(ctx: Ctx, user_id: int) -> dict:
    row = ctx.store.get("users", user_id) or {}
    return {
        "id": user_id,
        "firstName": row.get("firstName", ""),
        "lastName": row.get("lastName", ""),
        "email": row.get("email", ""),
    }


def vendor(row: dict, variant: str = "read") -> dict:
    """A vendor as ``VendorRead`` / ``VendorDetail`` (read, detail), ``OptimizedVendor`` (optimized)
    or ``Vendor`` (plain: the PUT answer, whose *_ref fields are ids)."""
    data = {"id": row["id"], "name": row["name"], "active": bool(row.get("active", True))}
    data.update({key: row.get(key) for key in VENDOR_TEXT})
    data["email"] = list(row.get("email") or [])
    data.update(dateModified=row.get("dateModified"), currency=row.get("currency"))
    for key in VENDOR_REFS:
        ref = row.get(key)
        data[key] = (ref or {}).get("id") if variant == "plain" and ref else ref
    data.update(
        payment_methods=[],
        tax=row.get("tax"),
        type=row.get("type", 3),
        default_payment_method=row.get("default_payment_method"),
        creditcards=[],
        is_1099_eligible=row.get("is_1099_eligible"),
        is_auto_email_po_enabled=bool(row.get("is_auto_email_po_enabled", False)),
        po_pdf_labels=row.get("po_pdf_labels", ""),
    )
    score = row.get("overall_score")
    # OptimizedVendor publishes the score as a decimal string; the other variants as a number.
    data["overall_score"] = score if variant == "optimized" else (float(score) if score is not None else None)
    return data


def account_code(row: dict) -> dict:
    """``AccountCodeRead``."""
    return {
        "id": row["id"],
        "code": row["code"],
        "description": row.get("description", ""),
        "account_type": row.get("account_type", 2),
        "active": bool(row.get("active", True)),
        "parent": row.get("parent"),
        "code_length": len(row["code"]),
        "applied_accounts_count": row.get("applied_accounts_count", 0),
    }


def account(ctx: Ctx, account_id: int) -> dict:
    """``AccountRead``: a budget line, one account code in one department."""
    row = ctx.store.get("accounts", account_id) or {}
    code = ctx.store.get("account_codes", row.get("account_code")) or {"id": 0, "code": ""}
    return {
        "id": account_id,
        "account_code": account_code(code),
        "department": department_summary(ctx, row.get("department")),
        "warning_indicator": False,
        "budget_used_approved": 0.0,
        "budget_used_purchased": 0.0,
        "start_datetime": None,
        "end_datetime": None,
        "budget": row.get("budget", "0.00"),
        "balance_approved": row.get("budget", "0.00"),
        "balance_purchased": row.get("budget", "0.00"),
        "active": bool(row.get("active", True)),
    }


def address_summary(ctx: Ctx, location_id: int) -> dict:
    """``AddressSummary`` of a location's primary address (buyer and receiver addresses on orders)."""
    row = ctx.store.get("locations", location_id) or {}
    address = row.get("address") or {}
    return {
        "id": location_id,
        "is_active": True,
        "created_at": row.get("created_at"),
        "updated_at": row.get("created_at"),
        "name": row.get("name", ""),
        "addressAssociation": 1,
        "addressLineOne": address.get("addressLineOne", ""),
        "addressLineTwo": "",
        "postalCode": address.get("postalCode", ""),
        "city": address.get("city", ""),
        "state_province": address.get("state_province", ""),
        "country": address.get("country", ""),
        "last_changed_by": None,
    }
