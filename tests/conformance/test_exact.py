"""The Exact simulator against Exact's published REST reference (see sandbox/exact/contract/SOURCE.md)."""

from __future__ import annotations

import copy
import json

import pytest

from sandbox.exact import demo
from sandbox.exact.resources import SERVED
from tests.conformance.exact import ExactContract, check_body, check_request, check_response, check_routes
from tests.sandbox.test_exact import Exact, Receiver

MAIN = demo.MAIN
PO = demo.gid("po:1")
PE = demo.gid("pe:240311")


@pytest.fixture(scope="module")
def contract() -> ExactContract:
    return ExactContract.load()


@pytest.fixture
def exact(sandbox):
    from sandbox.testing import SandboxControl

    control = SandboxControl(sandbox.base_url, "exact")
    control.reset()
    control.seed(preset="demo")
    receiver = Receiver()
    client = Exact(sandbox, control, receiver)
    client.connect()
    control.config(minutely_limit=10_000, daily_limit=100_000)
    control.clear_journal()
    yield client
    receiver.close()


def _probe_path(key: str, keyed: bool) -> str:
    path = "/api/v1/current/Me" if key == "current/Me" else f"/api/v1/{MAIN}/{key}"
    return path + "(guid'00000000-0000-0000-0000-000000000001')" if keyed else path


def test_every_route_the_simulator_answers_is_documented(exact, contract):
    """Probe every served endpoint with every method; whatever is not refused with 405 must be documented."""
    answered = []
    for key in SERVED:
        for method in ("GET", "POST", "PUT", "DELETE"):
            for keyed in (False, True):
                if key == "current/Me" and keyed:
                    continue
                path = _probe_path(key, keyed)
                response = exact.call(method, exact.base + path, json={} if method in ("POST", "PUT") else None)
                if response.status_code != 405:
                    answered.append((method, path))
    assert ("GET", f"/api/v1/{MAIN}/sync/Deleted") in answered
    assert check_routes(contract, answered) == []
    undocumented = [("PUT", f"/api/v1/{MAIN}/purchaseorder/PurchaseOrders(guid'{PO}')")]
    assert exact.call("PUT", exact.base + undocumented[0][1], json={}).status_code == 405
    assert check_routes(contract, undocumented) != []


def _calls(exact: Exact) -> list[tuple[str, str, dict | None, object]]:
    """(method, path, params, json body) of a representative session: lists, shows, sync, writes, errors."""
    order = {"Supplier": demo.gid("acc:2001")}
    line = {"Description": "Dakgoten zink", "QuantityInPurchaseUnits": "40", "UnitPrice": "18.20", "CostCenter": "100"}
    return [
        ("GET", "current/Me", None, None),
        ("GET", f"{MAIN}/system/Divisions", None, None),
        ("GET", f"{MAIN}/system/AllDivisions", {"$select": "Code,Description,Current"}, None),
        ("GET", f"{MAIN}/financial/GLAccounts", None, None),
        ("GET", f"{MAIN}/hrm/Costcenters", None, None),
        ("GET", f"{MAIN}/hrm/Costunits", None, None),
        ("GET", f"{MAIN}/project/Projects", None, None),
        ("GET", f"{MAIN}/crm/Accounts", {"$filter": "IsSupplier eq true"}, None),
        ("GET", f"{MAIN}/purchaseorder/PurchaseOrders", {"$expand": "PurchaseOrderLines"}, None),
        ("GET", f"{MAIN}/purchaseorder/PurchaseOrders(guid'{PO}')", None, None),
        ("GET", f"{MAIN}/purchaseorder/PurchaseOrders(guid'{PO}')/PurchaseOrderLines", None, None),
        ("GET", f"{MAIN}/purchaseorder/PurchaseOrderLines", {"$filter": f"PurchaseOrderID eq guid'{PO}'"}, None),
        ("GET", f"{MAIN}/purchaseentry/PurchaseEntries", {"$expand": "PurchaseEntryLines"}, None),
        ("GET", f"{MAIN}/purchaseentry/PurchaseEntries(guid'{PE}')", None, None),
        ("GET", f"{MAIN}/purchaseentry/PurchaseEntryLines", None, None),
        ("GET", f"{MAIN}/sync/Financial/GLAccounts", {"$select": "Timestamp,ID,Code,Description,Modified"}, None),
        ("GET", f"{MAIN}/sync/CRM/Accounts", {"$select": "Timestamp,ID,Code,Name,IsSupplier"}, None),
        ("GET", f"{MAIN}/sync/Project/Projects", {"$select": "Timestamp,ID,Code,Description,StartDate"}, None),
        ("GET", f"{MAIN}/sync/PurchaseOrder/PurchaseOrders", {"$select": "*"}, None),  # refused: 400
        (
            "GET",
            f"{MAIN}/sync/PurchaseOrder/PurchaseOrders",
            {"$select": "Timestamp,PurchaseOrderID,ID,OrderDate,AmountDC,CostCenterCode,Project"},
            None,
        ),
        ("GET", f"{MAIN}/bulk/Financial/GLAccounts", {"$select": "ID,Code"}, None),
        ("GET", f"{MAIN}/bulk/CRM/Accounts", {"$select": "ID,Name"}, None),
        ("POST", f"{MAIN}/purchaseorder/PurchaseOrders", None, {**order, "PurchaseOrderLines": [line]}),
        ("DELETE", f"{MAIN}/purchaseorder/PurchaseOrders(guid'{demo.gid('po:6')}')", None, None),
        ("PUT", f"{MAIN}/hrm/Costunits(guid'{demo.gid('cu:RB')}')", None, {"Description": "Ruwbouw casco"}),
        ("GET", f"{MAIN}/sync/Deleted", {"$select": "Timestamp,EntityKey,EntityType,DeletedDate,Division"}, None),
        ("GET", f"{MAIN}/webhooks/WebhookSubscriptions", None, None),
        ("GET", f"{MAIN}/sync/Financial/GLAccounts", None, None),  # 400: $select missing
        ("GET", f"{MAIN}/financial/GLAccounts(guid'00000000-0000-0000-0000-000000000009')", None, None),  # 404
        ("GET", f"{MAIN}/crm/Accounts", {"$filter": "Bogus eq 1"}, None),  # 400
    ]  # fmt: skip


