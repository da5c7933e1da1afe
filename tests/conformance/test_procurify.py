"""The Procurify simulator against Procurify's published contract (sandbox/procurify/contract/).

The contract is the vendor's OpenAPI 3 document trimmed to the served endpoints; its base path is
``/{domain}`` because the sandbox carries the customer's host name as the first path segment.
"""

from __future__ import annotations

import copy

import pytest
import requests

from sandbox.procurify import demo_data as demo
from sandbox.procurify.simulator import ProcurifySimulator
from sandbox.testing import SandboxControl
from tests.conformance.framework import Contract, check_request, check_response, check_routes

DOMAIN = demo.DOMAIN
TOKEN_BODY = {
    "client_id": demo.CLIENT_ID,
    "client_secret": demo.CLIENT_SECRET,
    "audience": "https://api.procurify.com/",
    "grant_type": "client_credentials",
}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load("procurify")


@pytest.fixture
def procurify(sandbox):
    control = SandboxControl(sandbox.base_url, "procurify")
    control.reset()
    control.seed(preset="demo")
    return Caller(sandbox.url("procurify"), control)


class Caller:
    """Calls the simulator and keeps (method, path, status, body) of every answer for checking."""

    def __init__(self, base: str, control: SandboxControl):
        self.base, self.control = base, control
        self.http = requests.Session()
        self.answers: list[tuple[str, str, int, object]] = []
        token = self.call("POST", "/oauth/token", body=TOKEN_BODY).json()["access_token"]
        self.http.headers.update({"Authorization": f"Bearer {token}", "X-Procurify-Client": "api"})

    def call(self, method: str, path: str, params=None, body=None) -> requests.Response:
        response = self.http.request(method, f"{self.base}/{DOMAIN}{path}", params=params, json=body)
        payload = response.json() if response.content else None
        self.answers.append((method, f"/{DOMAIN}{path}", response.status_code, payload))
        return response

    def walk(self, path: str, params: dict) -> int:
        """Follow ``next`` links from the first page; returns how many pages were read."""
        body, pages = self.call("GET", path, params).json(), 1
        while body["metadata"]["pagination"]["next"]:
            response = self.http.get(body["metadata"]["pagination"]["next"])
            body, pages = response.json(), pages + 1
            self.answers.append(("GET", f"/{DOMAIN}{path}", response.status_code, body))
        return pages


def problems_of(contract: Contract, caller: Caller) -> list[str]:
    found = []
    for method, path, status, body in caller.answers:
        found += [f"{method} {path} {status}: {p}" for p in check_response(contract, method, path, status, body)]
    return found


def journal_problems(contract: Contract, caller: Caller) -> list[str]:
    """Every request the calls above sent must itself be documented (path, query, body)."""
    found = []
    for entry in caller.control.journal():
        problems = check_request(contract, entry["method"], entry["path"], entry["query"], entry["body"])
        found += [f"{entry['method']} {entry['path']}: {p}" for p in problems]
    return found


def test_every_served_route_is_published(contract):
    routes = [(method, f"/{{domain}}{template}") for method, template in ProcurifySimulator().route_templates()]
    assert len(routes) == 29
    assert check_routes(contract, routes) == []


def test_lists_over_several_pages_with_filters_conform(procurify, contract):
    records = {name: procurify.control.records(name) for name in ("bills", "purchase_orders")}
    since = sorted(b["last_modified_datetime"] for b in records["bills"])[10]
    walks = [
        ("/api/v3/vendors/", {"page_size": 4, "type": 3}),
        ("/api/v3/account-codes/", {"page_size": 5, "active": "true"}),
        ("/api/v3/departments/", {"page_size": 5}),
        ("/api/v2/locations/", {"page_size": 2}),
        ("/api/v3/users/", {"page_size": 100, "is_active": "true"}),
        ("/api/v3/order-items/", {"page_size": 30, "status": 0}),
        ("/api/v2/global/order_items/", {"page_size": 40, "last_modified_0": "2000-01-01"}),
        ("/api/v2/purchase_orders/purchased/all/", {"page_size": 15, "modified_date_0": "2000-01-01"}),
        ("/api/v2/purchase_orders/receivable/partial/", {"page_size": 3}),
        ("/api/v3/ap/bills/", {"page_size": 10, "last_modified_datetime_0": since}),
        ("/api/v3/ap/bills/", {"page_size": 25, "invoice_date_0": "2000-01-01", "has_payment": "true"}),
        ("/api/v2/ap/items/", {"page_size": 20}),
        ("/api/v2/ap/payments/", {"page_size": 5, "payment_date_0": "2000-01-01"}),
        ("/api/public/v1/payments/", {"page_size": 5, "status": "paid", "order_by": "-updated_at"}),
    ]
    pages = {path + str(sorted(params)): procurify.walk(path, params) for path, params in walks}
    assert sum(1 for count in pages.values() if count > 1) >= 10  # most lists really span pages
    assert problems_of(contract, procurify) == []
    assert journal_problems(contract, procurify) == []


