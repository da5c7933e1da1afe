"""Reference checks on PUT: a value naming a vendor, account, subaccount, branch, project, task or cost
code that does not exist is a 422 with an ``error`` on that field (header or line), as Acumatica's
selectors answer "'<Label>' cannot be found in the system."."""

from __future__ import annotations

from ..core.store import Store
from .entities import ENTITIES, Entity, Refs
from .records import by_keys, same

NON_PROJECT = "X"  # Acumatica's non-project code, always valid


def missing(label: str) -> str:
    return f"'{label}' cannot be found in the system."


def empty(label: str) -> str:
    return f"'{label}' cannot be empty."


def exists(store: Store, collection: str, key: str, value) -> bool:
    if collection == "Project" and value == NON_PROJECT:
        return True
    if collection == "Subaccount":  # segmented keys may be sent with or without the separator
        plain = str(value).replace("-", "")
        return any(str(r.get(key, "")).replace("-", "") == plain for r in store.all(collection))
    if collection == "CompaniesStructure":
        return any(same(r.get(key), value) for r in store.all(collection))
    return by_keys(store, ENTITIES[collection], {key: value}) is not None


def ref_errors(store: Store, values: dict, refs: Refs) -> dict[str, str]:
    errors = {}
    for name, (collection, key, label) in refs.items():
        value = values.get(name)
        if value not in (None, "") and not exists(store, collection, key, value):
            errors[name] = missing(label)
    return errors


def task_error(store: Store, line: dict, task_field: str, project) -> str | None:
    task = line.get(task_field)
    if not task:
        return None
    found = project not in (None, NON_PROJECT) and store.first("ProjectTask", ProjectID=project, ProjectTaskID=task)
    return None if found else missing("Project Task")


def line_errors(store: Store, entity: Entity, fields: dict, record: dict | None) -> dict[int, dict]:
    """Errors per sent line (by position in the sent detail list)."""
    project = fields.get("Project") or (record or {}).get("Project")
    errors: dict[int, dict] = {}
    for index, line in enumerate(fields.get(entity.detail) or []):
        if line.get("delete"):
            continue
        found = ref_errors(store, line, entity.line_refs)
        if entity.line_task:
            task = task_error(store, line, entity.line_task, line.get("Project") or project)
            if task:
                found[entity.line_task] = task
        if found:
            errors[index] = found
    return errors
