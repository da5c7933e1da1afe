"""List reads: $select (required where Exact requires it), $filter, $expand, $orderby, $top and paging.

Pages hold 60 rows (1000 on sync and bulk endpoints); a page that is not the last carries ``__next``: the
same URL with ``$skiptoken`` set to the last row's key (a guid, or the Timestamp on sync endpoints). With
$orderby the continuation uses ``$skip`` instead, since a key token no longer marks a position.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from ..core.http import Request
from .odata import compile_filter, typed
from .render import Renderer, Selection, flatten
from .resources import Served
from .values import odata_error

SELECT_MISSING = "Please add a $select or a $top=1 statement to the query string."
PAGING_PARAMS = ("$skiptoken", "$skip", "$top")


@dataclass
class ListQuery:
    selection: Selection
    predicate: object | None
    top: int | None
    skip: int
    skiptoken: object | None
    orderby: list[tuple[str, bool]]


def parse_selection(served: Served, request: Request, config: dict) -> Selection:
    """$select and $expand; 400 when a name is not a property or a select is required but missing."""
    raw = (request.arg("$select") or "").strip()
    if not raw and _select_required(served, config) and request.arg("$top") != "1":
        raise odata_error(400, SELECT_MISSING)
    if raw == "*" and served.kind in ("sync", "lines-view") and not config["sync_select_star"]:
        raise odata_error(400, SELECT_MISSING)
    expand = frozenset(n.strip() for n in (request.arg("$expand") or "").split(",") if n.strip())
    for nav in expand:
        if nav not in served.lines:
            raise odata_error(400, f"Invalid $expand: '{nav}' is not a navigation property of {served.key}")
    if not raw or raw == "*":
        return Selection(expand=expand)
    names, nested = set(), {}
    for item in (part.strip() for part in raw.split(",") if part.strip()):
        head, _, tail = item.partition("/")
        if head not in served.contract.by_name or (tail and head not in served.lines):
            raise odata_error(400, f"Invalid $select: property '{item}' does not exist on {served.key}")
        names.add(head)
        if head in served.lines:
            _nest(served, nested, head, tail)
    return Selection(names=names, nested=nested, expand=expand)


def _nest(served: Served, nested: dict, nav: str, tail: str) -> None:
    from .resources import SERVED

    if not tail:
        nested[nav] = None
        return
    if tail not in SERVED[served.lines[nav][0]].contract.by_name:
        raise odata_error(400, f"Invalid $select: property '{nav}/{tail}' does not exist")
    if nested.get(nav, set()) is not None:
        nested.setdefault(nav, set()).add(tail)


def _select_required(served: Served, config: dict) -> bool:
    required = config["select_required"]
    kind = "sync" if served.kind == "lines-view" else served.kind
    return kind in required or served.key in required


def parse_query(served: Served, request: Request, config: dict) -> ListQuery:
    names = set(served.contract.by_name)
    raw_filter = request.arg("$filter")
    return ListQuery(
        selection=parse_selection(served, request, config),
        predicate=compile_filter(raw_filter, names) if raw_filter else None,
        top=_int_arg(request, "$top"),
        skip=_int_arg(request, "$skip") or 0,
        skiptoken=_skiptoken(request.arg("$skiptoken")),
        orderby=_orderby(request.arg("$orderby"), names),
    )


def _int_arg(request: Request, name: str) -> int | None:
    raw = request.arg(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise odata_error(400, f"Invalid {name}: {raw}") from exc
    if value < 0:
        raise odata_error(400, f"Invalid {name}: {raw}")
    return value


def _skiptoken(raw: str | None):
    if not raw:
        return None
    text = raw.strip()
    if text.startswith("guid'") and text.endswith("'"):
        return text[5:-1].lower()
    try:
        return int(text.rstrip("Ll"))
    except ValueError as exc:
        raise odata_error(400, f"Invalid $skiptoken: {raw}") from exc


def _orderby(raw: str | None, names: set[str]) -> list[tuple[str, bool]]:
    order = []
    for part in (p.strip() for p in (raw or "").split(",") if p.strip()):
        name, _, direction = part.partition(" ")
        if name not in names or direction.strip().lower() not in ("", "asc", "desc"):
            raise odata_error(400, f"Invalid $orderby: {part}")
        order.append((name, direction.strip().lower() == "desc"))
    return order


def row_key(served: Served, flat: dict):
    if served.kind in ("sync", "lines-view"):
        return int(flat.get("Timestamp") or 0)
    return flat.get(served.contract.key_prop.name)


def run(served: Served, records: list[dict], request: Request, renderer: Renderer, config: dict) -> dict:
    """The ``{"d": {"results": [...], "__next": ...}}`` envelope of one page."""
    query = parse_query(served, request, config)
    props = served.contract.by_name
    flats = [(record, flatten(served, record, renderer.store)) for record in records]
    if query.predicate is not None:
        flats = [(r, f) for r, f in flats if query.predicate(lambda n, f=f: typed(props[n].type, f.get(n)))]
    flats.sort(key=lambda pair: row_key(served, pair[1]))
    for name, desc in reversed(query.orderby):
        flats.sort(key=lambda pair, n=name: _sortable(typed(props[n].type, pair[1].get(n))), reverse=desc)
    if query.skiptoken is not None and not query.orderby:
        flats = [(r, f) for r, f in flats if row_key(served, f) > query.skiptoken]
    flats = flats[query.skip :] if query.orderby else flats
    size = config[served.page_size_key]
    limit = size if query.top is None else min(size, query.top)
    page = flats[:limit]
    body = {"results": [renderer.row(served, record, query.selection) for record, _ in page]}
    more = len(flats) > len(page) and (query.top is None or query.top > len(page))
    if more and page:
        body["__next"] = _next_url(request, served, query, page[-1][1], len(page))
    return {"d": body}


def _sortable(value):
    return (value is None, value if value is not None else 0)


def _next_url(request: Request, served: Served, query: ListQuery, last: dict, count: int) -> str:
    kept = [p for p in request.query_string.split("&") if p and unquote_plus(p.split("=")[0]) not in PAGING_PARAMS]
    if query.top is not None:
        kept.append(f"$top={query.top - count}")
    if query.orderby:
        kept.append(f"$skip={query.skip + count}")
    else:
        key = row_key(served, last)
        if served.kind in ("sync", "lines-view"):
            kept.append(f"$skiptoken={key}L")
        else:
            kept.append(f"$skiptoken=guid'{key}'" if isinstance(key, str) else f"$skiptoken={key}")
    return f"{request.base_url}{request.path}?{'&'.join(kept)}"
