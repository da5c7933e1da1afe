"""The generic functions: ``create``, ``update``, ``delete``, ``read`` and ``readByName``.

``create`` and ``update`` take one or more UPPERCASE object elements; a function is all-or-nothing over
its objects (the gateway undoes a failed function). ``delete`` and ``read`` take ``<object>`` and
``<keys>`` (RECORDNOs, comma-separated); ``readByName`` takes the objects' ids instead.
"""

from __future__ import annotations

from lxml import etree

from . import bills, purchasing
from .context import Call, Outcome, check_fields
from .errors import business, duplicate, not_found_object
from .objects import LISTS, SPECS, ObjectSpec, spec_for
from .records import by_recordno, find, insert, touch
from .render import data, select_fields, write_created, write_record
from .xmlio import children, text, to_value

AUTONUMBER = {"VENDOR": ("autonumber_vendors", "V"), "PROJECT": ("autonumber_projects", "P"), "TASK": (None, "T")}
STATUSES = ("active", "inactive")


def _objects(call: Call, element: etree._Element, verb: str) -> list[tuple[ObjectSpec, dict]]:
    items = children(element)
    if not items:
        raise business(f"Nothing to {verb}: give at least one object element.")
    found = []
    for item in items:
        spec = spec_for(item.tag)
        if spec is None or item.tag != spec.name:
            raise not_found_object(item.tag)
        if not spec.generic_writes and not call.config["podocument_generic_writes"]:
            raise business(
                f"{verb} is not supported for {spec.name}.",
                "Use create_potransaction, update_potransaction or delete_potransaction.",
            )
        fields = to_value(item, LISTS)
        fields = fields if isinstance(fields, dict) else {}
        check_fields(call, spec, fields, update=verb == "update")
        found.append((spec, fields))
    return found


def create(call: Call, element: etree._Element) -> Outcome:
    created = [_create_one(call, spec, fields) for spec, fields in _objects(call, element, "create")]
    return _written(created)


def update(call: Call, element: etree._Element) -> Outcome:
    updated = [_update_one(call, spec, fields) for spec, fields in _objects(call, element, "update")]
    return _written(updated)


def _written(pairs: list[tuple[ObjectSpec, dict]]) -> Outcome:
    holder = etree.Element("holder")
    return Outcome(data=write_created(holder, pairs))


def _create_one(call: Call, spec: ObjectSpec, fields: dict) -> tuple[ObjectSpec, dict]:
    if spec.name == "APBILL":
        return spec, bills.create_bill(call, fields)
    if spec.name == "APPYMT":
        return spec, bills.create_payment(call, fields)
    if spec.name == "PODOCUMENT":
        return spec, purchasing.create_document(call, fields)
    if spec.key and not fields.get(spec.key):
        fields[spec.key] = _next_id(call, spec)
    for name in spec.required:
        if not fields.get(name):
            raise business(f"Required field {name} is missing for the {spec.label}.", f"Enter {name}, and try again.")
    _check_generic(call, spec, fields)
    scope = {name: fields.get(name, "") for name in spec.scope}
    if find(call.store, spec, fields[spec.key], scope) is not None:
        raise duplicate(spec.label, fields[spec.key])
    return spec, insert(call.store, spec, fields, call.stamp())


def _next_id(call: Call, spec: ObjectSpec) -> str:
    switch, prefix = AUTONUMBER.get(spec.name, (None, None))
    if prefix is None or (switch and not call.config[switch]):
        raise business(f"Required field {spec.key} is missing for the {spec.label}.", f"Enter {spec.key}.")
    number = len(call.store.all(spec.name)) + 1
    while find(call.store, spec, f"{prefix}{number:04d}") is not None:
        number += 1
    return f"{prefix}{number:04d}"


def _check_generic(call: Call, spec: ObjectSpec, fields: dict) -> None:
    status = fields.get("STATUS")
    if status is not None and status not in STATUSES:
        raise business(f"STATUS '{status}' is not valid.", "Use active or inactive.")
    if spec.name == "TASK" and find(call.store, SPECS["PROJECT"], fields.get("PROJECTID", "")) is None:
        raise business(f"Invalid Project '{fields.get('PROJECTID')}' for the task.", "Select an existing project.")
    if spec.name == "COSTTYPE":
        scope = {"PROJECTID": fields.get("PROJECTID", "")}
        if find(call.store, SPECS["TASK"], fields.get("TASKID", ""), scope) is None:
            raise business(
                f"Invalid Task '{fields.get('TASKID')}' for project '{fields.get('PROJECTID')}'.",
                "Select a task of the project.",
            )


