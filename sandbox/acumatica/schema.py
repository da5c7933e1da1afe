"""The published contract of each Default endpoint version, as the simulator reads it.

The trimmed documents in ``contract/`` (see ``contract/SOURCE.md``) say which fields each entity has in a
given version and of which value type; the simulator renders exactly those fields, so a response never
carries a field the contract does not publish, and a version without a field never shows it.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CONTRACT_DIR = Path(__file__).resolve().parent / "contract"
ENDPOINT = "Default"
SYSTEM_FIELDS = ("id", "rowNumber", "note", "custom", "error", "files")


@dataclass(frozen=True)
class EntitySchema:
    """One entity (or detail / linked entity) of one version: its fields grouped by shape."""

    name: str
    scalars: dict[str, str] = field(default_factory=dict)  # field -> value type, e.g. "DecimalValue"
    details: dict[str, str] = field(default_factory=dict)  # field -> schema of its lines
    linked: dict[str, str] = field(default_factory=dict)  # field -> schema of the linked entity

    def names(self) -> set[str]:
        return set(self.scalars) | set(self.details) | set(self.linked)


class Contract:
    """The trimmed published document of one endpoint version."""

    def __init__(self, version: str, document: dict):
        self.version = version
        self.document = document
        self.schemas: dict = document["components"]["schemas"]
        self._entities: dict[str, EntitySchema] = {}

    def entity(self, name: str) -> EntitySchema:
        """The fields of an entity schema, grouped by shape (system fields left out)."""
        if name not in self._entities:
            self._entities[name] = self._read(name)
        return self._entities[name]

    def _read(self, name: str) -> EntitySchema:
        scalars, details, linked = {}, {}, {}
        for prop, spec in _properties(self.schemas, name).items():
            if prop in SYSTEM_FIELDS:
                continue
            if spec.get("type") == "array":
                details[prop] = _ref_name(spec["items"])
            elif _ref_name(spec).endswith("Value"):
                scalars[prop] = _ref_name(spec)
            else:
                linked[prop] = _ref_name(spec)
        return EntitySchema(name, scalars, details, linked)

    def has_path(self, method: str, template: str) -> bool:
        ops = self.document["paths"].get(f"/entity/{ENDPOINT}/{self.version}{template}", {})
        return method.lower() in ops


def _ref_name(spec: dict) -> str:
    return spec.get("$ref", "").rsplit("/", 1)[-1]


def _properties(schemas: dict, name: str) -> dict:
    schema = schemas[name]
    props: dict = {}
    for part in schema.get("allOf", [schema]):
        if "$ref" in part:
            props.update(_properties(schemas, _ref_name(part)))
        props.update(part.get("properties", {}))
    return props


@cache
def contract(version: str) -> Contract | None:
    """The contract of a Default endpoint version, or None when the project carries none for it."""
    path = CONTRACT_DIR / f"{ENDPOINT}_{version}.json"
    if not path.exists():
        return None
    return Contract(version, json.loads(path.read_text()))


@cache
def official_document(version: str) -> bytes | None:
    """The untouched official swagger document, as Acumatica serves it at .../swagger.json."""
    path = CONTRACT_DIR / f"{ENDPOINT}_{version}.swagger.json.gz"
    return gzip.decompress(path.read_bytes()) if path.exists() else None


def published_versions() -> list[str]:
    return sorted(p.name[len(ENDPOINT) + 1 : -len(".json")] for p in CONTRACT_DIR.glob(f"{ENDPOINT}_*.json"))
