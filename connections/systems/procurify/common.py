"""Small helpers shared by the Procurify modules: times, money, coding, and the per-record error guard."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from connections import errors
from syncs.canonical import Ref

#: Failures that concern the whole connection rather than one record: they stop the read.
RUN_STOPPERS = (errors.RateLimited, errors.ReauthRequired, errors.AuthExpired)
CENT = Decimal("0.01")


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def day(value: str | None) -> dt.date | None:
    """The calendar day of a Procurify date or date-time, as written (never shifted across a time zone)."""
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def money(value) -> Decimal:
    """An amount as Decimal; Procurify sends decimal strings, and a few totals as JSON numbers (read via str)."""
    if value in (None, ""):
        return Decimal("0")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def cents(value) -> Decimal:
    return money(value).quantize(CENT)


def fingerprint(*parts) -> str:
    """A short stable version for records that carry no change stamp."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:16]


def coding(budget: dict | None) -> tuple[str | None, dict[str, str]]:
    """(source GL account code, {"department", "location"}) of a Procurify budget (account code x department).

    The department is named by its external id where it has one (what an ERP knows it by), else by its name; the
    location is the department's branch.
    """
    budget = budget or {}
    code = (budget.get("account_code") or {}).get("code") or None
    department = budget.get("department") or {}
    dimensions = {}
    if department.get("external_id") or department.get("name"):
        dimensions["department"] = str(department.get("external_id") or department.get("name"))
    branch = department.get("branch") or {}
    if branch.get("name"):
        dimensions["location"] = str(branch["name"])
    return code, dimensions


def coded_by_account_code(lines: list) -> list:
    """Each line's Procurify account code, also given as the line's cost code (`Ref(code=<account code>)`).

    Procurify codes every line to an account code (plus a department and a location) and has no cost codes. Giving
    the account code as the cost code lets finance staff map it in the mapping grid they already use: one cost code
    map row per Procurify account code names the ERP's GL account and its dimensions (e.g. an Acumatica subaccount),
    and a code they have not mapped holds its documents with a precise message. The grid lists Procurify's account
    codes as the source's cost codes (the adapter's `cost_code` reference kind), with their descriptions, so a chart
    mirrored from the ERP is suggested by its equal names. `line.account` keeps the code for sources-by-account rules,
    and the department and location stay in `line.dimensions` for the record's history.
    """
    for line in lines:
        if line.account and line.cost_code is None:
            line.cost_code = Ref(native_id=str(line.account), code=str(line.account))
    return lines


def vendor_ref(vendor: dict | None) -> Ref:
    """A vendor as a Ref: its id, its external id (the ERP's vendor id, where it was linked) and its name."""
    vendor = vendor or {}
    return Ref(str(vendor.get("id") or ""), code=str(vendor.get("external_id") or ""), name=vendor.get("name") or "")


def guarded(what: str, build: Callable[[], object]) -> tuple[object | None, str]:
    """Build a canonical record; a record Procurify cannot give whole, or that cannot be read, becomes a problem
    text on its item instead of stopping the read. Rate limits and lost credentials still stop it."""
    try:
        return build(), ""
    except RUN_STOPPERS:
        raise
    except errors.ApiError as exc:
        return None, f"Procurify could not give the whole {what}: {exc}"
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        return None, f"Procurify returned a {what} that cannot be read: {type(exc).__name__}: {exc}"
