"""The Procore simulator against Procore's published contract (sandbox/procore/contract/)."""

from __future__ import annotations

import pytest
import requests

from sandbox.procore import demo
from sandbox.procore.routes import templates
from sandbox.testing import SandboxControl
from tests.conformance.framework import Contract, check_request, check_response, check_routes

COMPANY = demo.COMPANY_ID
RIVERSIDE = demo.PROJECTS[0][0]
SC1, PO1 = 5_500_000_501, 5_500_000_504
REQ1, DC1 = 5_600_000_601, 5_700_000_701
#: served, documented in ../shared/vendor-apis/procore-procurify.md, absent from the published spec copies
FACTS_ONLY_ROUTES = {("POST", "/oauth/revoke"): "facts P2: revocation answers 200 even for a bad token"}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load("procore")


@pytest.fixture
def procore(sandbox):
    control = SandboxControl(sandbox.base_url, "procore")
    control.reset()
    control.seed(preset="demo")
    control.config(rate_limit_hourly=100_000, rate_limit_spike=100_000)
    return Caller(sandbox, control)


class Caller:
    """Calls the simulator and keeps (method, path, status, body) of every answer for checking."""

    def __init__(self, sandbox, control):
        self.api, self.login, self.control = sandbox.url("procore"), sandbox.url("procore-login"), control
        self.http = requests.Session()
        form = {"grant_type": "client_credentials", "client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET}
        self.token = self.http.post(self.login + "/oauth/token", data=form).json()["access_token"]
        self.http.headers.update({"Authorization": f"Bearer {self.token}", "Procore-Company-Id": str(COMPANY)})
        self.answers: list[tuple[str, str, int, object]] = []

    def call(self, method: str, path: str, params=None, body=None) -> requests.Response:
        response = self.http.request(method, self.api + path, params=params, json=body)
        payload = response.json() if response.content else None
        self.answers.append((method, path, response.status_code, payload))
        return response


def problems_of(contract: Contract, caller: Caller) -> list[str]:
    found = []
    for method, path, status, body in caller.answers:
        found += [f"{method} {path} {status}: {p}" for p in check_response(contract, method, path, status, body)]
    return found


def test_every_served_route_is_published(contract):
    login = [("POST", "/oauth/token"), ("GET", "/oauth/token/info"), *FACTS_ONLY_ROUTES]
    problems = check_routes(contract, templates() + [r for r in login if r not in FACTS_ONLY_ROUTES])
    assert problems == []
    assert check_routes(contract, list(FACTS_ONLY_ROUTES)) == ["POST /oauth/revoke: undocumented route"]


def test_reference_reads_conform(procore, contract):
    calls = [
        ("/rest/v1.0/me", {}),
        ("/rest/v1.0/companies", {}),
        ("/rest/v1.0/projects", {"company_id": COMPANY, "per_page": 5}),
        ("/rest/v1.0/projects", {"company_id": COMPANY, "page": 3, "per_page": 5}),
        ("/rest/v1.1/projects", {"company_id": COMPANY}),
        (f"/rest/v1.0/projects/{RIVERSIDE}", {"company_id": COMPANY}),
        ("/rest/v1.0/vendors", {"company_id": COMPANY, "per_page": 3}),
        (f"/rest/v1.0/vendors/{demo.VENDORS[0][0]}", {"company_id": COMPANY}),
        (f"/rest/v1.0/companies/{COMPANY}/vendors/inactive", {}),
        ("/rest/v1.0/cost_codes", {"project_id": RIVERSIDE}),
        (f"/rest/v1.0/cost_codes/{demo.cost_code_id(0, '03-300')}", {"project_id": RIVERSIDE}),
        ("/rest/v1.0/line_item_types", {"company_id": COMPANY}),
        (f"/rest/v1.0/line_item_types/{demo.LABOR}", {"company_id": COMPANY}),
        (
            "/rest/v1.0/standard_cost_codes",
            {"company_id": COMPANY, "standard_cost_code_list_id": demo.STANDARD_LIST_ID},
        ),
        ("/rest/v1.0/standard_cost_code_lists", {"company_id": COMPANY}),
        ("/rest/v1.0/standard_cost_code_lists", {"company_id": COMPANY, "page": 2, "per_page": 1}),
        (f"/rest/v1.0/standard_cost_code_lists/{demo.STANDARD_LIST_ID}", {"company_id": COMPANY}),
    ]
    for path, params in calls:
        assert procore.call("GET", path, params).status_code == 200, path
    problems = problems_of(contract, procore)
    assert problems == [], "\n".join(problems)


def test_commitment_reads_conform(procore, contract):
    for base, contract_id in (("/rest/v1.0/work_order_contracts", SC1), ("/rest/v1.0/purchase_order_contracts", PO1)):
        assert procore.call("GET", base, {"project_id": RIVERSIDE, "per_page": 1}).status_code == 200
        assert procore.call("GET", f"{base}/{contract_id}", {"project_id": RIVERSIDE}).status_code == 200
        lines = procore.call("GET", f"{base}/{contract_id}/line_items", {"project_id": RIVERSIDE}).json()
        assert procore.call("GET", f"{base}/{contract_id}/line_items/{lines[0]['id']}", {"project_id": RIVERSIDE})
    project = demo.PROJECTS[3][0]
    assert procore.call("GET", "/rest/v1.0/commitments", {"project_id": project}).status_code == 200
    assert procore.call("GET", f"/rest/v1.0/commitments/{SC1}", {"project_id": RIVERSIDE}).status_code == 200
    assert procore.call("GET", f"/rest/v1.0/projects/{project}/commitment_change_orders").status_code == 200
    assert procore.call("GET", "/rest/v1.0/contract_payments", {"project_id": RIVERSIDE, "contract_id": SC1})
    problems = problems_of(contract, procore)
    assert problems == [], "\n".join(problems)


def test_requisition_and_direct_cost_reads_conform(procore, contract):
    on_project = {"project_id": RIVERSIDE}
    for version in ("v1.0", "v1.1"):
        assert procore.call("GET", f"/rest/{version}/requisitions", {**on_project, "per_page": 2}).status_code == 200
        assert procore.call("GET", f"/rest/{version}/requisitions/{REQ1}", on_project).status_code == 200
        dcs = f"/rest/{version}/projects/{RIVERSIDE}/direct_costs"
        assert procore.call("GET", dcs, {"per_page": 3, "page": 2}).status_code == 200
        assert procore.call("GET", f"{dcs}/{DC1}").status_code == 200
    assert procore.call("GET", f"/rest/v1.0/requisitions/{REQ1}/detail", on_project).status_code == 200
    for kind in ("contract_items", "contract_detail_items", "change_order_items"):
        assert procore.call("GET", f"/rest/v1.0/requisitions/{REQ1}/{kind}", on_project).status_code == 200
    item = procore.call("GET", f"/rest/v1.0/requisitions/{REQ1}/contract_items", on_project).json()[0]
    assert procore.call("GET", f"/rest/v1.0/requisitions/{REQ1}/contract_items/{item['id']}", on_project)
    assert procore.call("GET", f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/{DC1}/line_items").status_code == 200
    assert procore.call("GET", f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/line_items").status_code == 200
    problems = problems_of(contract, procore)
    assert problems == [], "\n".join(problems)


def test_writes_conform(procore, contract):
    vendor = procore.call(
        "POST", "/rest/v1.0/vendors", body={"company_id": COMPANY, "vendor": {"name": "Delta Paving"}}
    )
    assert vendor.status_code == 201
    vendor_id = vendor.json()["id"]
    procore.call("PATCH", f"/rest/v1.0/vendors/{vendor_id}", body={"company_id": COMPANY, "vendor": {"name": "Delta"}})
    sync = {"company_id": COMPANY, "updates": [{"origin_id": "V-9", "name": "Echo Earthworks"}, {"id": 1, "name": "x"}]}
    answer = procore.call("PATCH", "/rest/v1.0/vendors/sync", body=sync).json()
    assert (len(answer["entities"]), len(answer["errors"])) == (1, 1)
    procore.call(
        "PATCH",
        "/rest/v1.0/line_item_types/sync",
        body={"company_id": COMPANY, "updates": [{"origin_id": "CT-9", "name": "Permits", "base_type": "other"}]},
    )
    procore.call(
        "PATCH",
        "/rest/v1.0/cost_codes/sync",
        {"project_id": RIVERSIDE},
        body={"updates": [{"origin_id": "CC-9", "code": "900", "name": "Allowances"}]},
    )
    procore.call(
        "POST",
        "/rest/v1.0/standard_cost_codes",
        body={
            "company_id": COMPANY,
            "standard_cost_code_list_id": demo.STANDARD_LIST_ID,
            "standard_cost_code": {"code": "31-100", "name": "Earthwork"},
        },
    )
    payment = procore.call(
        "POST",
        "/rest/v1.0/contract_payments",
        body={
            "project_id": RIVERSIDE,
            "contract_id": SC1,
            "contract_payment": {"amount": "1000.00", "date": "2024-05-01", "requisition_id": REQ1},
        },
    )
    assert payment.status_code == 201
    procore.call(
        "PATCH",
        f"/rest/v1.0/contract_payments/{payment.json()['id']}",
        body={"project_id": RIVERSIDE, "contract_id": SC1, "contract_payment": {"check_number": "1001"}},
    )
    procore.call(
        "PATCH", f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/{DC1}", body={"item": {"payment_date": "2024-05-02"}}
    )
    procore.call(
        "PATCH",
        f"/rest/v1.1/projects/{RIVERSIDE}/direct_costs/{DC1}",
        body={"direct_cost": {"payment_date": "2024-05-03", "status": "approved"}},
    )
    new_cost = {"invoice_number": "INV-9", "vendor_id": demo.VENDORS[4][0], "direct_cost_type": "expense"}
    procore.call("POST", f"/rest/v1.1/projects/{RIVERSIDE}/direct_costs", body={"direct_cost": new_cost})
    procore.call(
        "POST",
        "/rest/v1.0/cost_codes",
        body={
            "project_id": RIVERSIDE,
            "cost_code": {"code": "910", "name": "Bonds", "standard_cost_code_id": 5_310_000_001},
        },
    )
    procore.call(
        "PATCH",
        f"/rest/v1.0/requisitions/{REQ1}",
        body={"project_id": RIVERSIDE, "commitment_id": SC1, "requisition": {"origin_id": "BILL-1"}},
    )
    procore.call(
        "PATCH",
        f"/rest/v2.0/companies/{COMPANY}/projects/{RIVERSIDE}/requisitions/{REQ1}/payment_details",
        body={"due_date": "2024-06-01"},
    )
    procore.call(
        "POST",
        f"/rest/v1.0/projects/{RIVERSIDE}/commitment_change_orders",
        body={"change_order": {"contract_id": SC1, "title": "Extra blocking", "status": "approved"}},
    )
    procore.call(
        "PATCH",
        f"/rest/v1.0/work_order_contracts/{SC1}/line_items/sync",
        {"project_id": RIVERSIDE},
        body={"updates": [{"origin_id": "L-1", "amount": "10.00", "description": "New"}]},
    )
    assert [a for a in procore.answers if a[2] >= 300] == []
    problems = problems_of(contract, procore)
    assert problems == [], "\n".join(problems)


def test_requisition_writes_conform(procore, contract):
    procore.control.clear_journal()
    on_project = {"project_id": RIVERSIDE}
    header = {"invoice_number": "SF-3", "origin_id": "QB-1", "billing_date": "2025-03-31"}
    made = procore.call(
        "POST", "/rest/v1.0/requisitions", body={**on_project, "commitment_id": SC1, "requisition": header}
    )
    assert made.status_code == 201
    lines = [item["line_item_id"] for item in made.json()["items"]]
    claims = [{"item_type": "contract_item", "line_item_id": lines[0], "work_completed_this_period": "100.00"}]
    newer = procore.call(
        "POST",
        "/rest/v1.1/requisitions",
        {"view": "extended"},
        body={**on_project, "commitment_id": SC1, "requisition": {"items": claims, "status": "draft"}},
    )
    assert newer.status_code == 201
    req_id, item_id = newer.json()["id"], newer.json()["items"][1]["id"]
    base = f"/rest/v1.0/requisitions/{req_id}"
    change = {"work_completed_this_period": "50.00", "materials_presently_stored": "5.00"}
    procore.call("PATCH", f"{base}/contract_items/{item_id}", on_project, {"requisition_contract_item": change})
    bulk = [{"id": item_id, "item_type": "contract_item", "work_completed_this_period": "60.00", "status": "approved"}]
    procore.call("PATCH", f"{base}/bulk_item_update", on_project, {"requisition_items": bulk})
    procore.call("DELETE", f"/rest/v1.1/requisitions/{made.json()['id']}", on_project)
    procore.call("DELETE", base, on_project)
    assert [a for a in procore.answers if a[2] >= 300] == []
    # refusals are answered in documented statuses too
    detail = {"requisition_contract_detail_item": change}
    contract_item = f"/rest/v1.0/requisitions/{REQ1}/contract_detail_items/5600100001"  # not a detail item
    assert procore.call("PATCH", contract_item, on_project, detail).status_code == 404
    assert procore.call("POST", "/rest/v1.0/requisitions", body={**on_project, "commitment_id": 1}).status_code == 422
    assert procore.call("DELETE", f"/rest/v1.0/requisitions/{REQ1}", on_project).status_code == 422
    problems = problems_of(contract, procore)
    journal = procore.control.journal()
    problems += [p for e in journal for p in check_request(contract, e["method"], e["path"], e["query"], e["body"])]
    assert problems == [], "\n".join(problems)


def test_webhook_calls_conform(procore, contract):
    hook = procore.call(
        "POST",
        "/rest/v1.0/webhooks/hooks",
        body={
            "company_id": COMPANY,
            "hook": {"api_version": "v2", "namespace": "ml-connector", "destination_url": "http://127.0.0.1:9/x"},
        },
    )
    hook_id = hook.json()["id"]
    base = f"/rest/v1.0/webhooks/hooks/{hook_id}"
    trigger = {
        "company_id": COMPANY,
        "api_version": "v2",
        "trigger": {"resource_name": "Direct Costs", "event_type": "create"},
    }
    procore.call("POST", base + "/triggers", body=trigger)
    procore.call("POST", base + "/triggers/bulk", body=[{"resource_name": "Requisitions", "event_type": "update"}])
    procore.call("GET", base + "/triggers", {"company_id": COMPANY})
    procore.call("GET", base + "/deliveries", {"company_id": COMPANY})
    procore.call("GET", "/rest/v1.0/webhooks/hooks", {"company_id": COMPANY, "namespace": "ml-connector"})
    procore.call("GET", "/rest/v1.0/webhooks/resources", {"project_id": RIVERSIDE})
    v2 = f"/rest/v2.0/companies/{COMPANY}/webhooks"
    made = procore.call(
        "POST",
        v2 + "/hooks",
        body={"payload_version": "v2.0", "namespace": "ml-connector-2", "destination_url": "http://127.0.0.1:9/y"},
    )
    v2_id = made.json()["data"]["id"]
    procore.call("POST", f"{v2}/hooks/{v2_id}/triggers", body={"resource_name": "Direct Costs", "event_type": "update"})
    procore.call("GET", f"{v2}/hooks/{v2_id}/triggers")
    procore.call("GET", f"{v2}/hooks/{v2_id}")
    procore.call("GET", f"{v2}/hooks/{v2_id}/deliveries")
    procore.call("GET", v2 + "/resources")
    assert [a for a in procore.answers if a[2] >= 300] == []
    problems = problems_of(contract, procore)
    assert problems == [], "\n".join(problems)


def test_error_answers_conform(procore, contract):
    assert procore.call("GET", "/rest/v1.0/requisitions/1", {"project_id": RIVERSIDE}).status_code == 404
    assert procore.call("GET", "/rest/v1.0/requisitions").status_code == 400
    assert procore.call("GET", "/rest/v1.1/cost_codes", {"project_id": RIVERSIDE}).status_code == 404  # no v1.1
    duplicate = {"company_id": COMPANY, "vendor": {"name": "Twin", "origin_id": "V-1"}}
    procore.call("POST", "/rest/v1.0/vendors", body=duplicate)
    assert (
        procore.call("POST", "/rest/v1.0/vendors", body=duplicate).status_code == 400
    )  # the vendor create lists no 409
    for version, wrong in (("v1.0", "direct_cost"), ("v1.1", "item")):  # each version takes only its own wrapper
        path = f"/rest/{version}/projects/{RIVERSIDE}/direct_costs/{DC1}"
        assert procore.call("PATCH", path, body={wrong: {"terms": "Net 30"}}).status_code == 400
    assert procore.call("GET", "/rest/v1.0/standard_cost_code_lists/1", {"company_id": COMPANY}).status_code == 404
    # the v1.1 miss is an undocumented route by definition; every other answer must be documented
    problems = problems_of(contract, procore)
    assert problems == ["GET /rest/v1.1/cost_codes 404: GET /rest/v1.1/cost_codes: undocumented route"]


def test_the_checks_catch_a_wrong_shape_and_a_wrong_request(procore, contract):
    wrong = [{"id": 1, "vendor": {"id": 2, "name": "Acme"}, "line_items": []}]
    assert check_response(contract, "GET", f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs", 200, wrong) == [
        "$[0].vendor: expected string, got object",
        "$[0].line_items: undocumented field",
    ]
    detail = {"id": REQ1, "commitment_id": SC1, "items": []}
    assert check_response(contract, "GET", f"/rest/v1.0/requisitions/{REQ1}/detail", 200, detail) == [
        "$: expected array, got object"
    ]
    query = {"project_id": [str(RIVERSIDE)], "sort": ["updated_at"]}
    assert check_request(contract, "GET", "/rest/v1.0/requisitions", query, None) == [
        "query.sort: undocumented query parameter"
    ]


def test_journal_of_these_calls_holds_only_documented_requests(procore, contract):
    procore.control.clear_journal()
    procore.call("GET", "/rest/v1.0/requisitions", {"project_id": RIVERSIDE, "filters[status]": "approved"})
    procore.call("PATCH", f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/{DC1}", body={"item": {"status": "approved"}})
    procore.call("GET", "/rest/v1.0/direct_costs", {"sort": "-updated_at"})
    newer = f"/rest/v1.1/projects/{RIVERSIDE}/direct_costs/{DC1}"
    procore.call("PATCH", newer, body={"direct_cost": {"terms": "Net 30"}})
    procore.call("PATCH", newer, body={"item": {"terms": "Net 30"}})
    procore.call("GET", "/rest/v1.0/standard_cost_code_lists", {"company_id": COMPANY, "per_page": 10})
    found = [check_request(contract, e["method"], e["path"], e["query"], e["body"]) for e in procore.control.journal()]
    assert found[:2] == [[], []]
    assert found[2] == ["GET /rest/v1.0/direct_costs: undocumented route"]
    assert found[3:] == [[], ["body.item: undocumented field"], []]
