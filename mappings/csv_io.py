"""CSV export and import of every map of an integration.

An import validates every row first and reports errors by line number (the header is line 1); only a file with
no error at all is applied, in one transaction. Reference items are written and read by code, or by native id
where a code is not unique (e.g. project tasks "03" of several projects).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from .grid import Blocking, cost_code_rows, dimension_kinds
from .models import (
    PROJECT_SOURCE_KINDS,
    AccountRule,
    ChangeSource,
    CostCodeMap,
    ProjectMap,
    ReferenceRecord,
    RefKind,
    VendorMap,
)
from .resolve import Maps
from .services import delete_map, requeue_on_commit, save_map

KINDS = ("vendors", "cost_codes", "projects", "account_rules")
MAX_ROWS = 50000
VENDOR_COLUMNS = ["source_id", "source_code", "source_name", "destination_id", "destination_name"]
COST_CODE_COLUMNS = ["cost_code", "cost_type", "name", "account"]
PROJECT_COLUMNS = ["source_kind", "source_id", "source_code", "source_name", "destination_id", "destination_name"]
RULE_COLUMNS = [
    "id",
    "order",
    "account_code",
    "cost_center",
    "description_pattern",
    "pattern_syntax",
    "cost_code",
    "cost_type",
    "is_default",
]
#: Files written before rules had a cost center still import (it is then "any").
OPTIONAL_RULE_COLUMNS = {"cost_center"}


@dataclass
class ImportResult:
    errors: list[tuple[int, str]] = field(default_factory=list)
    changes: list = field(default_factory=list)  # (map row, delete?) pairs, applied only when there is no error

    @property
    def ok(self) -> bool:
        return not self.errors


class Lookup:
    """Reference items of one connection and kind, found by native id or by a unique code."""

    def __init__(self, connection_id: int, kind: str):
        self.items = list(ReferenceRecord.objects.filter(connection_id=connection_id, kind=kind))
        self.by_id = {ref.native_id: ref for ref in self.items}
        self.by_code: dict[str, list] = {}
        for ref in self.items:
            if ref.is_usable and ref.code:
                self.by_code.setdefault(ref.code, []).append(ref)

    def token(self, ref) -> str:
        """How an item is written to a CSV: its code when that is unambiguous, else its native id."""
        if ref is None:
            return ""
        return ref.code if ref.code and len(self.by_code.get(ref.code, [])) == 1 else ref.native_id

    def find(self, value: str, what: str):
        if value in self.by_id:
            return self.by_id[value]
        found = self.by_code.get(value, [])
        if len(found) > 1:
            raise ValidationError(f"{what} '{value}' is ambiguous: use its native id.")
        if not found:
            raise ValidationError(f"{what} '{value}' does not exist or is inactive.")
        return found[0]


# --- export -------------------------------------------------------------------------------------------------


def export_csv(integration, kind: str) -> str:
    """The map of one kind as CSV text."""
    exporters = {
        "vendors": _vendor_rows,
        "cost_codes": _cost_code_rows,
        "projects": _project_rows,
        "account_rules": _rule_rows,
    }
    header, rows = exporters[kind](integration)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _vendor_rows(integration):
    rows = VendorMap.objects.filter(integration=integration).select_related("destination")
    maps = {row.source_id: row for row in rows}
    sources = ReferenceRecord.objects.filter(connection_id=integration.source_id, kind=RefKind.VENDOR)
    rows = []
    for ref in sources:
        row = maps.get(ref.pk)
        if not ref.is_usable and row is None:
            continue
        dest = row.destination if row else None
        rows.append([ref.native_id, ref.code, ref.name, dest.native_id if dest else "", dest.name if dest else ""])
    return VENDOR_COLUMNS, rows


def _project_rows(integration):
    rows = ProjectMap.objects.filter(integration=integration).select_related("destination")
    maps = {row.source_id: row for row in rows}
    sources = ReferenceRecord.objects.filter(connection_id=integration.source_id, kind__in=PROJECT_SOURCE_KINDS)
    rows = []
    for ref in sources.order_by("kind", "code", "name"):
        row = maps.get(ref.pk)
        if row is None and not (ref.is_usable and ref.kind in (RefKind.PROJECT, RefKind.CUSTOMER)):
            continue
        dest = row.destination if row else None
        rows.append(
            [ref.kind, ref.native_id, ref.code, ref.name, dest.native_id if dest else "", dest.name if dest else ""]
        )
    return PROJECT_COLUMNS, rows


def _cost_code_rows(integration):
    kinds = dimension_kinds(integration)
    lookups = {kind: Lookup(integration.destination_id, kind) for kind in [RefKind.ACCOUNT, *kinds]}
    rows = []
    for row in cost_code_rows(integration, Maps(integration), Blocking()):
        dims = row.map.dimension_refs() if row.map else {}
        account = row.map.account if row.map else None
        values = [row.cost_code, row.cost_type, row.name, lookups[RefKind.ACCOUNT].token(account)]
        rows.append(values + [lookups[kind].token(dims.get(kind)) for kind in kinds])
    return COST_CODE_COLUMNS + [dimension_column(kind) for kind in kinds], rows


def dimension_column(kind: str) -> str:
    """A dimension's column: its kind, unless that is a column of the source side already (a destination that
    has cost codes as a dimension, e.g. Acumatica, would otherwise get two `cost_code` columns)."""
    return f"{kind} (destination)" if kind in COST_CODE_COLUMNS else kind


def _rule_rows(integration):
    rows = [
        [
            rule.pk,
            rule.order,
            rule.account_code,
            rule.cost_center,
            rule.description_pattern,
            rule.pattern_syntax,
            rule.cost_code,
            rule.cost_type,
            "yes" if rule.is_default else "",
        ]
        for rule in AccountRule.objects.filter(integration=integration).order_by("is_default", "order", "id")
    ]
    return RULE_COLUMNS, rows


# --- import -------------------------------------------------------------------------------------------------


def import_csv(integration, kind: str, data: bytes, user, progress=None) -> ImportResult:
    """Validate a whole file; apply it only if every row is valid. Returns the errors by line, or the changes.

    `progress` (a syncs.progress tracker) is told of each row checked, then of the saving."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((1, "The file is not UTF-8 text."))
        return result
    reader = csv.DictReader(io.StringIO(text))
    if progress is not None:
        progress.start(max(sum(1 for _ in csv.reader(io.StringIO(text))) - 1, 0), "checking rows")
        reader = _Counted(reader, progress)
    parse = {
        "vendors": _parse_vendors,
        "cost_codes": _parse_cost_codes,
        "projects": _parse_projects,
        "account_rules": _parse_rules,
    }[kind]
    parse(integration, reader, result)
    if result.ok and result.changes:
        if progress is not None:
            progress.step(0, f"saving {len(result.changes)} change(s)")
        _apply(result.changes, user)
        requeue_on_commit(integration.pk)
    return result


