"""Exact's value conventions: local wall-clock dates as /Date(ms)/, guids, numbers, error bodies.

Exact stores and returns times as Europe/Amsterdam wall-clock time, encoded as if it were UTC: a record
modified at 14:00 CEST (12:00 UTC) comes back as the epoch milliseconds of 14:00 UTC. Records here keep
such times as naive ISO strings ("2024-05-01T14:00:00.000") of that local wall clock.
"""

from __future__ import annotations

import calendar
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from ..core.http import JSON_TYPE, HttpError, Response

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^/Date\((-?\d+)\)/$")
_NUMBER_MARK = "\x00num:"


def new_guid() -> str:
    return str(uuid.uuid4())


def local_wallclock(moment: datetime) -> datetime:
    """The naive Amsterdam wall-clock time of an aware moment."""
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def local_stamp(moment: datetime) -> str:
    """How records keep a local time: naive ISO with milliseconds."""
    return local_wallclock(moment).isoformat(timespec="milliseconds")


def parse_local(text: str) -> datetime:
    """A stored or filtered local time (ISO, date only allowed) as a naive datetime."""
    value = datetime.fromisoformat(str(text).strip().replace("Z", ""))
    return value.replace(tzinfo=None)


def to_odata_date(text: str | None) -> str | None:
    """Naive local ISO -> "/Date(ms)/" with the wall clock taken as UTC, as Exact encodes it."""
    if text in (None, ""):
        return None
    value = parse_local(text)
    millis = calendar.timegm(value.timetuple()) * 1000 + value.microsecond // 1000
    return f"/Date({millis})/"


def from_odata_date(text: str) -> str:
    """ "/Date(ms)/" (or ISO) from a request body -> naive local ISO."""
    match = _DATE.match(str(text).strip())
    if not match:
        return parse_local(text).isoformat(timespec="milliseconds")
    moment = datetime(1970, 1, 1) + timedelta(milliseconds=int(match.group(1)))
    return moment.isoformat(timespec="milliseconds")


def epoch_ms(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp() * 1000)


def decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value) -> str:
    """A stored amount: a plain decimal string with two places."""
    return str((decimal(value) or Decimal(0)).quantize(Decimal("0.01")))


def padded_code(code) -> str:
    """crm/Accounts.Code is an 18-character string, right-aligned with spaces."""
    return str(code).strip().rjust(18)


def _mark_number(value):
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        return _NUMBER_MARK + text
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_MARKED = re.compile(r'"\\u0000num:(-?[0-9.]+)"')


def dumps(data) -> bytes:
    """JSON with Decimals written as JSON numbers (never through a float), slashes unescaped."""
    text = json.dumps(data, default=_mark_number, ensure_ascii=False)
    return _MARKED.sub(r"\1", text).encode()


def json_response(data, status: int = 200, headers: list | None = None) -> Response:
    return Response(status, dumps(data), [("Content-Type", JSON_TYPE), *(headers or [])])


def error_body(message: str) -> dict:
    """Exact's error envelope; clients read error.message.value."""
    return {"error": {"code": "", "message": {"lang": "", "value": message}}}


def odata_error(status: int, message: str, headers: list | None = None) -> HttpError:
    return HttpError(json_response(error_body(message), status, headers))
