"""``readByQuery`` + ``readMore`` (paging by resultId) and ``query`` (paging by offset).

readByQuery: pagesize 1..1000 (default 100); the reply is ``<data listtype="vendor" count totalcount
numremaining resultId>`` with lowercase records; while records remain, ``readMore`` with the resultId
sends the next page, until ``numremaining="0"``. An unknown or expired resultId fails.

query: pagesize default 100, at most 2000, ``offset``; the reply is ``<data listtype="VENDOR"
totalcount offset count numremaining>`` with UPPERCASE records holding the selected fields.
"""

from __future__ import annotations

import secrets

from lxml import etree

from .context import Call, Outcome, ResultSet
from .errors import QUERY_FAILED, fail, not_found_object
from .filters import FilterError, fields_of, matches, parse_element, parse_sql, typed
from .objects import ObjectSpec, spec_for
from .render import data, field_order, select_fields, write_record
from .xmlio import children, text

READ_BY_QUERY_MAX = 1000
QUERY_MAX = 2000


def query_failed(detail: str):
    return fail(QUERY_FAILED, detail)


def _spec(call: Call, name: str | None) -> ObjectSpec:
    spec = spec_for(name)
    if spec is None:
        raise not_found_object((name or "").strip() or "(none)", in_query=True)
    return spec


def _known(call: Call, spec: ObjectSpec) -> set[str]:
    return set(spec.all_fields()) | set(call.config["custom_fields"].get(spec.name, []))


def _pagesize(raw: str | None, default: int, maximum: int) -> int:
    try:
        size = int(raw) if raw not in (None, "") else default
    except ValueError as exc:
        raise query_failed(f"pagesize '{raw}' is not a number") from exc
    if not 1 <= size <= maximum:
        raise query_failed(f"pagesize must be between 1 and {maximum}")
    return size


def _matching(call: Call, spec: ObjectSpec, tree, caseless: bool = False, docparid: str | None = None) -> list[dict]:
    unknown = fields_of(tree) - _known(call, spec)
    if unknown:
        raise query_failed(f"Invalid field(s) {', '.join(sorted(unknown))} in the query for {spec.name}")
    records = [r for r in call.store.all(spec.name) if matches(tree, r, caseless)]
    if docparid:
        records = [r for r in records if r.get("DOCPARID") == docparid]
    return sorted(records, key=lambda r: r["id"])


# -- readByQuery / readMore ------------------------------------------------------------------------------


def read_by_query(call: Call, element: etree._Element) -> Outcome:
    spec = _spec(call, text(element, "object"))
    try:
        tree = parse_sql(text(element, "query"))
        fields = select_fields(spec, text(element, "fields"), call.config["custom_fields"].get(spec.name, []))
    except (FilterError, ValueError) as exc:
        raise query_failed(str(exc)) from exc
    size = _pagesize(text(element, "pagesize"), 100, READ_BY_QUERY_MAX)
    ids = [record["id"] for record in _matching(call, spec, tree, docparid=text(element, "docparid"))]
    session = call.identity.session.sessionid if call.identity.session else ""
    expires = call.epoch + call.config["result_id_lifetime"]
    result = ResultSet(spec.name, ids, fields, session, expires, len(ids), size)
    return _page(call, spec, result, size)


def read_more(call: Call, element: etree._Element) -> Outcome:
    result_id = text(element, "resultId")
    if not result_id and text(element, "object"):
        result_id = _latest(call, text(element, "object").upper())
    result = call.result_sets.get(result_id or "")
    if result is None or result.expires <= call.epoch:
        call.result_sets.pop(result_id or "", None)
        raise query_failed(f"Attempt to readMore with an invalid or expired resultId: {result_id or '(none)'}")
    spec = _spec(call, result.object)
    call.result_sets.pop(result_id)
    return _page(call, spec, result, call.config["readmore_pagesize"] or result.pagesize, result_id)


