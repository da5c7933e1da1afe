"""Procore cost types (its "line item types") <-> canonical CostCode.

Cost types are one company list, but the list endpoint asks for a project as well: the first active project is
used, and a company without one lists none. The shape is the cost code's: `code` is the type's abbreviation
(`code` when read, `csv_import_code` when written), `name` its name, `origin_id` the ERP id it is linked to.
Procore publishes no change stamp and no active flag for them, so every read lists them all, with a version that
changes when the code, name, base type or link changes.

Written as an ERP writes them: a new type is created carrying the ERP id in `origin_id`, after a look-up by that
origin_id (so a create retried after a lost answer finds its type), then by code; an existing one is kept in step
(name, link) through the batch `sync` call, which answers 200 with the `errors` of each item.
"""

from __future__ import annotations

from collections.abc import Iterator

from connections import errors
from connections.systems.base import SourceItem, WriteResult
from syncs.canonical import CostCode

from .common import fingerprint, item
from .vendors import synced_entity

#: The base type of a type we create. The ERP's cost types carry no such notion; "other" is accepted by both the
#: create and the sync call (the sync's enum has no "labor").
NEW_BASE_TYPE = "other"


def type_item(row: dict) -> SourceItem:
    kind = CostCode(
        native_id=str(row["id"]),
        code=str(row.get("code") or ""),
        name=row.get("name") or "",
        origin_id=str(row.get("origin_id") or ""),
    )
    version = fingerprint(kind.code, kind.name, kind.origin_id, row.get("base_type"))
    return item(kind.native_id, version, None, kind, f"Cost type {kind.code} {kind.name}".strip(), row)


class ProcoreCostTypes:
    """Read, find and write the company's cost types."""

    def __init__(self, client):
        self.client = client
        self._project_id = None

    def project_id(self):
        """The project the company list is asked through (the endpoint requires one); None without any."""
        if self._project_id is None:
            first = next(iter(self.client.projects()), None)
            self._project_id = first["id"] if first else None
        return self._project_id

    def rows(self, origin_id: str | None = None) -> list[dict]:
        """The company's cost types; none can be listed (and none is found) in a company without a project."""
        project_id = self.project_id()
        if project_id is None:
            return []
        return list(self.client.line_item_types(project_id, origin_id=origin_id))

    def changed(self) -> Iterator[SourceItem]:
        for row in self.rows():
            yield type_item(row)

    def get(self, native_id: str) -> SourceItem:
        return type_item(self.client.line_item_type(native_id))

    def find(self, record: CostCode) -> str | None:
        """The type linked to the record (origin_id = the record's id), else the one with the same code.

        A type with the same code already linked to another ERP id is a conflict for a person: origin_id is
        unique per company, and taking it over would unlink the other one."""
        for row in self.rows(origin_id=record.native_id):
            if str(row.get("origin_id") or "") == record.native_id:
                return str(row["id"])
        same = [row for row in self.rows() if str(row.get("code") or "") == record.code]
        unlinked = [row for row in same if not row.get("origin_id")]
        if unlinked:
            return str(unlinked[0]["id"])
        if same:
            raise errors.Conflict(
                f"Procore's cost type {record.code!r} is already linked to {same[0].get('origin_id')!r}, not to "
                f"{record.native_id!r}: link the right one by hand, then replay."
            )
        return None

    def write(self, record: CostCode, existing_id: str | None) -> WriteResult:
        if existing_id:
            current = self.client.line_item_type(existing_id)
            fields = {"id": int(existing_id), "name": record.name}
            if not current.get("origin_id"):
                fields["origin_id"] = record.native_id
            answer = synced_entity(self.client.sync_line_item_types([fields]), "cost type")
            return WriteResult(str(existing_id), False, sent=fields, response=trim(answer))
        fields = {
            "name": record.name,
            "csv_import_code": record.code,
            "base_type": NEW_BASE_TYPE,
            "origin_id": record.native_id,
        }
        answer = self.client.create_line_item_type(fields)
        if not answer.get("id"):
            raise errors.OutcomeUnknown("Procore answered the cost type creation without an id")
        return WriteResult(str(answer["id"]), True, sent=fields, response=trim(answer))


def trim(answer: dict) -> dict:
    return {key: answer.get(key) for key in ("id", "code", "name", "base_type", "origin_id") if key in answer}
