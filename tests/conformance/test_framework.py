"""The conformance checks themselves: they pass on valid data and catch each kind of deviation."""

from __future__ import annotations

import json

import pytest

from tests.conformance.framework import Contract, check_request, check_response, check_routes, validate

PER_OPERATION = {
    "ListThings.json": {
        "operationId": "ListThings",
        "method": "GET",
        "path": "/rest/v1.0/things",
        "parameters": [
            {"name": "project_id", "in": "query", "required": True, "schema": {"type": "integer"}},
            {"name": "filters[id]", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}},
            {"name": "filters[status]", "in": "query", "schema": {"type": "string", "enum": ["open", "closed"]}},
        ],
        "responses": {
            "200": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {
                            "id": {"type": "integer"},
                            "status": {"type": "string", "enum": ["open", "closed"]},
                            "amount": {"type": "string"},
                            "due": {"type": "string", "format": "date"},
                            "vendor": {"type": "object", "properties": {"id": {"type": "integer"}}},
                            "meta": {"type": "object"},
                        },
                    },
                }
            },
            "401": {"description": "Unauthorized"},
        },
    },
    "ThingDetail.json": {
        "operationId": "ThingDetail",
        "method": "GET",
        "path": "/rest/v1.0/things/{thing_id}/detail",
        "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"schema": {"type": "array", "items": {"type": "object", "properties": {}}}}},
    },
    "SyncThings.json": {
        "operationId": "SyncThings",
        "method": "PATCH",
        "path": "/rest/v1.0/things/sync",
        "parameters": [],
        "requestBody": {
            "contentType": "application/json",
            "schema": {
                "type": "object",
                "required": ["updates"],
                "properties": {
                    "updates": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                        },
                    }
                },
            },
        },
        "responses": {"200": {"schema": {"type": "object", "properties": {"entities": {"type": "array"}}}}},
    },
    "PatchThing.json": {
        "operationId": "PatchThing",
        "method": "PATCH",
        "path": "/rest/v1.0/things/{id}",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}},
    },
}

OPENAPI = {
    "openapi": "3.0.1",
    "servers": [{"url": "http://localhost/inst/entity/Default/1.0"}],
    "paths": {
        "/Bill": {
            "put": {
                "parameters": [{"$ref": "#/components/parameters/expand"}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bill"}}}},
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bill"}}}},
                    "422": {"$ref": "#/components/responses/Invalid"},
                },
            }
        },
        "/Bill/{id}": {
            "get": {
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bill"}}}}
                }
            }
        },
    },
    "components": {
        "parameters": {"expand": {"name": "$expand", "in": "query", "schema": {"type": "string"}}},
        "responses": {"Invalid": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bill"}}}}},
        "schemas": {
            "Entity": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "custom": {"type": "object", "additionalProperties": {"type": "object"}},
                },
            },
            "StringValue": {"type": "object", "properties": {"value": {"type": "string", "nullable": True}}},
            "Bill": {
                "allOf": [
                    {"$ref": "#/components/schemas/Entity"},
                    {
                        "type": "object",
                        "properties": {
                            "Vendor": {"$ref": "#/components/schemas/StringValue"},
                            "Kind": {"oneOf": [{"type": "string", "enum": ["Bill"]}, {"type": "integer"}]},
                        },
                    },
                ]
            },
        },
    },
}


@pytest.fixture
def things(tmp_path):
    for name, document in PER_OPERATION.items():
        (tmp_path / name).write_text(json.dumps(document))
    return Contract.load("things", tmp_path)


@pytest.fixture
def erp(tmp_path):
    (tmp_path / "Default.json").write_text(json.dumps(OPENAPI))
    (tmp_path / "_settings.json").write_text(json.dumps({"base_path": "/entity/Default/1.0"}))
    return Contract.load("erp", tmp_path)


GOOD_ROW = {"id": 1, "status": "open", "amount": "1.00", "due": "2024-05-01", "vendor": {"id": 3}, "meta": {"a": 1}}


def test_valid_data_passes(things):
    assert check_response(things, "GET", "/rest/v1.0/things", 200, [GOOD_ROW]) == []
    assert check_response(things, "GET", "/rest/v1.0/things", 200, json.dumps([GOOD_ROW])) == []
    assert check_response(things, "GET", "/rest/v1.0/things", 401, {"errors": "anything"}) == []
    query = {"project_id": ["5"], "filters[id][]": ["1", "2"]}
    assert check_request(things, "GET", "/rest/v1.0/things", query, "") == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({**GOOD_ROW, "vendor": "Acme"}, "$[0].vendor: expected object, got string"),
        ({**GOOD_ROW, "id": "1"}, "$[0].id: expected integer, got string"),
        ({**GOOD_ROW, "id": True}, "$[0].id: expected integer, got boolean"),
        ({k: v for k, v in GOOD_ROW.items() if k != "id"}, "$[0].id: missing required field"),
        ({**GOOD_ROW, "status": "Open"}, "$[0].status: 'Open' not in enum ['open', 'closed']"),
        ({**GOOD_ROW, "line_items": []}, "$[0].line_items: undocumented field"),
        ({**GOOD_ROW, "vendor": {"id": 3, "name": "x"}}, "$[0].vendor.name: undocumented field"),
        ({**GOOD_ROW, "due": "2024-05-01T00:00:00Z"}, "$[0].due: '2024-05-01T00:00:00Z' is not a date"),
        ({**GOOD_ROW, "amount": None}, "$[0].amount: null where string expected"),
    ],
)
def test_each_deviation_is_caught(things, row, expected):
    assert check_response(things, "GET", "/rest/v1.0/things", 200, [row]) == [expected]