def _update_one(call: Call, spec: ObjectSpec, fields: dict) -> tuple[ObjectSpec, dict]:
    if spec.name == "APBILL":
        return spec, bills.update_bill(call, fields)
    if spec.name == "APPYMT":
        raise business("A payment cannot be updated; delete it and create it again.")
    record = _target(call, spec, fields)
    changes = {k: v for k, v in fields.items() if k not in ("RECORDNO", spec.key)}
    _check_generic(call, spec, {**record, **changes})
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(record.get(name), dict):
            record[name] = {**record[name], **value}
        else:
            record[name] = value
    touch(record, call.stamp())
    return spec, record


def _target(call: Call, spec: ObjectSpec, fields: dict) -> dict:
    if fields.get("RECORDNO"):
        record = by_recordno(call.store, spec, fields["RECORDNO"])
    else:
        scope = {name: fields[name] for name in spec.scope if fields.get(name)}
        record = find(call.store, spec, fields.get(spec.key or "RECORDNO", ""), scope) if spec.key else None
    if record is None:
        wanted = fields.get("RECORDNO") or fields.get(spec.key or "RECORDNO") or "(no key)"
        raise business(f"{spec.label} {wanted} does not exist.", f"Give the RECORDNO or the {spec.key} of the record.")
    return record


def delete(call: Call, element: etree._Element) -> Outcome:
    spec = _object_of(element)
    if not spec.generic_writes and not call.config["podocument_generic_writes"]:
        raise business(f"delete is not supported for {spec.name}.", "Use delete_potransaction.")
    for key in _keys(element):
        record = by_recordno(call.store, spec, key)
        if record is None:
            raise business(f"{spec.label} {key} does not exist.", "Check the RECORDNO.")
        if spec.name == "APBILL" and record.get("TOTALPAID") not in (None, "0.00"):
            raise business(f"Bill {key} has payments applied and cannot be deleted.", "Delete the payments first.")
        if spec.name == "APPYMT":
            bills.reverse_payment(call, record)
        if spec.name == "VENDOR" and _has_documents(call, record["VENDORID"]):
            raise business(f"Vendor {record['VENDORID']} has transactions and cannot be deleted.", "Make it inactive.")
        call.store.delete(spec.name, record["id"])
    return Outcome()


def _has_documents(call: Call, vendorid: str) -> bool:
    documents = call.store.all("APBILL") + call.store.all("PODOCUMENT") + call.store.all("APPYMT")
    return any(str(doc.get("VENDORID", "")).lower() == vendorid.lower() for doc in documents)


def read(call: Call, element: etree._Element, by_name: bool = False) -> Outcome:
    spec = _object_of(element)
    fields = _fields(call, spec, text(element, "fields"))
    keys = _keys(element)
    if by_name:
        found = [find(call.store, spec, key) for key in keys]
    elif keys:
        found = [by_recordno(call.store, spec, key) for key in keys]
    else:
        found = call.store.all(spec.name)[: call.config["read_without_keys_limit"]]
    docparid = text(element, "docparid")
    records = [r for r in found if r is not None and (not docparid or r.get("DOCPARID") == docparid)]
    holder = etree.Element("holder")
    block = data(holder, spec.name, count=len(records))
    for record in records:
        write_record(block, spec.name, spec, record, fields)
    return Outcome(data=block)


def read_by_name(call: Call, element: etree._Element) -> Outcome:
    return read(call, element, by_name=True)


def _object_of(element: etree._Element) -> ObjectSpec:
    name = text(element, "object", "")
    spec = spec_for(name)
    if spec is None:
        raise not_found_object(name or "(none)")
    return spec


def _keys(element: etree._Element) -> list[str]:
    return [key.strip() for key in (text(element, "keys") or "").split(",") if key.strip()]


def _fields(call: Call, spec: ObjectSpec, raw: str | None) -> list[str] | None:
    try:
        return select_fields(spec, raw, call.config["custom_fields"].get(spec.name, []))
    except ValueError as exc:
        raise business(str(exc)) from exc