class _Counted:
    """A CSV reader that tells a progress tracker of each row read (the parsers use fieldnames and line_num)."""

    def __init__(self, reader, progress):
        self.reader, self.progress = reader, progress

    @property
    def fieldnames(self):
        return self.reader.fieldnames

    @property
    def line_num(self):
        return self.reader.line_num

    def __iter__(self):
        for row in self.reader:
            self.progress.step(1)
            yield row


def _rows(reader, required: list[str], result: ImportResult):
    """(line number, row) of each data row, after checking the header."""
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        result.errors.append((1, f"Missing columns: {', '.join(missing)}."))
        return
    for number, row in enumerate(reader, start=1):
        if number > MAX_ROWS:
            result.errors.append((reader.line_num, f"More than {MAX_ROWS} rows: split the file."))
            return
        yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}


def _error(result: ImportResult, line: int, exc: ValidationError) -> None:
    messages = []
    for field_name, errors in getattr(exc, "message_dict", {"": exc.messages}).items():
        prefix = f"{field_name}: " if field_name and field_name != "__all__" else ""
        messages.extend(prefix + message for message in errors)
    result.errors.append((line, " ".join(messages)))


def _parse_vendors(integration, reader, result: ImportResult) -> None:
    sources = ReferenceRecord.objects.filter(connection_id=integration.source_id, kind=RefKind.VENDOR)
    by_key = {("vendor", ref.native_id): ref for ref in sources}
    rows = _rows(reader, ["source_id", "destination_id"], result)
    _parse_reference_map(integration, VendorMap, by_key, RefKind.VENDOR, rows, result)


def _parse_projects(integration, reader, result: ImportResult) -> None:
    sources = ReferenceRecord.objects.filter(connection_id=integration.source_id, kind__in=PROJECT_SOURCE_KINDS)
    by_key = {(ref.kind, ref.native_id): ref for ref in sources}
    rows = _rows(reader, ["source_kind", "source_id", "destination_id"], result)
    _parse_reference_map(integration, ProjectMap, by_key, RefKind.PROJECT, rows, result)


