"""Exact's values: /Date(ms)/ in the company's wall-clock time, padded codes, amounts that may come as strings."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .consts import DEFAULT_TIMEZONE

_DATE_MS = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")
_EPOCH = dt.datetime(1970, 1, 1)


def zone_of(connection) -> ZoneInfo:
    name = (connection.settings or {}).get("timezone") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def wall_clock(value) -> dt.datetime | None:
    """The naive wall-clock time of an Exact value: `/Date(ms)/` counts milliseconds of local time as if UTC."""
    if value in (None, ""):
        return None
    text = str(value)
    match = _DATE_MS.fullmatch(text)
    if match:
        return _EPOCH + dt.timedelta(milliseconds=int(match.group(1)))
    parsed = dt.datetime.fromisoformat(text.replace("Z", ""))  # an ISO form, also local time
    return parsed.replace(tzinfo=None)


def moment(value, zone: ZoneInfo) -> dt.datetime | None:
    """An Exact timestamp as an aware UTC datetime."""
    wall = wall_clock(value)
    return wall.replace(tzinfo=zone).astimezone(dt.UTC) if wall else None


def day(value) -> dt.date | None:
    """An Exact date (a document date is midnight local time): the local calendar day, never shifted by zones."""
    wall = wall_clock(value)
    return wall.date() if wall else None


def filter_datetime(when: dt.datetime, zone: ZoneInfo) -> str:
    """A `datetime'...'` filter literal: Exact compares in local wall-clock time, without an offset."""
    local = when.astimezone(zone) if when.tzinfo else when
    return f"datetime'{local:%Y-%m-%dT%H:%M:%S}'"


def amount(value) -> Decimal:
    """A money amount (JSON numbers are parsed as Decimal; numbers may also arrive as strings)."""
    if value in (None, ""):
        return Decimal("0")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not an amount") from exc


def optional_decimal(value) -> Decimal | None:
    return None if value in (None, "") else amount(value)


def code(value) -> str:
    """Codes such as crm/Accounts.Code come right-aligned in 18 characters."""
    return str(value or "").strip()


def number(value) -> int | None:
    if value in (None, ""):
        return None
    return int(str(value))
