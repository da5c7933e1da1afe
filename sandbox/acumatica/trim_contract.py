"""Build ``sandbox/acumatica/contract/`` from Acumatica's published Default endpoint swagger documents.

    python -m sandbox.acumatica.trim_contract <folder holding Default_<version>.swagger.json>

For each version it writes ``Default_<version>.json``: the operations the simulator serves (paths
prefixed with ``/entity/Default/<version>`` so one contract covers both versions), their parameters,
request bodies and responses, and every schema those reference, with prose (descriptions, summaries,
tags) dropped. Swagger 2.0 documents (23.200.001) are rewritten in the OpenAPI 3 shape of the 24.200.001
document (``definitions`` -> ``components/schemas``, body parameters -> ``requestBody``, response
``schema`` -> ``content``), so one reader serves both; nothing else is changed. It also stores the
untouched official document gzip-compressed, which the simulator serves at ``.../swagger.json``.
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "contract"
VERSIONS = ("23.200.001", "24.200.001")
JSON = "application/json"
PROSE = ("description", "summary", "tags", "x-bodyName", "produces", "consumes")

#: entity -> the named actions the simulator serves
ENTITY_ACTIONS = {
    "Bill": ("ReleaseBill",),
    "Vendor": (),
    "Account": (),
    "Subaccount": (),
    "Project": (),
    "ProjectTask": (),
    "CostCode": (),
    "CompaniesStructure": (),
    "PurchaseOrder": (),
    "Subcontract": ("ReleaseFromHold", "PutOnHold"),
    "Check": ("ReleaseCheck", "VoidCheck"),
}


def wanted_paths(entity: str) -> list[str]:
    actions = [f"/{entity}/{action}" for action in ENTITY_ACTIONS[entity]]
    return [f"/{entity}", f"/{entity}/{{ids}}", f"/{entity}/{{id}}", *actions]


def _strip(node, names: bool = False):
    """Drop prose keys (schemas keep their structure, not their explanations); ``names``: a map of
    property names, whose keys are field names and never prose."""
    if isinstance(node, dict):
        return {k: _strip(v, names=k == "properties" and not names) for k, v in node.items() if names or k not in PROSE}
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def _rewrite_refs(node):
    if isinstance(node, dict):
        return {
            k: (v.replace("#/definitions/", "#/components/schemas/") if k == "$ref" else _rewrite_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _parameter_v2(param: dict) -> dict:
    """A Swagger 2 parameter in the OpenAPI 3 shape. The key values of ``{ids}`` are published as an array
    with ``collectionFormat: pipes``, i.e. one path segment of values joined by ``|``: on the wire a string,
    so it is kept as a string schema with the published type and format beside it."""
    out = {k: param[k] for k in ("name", "in", "required") if k in param}
    schema = {k: param[k] for k in ("type", "format", "items") if k in param}
    if "collectionFormat" in param and param["in"] == "path":
        out["x-collectionFormat"] = param["collectionFormat"]
        out["x-published-schema"] = schema
        schema = {"type": "string"}
    out["schema"] = schema
    return out


def _operation_v2(op: dict) -> dict:
    out = {"operationId": op["operationId"], "parameters": []}
    for param in op.get("parameters", []):
        if param["in"] == "body":
            out["requestBody"] = {"required": True, "content": {JSON: {"schema": param["schema"]}}}
        else:
            out["parameters"].append(_parameter_v2(param))
    out["responses"] = {}
    for status, response in op["responses"].items():
        entry = {}
        if "schema" in response:
            entry["content"] = {JSON: {"schema": response["schema"]}}
        if "headers" in response:
            entry["headers"] = {name: {"schema": h} for name, h in response["headers"].items()}
        out["responses"][status] = entry
    return out


def _deref(doc: dict, node: dict, kind: str) -> dict:
    ref = node.get("$ref", "")
    prefix = f"#/components/{kind}/"
    return doc["components"][kind][ref[len(prefix) :]] if ref.startswith(prefix) else node


def _operation_v3(doc: dict, op: dict) -> dict:
    out = {"operationId": op["operationId"]}
    out["parameters"] = [_deref(doc, p, "parameters") for p in op.get("parameters", [])]
    if "requestBody" in op:
        body = op["requestBody"]
        out["requestBody"] = {"required": body.get("required", False), "content": {JSON: body["content"][JSON]}}
    out["responses"] = {}
    for status, response in op["responses"].items():
        response = _deref(doc, response, "responses")
        entry = {}
        if "content" in response:
            entry["content"] = {JSON: response["content"][JSON]}
        if "headers" in response:
            entry["headers"] = response["headers"]
        out["responses"][status] = entry
    return out


def _closure(schemas: dict, roots: set[str]) -> dict:
    keep, todo = {}, list(roots)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep[name] = schemas[name]
        todo.extend(_refs(schemas[name]))
    return dict(sorted(keep.items()))


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def trim(doc: dict, version: str) -> dict:
    """The trimmed OpenAPI 3 document for one published version."""
    v2 = doc.get("swagger") == "2.0"
    schemas = doc["definitions"] if v2 else doc["components"]["schemas"]
    base = f"/entity/Default/{version}"
    paths = {}
    for entity in ENTITY_ACTIONS:
        for path in wanted_paths(entity):
            ops = doc["paths"][path]
            converted = {m: (_operation_v2(op) if v2 else _operation_v3(doc, op)) for m, op in ops.items()}
            paths[base + path] = converted
    paths = _strip(_rewrite_refs(copy.deepcopy(paths)))
    kept = _closure(schemas, set(_refs(paths)))
    return {
        "openapi": "3.0.1",
        "info": {"title": f"Default/{version}", "version": doc["info"]["version"]},
        "paths": paths,
        "components": {"schemas": _strip(_rewrite_refs(copy.deepcopy(kept)))},
    }


def main(source: str) -> None:
    for version in VERSIONS:
        raw = (Path(source) / f"Default_{version}.swagger.json").read_bytes()
        trimmed = trim(json.loads(raw), version)
        (HERE / f"Default_{version}.json").write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
        with gzip.GzipFile(HERE / f"Default_{version}.swagger.json.gz", "wb", mtime=0) as out:
            out.write(raw)


if __name__ == "__main__":
    main(sys.argv[1])
