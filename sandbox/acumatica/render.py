"""Stored records as the contract-based API returns them, field for field as the version's contract says.

A record carries the system fields ``id``, ``rowNumber``, ``note`` and ``custom`` (the contract's
``Entity``), every top-level field of its schema (``{}`` when empty), and its linked and detail entities
only when ``$expand``ed or ``$select``ed. ``_links`` is not in the published ``Entity`` schema, so it is
sent only when the ``links_field`` switch is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema import Contract, EntitySchema
from .values import wrap


@dataclass
class View:
    """What a request asks to see: ``$select``, ``$expand`` (and the fields a PUT sent)."""

    select: set[str] | None = None
    nested: dict[str, set[str]] = field(default_factory=dict)
    expand: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, select: str | None, expand: str | None) -> View:
        """'$select=Status,Details/Amount' -> select {'Status', 'Details'}, nested {'Details': {'Amount'}}."""
        view = cls(expand={item.strip() for item in (expand or "").split(",") if item.strip()})
        if select:
            view.select = set()
            for item in (part.strip() for part in select.split(",")):
                head, _, rest = item.partition("/")
                view.select.add(head)
                if rest:
                    view.nested.setdefault(head, set()).add(rest)
        return view

    def shows(self, name: str) -> bool:
        return self.select is None or name in self.select

    def opens(self, name: str) -> bool:
        return name in self.expand or bool(self.select and name in self.select)


def system(record: dict, row_number: int) -> dict:
    note = record.get("note")
    return {"id": record["id"], "rowNumber": row_number, "note": wrap(note if note is not None else ""), "custom": {}}


def scalars(schema: EntitySchema, values: dict, only: set[str] | None = None) -> dict:
    return {name: wrap(values.get(name), kind) for name, kind in schema.scalars.items() if only is None or name in only}


def render(contract: Contract, schema: EntitySchema, record: dict, view: View, row_number: int = 1) -> dict:
    """One stored top-level record as the API returns it."""
    out = system(record, row_number)
    out.update(scalars(schema, record, view.select))
    for name, linked in schema.linked.items():
        if view.opens(name) and isinstance(record.get(name), dict):
            inner = contract.entity(linked)
            head = system({"id": record[name].get("id") or record["id"]}, 1)
            out[name] = {**head, **scalars(inner, record[name])}
    for name, detail in schema.details.items():
        if view.opens(name):
            out[name] = lines(contract.entity(detail), record.get(name) or [], view.nested.get(name))
    return out


def lines(schema: EntitySchema, rows: list[dict], only: set[str] | None = None) -> list[dict]:
    return [{**system(row, i), **scalars(schema, row, only)} for i, row in enumerate(rows, 1)]


def links(record: dict, entity: str, screen: str, site: str) -> dict:
    return {
        "self": f"{site}/{entity}/{record['id']}",
        "files:put": f"{site}/files/{screen}/{record['id']}/{{filename}}",
    }
