"""JSON in and out the way QuickBooks writes it, and its time formats.

Amounts travel as JSON numbers (``"Balance":639.00``, ``"Balance":0``) but are Decimals here: floats never touch
money. Timestamps carry the company's local offset (``2015-10-23T14:28:52-07:00``); the envelope's ``time`` adds
milliseconds. Every answer carries an ``Intuit-Tid`` header, the id Intuit support asks for.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..core.clock import parse_iso
from ..core.http import HttpError, Request, Response

JSON_TYPE = "application/json;charset=utf-8"
_MARK = "__qbo_number__"
_MARKED = re.compile(f'"{_MARK}(-?[0-9.]+)"')
CENT = Decimal("0.01")


def number_text(value: Decimal) -> str:
    """A Decimal as QuickBooks prints it: zero is ``0``, anything else keeps its scale (``337.50``, ``4.5``)."""
    if value == 0:
        return "0"
    return format(value, "f")


def _mark(value):
    if isinstance(value, Decimal):
        return f"{_MARK}{number_text(value)}"
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data) -> bytes:
    """Compact JSON with Decimals written as bare numbers."""
    text = json.dumps(data, default=_mark, separators=(",", ":"), ensure_ascii=False)
    return _MARKED.sub(r"\1", text).encode()


def loads(raw: bytes | str):
    """JSON with every non-integer number read as a Decimal."""
    return json.loads(raw, parse_float=Decimal)


def decimals(value):
    """Floats (from the control API's plain JSON) turned into Decimals, recursively."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decimals(item) for item in value]
    return value


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def tid() -> str:
    """A transaction id in the shape Intuit sends (``1-5f7330d5-6a5d8e9b07823cfcc094d42c``)."""
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"


def respond(data, status: int = 200) -> Response:
    return Response(status, dumps(data), [("Content-Type", JSON_TYPE)])


def body_json(request: Request):
    """The request body as JSON (Decimals for amounts); bad JSON answers QuickBooks' own parse fault."""
    from .faults import fault  # faults imports this module

    if not request.body.strip():
        return None
    try:
        return loads(request.body)
    except ValueError as exc:
        raise HttpError(
            fault(
                400,
                "ValidationFault",
                "2010",
                "Request has invalid or unsupported property",
                f"Property Name:Can not parse request body: {exc}",
            )
        ) from exc


class Tz:
    """The company's local time zone: MetaData stamps and ``time`` are written in it."""

    def __init__(self, name: str):
        self.zone = ZoneInfo(name)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def stamp(self, moment: datetime) -> str:
        return self.local(moment).replace(microsecond=0).isoformat()

    def envelope_time(self, moment: datetime) -> str:
        return self.local(moment).isoformat(timespec="milliseconds")

    def today(self, moment: datetime) -> str:
        return self.local(moment).date().isoformat()


def parse_time(text: str) -> datetime:
    """An ISO timestamp or date; a date means its midnight in UTC."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    return parse_iso(text)


def utc_z(moment: datetime) -> str:
    """UTC with milliseconds and a Z, as webhook payloads write it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