def test_shows_conform(procurify, contract):
    bills = procurify.control.records("bills")
    po = procurify.control.records("purchase_orders")[0]
    procurify.call("GET", "/api/v3/vendors/2001/")
    procurify.call("GET", "/api/v2/locations/11/")
    procurify.call("GET", "/api/v3/users/me/")
    procurify.call("GET", f"/api/v2/purchase_orders/{po['id']}/")
    procurify.call("GET", f"/api/v2/purchase_orders/{po['uuid']}/")
    procurify.call("GET", "/api/v3/purchase-orders/billing-history/")
    for bill in bills:  # every demo bill: linked, unlinked, paid, draft, denied
        procurify.call("GET", f"/api/v2/ap/bills/{bill['uuid']}/")
    assert {status for _, _, status, _ in procurify.answers} == {200}
    assert problems_of(contract, procurify) == []
    assert journal_problems(contract, procurify) == []


def test_writes_conform(procurify, contract):
    vendor = {"name": "Mirror Vendor LLC", "type": 4, "email": ["ap@mirror.example"], "overall_score": None}
    created = procurify.call("POST", "/api/v3/vendors/", body={**vendor, "external_id": "V30001"}).json()["data"]
    procurify.call("PUT", f"/api/v3/vendors/{created['id']}/", body={**vendor, "city": "Boise"})
    procurify.call("PATCH", f"/api/v3/vendors/{created['id']}/", body={"active": False})
    code = procurify.call("POST", "/api/v3/account-codes/", body={"code": "7200", "description": "Leases"}).json()
    procurify.call("PUT", f"/api/v3/account-codes/{code['data']['id']}/", body={"code": "7200", "description": "X"})
    dept = procurify.call("POST", "/api/v3/departments/", body={"branch": 11, "name": "Warehouse"}).json()["data"]
    procurify.call("PUT", f"/api/v3/departments/{dept['id']}/", body={"branch": 12, "name": "Warehouse"})
    po = next(p for p in procurify.control.records("purchase_orders") if p["state"] == 0)
    procurify.call("POST", f"/api/v3/purchase-orders/{po['id']}/close/")
    procurify.call("POST", f"/api/v3/purchase-orders/{po['id']}/reopen/")
    procurify.call("PUT", f"/api/v3/purchase-orders/{po['id']}/", body=_po_update(procurify, po))
    assert [status for _, _, status, _ in procurify.answers[1:]] == [
        201,
        200,
        200,
        201,
        200,
        201,
        200,
        200,
        200,
        200,
        200,
    ]
    assert problems_of(contract, procurify) == []
    assert journal_problems(contract, procurify) == []


def _po_update(procurify: Caller, po: dict) -> dict:
    detail = procurify.call("GET", f"/api/v2/purchase_orders/{po['id']}/").json()["data"]
    body = {key: detail[key] for key in ("promise_date", "version", "PO_Num", "comment")}
    body.update({key: detail[key] for key in detail if key.startswith(("buyer_", "receiver_"))})
    body.update(buyer_address=po["location"], receiver_address=po["location"], discount={}, tax={})
    item = detail["order_items"][0]
    body["order_items"] = [
        {"id": item["id"], "name": item["name"], "unit": item["unit"], "price": item["price"], "quantity": "2"}
        | {"custom_fields": []}
    ]
    return body


def test_errors_are_unpublished_but_shaped_like_django_rest_framework(procurify, contract):
    """The spec documents no error statuses: each error is reported as such, and has DRF's shape."""
    procurify.call("GET", "/api/v3/vendors/999999/")
    procurify.call("GET", "/api/v3/ap/bills/", {"invoice_date_0": "yesterday"})
    procurify.call("POST", "/api/v3/vendors/", body={"name": "No type"})
    procurify.call("GET", "/api/v3/vendors/", {"page": 50})
    procurify.http.headers.pop("X-Procurify-Client")
    procurify.call("GET", "/api/v3/vendors/")
    errors = procurify.answers[1:]
    assert [status for _, _, status, _ in errors] == [404, 400, 400, 404, 401]
    for method, path, status, body in errors:
        assert check_response(contract, method, path, status, body) == [
            f"{contract.operation(method, path).method} {contract.operation(method, path).path}: "
            f"undocumented status {status}"
        ]
        assert isinstance(body, dict) and body
        assert set(body) == {"detail"} or all(isinstance(v, list) for v in body.values())


def test_checks_can_fail(procurify, contract):
    body = procurify.call("GET", "/api/v3/ap/bills/", {"page_size": 2}).json()
    path = f"/{DOMAIN}/api/v3/ap/bills/"
    assert check_response(contract, "GET", path, 200, body) == []
    wrong = copy.deepcopy(body)
    wrong["data"][0]["status"] = "approved"  # the v3 list publishes integer statuses
    wrong["data"][0]["total_cost_with_tax"] = "12.50"
    wrong["data"][1]["vendor"]["erp_code"] = "V1"
    del wrong["metadata"]["pagination"]["num_pages"]
    problems = check_response(contract, "GET", path, 200, wrong)
    assert "$.data[0].status: expected integer, got string" in problems
    assert "$.data[0].total_cost_with_tax: expected number, got string" in problems
    assert "$.data[1].vendor.erp_code: undocumented field" in problems
    assert "$.metadata.pagination.num_pages: missing required field" in problems
    assert check_routes(contract, [("GET", "/{domain}/api/v3/ap/bills/mark-as-paid/")]) == [
        "GET /1/api/v3/ap/bills/mark-as-paid/: undocumented route"
    ]
    assert check_request(contract, "GET", path, {"status": ["2"]}, None) == [
        "query.status: undocumented query parameter"
    ]