def _latest(call: Call, object_name: str) -> str | None:
    """readMore by <object>: the newest open result of that object in the caller's session."""
    session = call.identity.session.sessionid if call.identity.session else ""
    for result_id, result in reversed(list(call.result_sets.items())):
        if result.object == object_name and result.sessionid == session:
            return result_id
    return None


def _page(call: Call, spec: ObjectSpec, result: ResultSet, size: int, rid: str = "") -> Outcome:
    """The next page of a result; the rest stays under its resultId (records deleted since are skipped)."""
    page, rest = result.remaining[:size], result.remaining[size:]
    records = [r for r in (call.store.get(spec.name, i) for i in page) if r is not None]
    result_id = ""
    if rest:
        result_id = rid or secrets.token_hex(16)
        result.remaining = rest
        result.expires = call.epoch + call.config["result_id_lifetime"]
        call.result_sets[result_id] = result
    holder = etree.Element("holder")
    tag = spec.name.lower()
    block = data(holder, tag, count=len(records), totalcount=result.total, numremaining=len(rest), resultId=result_id)
    for record in records:
        # Like the real replies, readByQuery lists headers: lines only come with read.
        shown = result.fields or [name for name in field_order(spec, record) if name != spec.lines]
        write_record(block, tag, spec, record, shown, codes=call.config["readbyquery_codes"])
    return Outcome(data=block)


# -- query ---------------------------------------------------------------------------------------------------


def query(call: Call, element: etree._Element) -> Outcome:
    spec = _spec(call, text(element, "object"))
    select = element.find("select")
    fields = [(f.text or "").strip().upper() for f in children(select)] if select is not None else []
    if select is None or not fields or any(f.tag != "field" for f in children(select)):
        raise query_failed("query needs <select> with one or more <field> elements (aggregates are not supported)")
    unknown = set(fields) - _known(call, spec)
    if unknown:
        raise query_failed(f"Invalid field(s) {', '.join(sorted(unknown))} in select for {spec.name}")
    tree = _filter(element.find("filter"))
    caseless = (text(element.find("options"), "caseinsensitive") or "").lower() == "true"
    records = _ordered(_matching(call, spec, tree, caseless, text(element, "docparid")), element.find("orderby"))
    size = _pagesize(text(element, "pagesize"), 100, QUERY_MAX)
    offset = _offset(text(element, "offset"))
    page = records[offset : offset + size]
    holder = etree.Element("holder")
    remaining = max(len(records) - offset - len(page), 0)
    block = data(holder, spec.name, totalcount=len(records), offset=offset, count=len(page), numremaining=remaining)
    for record in page:
        write_record(block, spec.name, spec, record, fields)
    return Outcome(data=block)


def _filter(element: etree._Element | None):
    if element is None:
        return None
    conditions = children(element)
    if len(conditions) != 1:
        raise query_failed("<filter> holds exactly one condition (combine several with <and> or <or>)")
    try:
        return parse_element(conditions[0])
    except FilterError as exc:
        raise query_failed(str(exc)) from exc


def _offset(raw: str | None) -> int:
    try:
        offset = int(raw or 0)
    except ValueError as exc:
        raise query_failed(f"offset '{raw}' is not a number") from exc
    if offset < 0:
        raise query_failed("offset cannot be negative")
    return offset


def _ordered(records: list[dict], orderby: etree._Element | None) -> list[dict]:
    """Sort by each <order> (last first, so the first one wins); stable, so ties keep RECORDNO order."""
    if orderby is None:
        return records
    for order in reversed(children(orderby)):
        name = (text(order, "field") or "").upper()
        descending = order.find("descending") is not None
        records = sorted(records, key=lambda record, name=name: _SortKey(record.get(name)), reverse=descending)
    return records


class _SortKey:
    """Sorts moments, numbers and text the way the filters compare them; empty values first."""

    def __init__(self, value):
        self.value = "" if value is None else str(value)

    def __lt__(self, other: _SortKey) -> bool:
        if not self.value or not other.value:
            return bool(other.value) and not self.value
        left, right = typed(self.value, other.value, False)
        try:
            return left < right
        except TypeError:
            return self.value < other.value
