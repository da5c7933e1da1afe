"""QuickBooks Online's contract checks, from Intuit's XSDs and recorded live responses (no OpenAPI is published).

``sandbox/quickbooks/contract/qbo-v3.xsd`` is Intuit's v3 schema (trimmed); the JSON flavour of the API uses
its element and attribute names. This module turns every complex type into a JSON schema (elements and
attributes become properties, ``maxOccurs > 1`` an array, a simple-content type such as ReferenceType an object
with ``value``, an extension an ``allOf`` over its base) and checks entity payloads with the shared ``validate``:
each field declared for that entity, of a compatible type, required elements present.

The envelopes around entities (single record, QueryResponse, CDCResponse, Fault, the odd 401 body) are checked
against schemas written from the recorded responses in ``contract/recorded/``; ``recorded_bodies`` hands those
back so a test proves the envelope schemas accept what the live service sent. XML answers (throttling) are
validated by lxml against the XSD itself.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from lxml import etree

from tests.conformance.framework import validate

CONTRACT = Path(__file__).resolve().parents[2] / "sandbox" / "quickbooks" / "contract"
XS = "{http://www.w3.org/2001/XMLSchema}"
INTEGER = {"int", "integer", "long", "short", "positiveInteger", "nonNegativeInteger", "unsignedInt", "byte"}
NUMBER = {"decimal", "double", "float"}
FORMATS = {"date": "date", "dateTime": "date-time"}

#: documented route templates: facts §1.1/§1.2 (PQ client paths) and Intuit's OpenID discovery document
DOCUMENTED_ROUTES = {
    ("appcenter", "GET", "/connect/oauth2"),
    ("oauth", "POST", "/oauth2/v1/tokens/bearer"),
    ("oauth", "GET", "/.well-known/openid-configuration"),
    ("developer", "POST", "/v2/oauth2/tokens/revoke"),
    ("api", "GET", "/v3/company/{realmId}/{entity}/{id}"),
    ("api", "POST", "/v3/company/{realmId}/{entity}"),
    ("api", "POST", "/v3/company/{realmId}/{entity}?operation=delete"),
    ("api", "GET", "/v3/company/{realmId}/query"),
    ("api", "POST", "/v3/company/{realmId}/query"),
    ("api", "GET", "/v3/company/{realmId}/cdc"),
    ("api", "GET", "/v3/company/{realmId}/companyinfo/{realmId}"),
}

TIME = {"type": "string", "format": "date-time"}
ERROR = {
    "type": "object",
    "required": ["Message", "code"],
    "properties": {
        "Message": {"type": "string"},
        "Detail": {"type": "string"},
        "code": {"type": "string"},
        "element": {"type": "string"},
    },
}
FAULT = {
    "type": "object",
    "required": ["Fault"],
    "properties": {
        "Fault": {
            "type": "object",
            "required": ["Error", "type"],
            "properties": {"Error": {"type": "array", "items": ERROR}, "type": {"type": "string"}},
        },
        "time": TIME,
    },
}
AUTH_ERROR = {
    "type": "object",
    "required": ["message", "detail", "code"],
    "properties": {
        "message": {"type": "string"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "element": {"type": "string", "nullable": True},
    },
}
#: the 401 body: lower-case keys, epoch-millisecond time, a dozen always-empty siblings (recorded error/401)
AUTH_FAULT = {
    "type": "object",
    "required": ["fault", "time"],
    "properties": {
        "fault": {
            "type": "object",
            "required": ["error", "type"],
            "properties": {"error": {"type": "array", "items": AUTH_ERROR}, "type": {"type": "string"}},
        },
        "time": {"type": "integer"},
        **{
            name: {"nullable": True}
            for name in (
                "warnings",
                "intuitObject",
                "report",
                "queryResponse",
                "syncErrorResponse",
                "requestId",
                "status",
            )
        },
        **{
            name: {"type": "array", "maxItems": 0}
            for name in ("batchItemResponse", "attachableResponse", "cdcresponse")
        },
    },
}
PAGE = {
    "type": "object",
    "properties": {
        "startPosition": {"type": "integer"},
        "maxResults": {"type": "integer"},
        "totalCount": {"type": "integer"},
    },
}


# -- XSD -> JSON schema ----------------------------------------------------------------------------------------


@cache
def _schema_doc() -> etree._Element:
    return etree.parse(str(CONTRACT / "qbo-v3.xsd")).getroot()


@cache
def xml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(_schema_doc().getroottree())


@cache
def entity_names() -> frozenset[str]:
    """Global elements that stand for IntuitObject: the entities a response may carry."""
    return frozenset(
        node.get("name")
        for node in _schema_doc().iterfind(f"{XS}element")
        if node.get("substitutionGroup") == "IntuitObject"
    )


def _simple(type_name: str, simple_types: dict) -> dict:
    local = type_name.split(":")[-1]
    if type_name.startswith("xs:"):
        if local == "boolean":
            return {"type": "boolean"}
        if local in INTEGER:
            return {"type": "integer"}
        if local in NUMBER:
            return {"type": "number"}
        return {"type": "string", **({"format": FORMATS[local]} if local in FORMATS else {})}
    node = simple_types[local]
    restriction = node.find(f"{XS}restriction")
    if restriction is None:
        return {"type": "string"}
    out = _simple(restriction.get("base"), simple_types)
    values = [item.get("value") for item in restriction.iterfind(f"{XS}enumeration")]
    return {**out, "enum": values} if values else out


def _type_schema(type_name: str | None, simple_types: dict) -> dict:
    if not type_name:
        return {}
    local = type_name.split(":")[-1]
    if type_name.startswith("xs:") or local in simple_types:
        return _simple(type_name, simple_types)
    return {"$ref": f"#/definitions/{local}"}


def _optional(node: etree._Element, stop: etree._Element) -> bool:
    """An element is required only if it and every group around it (up to its type) must occur."""
    while node is not stop:
        if node.get("minOccurs") == "0" or node.tag == f"{XS}choice":
            return True
        node = node.getparent()
    return False


def _complex(node: etree._Element, simple_types: dict) -> dict:
    properties, required = {}, []
    body = node
    extension = node.find(f"{XS}complexContent/{XS}extension")
    simple_content = node.find(f"{XS}simpleContent/{XS}extension")
    if extension is not None:
        body = extension
    if simple_content is not None:
        properties["value"] = (
            _simple(simple_content.get("base"), simple_types)
            if simple_content.get("base").startswith("xs:") or simple_content.get("base") in simple_types
            else {"type": "string"}
        )
        required.append("value")
        body = simple_content
    for element in body.iter(f"{XS}element"):
        name = element.get("name")
        if not name:
            continue  # ref="IntuitObject": envelopes, checked on their own
        item = _type_schema(element.get("type"), simple_types)
        many = element.get("maxOccurs") not in (None, "0", "1")
        properties[name] = {"type": "array", "items": item} if many else item
        if not _optional(element, node):
            required.append(name)
    for attribute in body.iter(f"{XS}attribute"):
        properties[attribute.get("name")] = _type_schema(attribute.get("type"), simple_types)
        if attribute.get("use") == "required":
            required.append(attribute.get("name"))
    own = {"type": "object", "properties": properties, **({"required": required} if required else {})}
    if extension is not None:
        return {"allOf": [{"$ref": f"#/definitions/{extension.get('base')}"}, own]}
    return own


@cache
def definitions() -> dict:
    """``{"definitions": {type name: JSON schema}}`` for every complex type of the XSD."""
    doc = _schema_doc()
    simple_types = {node.get("name"): node for node in doc.iterfind(f"{XS}simpleType")}
    defs = {node.get("name"): _complex(node, simple_types) for node in doc.iterfind(f"{XS}complexType")}
    # IntuitAnyType holds vendor extensions of any shape
    defs["IntuitAnyType"] = {}
    return {"definitions": defs}


def check_entity(name: str, value, path: str = "$") -> list[str]:
    """Problems of one entity payload against its XSD type."""
    if name not in entity_names():
        return [f"{path}: {name} is not an entity of the published schema"]
    return validate({"$ref": f"#/definitions/{name}"}, value, path, root=definitions())


# -- envelopes ------------------------------------------------------------------------------------------------


def _query_block(block, path: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"{path}: expected object"]
    names = [key for key in block if key in entity_names()]
    rest = {key: value for key, value in block.items() if key not in names}
    problems = validate(PAGE, rest, path)
    if len(names) > 1:
        problems.append(f"{path}: more than one entity list")
    for name in names:
        rows = block[name]
        if not isinstance(rows, list):
            problems.append(f"{path}.{name}: expected array")
            continue
        problems += [p for i, row in enumerate(rows) for p in check_entity(name, row, f"{path}.{name}[{i}]")]
        if rest.get("maxResults") != len(rows) or "startPosition" not in rest:
            problems.append(f"{path}: startPosition and maxResults (= rows returned) must come with the rows")
    if not names and set(rest) - {"totalCount"}:
        problems.append(f"{path}: paging fields without rows (an empty answer is {{}})")
    return problems


def _cdc(body: dict) -> list[str]:
    problems = validate(
        {
            "type": "object",
            "required": ["CDCResponse", "time"],
            "properties": {
                "CDCResponse": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["QueryResponse"],
                        "properties": {"QueryResponse": {"type": "array"}},
                    },
                },
                "time": TIME,
            },
        },
        body,
    )
    for i, item in enumerate(body.get("CDCResponse") or []):
        for j, block in enumerate(item.get("QueryResponse") or []):
            problems += _query_block(block, f"$.CDCResponse[{i}].QueryResponse[{j}]")
    return problems


def check_body(body) -> list[str]:
    """Problems of a JSON response body: its envelope as recorded, and every entity in it against the XSD."""
    if not isinstance(body, dict):
        return ["$: expected an object"]
    if "Fault" in body:
        return validate(FAULT, body)
    if "fault" in body:
        return validate(AUTH_FAULT, body)
    if "CDCResponse" in body:
        return _cdc(body)
    if "QueryResponse" in body:
        problems = validate(
            {
                "type": "object",
                "required": ["QueryResponse", "time"],
                "properties": {"QueryResponse": {"type": "object"}, "time": TIME},
            },
            body,
        )
        return problems + _query_block(body["QueryResponse"], "$.QueryResponse")
    names = [key for key in body if key != "time"]
    if len(names) != 1:
        return [f"$: expected one entity and time, got {sorted(body)}"]
    problems = validate(
        {"type": "object", "required": ["time"], "properties": {"time": TIME}}, {"time": body.get("time")}
    )
    return problems + check_entity(names[0], body[names[0]], f"$.{names[0]}")


def check_xml(text: bytes) -> list[str]:
    """Problems of an XML answer against the XSD itself."""
    schema = xml_schema()
    if schema.validate(etree.fromstring(text)):
        return []
    return [str(error) for error in schema.error_log]


def recorded_bodies(cassette: str) -> list[dict]:
    """The recorded JSON bodies of one cassette (``contract/recorded/<cassette>.json``)."""
    items = json.loads((CONTRACT / "recorded" / f"{cassette}.json").read_text())
    return [item for item in items if item["body"] is not None]
