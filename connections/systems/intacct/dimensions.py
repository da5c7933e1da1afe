"""Intacct tasks and cost types as one list each, for the mirrors that carry them to Procore.

Intacct keeps tasks per project (TASK: TASKID under a PROJECTID) and cost types per task (COSTTYPE: COSTTYPEID
under a PROJECTID and TASKID), while Procore has one company list of standard cost codes and one of cost types
(line item types). So each distinct TASKID becomes one canonical CostCode, and each distinct COSTTYPEID one
canonical CostCode too (the cost type mirror uses the same shape: the id is the code, the name is the name): its
native id is the id itself, which is what Procore keeps as `origin_id` and what a posting's TASKID or COSTTYPEID
is.

- Active: at least one row with the id is active in an active project (a project's STATUS). An id used only in
  inactive projects is listed as inactive, so nothing is created for it and a linked counterpart learns of it.
- Name: the name most rows carry (among the active ones when there are any); a tie goes to the most recently
  modified row, so a rename done in one of two projects still reaches Procore.
- Version: a digest of code, name and state, so a re-read of an unchanged item is a no-op in the ledger.

Neither object has a change stamp that covers the whole group (a project's status moves its tasks), so every read
lists the whole set; an incremental read first asks, in one request, whether any row or project changed since the
cursor, and lists nothing when none did.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from connections import errors
from connections.systems.base import SourceItem
from syncs.canonical import CostCode

from .client import function, new_controlid, query_element
from .fields import modified_filter, parse_datetime, text, version_of, zone

INACTIVE = {"inactive", "f", "false"}
PROJECT_SELECT = ["RECORDNO", "PROJECTID", "STATUS", "WHENMODIFIED"]


@dataclass(frozen=True)
class Dimension:
    obj: str  # TASK or COSTTYPE
    id_field: str  # TASKID or COSTTYPEID
    what: str  # for labels and messages

    @property
    def select(self) -> list[str]:
        return ["RECORDNO", self.id_field, "NAME", "PROJECTID", "STATUS", "WHENMODIFIED"]


TASKS = Dimension("TASK", "TASKID", "Task code")
COST_TYPES = Dimension("COSTTYPE", "COSTTYPEID", "Cost type")


def is_active(row: dict) -> bool:
    return text(row, "STATUS").lower() not in INACTIVE


class IntacctDimensionList:
    """One Intacct dimension (tasks or cost types) as distinct ids across projects."""

    def __init__(self, client, settings: dict, dimension: Dimension):
        self.client = client
        self.tz = zone(settings)
        self.dimension = dimension

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        if since is not None and not self._anything_changed(since):
            return
        rows = list(self.client.query(self.dimension.obj, self.dimension.select))
        yield from self._items(rows, self._active_projects())

    def get(self, native_id: str) -> SourceItem:
        flt = ("equalto", self.dimension.id_field, native_id)
        rows = list(self.client.query(self.dimension.obj, self.dimension.select, flt))
        items = list(self._items(rows, self._active_projects()))
        if not items:
            raise errors.NotFound(f"Intacct has no {self.dimension.what.lower()} {native_id}", status=404)
        return items[0]

    def _active_projects(self) -> set[str]:
        return {text(row, "PROJECTID") for row in self.client.query("PROJECT", PROJECT_SELECT) if is_active(row)}

    def _anything_changed(self, since: dt.datetime) -> bool:
        """Whether a row of the dimension or a project changed since `since`: one request, one row each at most."""
        flt = modified_filter(since, self.tz)
        checks = [query_element(obj, ["RECORDNO"], flt, pagesize=1) for obj in (self.dimension.obj, "PROJECT")]
        results = self.client.execute([function(new_controlid("changed"), node) for node in checks])
        for result in results:
            if not result.ok:
                raise result.error(f"the {self.dimension.what.lower()} change check")
        return any(result.records() for result in results)

    def _items(self, rows: list[dict], active_projects: set[str]) -> Iterator[SourceItem]:
        groups: dict[str, list[dict]] = {}
        for row in rows:
            code = text(row, self.dimension.id_field)
            if code:
                groups.setdefault(code, []).append(row)
        for code, group in groups.items():
            yield self._item(code, group, active_projects)

    def _item(self, code: str, group: list[dict], active_projects: set[str]) -> SourceItem:
        live = [row for row in group if is_active(row) and text(row, "PROJECTID") in active_projects]
        name = self._name(live or group)
        record = CostCode(native_id=code, code=code, name=name, active=bool(live))
        stamps = [stamp for stamp in (parse_datetime(text(row, "WHENMODIFIED"), self.tz) for row in group) if stamp]
        label = f"{self.dimension.what} {code} {name}".strip()
        projects = sorted({text(row, "PROJECTID") for row in group})
        return SourceItem(
            code,
            version_of(code, name, record.active),
            max(stamps) if stamps else None,
            record,
            label=label,
            raw={"projects": projects, "rows": len(group)},
        )

    def _name(self, rows: list[dict]) -> str:
        """The name most rows carry; a tie goes to the most recently modified row."""
        counts = Counter(text(row, "NAME") for row in rows)
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)

        def rank(row):
            when = parse_datetime(text(row, "WHENMODIFIED"), self.tz) or epoch
            return counts[text(row, "NAME")], when, text(row, "RECORDNO").zfill(12)

        return text(max(rows, key=rank), "NAME")
