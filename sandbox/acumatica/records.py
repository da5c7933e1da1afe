"""Finding, inserting and updating stored Acumatica records (no HTTP here)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from ..core.clock import parse_iso
from ..core.store import Store
from .entities import Entity

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DATE_FIELDS = {"Date", "DueDate", "ApplicationDate", "PromisedOn", "StartDate", "Requested", "Promised"}


def new_id() -> str:
    return str(uuid.uuid4())


def stamp(moment: datetime) -> str:
    """Acumatica's LastModifiedDateTime form: ISO 8601 with milliseconds and an offset."""
    return moment.isoformat(timespec="milliseconds")


def as_date(value):
    """Date fields come back as midnight timestamps; accept 'YYYY-MM-DD' or a full timestamp."""
    if not value:
        return value
    return parse_iso(str(value)[:10]).isoformat()


def same(a, b) -> bool:
    return str(a if a is not None else "").lower() == str(b if b is not None else "").lower()


def by_keys(store: Store, entity: Entity, values: dict) -> dict | None:
    """The record whose key fields equal the given ones (document types default as on the form)."""
    if not entity.keys:
        return None
    wanted = {key: values.get(key, entity.key_defaults.get(key)) for key in entity.keys}
    if any(value in (None, "") for value in wanted.values()):
        return None
    for record in store.all(entity.name):
        if all(same(record.get(k), v) for k, v in wanted.items()):
            return record
    return None


def by_path(store: Store, entity: Entity, parts: list[str]) -> dict | None:
    """GET /{Entity}/{guid}, /{Entity}/{key1}/{key2} or /{Entity}/{key1}|{key2}."""
    if len(parts) == 1 and GUID.match(parts[0]):
        return store.get(entity.name, parts[0].lower())
    keys = [piece for part in parts for piece in part.split("|")]
    if len(keys) != len(entity.keys):
        return None
    return by_keys(store, entity, dict(zip(entity.keys, keys, strict=True)))


def next_number(store: Store, entity: Entity) -> str:
    used = [int(r[entity.numbered]) for r in store.all(entity.name) if str(r.get(entity.numbered, "")).isdigit()]
    return f"{max(used, default=0) + 1:06d}"


def insert(store: Store, entity: Entity, fields: dict, writable: set[str]) -> dict:
    sent_keys = {k: fields[k] for k in entity.keys if fields.get(k) not in (None, "")}
    record = {"id": new_id(), **entity.key_defaults, **sent_keys}
    if entity.numbered:
        fields = {k: v for k, v in fields.items() if k != entity.numbered}
        record[entity.numbered] = next_number(store, entity)
    assign(entity, record, fields, writable | set(entity.keys))
    return store.insert(entity.name, record)


def assign(entity: Entity, record: dict, fields: dict, writable: set[str]) -> None:
    """Write sent fields onto a record; keys of an existing record stay; lines follow the PUT line rules."""
    for name, value in fields.items():
        if name == entity.detail and isinstance(value, list):
            apply_lines(record.setdefault(name, []), value)
        elif name == "note":
            record["note"] = value
        elif isinstance(value, dict) and name in writable:
            record.setdefault(name, {}).update(value)
        elif name in writable and not (name in entity.keys and record.get(name) not in (None, "")):
            record[name] = as_date(value) if name in DATE_FIELDS else value


def apply_lines(lines: list[dict], sent: list[dict]) -> None:
    """No id: insert; id: update in place (or insert when the id is unknown); delete:true: remove.
    Lines not mentioned stay as they are."""
    for line in sent:
        fields = {k: v for k, v in line.items() if k not in ("id", "delete")}
        wanted = str(line.get("id") or "").lower()
        current = next((ln for ln in lines if wanted and ln["id"] == wanted), None)
        if line.get("delete"):
            if current is not None:
                lines.remove(current)
        elif current is not None:
            current.update({k: as_date(v) if k in DATE_FIELDS else v for k, v in fields.items()})
        else:
            lines.append({"id": new_id(), **{k: as_date(v) if k in DATE_FIELDS else v for k, v in fields.items()}})
