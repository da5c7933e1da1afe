"""What the mapping grid shows: items of each side, their map, best suggestion and the records they block.

Kept apart from the views so the same rows feed the page, the bulk accept and the tests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import models

from syncs.models import RecordState, SyncRecord

from .models import NON_DIMENSION_KINDS, PROJECT_SOURCE_KINDS, CostCodeMap, ReferenceRecord, RefKind, cost_code_key
from .resolve import Maps, resolved_keys
from .suggest import Suggestion, best_per_item, suggest


class RowState(models.TextChoices):
    UNMAPPED = "unmapped", "Unmapped"
    SUGGESTED = "suggested", "Unmapped, with a suggestion"
    MAPPED = "mapped", "Mapped"


@dataclass
class Blocking:
    """Records in needs_mapping of one integration, by the error keys the current maps do not yet resolve."""

    counts: Counter = field(default_factory=Counter)
    details: dict = field(default_factory=dict)  # key -> MissingMapping as stored (dict)
    records: int = 0  # records blocked by at least one unresolved key


def blocking(integration, maps: Maps) -> Blocking:
    """Count, per unresolved error key, the records it still holds in needs_mapping."""
    rows = SyncRecord.objects.filter(integration=integration, state=RecordState.NEEDS_MAPPING)
    per_record, details = [], {}
    for errors in rows.values_list("mapping_errors", flat=True):
        keys = set()
        for error in errors or []:
            if isinstance(error, dict) and error.get("key"):
                keys.add(error["key"])
                details.setdefault(error["key"], error)
        per_record.append(keys)
    done = resolved_keys(maps, set(details))
    result = Blocking(details={k: v for k, v in details.items() if k not in done})
    for keys in per_record:
        open_keys = keys - done
        result.counts.update(open_keys)
        result.records += bool(open_keys)
    return result


@dataclass
class ReferenceRow:
    """A source item (vendor, or project, job, class, cost center) and the destination item its map row names."""

    source: ReferenceRecord
    map: object | None  # VendorMap or ProjectMap
    suggestion: Suggestion | None
    clear: bool  # the suggestion is unambiguous (bulk accept takes only these)
    blocked: int

    @property
    def mapped(self) -> bool:
        return self.map is not None and self.map.destination.is_usable

    @property
    def state(self) -> str:
        if self.mapped:
            return RowState.MAPPED
        return RowState.SUGGESTED if self.suggestion else RowState.UNMAPPED


def destination_items(integration, kind: str):
    return ReferenceRecord.objects.filter(connection_id=integration.destination_id, kind=kind).usable()


def _reference_rows(integration, sources, rows_by_native_id: dict, kind: str, block: Blocking) -> list[ReferenceRow]:
    """Rows for source items mapped to destination items of `kind`, with the best suggestion for unmapped ones and
    the records each holds (error key `<kind>:<source native id>`)."""
    usable = {native_id for native_id, row in rows_by_native_id.items() if row.destination.is_usable}
    unmapped = [ref for ref in sources if ref.native_id not in usable]
    best = best_per_item(suggest(unmapped, destination_items(integration, kind), limit=2))
    rows = []
    for ref in sources:
        suggestion, clear = best.get(id(ref), (None, False))
        blocked = block.counts.get(f"{kind}:{ref.native_id}", 0)
        rows.append(ReferenceRow(ref, rows_by_native_id.get(ref.native_id), suggestion, clear, blocked))
    return rows


def vendor_rows(integration, maps: Maps, block: Blocking) -> list[ReferenceRow]:
    """Every source vendor still listed or mapped, with its map, best suggestion and blocked count."""
    sources = ReferenceRecord.objects.filter(connection_id=integration.source_id, kind=RefKind.VENDOR)
    sources = [ref for ref in sources if ref.is_usable or ref.native_id in maps.vendors]
    return _reference_rows(integration, sources, maps.vendors, RefKind.VENDOR, block)


def project_rows(integration, maps: Maps, block: Blocking) -> list[ReferenceRow]:
    """Source projects (and the jobs, classes or cost centers records wait on) with their project map rows.

    Listed: every active source item of kind project or customer (job), every item a map row names, and every
    item a record waits on; other kinds (departments, classes...) only when a map row or a record names them."""
    waiting = {key.partition(":")[2] for key in block.details if key.startswith("project:")}
    sources = ReferenceRecord.objects.filter(connection_id=integration.source_id, kind__in=PROJECT_SOURCE_KINDS)
    sources = [
        ref
        for ref in sources
        if ref.native_id in maps.projects
        or ref.native_id in waiting
        or (ref.is_usable and ref.kind in (RefKind.PROJECT, RefKind.CUSTOMER))
    ]
    return _reference_rows(integration, sources, maps.projects, RefKind.PROJECT, block)


def unmatched_lines(block: Blocking) -> list[dict]:
    """Accounts (and cost centers) whose lines match no account rule, with how many records each holds."""
    rows = []
    for key, error in block.details.items():
        if error.get("kind") == "account_rule":
            detail = error.get("detail") or {}
            rows.append({**detail, "key": key, "message": error.get("message", ""), "blocked": block.counts[key]})
    return sorted(rows, key=lambda row: (-row["blocked"], row["key"]))


@dataclass
class CostCodeRow:
    cost_code: str
    cost_type: str
    name: str
    map: CostCodeMap | None
    suggestion: Suggestion | None
    clear: bool
    blocked: int

    @property
    def key(self) -> str:
        return cost_code_key(self.cost_code, self.cost_type)

    @property
    def mapped(self) -> bool:
        return self.map is not None and self.map.account.is_usable

    @property
    def state(self) -> str:
        if self.mapped:
            return RowState.MAPPED
        return RowState.SUGGESTED if self.suggestion else RowState.UNMAPPED


def cost_code_rows(integration, maps: Maps, block: Blocking) -> list[CostCodeRow]:
    """Map rows, cost code + type pairs that block records, and source cost codes no row covers yet."""
    names = dict(
        ReferenceRecord.objects.filter(connection_id=integration.source_id, kind=RefKind.COST_CODE)
        .usable()
        .values_list("code", "name")
    )
    pairs = {pair: names.get(pair[0], "") for pair in maps.cost_codes}
    for error in block.details.values():
        if error.get("kind") == "cost_code" and "cost_code" in (error.get("detail") or {}):
            detail = error["detail"]
            pairs.setdefault((detail["cost_code"], detail.get("cost_type", "")), detail.get("name", ""))
    covered = {code for code, _ in pairs}
    for code, name in names.items():
        if code and code not in covered:
            pairs[(code, "")] = name
    items = {pair: SimpleNamespace(code="", name=name) for pair, name in pairs.items()}
    open_items = [item for pair, item in items.items() if maps.cost_code_row(*pair) is None]
    best = best_per_item(suggest(open_items, destination_items(integration, RefKind.ACCOUNT), limit=2))
    rows = []
    for (code, cost_type), name in sorted(pairs.items()):
        suggestion, clear = best.get(id(items[(code, cost_type)]), (None, False))
        row = maps.cost_codes.get((code, cost_type))
        blocked = block.counts.get(cost_code_key(code, cost_type), 0)
        rows.append(CostCodeRow(code, cost_type, name, row, suggestion, clear, blocked))
    return rows


def filter_rows(rows, state: str = "", query: str = ""):
    """Rows in a state (unmapped includes suggested) whose text contains the query; most blocking first."""
    query = (query or "").strip().lower()
    if state == RowState.UNMAPPED:
        rows = [row for row in rows if not row.mapped]
    elif state in (RowState.SUGGESTED, RowState.MAPPED):
        rows = [row for row in rows if row.state == state]
    if query:
        rows = [row for row in rows if query in _text(row)]
    return sorted(rows, key=lambda row: (-row.blocked, row.mapped, _text(row)))


def _text(row) -> str:
    parts = [str(getattr(row, "source", "")), getattr(row, "cost_code", ""), getattr(row, "cost_type", "")]
    parts += [getattr(row, "name", ""), str(row.map or "")]
    return " ".join(parts).lower()


def dimension_kinds(integration) -> list[str]:
    """Destination reference kinds a cost-code map row may set as dimensions, e.g. subaccount, project, task."""
    kinds = (
        ReferenceRecord.objects.filter(connection_id=integration.destination_id)
        .usable()
        .exclude(kind__in=NON_DIMENSION_KINDS)
        .values_list("kind", flat=True)
        .distinct()
    )
    return sorted(set(kinds))
