"""Canonical record + maps -> destination references, or a list of precise MissingMapping errors.

Vendors resolve through VendorMap by the source vendor's native id. Lines that carry a cost code resolve through
CostCodeMap by the cost code's *code* (Procore cost codes are per project but share codes) and the cost type's
code (or name), falling back to the row for "any cost type". Lines that carry only a source GL account (sources
that post by account, or by cost center alone) resolve through AccountRule to a destination cost code + cost type.

Project, task and cost type come from the source's own project, cost code and cost type when the destination lists
them: a line whose project has the code (e.g. the project number) of an active destination project takes that
project, then the task of that project with the line's cost code as its code, then the cost type of that task with
the line's cost type code; a value the map row names itself is kept (and what hangs under it is left to the row).
The project's code is the line's (or the document's) project reference's, else the code the source lists for it.

Sources that group costs by something else (a QuickBooks job or class, an Exact project or cost center) route through
ProjectMap rows by the source item's native id; a map row wins over a code match. A flow whose destination needs a
project on every line (option `project_required`) holds a record whose line ends without one, naming the line.
Account rules match a line's account, its cost center and its description.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from syncs.canonical import Ref

from .models import NO_COST_CODE, AccountRule, CostCodeMap, ProjectMap, ReferenceRecord, VendorMap, cost_code_key


@dataclass
class MissingMapping:
    kind: str  # vendor | cost_code | account_rule | project
    key: str  # stable: "vendor:<source native id>", "cost_code:03-310/Subcontract", "account_rule:6100", "project:<id>"
    label: str  # the unmapped item as finance staff know it
    message: str
    detail: dict = field(default_factory=dict)  # what a map row needs, e.g. {"cost_code": "03-310", "cost_type": ...}


@dataclass
class Resolution:
    record: Any
    errors: list[MissingMapping] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Maps:
    """Every map row of one integration, loaded once for resolving many records."""

    def __init__(self, integration):
        self.integration = integration
        self.vendors = {
            row.source.native_id: row
            for row in VendorMap.objects.filter(integration=integration).select_related(
                "source", "destination__connection"
            )
        }
        rows = CostCodeMap.objects.filter(integration=integration).select_related("account__connection")
        self.cost_codes = {(row.cost_code, row.cost_type): row for row in rows}
        dim_ids = {int(pk) for row in self.cost_codes.values() for pk in (row.dimensions or {}).values()}
        self.dimension_refs = ReferenceRecord.objects.select_related("connection").in_bulk(dim_ids)
        self.rules = list(AccountRule.objects.filter(integration=integration).order_by("is_default", "order", "id"))
        self.projects = {
            row.source.native_id: row
            for row in ProjectMap.objects.filter(integration=integration).select_related(
                "source", "destination__connection"
            )
        }
        self._places: tuple | None = None

    def places(self) -> tuple[dict, dict, dict, dict]:
        """Source project id -> its code; destination project code -> project; (parent id, code) -> task, and
        -> cost type (active destination items only). Read on first use."""
        if self._places is None:
            source = ReferenceRecord.objects.filter(connection=self.integration.source, kind="project")
            listed = ReferenceRecord.objects.filter(connection=self.integration.destination)
            usable = listed.usable()
            # Projects inactive there are kept too: a line on one is held with the reason, not posted without it.
            self._places = (
                {ref.native_id: ref.code for ref in source},
                {ref.code: ref for ref in listed.filter(kind="project") if ref.code},
                {(ref.parent, ref.code): ref for ref in usable.filter(kind="task") if ref.code},
                {(ref.parent, ref.code): ref for ref in usable.filter(kind="cost_type", parent__gt="") if ref.code},
            )
        return self._places

    @property
    def source_label(self) -> str:
        return self.integration.source.spec.label

    @property
    def destination_label(self) -> str:
        return self.integration.destination.spec.label

    def cost_code_row(self, code: str, cost_type: str) -> CostCodeMap | None:
        return self.cost_codes.get((code, cost_type)) or self.cost_codes.get((code, ""))

    def rule_for(self, account_code: str, description: str, cost_center: str = "") -> AccountRule | None:
        return next(
            (rule for rule in self.rules if rule.is_default or rule.matches(account_code, description, cost_center)),
            None,
        )


def resolve(integration, record, maps: Maps | None = None, options: dict | None = None) -> Resolution:
    """Fill destination references on a copy of `record`, or say precisely what is missing.

    `options` are the flow's options as the integration sets them (`project_required`)."""
    maps = maps or Maps(integration)
    options = options or {}
    record = copy.deepcopy(record)
    errors: list[MissingMapping] = []
    vendor = getattr(record, "vendor", None)
    if isinstance(vendor, Ref):
        _resolve_vendor(maps, vendor, errors)
    for number, line in enumerate(getattr(record, "lines", None) or [], start=1):
        if line.cost_code is None and not line.account and not line.cost_center:
            # An uncoded line never goes out without an account: it takes the map row of "no cost code".
            line.cost_code = Ref(native_id="", code=NO_COST_CODE, name="lines without a cost code")
        source_code = ""  # a line coded by an account rule has the destination's cost code, not the source's
        if line.cost_code is not None:
            source_code = (line.cost_code.code or "").strip()
            _resolve_cost_code(maps, line, errors)
        else:
            _resolve_account_rule(maps, line, number, errors)
        project = line.project or getattr(record, "project", None)
        _map_project(maps, line, project, errors)
        _place(maps, line, project, source_code, errors)
        if options.get("project_required"):
            _require_project(maps, record, line, number, project, errors)
    return Resolution(record=record, errors=_unique(errors))


