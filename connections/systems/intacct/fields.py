"""Field helpers shared by the Intacct modules: values of answer records, dates, our keys."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CENT = Decimal("0.01")
#: Intacct's datetimes carry no offset and their zone is not documented. Without a configured zone they are read
#: as UTC and incremental reads look back this far, which covers every offset on Earth.
UNKNOWN_ZONE_OVERLAP = dt.timedelta(hours=14)
KNOWN_ZONE_OVERLAP = dt.timedelta(minutes=10)


def text(row: dict, name: str) -> str:
    found = row.get(name)
    return found.strip() if isinstance(found, str) else ""


def money(row: dict, name: str) -> Decimal:
    try:
        return Decimal(text(row, name) or "0")
    except InvalidOperation:
        return Decimal("0")


def zone(settings: dict) -> dt.tzinfo | None:
    name = (settings or {}).get("timezone") or ""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_datetime(raw: str, tz: dt.tzinfo | None = None) -> dt.datetime | None:
    """`mm/dd/yyyy HH:MM:SS` (or a bare date) in the company's zone, else taken as UTC."""
    raw = (raw or "").strip()
    for pattern in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            when = dt.datetime.strptime(raw, pattern)
        except ValueError:
            continue
        return when.replace(tzinfo=tz or dt.UTC)
    return None


def parse_date(raw: str) -> dt.date | None:
    when = parse_datetime(raw)
    return when.date() if when else None


def modified_filter(since: dt.datetime | None, tz: dt.tzinfo | None):
    """The query filter of records modified at or after `since` (looking back to cover the zone), or None."""
    if since is None:
        return None
    overlap = KNOWN_ZONE_OVERLAP if tz else UNKNOWN_ZONE_OVERLAP
    local = (since - overlap).astimezone(tz or dt.UTC).replace(tzinfo=None)
    return ("greaterthanorequalto", "WHENMODIFIED", local.strftime("%m/%d/%Y %H:%M:%S"))


def digest(key: str, length: int = 24) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:length]


def create_controlid(key: str, obj: str) -> str:
    """The function control id of the create of `obj` for `key`: the same on every attempt, so that with
    uniqueid=true the gateway refuses a repeat instead of creating a second document."""
    return f"mlc-create-{obj.lower()}-{digest(key, 40)}"


def key_marker(key: str) -> str:
    """How our key is written on a document (a bill's description, a purchase order's external id)."""
    return f"[mlc:{digest(key)}]"


MARKER_PREFIX = "[mlc:"


def version_of(*parts) -> str:
    return digest("|".join(str(part) for part in parts), 32)
