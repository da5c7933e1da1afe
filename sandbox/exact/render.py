"""Rows in Exact's OData JSON: ``__metadata``, every documented property, /Date(ms)/ dates, deferred lines.

A row lists the endpoint's documented properties in reference order (or the $select-ed ones). Line
collections come back as ``{"__deferred": {"uri": ...}}`` unless expanded, then as ``{"results": [...]}``,
paged like any list. Other complex properties (bank accounts, budget details...) are not simulated: null.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.store import Store
from .contract import Prop
from .resources import SERVED, Served
from .values import decimal, to_odata_date

INTS = ("Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte")


@dataclass
class Selection:
    """Parsed $select/$expand: top-level names (None = all) and per navigation property the same."""

    names: set[str] | None = None
    nested: dict[str, set[str] | None] | None = None
    expand: frozenset[str] = frozenset()

    def wants(self, name: str) -> bool:
        return self.names is None or name in self.names

    def inner(self, nav: str) -> Selection:
        return Selection(names=(self.nested or {}).get(nav))


def edm_value(prop: Prop, value):
    """A stored value as Exact writes it in JSON for this property's Edm type."""
    if value is None or not prop.is_edm:
        return None
    kind = prop.type
    if kind == "Edm.DateTime":
        return to_odata_date(value)
    if kind in ("Edm.Double", "Edm.Decimal"):
        return decimal(value)
    if kind in INTS:
        return int(value)
    if kind == "Edm.Boolean":
        return bool(value)
    if kind == "Edm.Binary":
        return None
    return str(value).lower() if kind == "Edm.Guid" else str(value)


def key_literal(served: Served, flat: dict) -> str:
    if served.kind in ("sync", "lines-view"):
        return f"{flat['Timestamp']}L"
    prop = served.contract.key_prop
    value = flat.get(prop.name)
    return f"guid'{value}'" if prop.type == "Edm.Guid" else str(value)


def flatten(served: Served, record: dict, store: Store) -> dict:
    """The values one row shows: the record, or for the sync order view the line over its header."""
    if served.kind != "lines-view":
        return record
    header = store.get("PurchaseOrders", record.get("PurchaseOrderID")) or {}
    flat = {**header, **record, "PurchaseOrderID": record.get("PurchaseOrderID")}
    flat["CostCenterCode"] = record.get("CostCenter")
    flat["CostUnitCode"] = record.get("CostUnit")
    flat["Timestamp"] = record.get("Timestamp")
    return flat


class Renderer:
    """Renders rows of one request: knows the host base URL, the division and the store."""

    def __init__(self, base_url: str, division: int, store: Store, expand_page: int):
        self.base_url = base_url
        self.division = division
        self.store = store
        self.expand_page = expand_page

    def collection_url(self, key: str) -> str:
        if key.startswith("current/"):
            return f"{self.base_url}/api/v1/{key}"
        return f"{self.base_url}/api/v1/{self.division}/{key}"

    def row(self, served: Served, record: dict, selection: Selection) -> dict:
        flat = flatten(served, record, self.store)
        uri = f"{self.collection_url(served.key)}({key_literal(served, flat)})"
        row = {"__metadata": {"uri": uri, "type": served.type_name}}
        for prop in served.contract.props:
            if not selection.wants(prop.name):
                continue
            if prop.name in served.lines:
                row[prop.name] = self._lines(served, prop.name, flat, uri, selection)
            else:
                row[prop.name] = edm_value(prop, flat.get(prop.name))
        return row

    def _lines(self, served: Served, nav: str, flat: dict, uri: str, selection: Selection) -> dict:
        if nav not in selection.expand:
            return {"__deferred": {"uri": f"{uri}/{nav}"}}
        line_key, foreign = served.lines[nav]
        line_served = SERVED[line_key]
        parent_id = flat[served.contract.key_prop.name]
        lines = sorted(self.store.find(line_served.collection, **{foreign: parent_id}), key=lambda r: r["id"])
        page = lines[: self.expand_page]
        inner = selection.inner(nav)
        block = {"results": [self.row(line_served, line, inner) for line in page]}
        if len(lines) > len(page):
            block["__next"] = (
                f"{self.collection_url(line_key)}?$filter={foreign} eq guid'{parent_id}'"
                f"&$skiptoken=guid'{page[-1]['id']}'"
            )
        return block
