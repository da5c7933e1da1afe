"""Small helpers shared by the QuickBooks modules: times, money, references, change reads."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from connections import errors
from connections.systems.base import SourceItem

from .client import QuickBooksClient, query_time
from .consts import CDC_MAX_DAYS, CDC_MAX_OBJECTS

#: Failures that concern the whole connection rather than one record.
RUN_STOPPERS = (errors.RateLimited, errors.ReauthRequired, errors.AuthExpired)
DELETED = "Deleted"


def parse_time(value: str | None) -> dt.datetime | None:
    """An ISO-8601 time as QuickBooks writes it (company offset, `Z`, or `-0700`)."""
    if not value:
        return None
    text = value.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    return dt.datetime.fromisoformat(text)


def parse_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def money(value) -> Decimal:
    """Amounts come as JSON numbers; read through str so a float's binary noise never enters.

    Anything else (text, NaN, infinity) is a ValueError naming the value, so the record's error says what to fix.
    """
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount


def ref_value(ref) -> str:
    return str(ref.get("value") or "") if isinstance(ref, dict) else ""


def modified(row: dict) -> dt.datetime | None:
    return parse_time((row.get("MetaData") or {}).get("LastUpdatedTime"))


def fingerprint(*parts) -> str:
    """A short stable version: it changes whenever a part changes."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:16]


def is_deleted(row: dict) -> bool:
    return row.get("status") == DELETED


def deleted_item(entity: str, row: dict) -> SourceItem:
    """A CDC stub (`status: Deleted`, Id and MetaData.LastUpdatedTime only) as a deleted item."""
    stamp = (row.get("MetaData") or {}).get("LastUpdatedTime") or ""
    return SourceItem(
        str(row["Id"]),
        f"deleted:{stamp}",
        parse_time(stamp),
        None,
        label=f"{entity} {row['Id']} (deleted)",
        raw=row,
        deleted=True,
    )


def cdc_reaches(since: dt.datetime | None) -> bool:
    """Whether change data capture can answer for `since` (it looks back 30 days at most)."""
    return since is not None and timezone.now() - since < dt.timedelta(days=CDC_MAX_DAYS)


def changed_rows(
    client: QuickBooksClient, entities: list[str], since: dt.datetime | None, where: Callable[[str], list[str]]
) -> Iterator[tuple[str, dict]]:
    """(entity, row) for every record of `entities` changed at or after `since`; deleted ones as CDC stubs.

    Change data capture when the window is within 30 days; otherwise (or when an entity hits the 1,000-object cap of
    one CDC answer, or CDC refuses the window) the query endpoint, filtered on MetaData.LastUpdatedTime. `where(entity)`
    gives the extra conditions each query takes (e.g. one query for active and one for inactive name-list rows).
    """
    found: dict[str, list[dict]] = {}
    if cdc_reaches(since):
        try:
            found = client.cdc(entities, since)
        except errors.ValidationFailed:
            found = {}  # e.g. the service's clock puts `since` beyond the 30 days after all: query instead
    for entity in entities:
        rows = found.get(entity)
        if rows is not None and len(rows) < CDC_MAX_OBJECTS:
            yield from ((entity, row) for row in rows)
            continue
        yield from ((entity, row) for row in rows or [] if is_deleted(row))
        yield from ((entity, row) for row in queried(client, entity, since, where(entity)))


def queried(client: QuickBooksClient, entity: str, since: dt.datetime | None, conditions: list[str]) -> Iterator[dict]:
    """Rows of `entity` changed at or after `since` through the query endpoint, one query per condition."""
    stamp = f"MetaData.LastUpdatedTime >= {quote_time(since)}" if since else ""
    for condition in conditions or [""]:
        where = " AND ".join(part for part in (condition, stamp) if part)
        yield from client.select(entity, where, order_by="MetaData.LastUpdatedTime")


def quote_time(when: dt.datetime) -> str:
    return f"'{query_time(when)}'"
