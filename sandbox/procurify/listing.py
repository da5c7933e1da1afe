"""Procurify list semantics: filters, ``order_by``, page-number paging and the list envelope.

Lists answer ``{"metadata": {"pagination": {count, next, previous, page_size, num_pages,
current_page}}, "data": [...]}`` with absolute next/previous links that keep every other query
parameter. Date ranges are ``<field>_0`` (from) and ``<field>_1`` (to), both inclusive; the public v1
endpoints use ``<field>_after`` / ``<field>_before`` instead. Each endpoint names the filters it
supports; others are ignored, as a Django filter set ignores them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, time
from urllib.parse import urlencode

from ..core.clock import parse_iso
from ..core.http import Request
from .context import Ctx, error, field_errors

#: (query parameter base name, kind, record field or getter)
Filter = tuple[str, str, "str | Callable[[dict], object]"]


def _getter(spec) -> Callable[[dict], object]:
    return spec if callable(spec) else (lambda record: record.get(spec))


def _moment(value) -> datetime | None:
    if value in (None, ""):
        return None
    return parse_iso(str(value))


def _parse_bound(name: str, raw: str, kind: str, upper: bool, config: dict) -> datetime:
    """A range bound. Published ``format: date`` parameters take YYYY-MM-DD (the whole day);
    ``format: date-time`` ones take a timestamp (a bare date meaning midnight, as Django reads it)."""
    raw = raw.strip()
    is_date = len(raw) == 10
    if kind == "date" and not is_date and not config["date_filters_accept_datetimes"]:
        raise field_errors({name: ["Enter a valid date."]})
    try:
        if is_date:
            day = datetime.fromisoformat(raw).date()
            if kind == "date":
                return datetime.combine(day, time.max if upper else time.min, tzinfo=UTC)
            return datetime.combine(day, time.min, tzinfo=UTC)
        return parse_iso(raw)
    except ValueError as exc:
        message = "Enter a valid date." if kind == "date" else "Enter a valid date/time."
        raise field_errors({name: [message]}) from exc


def _range(records, request: Request, name, get, kind, config, suffixes=("_0", "_1")):
    low_name, high_name = name + suffixes[0], name + suffixes[1]
    low, high = request.arg(low_name), request.arg(high_name)
    if low:
        bound = _parse_bound(low_name, low, kind, False, config)
        records = [r for r in records if (m := _moment(get(r))) is not None and m >= bound]
    if high:
        bound = _parse_bound(high_name, high, kind, True, config)
        records = [r for r in records if (m := _moment(get(r))) is not None and m <= bound]
    return records


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise field_errors({name: ["Enter a number."]}) from exc


def _matches_any(value, wanted: set) -> bool:
    if isinstance(value, list | tuple | set):
        return bool(wanted & set(value))
    return value in wanted


def _simple(records, request: Request, name, get, kind):
    raw = request.arg(name)
    if raw in (None, ""):
        return records
    if kind == "int":
        wanted = _int(name, raw)
        return [r for r in records if get(r) == wanted]
    if kind == "bool":
        wanted = raw.strip().lower() in ("true", "1", "yes")
        return [r for r in records if bool(get(r)) == wanted]
    if kind == "text":
        return [r for r in records if raw.lower() in str(get(r) or "").lower()]
    if kind == "int_list":
        wanted = {_int(name, part) for part in raw.split(",") if part.strip()}
        return [r for r in records if _matches_any(get(r), wanted)]
    if kind == "str_list":
        wanted = {part.strip() for part in raw.split(",") if part.strip()}
        return [r for r in records if _matches_any(get(r), wanted)]
    return [r for r in records if str(get(r)) == raw]


def apply_filters(records: list[dict], ctx: Ctx, filters: list[Filter]) -> list[dict]:
    """Keep the records matching every supported filter present in the query (filters combine with AND)."""
    for name, kind, spec in filters:
        get = _getter(spec)
        if kind in ("date", "datetime"):
            records = _range(records, ctx.request, name, get, kind, ctx.config)
        elif kind == "after_before":
            records = _range(records, ctx.request, name, get, "datetime", ctx.config, ("_after", "_before"))
        else:
            records = _simple(records, ctx.request, name, get, kind)
    return records


def apply_order(records: list[dict], ctx: Ctx, fields: dict[str, str | Callable[[dict], object]]) -> list[dict]:
    """``order_by=f`` / ``order_by=-f`` over the fields an endpoint allows (others ignored, as DRF does)."""
    spec = ctx.request.arg("order_by") or ""
    for term in reversed([t.strip() for t in spec.split(",") if t.strip()]):
        get = fields.get(term.lstrip("-"))
        if get is None:
            continue
        get = _getter(get)
        records = sorted(records, key=lambda r, g=get: (g(r) is None, str(g(r) or "")), reverse=term.startswith("-"))
    return records


def _page_url(request: Request, page: int) -> str:
    """Absolute link to another page; page 1 drops the parameter, as Django REST framework does."""
    pairs = [(key, value) for key, values in request.query.items() for value in values if key != "page"]
    if page > 1:
        pairs.append(("page", str(page)))
    query = urlencode(pairs)
    return f"{request.base_url}{request.path}" + (f"?{query}" if query else "")


def _positive(ctx: Ctx, name: str, default: int) -> int:
    raw = ctx.request.arg(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise error(404, "Invalid page.") from exc
    if value < 1:
        raise error(404, "Invalid page.")
    return value


def paginate(records: list[dict], ctx: Ctx) -> tuple[list[dict], dict]:
    """One page of records and the pagination block describing it."""
    size = min(_positive(ctx, "page_size", ctx.config["default_page_size"]), ctx.config["max_page_size"])
    page = _positive(ctx, "page", 1)
    num_pages = max(1, math.ceil(len(records) / size))
    if page > num_pages and ctx.config["page_out_of_range"] == "404":
        raise error(404, "Invalid page.")
    pagination = {
        "count": len(records),
        "next": _page_url(ctx.request, page + 1) if page < num_pages else None,
        "previous": _page_url(ctx.request, page - 1) if 1 < page <= num_pages + 1 else None,
        "page_size": size,
        "num_pages": num_pages,
        "current_page": page,
    }
    start = (page - 1) * size
    return records[start : start + size], pagination


def envelope(rows: list[dict], pagination: dict, **metadata) -> dict:
    return {"metadata": {**metadata, "pagination": pagination}, "data": rows}


def single(data: dict, **metadata) -> dict:
    """A single object: ``{"metadata": {...}, "data": {...}}``."""
    return {"metadata": metadata, "data": data}


def listing(ctx: Ctx, records, filters, render, order_fields=None, **metadata) -> dict:
    """Filter, order and page records, then render the page in the list envelope."""
    records = apply_filters(records, ctx, filters)
    records = apply_order(records, ctx, order_fields or {})
    rows, pagination = paginate(records, ctx)
    return envelope([render(r) for r in rows], pagination, **metadata)