def _map_project(maps: Maps, line, project: Ref | None, errors: list) -> None:
    """The destination project of the project map row for the line's source project, job or cost center."""
    row = maps.projects.get(str(project.native_id)) if project is not None and project.native_id else None
    if row is None or "project" in line.dimensions:
        return
    if not row.destination.is_usable:
        message = (
            f"{row.source.describe()} is mapped to project {row.destination.describe()}, which is inactive or "
            f"closed, in integration {maps.integration.name}"
        )
        errors.append(MissingMapping("project", f"project:{project.native_id}", row.source.label, message))
        return
    line.dimensions["project"] = row.destination.code or row.destination.native_id


def _require_project(maps: Maps, record, line, number: int, project: Ref | None, errors: list) -> None:
    """A line that ends without a destination project cannot be posted where every document has one."""
    header = getattr(record, "project", None)
    if line.dimensions.get("project") or (header is not None and header.destination_id):
        return
    if project is None or not (project.native_id or project.code):
        label = f"line {number} ('{line.description}')"
        message = (
            f"{label} names no project, job or cost center, and {maps.destination_label} needs a project on every "
            f"line, in integration {maps.integration.name}: code the line at the source"
        )
        errors.append(MissingMapping("project", f"project:(none):{number}", label, message))
        return
    label = f"{project.name or project.code or project.native_id} ({maps.source_label} id {project.native_id})"
    message = (
        f"line {number} ('{line.description}') is on {label}, which is not mapped to "
        f"{_article(maps.destination_label)} {maps.destination_label} project in integration {maps.integration.name}"
    )
    detail = {"native_id": project.native_id, "code": project.code, "name": project.name}
    errors.append(MissingMapping("project", f"project:{project.native_id}", label, message, detail))


def _place(maps: Maps, line, project: Ref | None, cost_code: str, errors: list) -> None:
    """The destination project matching the source project, its task for the cost code, and that task's cost type
    for the line's cost type, each unless the map row named one. A matching project that is inactive there holds
    the record with the reason."""
    if project is None:
        return
    source_codes, projects, tasks, cost_types = maps.places()
    target = projects.get((project.code or source_codes.get(str(project.native_id)) or "").strip())
    if target is not None and not target.is_usable and "project" not in line.dimensions:
        message = (
            f"project {target.describe()} is inactive or closed in {maps.destination_label}, in integration "
            f"{maps.integration.name}: reopen it there, or map this cost code to another project"
        )
        errors.append(MissingMapping("project", f"project:{target.code}", target.describe(), message))
        return
    if target is None or line.dimensions.setdefault("project", target.code) != target.code:
        return  # no such project there, or the map row put the line on another project
    task = tasks.get((target.native_id, cost_code)) if cost_code and cost_code != NO_COST_CODE else None
    if task is None or line.dimensions.setdefault("task", task.code) != task.code:
        return
    kind = cost_types.get((task.native_id, cost_type_label(line.cost_type)))
    if kind is not None:
        line.dimensions.setdefault("cost_type", kind.code)


def _unique(errors: list[MissingMapping]) -> list[MissingMapping]:
    """One error per key: ten lines on the same cost code are one thing to map."""
    seen = {}
    for error in errors:
        seen.setdefault(error.key, error)
    return list(seen.values())