def _parse_reference_map(integration, model, sources: dict, destination_kind: str, rows, result: ImportResult):
    """Rows of source id (and kind, where a map takes several) -> destination id; an empty destination unmaps."""
    destinations = Lookup(integration.destination_id, destination_kind)
    existing = {row.source_id: row for row in model.objects.filter(integration=integration)}
    seen = set()
    for line, values in rows:
        try:
            what = f"source {values.get('source_kind') or destination_kind} id '{values['source_id']}'"
            source = sources.get((values.get("source_kind") or destination_kind, values["source_id"]))
            if source is None:
                raise ValidationError(f"{what} is not listed by the source.")
            if source.pk in seen:
                raise ValidationError(f"{what} appears twice.")
            seen.add(source.pk)
            row = existing.get(source.pk)
            if not values["destination_id"]:
                if row is not None:
                    result.changes.append((row, True))
                continue
            destination = destinations.find(values["destination_id"], f"destination {destination_kind}")
            if row is not None and row.destination_id == destination.pk:
                continue
            row = row or model(integration=integration, source=source)
            row.destination = destination
            row.full_clean()
            result.changes.append((row, False))
        except ValidationError as exc:
            _error(result, line, exc)


def _parse_cost_codes(integration, reader, result: ImportResult) -> None:
    kinds = dimension_kinds(integration)
    lookups = {kind: Lookup(integration.destination_id, kind) for kind in [RefKind.ACCOUNT, *kinds]}
    existing = {(row.cost_code, row.cost_type): row for row in CostCodeMap.objects.filter(integration=integration)}
    seen = set()
    for line, values in _rows(reader, ["cost_code", "cost_type", "account"], result):
        try:
            key = (values["cost_code"], values["cost_type"])
            if not key[0]:
                raise ValidationError("cost_code is required.")
            if key in seen:
                raise ValidationError(f"cost code {key[0]} / cost type {key[1] or '(any)'} appears twice.")
            seen.add(key)
            row = existing.get(key)
            if not values["account"]:
                if row is not None:
                    result.changes.append((row, True))
                continue
            row = row or CostCodeMap(integration=integration, cost_code=key[0], cost_type=key[1])
            before = row.snapshot() if row.pk else None
            row.account = lookups[RefKind.ACCOUNT].find(values["account"], "account")
            row.dimensions = {
                kind: lookups[kind].find(values[dimension_column(kind)], kind).pk
                for kind in kinds
                if values.get(dimension_column(kind))
            }
            row.full_clean()
            if row.snapshot() != before:
                result.changes.append((row, False))
        except ValidationError as exc:
            _error(result, line, exc)


def _parse_rules(integration, reader, result: ImportResult) -> None:
    """The file is the whole rule table: rows with an id update that rule, rows without add one, the rest go."""
    existing = {str(rule.pk): rule for rule in AccountRule.objects.filter(integration=integration)}
    kept, defaults = set(), []
    required = [name for name in RULE_COLUMNS[1:] if name not in OPTIONAL_RULE_COLUMNS]
    for line, values in _rows(reader, required, result):
        try:
            rule = existing.get(values.get("id", ""))
            if values.get("id") and (rule is None or values["id"] in kept):
                raise ValidationError(f"rule id {values['id']} is not a rule of this integration, or appears twice.")
            rule = rule or AccountRule(integration=integration)
            before = rule.snapshot() if rule.pk else None
            _fill_rule(rule, values)
            # The one-default rule is checked across the file below: the stored table is about to be replaced.
            rule.full_clean(validate_constraints=False)
            kept.add(str(rule.pk))
            defaults += [line] if rule.is_default else []
            if rule.snapshot() != before:
                result.changes.append((rule, False))
        except ValidationError as exc:
            _error(result, line, exc)
    if len(defaults) > 1:
        result.errors.append((defaults[1], f"Only one rule may be the default (line {defaults[0]} already is)."))
    result.changes[:0] = [(rule, True) for pk, rule in existing.items() if pk not in kept]


def _fill_rule(rule: AccountRule, values: dict) -> None:
    order = values["order"] or "100"
    if not order.isdigit():
        raise ValidationError(f"order '{order}' is not a whole number.")
    rule.order = int(order)
    rule.account_code = values["account_code"]
    rule.cost_center = values.get("cost_center", "")
    rule.description_pattern = values["description_pattern"]
    rule.pattern_syntax = values["pattern_syntax"] or "glob"
    rule.cost_code = values["cost_code"]
    rule.cost_type = values["cost_type"]
    rule.is_default = values["is_default"].lower() in ("yes", "true", "1", "y", "x")


@transaction.atomic
def _apply(changes: list, user) -> None:
    # Deletions first, so a row that moves the default or a key frees it before another takes it.
    for row, delete in sorted(changes, key=lambda change: not change[1]):
        if delete:
            delete_map(row, user, ChangeSource.CSV)
    for row, delete in changes:
        if not delete:
            if isinstance(row, AccountRule) and row.is_default:
                _clear_old_default(row, user)
            save_map(row, user, ChangeSource.CSV, validate=False, requeue=False)


def _clear_old_default(rule: AccountRule, user) -> None:
    for old in AccountRule.objects.filter(integration=rule.integration, is_default=True).exclude(pk=rule.pk):
        old.is_default = False
        save_map(old, user, ChangeSource.CSV, validate=False, requeue=False)