def test_an_object_where_an_array_is_published_is_caught(things):
    assert check_response(things, "GET", "/rest/v1.0/things/12/detail", 200, {"id": 12, "items": []}) == [
        "$: expected array, got object"
    ]
    assert check_response(things, "GET", "/rest/v1.0/things/12/detail", 200, [{"x": 1}]) == [
        "$[0].x: undocumented field"
    ]


def test_undocumented_routes_methods_statuses_and_parameters_are_caught(things):
    assert check_response(things, "GET", "/rest/v1.1/things", 200, []) == ["GET /rest/v1.1/things: undocumented route"]
    assert check_response(things, "DELETE", "/rest/v1.0/things", 204, None) == [
        "DELETE /rest/v1.0/things: undocumented method (documented: GET)"
    ]
    assert check_response(things, "GET", "/rest/v1.0/things", 500, {}) == [
        "GET /rest/v1.0/things: undocumented status 500"
    ]
    problems = check_request(things, "GET", "/rest/v1.0/things?sort=-updated_at", {"filters[status]": ["shut"]}, None)
    assert problems == [
        "query.sort: undocumented query parameter",
        "query.filters[status]: 'shut' not in enum ['open', 'closed']",
        "query.project_id: missing required query parameter",
    ]
    assert check_request(things, "GET", "/rest/v1.0/things/abc/detail", {}, None) == [
        "path.thing_id: expected integer, got string"
    ]
    assert check_routes(things, [("GET", "/rest/v1.0/things"), ("PATCH", "/rest/v1.0/things/{id}")]) == []
    assert check_routes(things, [("POST", "/rest/v1.0/things"), ("GET", "/rest/v1.0/widgets/{id}")]) == [
        "POST /rest/v1.0/things: undocumented method (documented: GET)",
        "GET /rest/v1.0/widgets/1: undocumented route",
    ]


def test_literal_segments_win_and_request_bodies_are_checked(things):
    assert things.operation("PATCH", "/rest/v1.0/things/sync").operation_id == "SyncThings"
    assert things.operation("PATCH", "/rest/v1.0/things/7").operation_id == "PatchThing"
    good = {"updates": [{"id": 1, "name": "A"}]}
    assert check_request(things, "PATCH", "/rest/v1.0/things/sync", {}, json.dumps(good)) == []
    assert check_request(things, "PATCH", "/rest/v1.0/things/sync", {}, {"updates": [{"id": "1", "code": "A"}]}) == [
        "body.updates[0].id: expected integer, got string",
        "body.updates[0].code: undocumented field",
    ]
    assert check_request(things, "PATCH", "/rest/v1.0/things/sync", {}, {}) == ["body.updates: missing required field"]
    assert check_request(things, "PATCH", "/rest/v1.0/things/7", {}, {"name": "x"}) == [
        "PATCH /rest/v1.0/things/{id}: request body not documented"
    ]


def test_openapi_document_with_refs_allof_oneof_and_nullable(erp):
    path = "/entity/Default/1.0/Bill"
    good = {"id": "g", "Vendor": {"value": None}, "Kind": 3, "custom": {"Doc": {"x": 1}}}
    assert erp.operation("GET", path + "/000123").path == "/entity/Default/1.0/Bill/{id}"
    assert check_response(erp, "PUT", path, 200, good) == []
    assert check_response(erp, "PUT", path, 422, {**good, "Kind": "Memo"}) == ["$.Kind: 'Memo' not in enum ['Bill']"]
    assert check_response(erp, "PUT", path, 200, {"Vendor": {"value": 5}, "Branch": {}}) == [
        "$.Vendor.value: expected string, got integer",
        "$.Branch: undocumented field",
    ]
    assert check_response(erp, "PUT", path, 200, {"custom": {"Doc": "flat"}}) == [
        "$.custom.Doc: expected object, got string"
    ]
    assert check_request(erp, "PUT", path, {"$expand": ["Details"]}, {"Vendor": {"value": "V1"}}) == []
    assert check_request(erp, "PUT", path, {"$select": ["x"]}, {"Vendro": {}}) == [
        "query.$select: undocumented query parameter",
        "body.Vendro: undocumented field",
    ]
    assert check_routes(erp, [("GET", "/entity/Default/1.0/Branch")]) == [
        "GET /entity/Default/1.0/Branch: undocumented route"
    ]


def test_validate_directly():
    schema = {"type": "object", "properties": {"n": {"type": "number"}}, "additionalProperties": False}
    assert validate(schema, {"n": 1.5}) == []
    assert validate(schema, {"n": "1.5"}, "$.row") == ["$.row.n: expected number, got string"]
    assert validate(schema, {"n": None}, allow_null=True) == []
    assert validate({"type": "object", "additionalProperties": True}, {"anything": 1}) == []
    assert validate({"$ref": "#/definitions/X"}, 1, root={"definitions": {"X": {"type": "string"}}}) == [
        "$: expected string, got integer"
    ]


def test_loose_objects_and_nulls_only_when_the_contract_says_so(tmp_path):
    (tmp_path / "ListThings.json").write_text(json.dumps(PER_OPERATION["ListThings.json"]))
    strict = Contract.load("things", tmp_path)
    row = {**GOOD_ROW, "meta": 5, "amount": None}
    assert check_response(strict, "GET", "/rest/v1.0/things", 200, [row]) == [
        "$[0].amount: null where string expected",
        "$[0].meta: expected object, got integer",
    ]
    (tmp_path / "_settings.json").write_text(json.dumps({"allow_null": True, "bare_object_is_any": True}))
    assert check_response(Contract.load("things", tmp_path), "GET", "/rest/v1.0/things", 200, [row]) == []
