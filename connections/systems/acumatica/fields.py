"""Acumatica field helpers shared by the modules of this system: value objects, filters, lines, our key marker."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

from .client import odata_literal

CENT = Decimal("0.01")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}(T00:00:00)")


def value(field: dict | None):
    """Unwrap Acumatica's `{"value": ...}` (empty fields come back as `{}`)."""
    return (field or {}).get("value")


def wrap(data: dict) -> dict:
    """Wrap plain values as Acumatica value objects, leaving lists and `None` alone."""
    return {key: (val if isinstance(val, list) else {"value": val}) for key, val in data.items() if val is not None}


def text(row: dict, field: str) -> str:
    return str(value(row.get(field)) or "").strip()


def money(row: dict, field: str) -> Decimal:
    found = value(row.get(field))
    return Decimal(str(found)) if found not in (None, "") else Decimal("0")


def parse_datetime(raw) -> dt.datetime | None:
    """An Acumatica DateTimeValue; one without an offset is taken as UTC."""
    if not raw:
        return None
    when = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def parse_date(raw) -> dt.date | None:
    when = parse_datetime(raw)
    return when.date() if when else None


def modified_since(since: dt.datetime | None) -> str | None:
    """The `$filter` of records modified after `since` (None: every record)."""
    if since is None:
        return None
    stamp = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return f"LastModifiedDateTime gt datetimeoffset'{stamp}+00:00'"


def equals(**fields) -> str:
    """An OData `and` of string equalities, e.g. equals(VendorID="V1") -> "VendorID eq 'V1'"."""
    return " and ".join(f"{name} eq {odata_literal(val)}" for name, val in fields.items())


def key_marker(key: str) -> str:
    """How our destination key is written in a document's note (and recognised by the look-up)."""
    return f"ml-connector:{key}"


def carries_key(row: dict, key: str) -> bool:
    return key_marker(key) in str(value(row.get("note")) or "")


def already_saved(current: dict, body: dict, key: str) -> bool:
    """Whether the document `current` already holds every field of `body` (header and lines, in order) and our key.

    A source bumps its change stamp for edits that touch nothing we send (a comment, a status we wrote back
    ourselves): such a version is linked to the document as it is, without a PUT.
    """
    if not carries_key(current, key):
        return False
    if not _same_fields(current, body, skip=("note", "Details")):
        return False
    have, want = current.get("Details") or [], body.get("Details") or []
    if len(have) != len(want):
        return False
    return all(_same_fields(old, new, skip=("id",)) for old, new in zip(have, want, strict=True))


def _same_fields(current: dict, wanted: dict, skip: tuple) -> bool:
    return all(
        _same(value(field), value(current.get(name)))
        for name, field in wanted.items()
        if name not in skip and isinstance(field, dict)
    )


def _same(ours, theirs) -> bool:
    if ours == theirs:
        return True
    if ours is None or theirs is None:
        return False
    left, right = str(ours).strip(), str(theirs).strip()
    if left == right:
        return True
    if DAY.match(left) and DAY.match(right):  # a date we send at midnight, read back with an offset
        return left[:10] == right[:10]
    try:
        return Decimal(left) == Decimal(right)
    except ArithmeticError:
        return False


def merge_lines(current: list[dict], wanted: list[dict]) -> tuple[list[dict], bool]:
    """The Details of an update: current lines rewritten in place by id, the surplus deleted, the rest inserted.

    Returns the lines and whether any is an insert (an update that inserts lines is not safe to repeat blindly:
    a lost answer is followed by a fresh read and a new merge instead).
    """
    ids = [line["id"] for line in current if line.get("id")]
    merged = [{**line, "id": line_id} for line_id, line in zip(ids, wanted, strict=False)]
    merged += [{"id": line_id, "delete": True} for line_id in ids[len(wanted) :]]
    inserts = wanted[len(ids) :]
    return merged + inserts, bool(inserts)


def field_errors(body: str) -> str:
    """The per-field `error` texts of an Acumatica 422 body, joined, or the body's message."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return ""
    found = []

    def walk(node, path=""):
        if isinstance(node, dict):
            if isinstance(node.get("error"), str):
                found.append(f"{path or 'record'}: {node['error']}")
            for key, child in node.items():
                if key != "error":
                    walk(child, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{path}[{index}]")

    walk(data)
    if isinstance(data, dict):
        return "; ".join(found) or str(data.get("exceptionMessage") or data.get("message") or "")
    return "; ".join(found)