def test_responses_of_a_session_conform(exact, contract):
    statuses = []
    for method, path, params, body in _calls(exact):
        response = exact.call(method, path, params=params, json=body)
        statuses.append(response.status_code)
        parsed = response.json() if response.content else None
        problems = check_response(contract, method, f"/api/v1/{path}", response.status_code, parsed)
        assert problems == [], (method, path, problems[:5])
    assert statuses.count(200) >= 22 and {201, 204, 400, 404} <= set(statuses)
    for entry in exact.ctl.journal():
        assert check_request(contract, entry["method"], entry["path"], entry["query"], entry["body"]) == []


def test_lists_over_several_pages_conform(exact, contract):
    exact.ctl.seed({"Costcenters": [{"Code": f"C{i:03d}", "Description": f"Werk {i}"} for i in range(150)]})
    url, pages = f"{exact.base}/api/v1/{MAIN}/hrm/Costcenters", 0
    while url:
        response = exact.call("GET", url)
        body = response.json()
        path = "/" + url.split("/", 4)[-1].split("?")[0]
        assert check_response(contract, "GET", path, 200, body) == []
        url, pages = body["d"].get("__next"), pages + 1
    assert pages == 3


def test_the_checks_can_fail(exact, contract):
    path = f"/api/v1/{MAIN}/purchaseorder/PurchaseOrders(guid'{PO}')"
    good = exact.call("GET", exact.base + path).json()
    assert check_response(contract, "GET", path, 200, good) == []

    wrong_type = copy.deepcopy(good)
    wrong_type["d"]["AmountDC"] = "7872.00"
    assert check_response(contract, "GET", path, 200, wrong_type) == ["$.d.AmountDC: expected number, got string"]
    extra = copy.deepcopy(good)
    extra["d"]["GLAccount"] = None  # PO headers carry no GL account
    assert check_response(contract, "GET", path, 200, extra) == ["$.d.GLAccount: undocumented field"]
    iso_date = copy.deepcopy(good)
    iso_date["d"]["OrderDate"] = "2024-03-04T00:00:00"
    assert "is not /Date(ms)/" in check_response(contract, "GET", path, 200, iso_date)[0]
    bad_error = {"error": {"message": "nope"}}
    assert check_response(contract, "GET", path, 404, bad_error) != []

    assert check_routes(contract, [("GET", f"/api/v1/{MAIN}/purchaseorder/PurchaseOrderApprovals")]) != []
    assert check_request(contract, "GET", f"/api/v1/{MAIN}/crm/Accounts", {"$select": ["Nope"]}, None) != []
    assert check_request(contract, "GET", f"/api/v1/{MAIN}/crm/Accounts", {"page": ["2"]}, None) != []
    body = {"Supplier": demo.gid("acc:2001"), "AmountDC": 10, "PurchaseOrderLines": [{"GLAccount": "x"}]}
    assert check_body(contract, "purchaseorder/PurchaseOrders", "POST", body) == [
        "body.AmountDC: not settable by POST",
        "body.PurchaseOrderLines[0].GLAccount: undocumented property",
    ]
    assert json.dumps(good)  # the good answer stayed untouched
