"""Procore list semantics: ``filters[...]`` and page/per_page pagination.

Each endpoint names the filters it supports; others are ignored, as Procore ignores unknown parameters,
so a client that relies on an undocumented filter gets everything back here too (and notices in its
tests). ``sort`` is ignored the same way: it is documented only on some lists (not on requisitions or
direct costs), and even there the order is not promised, so every list comes back in id order and a
client must not assume anything else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..core.clock import parse_iso
from ..core.http import HttpError, Request, Response

RANGE_FILTERS = {"updated_at", "created_at", "payment_date", "received_date"}


def stamp(moment: datetime) -> str:
    """Procore's timestamp form: ISO 8601 UTC to the second, with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def filter_values(request: Request, name: str) -> list[str]:
    return request.query.get(f"filters[{name}]", []) + request.query.get(f"filters[{name}][]", [])


def _bound(text: str, upper: bool) -> datetime:
    text = text.strip()
    if len(text) == 10:  # YYYY-MM-DD covers the whole day
        day = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return day + timedelta(days=1) - timedelta(microseconds=1) if upper else day
    return parse_iso(text)


def parse_range(text: str) -> tuple[datetime, datetime]:
    """'A...B' (timestamps or dates) -> inclusive bounds; a single value means that instant or day."""
    low, sep, high = text.partition("...")
    try:
        return _bound(low, False), _bound(high if sep else low, True)
    except ValueError as exc:
        raise HttpError(Response.json({"errors": f"invalid range filter {text!r}"}, 400)) from exc


def _in_range(value, bounds: tuple[datetime, datetime]) -> bool:
    if not value:
        return False
    return bounds[0] <= _bound(str(value), False) <= bounds[1]


def apply_filters(records: list[dict], request: Request, allowed: set[str]) -> list[dict]:
    """Keep records matching every supported filter in the request (filters combine with AND)."""
    for name in allowed:
        values = filter_values(request, name)
        if not values:
            continue
        if name in RANGE_FILTERS:
            bounds = parse_range(values[0])
            records = [r for r in records if _in_range(r.get(name), bounds)]
        else:
            wanted = {str(v) for v in values}
            records = [r for r in records if str(r.get(name)) in wanted]
    return records


def in_id_order(records: list[dict]) -> list[dict]:
    """The one order every list has here: ids ascending, whatever ``sort`` says."""
    return sorted(records, key=lambda r: r["id"])


def _int_arg(request: Request, name: str, default: int) -> int:
    try:
        return max(1, int(request.arg(name) or default))
    except ValueError as exc:
        raise HttpError(Response.json({"errors": f"{name} is invalid"}, 400)) from exc


def link_rels(page: int, last: int) -> list[tuple[str, int]]:
    """The documented rel sets: page 1 next+last, page 2 first+next+last, later pages all four,
    and no next on the last page."""
    if page == 1:
        rels = [("next", 2), ("last", last)]
    elif page == 2:
        rels = [("first", 1), ("next", 3), ("last", last)]
    else:
        rels = [("first", 1), ("prev", page - 1), ("next", page + 1), ("last", last)]
    return [(rel, target) for rel, target in rels if not (rel == "next" and page >= last)]


def paginate(records: list[dict], request: Request, config: dict) -> tuple[list[dict], list[tuple[str, str]]]:
    """One page of records plus the Total, Per-Page and Link headers."""
    per_page = min(_int_arg(request, "per_page", config["default_per_page"]), config["max_per_page"])
    page = _int_arg(request, "page", 1)
    last = max(1, -(-len(records) // per_page))
    links = ", ".join(
        f'<{request.url_with(page=target, per_page=per_page)}>; rel="{rel}"' for rel, target in link_rels(page, last)
    )
    headers = [("Total", str(len(records))), ("Per-Page", str(per_page)), ("Link", links)]
    start = (page - 1) * per_page
    return records[start : start + per_page], headers
