"""Exact Online's contract checks, from the scrape of Exact's REST reference (no OpenAPI is published).

``sandbox/exact/contract/endpoints.json`` carries, per endpoint, its uri, supported methods and every
property with its Edm type, primary-key flag and which methods may set it. This module turns that into
the shared checks: every response property is documented for its endpoint with a value of a compatible
Edm type (JSON schemas validated by the shared ``validate``, plus guid and /Date(ms)/ formats), every
served (method, uri) is documented, and request bodies set only documented, settable properties.

Paths are those below a regional host: ``/api/v1/{division}/...`` or ``/api/v1/current/Me``. The OAuth
endpoints are not part of the REST reference and are not checked here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.conformance.framework import validate

CONTRACT = Path(__file__).resolve().parents[2] / "sandbox" / "exact" / "contract" / "endpoints.json"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATE = re.compile(r"^/Date\(-?\d+\)/$")
EDM = {
    "Edm.String": {"type": "string"},
    "Edm.Guid": {"type": "string"},
    "Edm.DateTime": {"type": "string"},
    "Edm.Binary": {"type": "string"},
    "Edm.Boolean": {"type": "boolean"},
    "Edm.Byte": {"type": "integer"},
    "Edm.Int16": {"type": "integer"},
    "Edm.Int32": {"type": "integer"},
    "Edm.Int64": {"type": "integer"},
    "Edm.Double": {"type": "number"},
    "Edm.Decimal": {"type": "number"},
}
QUERY_OPTIONS = {"$select", "$filter", "$expand", "$top", "$skip", "$skiptoken", "$orderby", "$inlinecount"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {
                    "type": "object",
                    "required": ["value"],
                    "properties": {"lang": {"type": "string"}, "value": {"type": "string"}},
                },
            },
        }
    },
}
KEYED = re.compile(r"(?P<key>[\w/]+?)\((?P<id>[^)]*)\)(?:/(?P<nav>\w+))?")


@dataclass
class Target:
    """What a concrete path names: an endpoint, whether one record, and a navigation property."""

    key: str
    keyed: bool
    nav: str | None


class ExactContract:
    def __init__(self, endpoints: dict[str, dict]):
        self.endpoints = endpoints
        # the type name of a line collection (e.g. "PurchaseOrderLines") -> its endpoint key
        self.collections = {key.rsplit("/", 1)[-1]: key for key in endpoints if not key.startswith(("sync/", "bulk/"))}

    @classmethod
    def load(cls, path: Path = CONTRACT) -> ExactContract:
        return cls(json.loads(path.read_text())["endpoints"])

    def target(self, path: str) -> Target | None:
        """'/api/v1/123/purchaseorder/PurchaseOrders(guid'..')/PurchaseOrderLines' -> Target, or None."""
        path = urlsplit(path).path
        if path == "/api/v1/current/Me":
            return Target("current/Me", False, None)
        match = re.fullmatch(r"/api/v1/\d+/(?P<rest>.+)", path)
        if not match:
            return None
        rest = match["rest"]
        if rest in self.endpoints:
            return Target(rest, False, None)
        keyed = KEYED.fullmatch(rest)
        if not keyed or keyed["key"] not in self.endpoints:
            return None
        if keyed["nav"] and self.nav_endpoint(keyed["key"], keyed["nav"]) is None:
            return None
        return Target(keyed["key"], True, keyed["nav"])

    def nav_endpoint(self, key: str, nav: str) -> str | None:
        prop = next((p for p in self.endpoints[key]["properties"] if p["name"] == nav), None)
        return self.collections.get(prop["type"]) if prop else None

    # -- schemas --------------------------------------------------------------------------------------

    def row_schema(self, key: str, depth: int = 0) -> dict:
        properties = {
            "__metadata": {
                "type": "object",
                "required": ["uri", "type"],
                "properties": {"uri": {"type": "string"}, "type": {"type": "string"}},
            }
        }
        for prop in self.endpoints[key]["properties"]:
            properties[prop["name"]] = self._prop_schema(prop, depth)
        return {"type": "object", "required": ["__metadata"], "properties": properties}

    def _prop_schema(self, prop: dict, depth: int) -> dict:
        if prop["type"] in EDM:
            return {**EDM[prop["type"]], "nullable": True}
        line_key = self.collections.get(prop["type"])
        if line_key is None or depth > 0:
            return {"nullable": True}  # a complex type the reference does not describe
        deferred = {
            "type": "object",
            "required": ["__deferred"],
            "properties": {"__deferred": {"type": "object", "properties": {"uri": {"type": "string"}}}},
        }
        expanded = {
            "type": "object",
            "required": ["results"],
            "properties": {
                "results": {"type": "array", "items": self.row_schema(line_key, depth + 1)},
                "__next": {"type": "string"},
            },
        }
        return {"anyOf": [deferred, expanded], "nullable": True}

    def list_schema(self, key: str) -> dict:
        page = {
            "type": "object",
            "required": ["results"],
            "properties": {"results": {"type": "array", "items": self.row_schema(key)}, "__next": {"type": "string"}},
        }
        return {"type": "object", "required": ["d"], "properties": {"d": page}}

    def one_schema(self, key: str) -> dict:
        return {"type": "object", "required": ["d"], "properties": {"d": self.row_schema(key)}}


def _formats(contract: ExactContract, key: str, row: dict, path: str) -> list[str]:
    """Guid and /Date(ms)/ formats, which JSON schema types alone do not catch."""
    problems = []
    for prop in contract.endpoints[key]["properties"]:
        value = row.get(prop["name"])
        where = f"{path}.{prop['name']}"
        if value is None:
            continue
        if prop["type"] == "Edm.Guid" and isinstance(value, str) and not GUID.match(value):
            problems.append(f"{where}: {value!r} is not a lower-case guid")
        if prop["type"] == "Edm.DateTime" and isinstance(value, str) and not DATE.match(value):
            problems.append(f"{where}: {value!r} is not /Date(ms)/")
        line_key = contract.collections.get(prop["type"])
        if line_key and isinstance(value, dict) and isinstance(value.get("results"), list):
            for i, line in enumerate(value["results"]):
                problems += _formats(contract, line_key, line, f"{where}.results[{i}]")
    return problems


def check_response(contract: ExactContract, method: str, path: str, status: int, body) -> list[str]:
    """Problems of one answer of the Exact simulator (body as parsed JSON, or None for no body)."""
    target = contract.target(path)
    if target is None:
        return [f"{method} {path}: undocumented route"]
    if status >= 400:
        return validate(ERROR, body)
    if method in ("PUT", "DELETE"):
        return [] if status == 204 and body in (None, "", b"") else [f"{method} {path}: expected 204 without body"]
    key = contract.nav_endpoint(target.key, target.nav) if target.nav else target.key
    single = target.keyed and not target.nav or method == "POST"
    schema = contract.one_schema(key) if single else contract.list_schema(key)
    problems = validate(schema, body)
    if problems:
        return problems
    rows = [body["d"]] if single else body["d"]["results"]
    return [p for i, row in enumerate(rows) for p in _formats(contract, key, row, f"$.d.results[{i}]")]


def check_request(contract: ExactContract, method: str, path: str, query: dict | None, body) -> list[str]:
    """Problems of one request: undocumented uri or method, unknown query option or property, a body
    property that is undocumented or not settable by this method."""
    split = urlsplit(path)
    query = {**parse_qs(split.query, keep_blank_values=True), **(query or {})}
    target = contract.target(split.path)
    if target is None:
        return [f"{method} {split.path}: undocumented route"]
    entry = contract.endpoints[target.key]
    if method not in entry["methods"]:
        return [f"{method} {split.path}: undocumented method (documented: {', '.join(entry['methods'])})"]
    problems = [f"query.{name}: undocumented query option" for name in query if name not in QUERY_OPTIONS]
    for item in ",".join(query.get("$select", [])).split(","):
        head = item.strip().split("/")[0]
        if head and head != "*" and head not in {p["name"] for p in entry["properties"]}:
            problems.append(f"query.$select: {head} is not a property of {target.key}")
    if isinstance(body, (str, bytes)):
        body = json.loads(body) if str(body).strip() else None
    if body is not None:
        problems += check_body(contract, target.key, method, body)
    return problems


def check_body(contract: ExactContract, key: str, method: str, body: dict, path: str = "body") -> list[str]:
    flag = method.lower()
    problems = []
    for name, value in body.items():
        prop = next((p for p in contract.endpoints[key]["properties"] if p["name"] == name), None)
        if prop is None:
            problems.append(f"{path}.{name}: undocumented property")
        elif not prop.get(flag):
            problems.append(f"{path}.{name}: not settable by {method}")
        elif contract.collections.get(prop["type"]) and isinstance(value, list):
            line_key = contract.collections[prop["type"]]
            for i, line in enumerate(value):
                problems += check_body(contract, line_key, method, line, f"{path}.{name}[{i}]")
    return problems


def check_routes(contract: ExactContract, routes: list[tuple[str, str]]) -> list[str]:
    """Each (method, concrete path) a simulator answers must be a documented endpoint and method."""
    problems = []
    for method, path in routes:
        target = contract.target(path)
        if target is None:
            problems.append(f"{method} {path}: undocumented route")
        elif method not in contract.endpoints[target.key]["methods"]:
            problems.append(f"{method} {path}: undocumented method")
    return problems
