"""Procore company standard cost codes <-> canonical CostCode.

The company's standard list is the one list both sides share: project cost codes are copies of standard codes
(`standard_cost_code_id`) plus codes added in a project. The list used is the company's ERP list when it has one,
else the list offered to new projects, else the first. Standard cost codes carry no updated_at and no active flag:
every read lists them all, with a version that changes when the code, name, parent or link changes. The list can
also be named in the connection (`standard_cost_code_list_id`): the list endpoint is deprecated in favour of WBS.
A linked code is locked against ordinary edits, so updates go through the batch `sync` call.
"""

from __future__ import annotations

from collections.abc import Iterator

from connections import errors
from connections.systems.base import SourceItem, WriteResult
from syncs.canonical import CostCode

from .common import fingerprint, item
from .vendors import synced_entity

#: Separators between the segments of a full code (e.g. "01-100"), to place a new code under its parent.
SEGMENT_SEPARATORS = ("-", ".", " ")


def full_code(row: dict) -> str:
    return str(row.get("full_code") or row.get("code") or "")


def code_item(row: dict) -> SourceItem:
    code = CostCode(
        native_id=str(row["id"]),
        code=full_code(row),
        name=row.get("name") or "",
        origin_id=str(row.get("origin_id") or ""),
    )
    version = fingerprint(code.code, code.name, code.origin_id, row.get("parent_id"))
    return item(code.native_id, version, None, code, f"Cost code {code.code} {code.name}".strip(), row)


class ProcoreCostCodes:
    """Read, find and write the company's standard cost codes."""

    def __init__(self, client, list_id=None):
        self.client = client
        self._list_id: int | None = int(list_id) if list_id else None

    def list_id(self) -> int:
        if self._list_id is None:
            try:
                lists = list(self.client.standard_cost_code_lists())
            except errors.NotFound:
                lists = []  # the list endpoint is deprecated (WBS replaces it): fall back to a project's codes
            lists.sort(key=lambda row: (not row.get("is_erp_list"), not row.get("available_to_use_on_new_projects")))
            found = lists[0]["id"] if lists else self._list_of_project_codes()
            if not found:
                raise errors.Permanent("The Procore company has no standard cost code list that can be read.")
            self._list_id = int(found)
        return self._list_id

    def _list_of_project_codes(self):
        """The standard list the first project's cost codes were copied from."""
        for project in self.client.projects():
            for code in self.client.cost_codes(project["id"]):
                if code.get("standard_cost_code_list_id"):
                    return code["standard_cost_code_list_id"]
            return None
        return None

    def rows(self) -> list[dict]:
        return list(self.client.standard_cost_codes(self.list_id()))

    def changed(self) -> Iterator[SourceItem]:
        for row in self.rows():
            yield code_item(row)

    def get(self, native_id: str) -> SourceItem:
        return code_item(self.client.standard_cost_code(self.list_id(), native_id))

    def find(self, record: CostCode) -> str | None:
        """The code linked to the record (origin_id = the record's id), else the one with the same full code."""
        for row in self.client.standard_cost_codes(self.list_id(), origin_id=record.native_id):
            if str(row.get("origin_id") or "") == record.native_id:
                return str(row["id"])
        same = [row for row in self.rows() if full_code(row) == record.code]
        return str(same[0]["id"]) if same else None

    def write(self, record: CostCode, existing_id: str | None) -> WriteResult:
        list_id = self.list_id()
        if existing_id:
            current = self.client.standard_cost_code(list_id, existing_id)
            fields = {"id": int(existing_id), "name": record.name}
            if not current.get("origin_id"):
                fields["origin_id"] = record.native_id
            answer = synced_entity(self.client.sync_standard_cost_codes(list_id, [fields]), "cost code")
            return WriteResult(str(existing_id), False, sent=fields, response=trim(answer))
        fields = {"name": record.name, "origin_id": record.native_id, **self._placement(record.code)}
        answer = self.client.create_standard_cost_code(list_id, fields)
        if not answer.get("id"):
            raise errors.OutcomeUnknown("Procore answered the cost code creation without an id")
        return WriteResult(str(answer["id"]), True, sent=fields, response=trim(answer))

    def _placement(self, code: str) -> dict:
        """`code` and `parent_id` of a new code: under the existing code whose full code is its longest prefix."""
        by_full = {full_code(row): row for row in self.rows()}
        for end in range(len(code) - 1, 0, -1):
            parent = by_full.get(code[:end])
            if parent is not None and code[end] in SEGMENT_SEPARATORS and code[end + 1 :]:
                return {"code": code[end + 1 :], "parent_id": int(parent["id"])}
        return {"code": code}


def trim(answer: dict) -> dict:
    return {key: answer.get(key) for key in ("id", "code", "full_code", "name", "origin_id") if key in answer}