def _resolve_vendor(maps: Maps, vendor: Ref, errors: list) -> None:
    key = f"vendor:{vendor.native_id}"
    label = f"{vendor.name or vendor.code} ({maps.source_label} id {vendor.native_id})"
    row = maps.vendors.get(str(vendor.native_id))
    if row is None:
        message = (
            f"vendor {label} is not mapped to {_article(maps.destination_label)} {maps.destination_label} vendor "
            f"in integration {maps.integration.name}"
        )
        errors.append(MissingMapping("vendor", key, label, message, {"native_id": vendor.native_id}))
    elif not row.destination.is_usable:
        message = (
            f"vendor {label} is mapped to {maps.destination_label} vendor {row.destination.describe()}, "
            f"which is inactive or deleted, in integration {maps.integration.name}"
        )
        errors.append(MissingMapping("vendor", key, label, message, {"native_id": vendor.native_id}))
    else:
        vendor.destination_id = row.destination.native_id


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def cost_type_label(cost_type: Ref | None) -> str:
    """The cost type as map rows store it: its code, or its name when it has no code."""
    if cost_type is None:
        return ""
    return (cost_type.code or cost_type.name or "").strip()


def _resolve_cost_code(maps: Maps, line, errors: list) -> None:
    code = (line.cost_code.code or line.cost_code.native_id or "").strip()
    cost_type = cost_type_label(line.cost_type)
    label = f"cost code {code} / cost type {cost_type or '(none)'}"
    key = cost_code_key(code, cost_type)
    row = maps.cost_code_row(code, cost_type)
    if row is None:
        message = f"{label} has no GL account in integration {maps.integration.name}"
        detail = {"cost_code": code, "cost_type": cost_type, "name": line.cost_code.name}
        errors.append(MissingMapping("cost_code", key, label, message, detail))
        return
    targets = {"account": row.account}
    targets.update({kind: maps.dimension_refs.get(int(pk)) for kind, pk in (row.dimensions or {}).items()})
    stale = [f"{kind} {ref.describe()}" for kind, ref in targets.items() if ref is not None and not ref.is_usable]
    gone = [kind for kind, ref in targets.items() if ref is None]
    if stale or gone:
        what = ", ".join(stale + [f"{kind} (deleted)" for kind in gone])
        message = f"{label} is mapped to {what}, which is inactive or deleted, in integration {maps.integration.name}"
        errors.append(MissingMapping("cost_code", key, label, message, {"cost_code": code, "cost_type": cost_type}))
        return
    line.account = row.account.code or row.account.native_id
    line.dimensions = {**line.dimensions, **{k: r.code or r.native_id for k, r in targets.items() if k != "account"}}
    line.cost_code.destination_id = line.dimensions.get("cost_code")
    if line.cost_code.code == NO_COST_CODE:
        line.cost_code = None  # the map row gave the account; there is still no cost code to send


def _resolve_account_rule(maps: Maps, line, number: int, errors: list) -> None:
    account = str(line.account or "").strip()
    cost_center = (line.cost_center or "").strip()
    rule = maps.rule_for(account, line.description, cost_center)
    if rule is None:
        label = f"account {account}" + (f" / cost center {cost_center}" if cost_center else "")
        message = (
            f"line {number}: {label} with description '{line.description}' matches no cost code rule "
            f"and there is no default rule in integration {maps.integration.name}"
        )
        detail = {"account": account, "description": line.description, "cost_center": cost_center, "line": number}
        key = f"account_rule:{account}" + (f"@{cost_center}" if cost_center else "")
        errors.append(MissingMapping("account_rule", key, label, message, detail))
        return
    line.cost_code = Ref(native_id="", code=rule.cost_code, name="", destination_id=rule.cost_code)
    if rule.cost_type:
        line.cost_type = Ref(native_id="", code=rule.cost_type, name="", destination_id=rule.cost_type)
    line.dimensions = {**line.dimensions, "cost_code": rule.cost_code, "cost_type": rule.cost_type}


def resolved_keys(maps: Maps, keys) -> set[str]:
    """Which of these error keys the maps now resolve (used to count records still blocked)."""
    done = set()
    for key in keys:
        kind, _, rest = key.partition(":")
        if kind == "vendor":
            row = maps.vendors.get(rest)
            ok = row is not None and row.destination.is_usable
        elif kind == "cost_code":
            # A code or a type may itself contain "/": try every split.
            splits = [(rest[:i], rest[i + 1 :]) for i, char in enumerate(rest) if char == "/"]
            rows = [maps.cost_code_row(code, cost_type) for code, cost_type in splits]
            ok = any(row is not None and row.account.is_usable for row in rows)
        elif kind == "account_rule":
            account, _, cost_center = rest.partition("@")
            ok = any(
                rule.is_default or (rule.account_code in ("", account) and rule.cost_center in ("", cost_center))
                for rule in maps.rules
            )
        elif kind == "project":
            row = maps.projects.get(rest)
            ok = row is not None and row.destination.is_usable
        else:
            ok = False
        if ok:
            done.add(key)
    return done
