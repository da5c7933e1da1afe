"""Finding, inserting and updating stored Acumatica records (no HTTP here)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from ..core.clock import parse_iso
from ..core.store import Store
from .entities import DATE_FIELDS, KEY_DEFAULTS, Entity

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


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


def by_keys(store: Store, entity: Entity, values: dict) -> dict | None:
    wanted = {key: values.get(key, KEY_DEFAULTS.get(entity.name, {}).get(key)) for key in entity.keys}
    if any(value in (None, "") for value in wanted.values()):
        return None
    for record in store.all(entity.name):
        if all(str(record.get(k, "")).lower() == str(v).lower() for k, v in wanted.items()):
            return record
    return None


def by_path(store: Store, entity: Entity, parts: list[str]) -> dict | None:
    """GET /{Entity}/{guid} or /{Entity}/{key1}/{key2}."""
    if len(parts) == 1 and GUID.match(parts[0]):
        return store.get(entity.name, parts[0].lower())
    if len(parts) != len(entity.keys):
        return None
    return by_keys(store, entity, dict(zip(entity.keys, parts, strict=True)))


def next_number(store: Store, entity: Entity) -> str:
    used = [int(r[entity.numbered]) for r in store.all(entity.name) if str(r.get(entity.numbered, "")).isdigit()]
    return f"{max(used, default=0) + 1:06d}"


def insert(store: Store, entity: Entity, fields: dict) -> dict:
    record = {"id": new_id(), **KEY_DEFAULTS.get(entity.name, {})}
    if entity.numbered:
        fields = {k: v for k, v in fields.items() if k != entity.numbered}
        record[entity.numbered] = next_number(store, entity)
    assign(entity, record, fields)
    return store.insert(entity.name, record)


def assign(entity: Entity, record: dict, fields: dict) -> None:
    """Write sent fields onto a record; detail lines follow the PUT line rules."""
    writable = set(entity.fields) - set(entity.keys if record.get(entity.keys[0]) else ())
    for name, value in fields.items():
        if name == entity.detail:
            apply_lines(record.setdefault(name, []), value)
        elif name in entity.linked and isinstance(value, dict):
            record.setdefault(name, {}).update(value)
        elif name == "note":
            record["note"] = value
        elif name in writable or (name in entity.keys and not entity.numbered):
            record[name] = as_date(value) if name in DATE_FIELDS else value


def apply_lines(lines: list[dict], sent: list[dict]) -> None:
    """No id: insert; id: update (or insert when the id is unknown); delete:true: remove."""
    for line in sent:
        fields = {k: v for k, v in line.items() if k not in ("id", "delete")}
        current = next((ln for ln in lines if line.get("id") and ln["id"] == str(line["id"]).lower()), None)
        if line.get("delete"):
            if current is not None:
                lines.remove(current)
        elif current is not None:
            current.update(fields)
        else:
            lines.append({"id": new_id(), **fields})
