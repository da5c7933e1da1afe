"""Small helpers shared by the Procore modules: times, ranges, ids."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator

from connections import errors
from connections.systems.base import SourceItem

#: Failures that concern the whole connection rather than one record.
RUN_STOPPERS = (errors.RateLimited, errors.ReauthRequired, errors.AuthExpired)


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def procore_range(since: dt.datetime | None) -> str | None:
    """Procore's inclusive `A...B` range from `since` to far in the future."""
    if since is None:
        return None
    start = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{start}...2999-12-31T23:59:59Z"


def changed_since(stamp: str | None, since: dt.datetime | None) -> bool:
    """Whether a record stamped `stamp` is in the window that starts at `since` (lists we must filter ourselves)."""
    if since is None:
        return True
    when = parse_time(stamp)
    return when is None or when >= since


def fingerprint(*parts) -> str:
    """A short stable version for records that carry no updated_at: it changes whenever a part changes."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:16]


def item(native_id: str, version: str, modified: str | None, record, label: str, raw: dict) -> SourceItem:
    return SourceItem(native_id, version, parse_time(modified), record, label=label, raw=raw)


def nested_ref(obj: dict | None):
    """A canonical Ref from a nested `{id, code|full_code, name}` object (cost codes and cost types on lines)."""
    from syncs.canonical import Ref

    if not isinstance(obj, dict) or not obj.get("id"):
        return None
    return Ref(str(obj["id"]), code=str(obj.get("full_code") or obj.get("code") or ""), name=obj.get("name") or "")


def currency_of(record: dict, default: str) -> str:
    return (record.get("currency_configuration") or {}).get("currency_iso_code") or default


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of `size` items (the last one shorter), read lazily from any iterable."""
    group = []
    for item in items:
        group.append(item)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group
