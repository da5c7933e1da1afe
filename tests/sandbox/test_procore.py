"""The Procore simulator over real HTTP, checked against the vendor facts."""

from __future__ import annotations

import threading

import pytest
import requests

from sandbox.procore import demo

from .helpers import link_rels

COMPANY = str(demo.COMPANY_ID)
RIVERSIDE = demo.PROJECTS[0][0]


@pytest.fixture
def procore(procore_ctl, sandbox_server):
    procore_ctl.seed(preset="demo")
    return Procore(sandbox_server)


class Procore:
    """A tiny hand-written caller, enough to poke the simulator."""

    def __init__(self, server):
        self.api = server.url("procore")
        self.login = server.url("procore-login")
        self.http = requests.Session()
        self.token = self.new_token()

    def new_token(self, **overrides) -> str:
        form = {
            "grant_type": "client_credentials",
            "client_id": demo.CLIENT_ID,
            "client_secret": demo.CLIENT_SECRET,
            **overrides,
        }
        response = self.http.post(self.login + "/oauth/token", data=form)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def get(self, path, company=COMPANY, **params):
        headers = {"Authorization": f"Bearer {self.token}"}
        if company:
            headers["Procore-Company-Id"] = company
        return self.http.get(self.api + path, params=params, headers=headers)

    def patch(self, path, body, **params):
        headers = {"Authorization": f"Bearer {self.token}", "Procore-Company-Id": COMPANY}
        return self.http.patch(self.api + path, params=params, json=body, headers=headers)

    def post(self, path, body, **params):
        headers = {"Authorization": f"Bearer {self.token}", "Procore-Company-Id": COMPANY}
        return self.http.post(self.api + path, params=params, json=body, headers=headers)


# -- auth ---------------------------------------------------------------------------------------------


def test_token_response_shape(procore):
    response = procore.http.post(
        procore.login + "/oauth/token",
        files={
            "grant_type": (None, "client_credentials"),
            "client_id": (None, demo.CLIENT_ID),
            "client_secret": (None, demo.CLIENT_SECRET),
        },
    )  # multipart, as in Procore's curl -F example
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 5400
    assert isinstance(body["created_at"], int) and "refresh_token" not in body


def test_bad_credentials_are_401_invalid_client(procore):
    response = procore.http.post(
        procore.login + "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": demo.CLIENT_ID, "client_secret": "wrong"},
    )
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})


def test_token_expires_on_the_simulator_clock(procore, procore_ctl):
    assert procore.get("/rest/v1.0/companies").status_code == 200
    procore_ctl.advance(5399)
    assert procore.get("/rest/v1.0/companies").status_code == 200
    procore_ctl.advance(2)
    response = procore.get("/rest/v1.0/companies")
    assert response.status_code == 401
    assert response.json() == {"errors": "The access token is invalid"}
    procore.token = procore.new_token()
    assert procore.get("/rest/v1.0/companies").status_code == 200


def test_missing_or_garbage_token_is_401(procore):
    procore.token = "nope"
    assert procore.get("/rest/v1.0/companies").status_code == 401


def test_token_requests_are_counted_under_concurrency(procore, procore_ctl):
    procore_ctl.clear_calls()
    threads = [threading.Thread(target=procore.new_token) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert procore_ctl.calls()["POST /oauth/token"] == 20


# -- company header and access -----------------------------------------------------------------------


def test_missing_company_header(procore, procore_ctl):
    response = procore.get("/rest/v1.0/projects", company=None, company_id=COMPANY)
    assert response.status_code == 404
    assert "Missing Procore-Company-Id header!" in response.text
    procore_ctl.config(missing_company_status=400)
    assert procore.get("/rest/v1.0/projects", company=None, company_id=COMPANY).status_code == 400


def test_me_and_companies_need_the_header_with_client_credentials(procore, procore_ctl):
    assert procore.get("/rest/v1.0/me", company=None).status_code == 404
    assert procore.get("/rest/v1.0/companies", company=None).status_code == 404
    assert procore.get("/rest/v1.0/companies").status_code == 200
    procore_ctl.config(dmsa=False)  # a user's token: these two are exempt
    assert procore.get("/rest/v1.0/me", company=None).status_code == 200
    assert procore.get("/rest/v1.0/companies", company=None).status_code == 200


def test_unknown_or_uninstalled_company_is_403(procore, procore_ctl):
    response = procore.get("/rest/v1.0/projects", company="999", company_id="999")
    assert response.status_code == 403 and "App is not connected to this company" in response.text
    procore_ctl.upsert("companies", {"id": demo.COMPANY_ID, "app_installed": False})
    assert procore.get("/rest/v1.0/projects", company_id=COMPANY).status_code == 403


def test_project_of_another_company_is_404_and_unpermitted_is_403(procore, procore_ctl):
    procore_ctl.seed(
        {"companies": [{"id": 77, "name": "Other Co"}], "projects": [{"id": 88, "company_id": 77, "name": "Elsewhere"}]}
    )
    assert procore.get("/rest/v1.0/requisitions", project_id=88).status_code == 404
    procore_ctl.config(permitted_projects=[demo.PROJECTS[1][0]])
    assert procore.get("/rest/v1.0/requisitions", project_id=RIVERSIDE).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/rest/v1.0/projects",
        "/rest/v1.0/vendors",
        "/rest/v1.0/requisitions",
        "/rest/v1.0/cost_codes",
        "/rest/v1.0/work_order_contracts",
    ],
)
def test_required_parameters_are_400(procore, path):
    assert procore.get(path).status_code == 400


# -- lists ---------------------------------------------------------------------------------------------


def test_projects_are_active_unless_by_status(procore):
    active = procore.get("/rest/v1.0/projects", company_id=COMPANY).json()
    every = procore.get("/rest/v1.0/projects", company_id=COMPANY, **{"filters[by_status]": "All"}).json()
    assert len(active) == 12 and all(p["active"] for p in active)
    assert len(every) == 13


def test_pagination_link_rel_sets(procore, procore_ctl):
    procore_ctl.seed({"vendors": [{"company_id": demo.COMPANY_ID, "name": f"Vendor {i}"} for i in range(20)]})
    pages = {}
    for page in range(1, 5):
        response = procore.get("/rest/v1.0/vendors", company_id=COMPANY, per_page=7, page=page, sort="-name")
        assert response.headers["Total"] == "28" and response.headers["Per-Page"] == "7"
        pages[page] = (response.json(), link_rels(response.headers["Link"]))
    assert set(pages[1][1]) == {"next", "last"}
    assert set(pages[2][1]) == {"first", "next", "last"}
    assert set(pages[3][1]) == {"first", "prev", "next", "last"}
    assert set(pages[4][1]) == {"first", "prev", "last"}
    assert pages[3][1]["prev"]["page"] == "2" and pages[3][1]["next"]["page"] == "4"
    assert pages[1][1]["last"]["page"] == "4"
    next_link = pages[1][1]["next"]
    assert next_link["url"].scheme == "http" and next_link["company_id"] == COMPANY and next_link["sort"] == "-name"
    ids = [v["id"] for page in pages.values() for v in page[0]]
    assert ids == sorted(ids) and len(set(ids)) == 28  # ``sort`` is ignored: id order, as Procore promises no other


def test_updated_at_range_filter_is_inclusive(procore, procore_ctl):
    procore_ctl.set_clock("2025-03-10T12:00:00Z")
    edited = procore_ctl.upsert("requisitions", {"id": 5_600_000_603, "status": "approved"})
    assert edited["updated_at"] == "2025-03-10T12:00:00Z"

    def ids(value):
        rows = procore.get("/rest/v1.0/requisitions", project_id=RIVERSIDE, **{"filters[updated_at]": value})
        return [r["id"] for r in rows.json()]

    assert ids("2025-03-10T12:00:00Z...2025-03-10T12:00:00Z") == [5_600_000_603]
    assert ids("2025-03-10T12:00:01Z...2025-03-11T00:00:00Z") == []
    assert ids("2025-03-10...2025-03-10") == [5_600_000_603]


def test_status_filter_is_exact_case(procore):
    def count(path, status):
        rows = procore.get(path, project_id=RIVERSIDE, **{"filters[status]": status})
        return len(rows.json())

    assert count("/rest/v1.0/requisitions", "approved") == 2
    assert count("/rest/v1.0/requisitions", "Approved") == 0
    assert count("/rest/v1.0/work_order_contracts", "Approved") == 2
    assert count("/rest/v1.0/work_order_contracts", "approved") == 0


def test_id_and_origin_id_filters(procore, procore_ctl):
    procore_ctl.upsert("direct_costs", {"id": 5_700_000_702, "origin_id": "AP-000042"})
    rows = procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs", **{"filters[origin_id]": "AP-000042"})
    assert [r["id"] for r in rows.json()] == [5_700_000_702]
    rows = procore.get(
        "/rest/v1.0/requisitions", project_id=RIVERSIDE, **{"filters[id][]": ["5600000601", "5600000604"]}
    )
    assert sorted(r["id"] for r in rows.json()) == [5_600_000_601, 5_600_000_604]


# -- shapes --------------------------------------------------------------------------------------------


def test_contract_lines_nest_cost_code_and_type(procore):
    lines = procore.get("/rest/v1.0/work_order_contracts/5500000502/line_items", project_id=RIVERSIDE).json()
    assert lines[0]["cost_code"] == {
        "id": demo.cost_code_id(0, "03-310"),
        "full_code": "03-310",
        "name": "Concrete Formwork",
        "origin_id": None,
    }
    assert lines[0]["line_item_type"]["name"] == "Subcontract"
    assert lines[0]["line_item_type"]["base_type"] == "commitment"
    assert "cost_code_id" not in lines[0] and lines[0]["amount"] == "150000.00"
    contract = procore.get("/rest/v1.0/work_order_contracts/5500000502", project_id=RIVERSIDE).json()
    assert contract["grand_total"] == "360000.00" and contract["vendor"]["company"] == "Apex Concrete Inc."
    assert [line["line_item_type"]["code"] for line in contract["line_items"]] == ["S", "S"]


def test_requisition_detail_is_an_array_of_lines_with_flat_cost_code(procore, procore_ctl):
    lines = procore.get("/rest/v1.0/requisitions/5600000603/detail", project_id=RIVERSIDE).json()
    assert isinstance(lines, list) and len(lines) == 2
    assert lines[0]["item_type"] == "contract_item" and lines[0]["id"] > 2**32
    assert lines[0]["cost_code_id"] == demo.cost_code_id(0, "03-310") and "cost_code" not in lines[0]
    assert lines[0]["work_completed_this_period"] == "90000.00" and "line_item_type_id" not in lines[0]
    header = procore.get("/rest/v1.0/requisitions/5600000603", project_id=RIVERSIDE).json()
    assert header["vendor_name"] == "Apex Concrete Inc." and header["total_claimed_amount"] == "153000.00"
    assert header["summary"]["current_payment_due"] == "137700.00" and "g702" not in header
    items = procore.get("/rest/v1.0/requisitions/5600000603/contract_items", project_id=RIVERSIDE).json()
    assert items[0]["line_item_id"] == 5_500_100_003 and "line_item_type_id" not in items[0]
    procore_ctl.config(requisition_item_line_item_type=True)  # for clients written against the old assumption
    items = procore.get("/rest/v1.0/requisitions/5600000603/contract_items", project_id=RIVERSIDE).json()
    assert items[0]["line_item_type_id"] == demo.SUBCONTRACT


def test_direct_costs_list_and_show_per_version(procore):
    rows = procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs").json()
    assert {r["direct_cost_type"] for r in rows} == {"invoice", "expense", "payroll"}
    assert (rows[0]["vendor"], rows[0]["vendor_name"]) == ("Granite Supply Co.", "Granite Supply Co.")
    assert rows[0]["vendor_id"] == demo.VENDORS[4][0]
    shown = procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/5700000701").json()
    assert shown["grand_total"] == "4988.00" and shown["status"] == "approved"
    assert shown["line_items_count"] == 2 and "line_items" not in shown
    newer = procore.get(f"/rest/v1.1/projects/{RIVERSIDE}/direct_costs/5700000701").json()
    assert newer["line_items"][0]["cost_code"]["full_code"] == "03-300"
    lines = procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/5700000701/line_items").json()
    assert [line["amount"] for line in lines] == ["4375.20", "612.80"]
    every = procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/line_items").json()
    assert len(every) == 5


def test_standard_cost_code_lists_hold_the_demo_standard_codes(procore):
    lists = procore.get("/rest/v1.0/standard_cost_code_lists", company_id=COMPANY)
    assert lists.status_code == 200 and lists.headers["Total"] == "2"
    assert lists.json()[0] == {
        "id": demo.STANDARD_LIST_ID,
        "name": "Summit Builders Standard",
        "is_erp_list": True,
        "available_to_use_on_new_projects": True,
    }
    assert [x["is_erp_list"] for x in lists.json()] == [True, False]
    paged = procore.get("/rest/v1.0/standard_cost_code_lists", company_id=COMPANY, per_page=1, page=2).json()
    assert [x["id"] for x in paged] == [demo.STANDARD_LISTS[1][0]]
    codes = procore.get(
        "/rest/v1.0/standard_cost_codes", company_id=COMPANY, standard_cost_code_list_id=lists.json()[0]["id"]
    ).json()
    assert [c["full_code"] for c in codes] == [c[1] for c in demo.COST_CODES]
    shown = procore.get(f"/rest/v1.0/standard_cost_code_lists/{demo.STANDARD_LIST_ID}", company_id=COMPANY).json()
    assert shown == {
        "id": demo.STANDARD_LIST_ID,
        "name": "Summit Builders Standard",
        "company_id": demo.COMPANY_ID,
        "is_erp_list": True,
    }
    assert procore.get("/rest/v1.0/standard_cost_code_lists/1", company_id=COMPANY).status_code == 404
    assert procore.get("/rest/v1.0/standard_cost_code_lists").status_code == 400  # company_id is required


def test_cost_codes_carry_biller_budgeted_and_standard_list(procore):
    riverside = procore.get("/rest/v1.0/cost_codes", project_id=RIVERSIDE).json()
    assert {c["standard_cost_code_list_id"] for c in riverside} == {demo.STANDARD_LIST_ID}
    assert {(c["biller"], c["biller_type"], c["budgeted"]) for c in riverside} == {
        (demo.PROJECTS[0][2], "Project", False)
    }
    body = {"project_id": RIVERSIDE, "cost_code": {"code": "950", "name": "Contingency"}}
    scratch = procore.post("/rest/v1.0/cost_codes", body).json()
    assert scratch["standard_cost_code_list_id"] is None and scratch["biller_id"] == RIVERSIDE
    standard_id = procore.get(
        "/rest/v1.0/standard_cost_codes", company_id=COMPANY, standard_cost_code_list_id=demo.STANDARD_LIST_ID
    ).json()[0]["id"]
    body["cost_code"] = {"code": "960", "name": "Copied", "standard_cost_code_id": standard_id}
    copied = procore.post("/rest/v1.0/cost_codes", body).json()
    shown = procore.get(f"/rest/v1.0/cost_codes/{copied['id']}", project_id=RIVERSIDE).json()
    assert shown["standard_cost_code_list_id"] == demo.STANDARD_LIST_ID


def test_direct_cost_writes_take_each_versions_own_wrapper(procore):
    path = f"/projects/{RIVERSIDE}/direct_costs/5700000702"
    newer = procore.patch("/rest/v1.1" + path, {"direct_cost": {"terms": "Net 45", "payment_date": "2025-02-03"}})
    assert newer.status_code == 200, newer.text
    assert (newer.json()["terms"], newer.json()["payment_date"]) == ("Net 45", "2025-02-03")
    assert procore.get("/rest/v1.0" + path).json()["terms"] == "Net 45"
    wrong = procore.patch("/rest/v1.1" + path, {"item": {"terms": "Net 60"}})
    assert (wrong.status_code, wrong.json()) == (400, {"errors": {"direct_cost": ["is missing"]}})
    older = procore.patch("/rest/v1.0" + path, {"direct_cost": {"terms": "Net 60"}})
    assert (older.status_code, older.json()) == (400, {"errors": {"item": ["is missing"]}})
    assert procore.patch("/rest/v1.0" + path, {"item": {"terms": "Net 60"}}).json()["terms"] == "Net 60"
    fields = {"invoice_number": "INV-77", "vendor_id": demo.VENDORS[4][0], "direct_cost_type": "invoice"}
    base = f"/projects/{RIVERSIDE}/direct_costs"
    assert procore.post("/rest/v1.1" + base, {"direct_cost": fields}).status_code == 201
    assert procore.post("/rest/v1.1" + base, {"item": fields}).status_code == 400
    assert procore.post("/rest/v1.0" + base, {"item": fields}).status_code == 201
    assert procore.post("/rest/v1.0" + base, {"direct_cost": fields}).status_code == 400


# -- writes --------------------------------------------------------------------------------------------


def test_origin_id_written_then_locked(procore):
    path = "/rest/v1.0/requisitions/5600000601"
    response = procore.patch(path, {"requisition": {"origin_id": "AP-000101"}}, project_id=RIVERSIDE)
    assert response.status_code == 200 and response.json()["origin_id"] == "AP-000101"
    locked = procore.patch(path, {"requisition": {"invoice_number": "changed"}}, project_id=RIVERSIDE)
    assert locked.status_code == 422
    duplicate = procore.patch(
        "/rest/v1.0/requisitions/5600000603", {"requisition": {"origin_id": "AP-000101"}}, project_id=RIVERSIDE
    )
    assert duplicate.status_code == 409


def test_control_upsert_bumps_updated_at(procore, procore_ctl):
    before = procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/5700000702").json()["updated_at"]
    procore_ctl.advance(3600)
    procore_ctl.upsert("direct_costs", {"id": 5_700_000_702, "status": "approved"})
    after = procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/5700000702").json()
    assert after["status"] == "approved" and after["updated_at"] > before


def test_reset_after_write_applies_then_drops_connection(procore, procore_ctl):
    procore_ctl.fault("reset_after_write", method="PATCH", path="/direct_costs/")
    with pytest.raises(requests.exceptions.ConnectionError):
        procore.patch(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/5700000701", {"item": {"origin_id": "AP-7"}})
    stored = next(r for r in procore_ctl.records("direct_costs") if r["id"] == 5_700_000_701)
    assert stored["origin_id"] == "AP-7"


def test_contract_payments_create_and_list(procore):
    headers = {"Authorization": f"Bearer {procore.token}", "Procore-Company-Id": COMPANY}
    created = procore.http.post(
        procore.api + "/rest/v1.0/contract_payments",
        headers=headers,
        json={
            "project_id": RIVERSIDE,
            "contract_id": 5_500_000_501,
            "contract_payment": {
                "amount": "68850.00",
                "date": "2025-03-01",
                "check_number": "10021",
                "origin_id": "CHK-10021",
            },
        },
    )
    assert created.status_code == 201 and created.json()["amount"] == "68850.00"
    rows = procore.get("/rest/v1.0/contract_payments", project_id=RIVERSIDE, contract_id=5_500_000_501).json()
    assert [r["check_number"] for r in rows] == ["10021"]
    assert procore.get("/rest/v1.0/contract_payments", project_id=RIVERSIDE).status_code == 400


# -- rate limits ---------------------------------------------------------------------------------------


def test_rate_limit_headers_on_every_response_and_429(procore, procore_ctl):
    procore_ctl.config(rate_limit_spike=3, rate_limit_hourly=100)
    first = procore.get("/rest/v1.0/requisitions")  # a 400 still carries the headers and counts
    assert first.status_code == 400
    assert first.headers["X-Rate-Limit-Limit"] == "3" and first.headers["X-Rate-Limit-Remaining"] == "2"
    procore.get("/rest/v1.0/companies")
    procore.get("/rest/v1.0/companies")
    limited = procore.get("/rest/v1.0/companies")
    assert limited.status_code == 429 and limited.headers["X-Rate-Limit-Remaining"] == "0"
    assert "surpassed the max number of requests" in limited.text
    assert "Retry-After" not in limited.headers
    assert int(limited.headers["X-Rate-Limit-Reset"]) >= int(procore_ctl.clock()["epoch"])
    procore_ctl.config(rate_limit_retry_after=True)
    assert int(procore.get("/rest/v1.0/companies").headers["Retry-After"]) >= 1
    procore_ctl.advance(11)
    assert procore.get("/rest/v1.0/companies").status_code == 200


def test_injected_rate_limit_fault_in_procore_style(procore, procore_ctl):
    procore_ctl.fault("rate_limit", path="/companies", retry_after=4)
    limited = procore.get("/rest/v1.0/companies")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "4"
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"
    assert procore.get("/rest/v1.0/companies").status_code == 200


def test_overloaded_switch_gives_503_with_retry_after(procore, procore_ctl):
    procore_ctl.config(overloaded=True, overloaded_retry_after=12)
    response = procore.get("/rest/v1.0/companies")
    assert (response.status_code, response.headers["Retry-After"]) == (503, "12")


def test_json_token_body_as_published_and_off_by_switch(procore, procore_ctl):
    body = {"grant_type": "client_credentials", "client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET}
    assert procore.http.post(procore.login + "/oauth/token", json=body).status_code == 200
    procore_ctl.config(token_accepts_json=False)
    assert procore.http.post(procore.login + "/oauth/token", json=body).status_code == 400


# -- versions, ERP writes, commitments, webhooks -------------------------------------------------------


def test_v11_only_where_published_and_default_rate_limits(procore):
    assert procore.get("/rest/v1.1/vendors", company_id=COMPANY).status_code == 404
    assert procore.get("/rest/v1.1/cost_codes", project_id=RIVERSIDE).status_code == 404
    newer = procore.get("/rest/v1.1/requisitions/5600000601", project_id=RIVERSIDE)
    assert newer.status_code == 200 and newer.json()["vendor_id"] == demo.VENDORS[0][0]
    assert "items" not in newer.json()  # only for the views that include them
    extended = procore.get("/rest/v1.1/requisitions/5600000601", project_id=RIVERSIDE, view="items")
    assert len(extended.json()["items"]) == 2
    assert newer.headers["X-Rate-Limit-Limit"] == "25"  # the spike window runs out first


def test_sync_answers_entities_and_errors_and_respects_origin_ids(procore):
    body = {
        "company_id": demo.COMPANY_ID,
        "updates": [
            {"origin_id": "V-100", "name": "Delta Paving"},  # unknown origin_id: created
            {"id": demo.VENDORS[0][0], "origin_id": "V-101"},  # id + origin_id: linked
            {"id": 1, "name": "Nobody"},  # unknown id: an error
        ],
    }
    answer = procore.patch("/rest/v1.0/vendors/sync", body)
    assert answer.status_code == 200
    entities, errors = answer.json()["entities"], answer.json()["errors"]
    assert [e["origin_id"] for e in entities] == ["V-100", "V-101"] and errors[0]["id"] == 1
    again = procore.patch("/rest/v1.0/vendors/sync", {**body, "updates": [{"origin_id": "V-100", "name": "Delta"}]})
    assert again.json()["entities"][0]["id"] == entities[0]["id"]  # matched on origin_id, not created twice
    clash = procore.patch(
        "/rest/v1.0/vendors/sync", {**body, "updates": [{"id": entities[0]["id"], "origin_id": "V-101"}]}
    )
    assert clash.status_code == 200 and clash.json()["errors"][0]["errors"] == {"origin_id": ["has already been taken"]}


def test_a_record_synced_by_the_erp_is_locked_outside_the_sync_path(procore, procore_ctl):
    vendor_id = demo.VENDORS[1][0]
    procore.patch(
        "/rest/v1.0/vendors/sync", {"company_id": demo.COMPANY_ID, "updates": [{"id": vendor_id, "origin_id": "V-7"}]}
    )
    body = {"company_id": demo.COMPANY_ID, "vendor": {"name": "Apex Concrete"}}
    assert procore.patch(f"/rest/v1.0/vendors/{vendor_id}", body).status_code == 422
    sync = {"company_id": demo.COMPANY_ID, "updates": [{"id": vendor_id, "name": "Apex Concrete"}]}
    assert procore.patch("/rest/v1.0/vendors/sync", sync).json()["entities"][0]["name"] == "Apex Concrete"
    procore_ctl.config(erp_lock="off")
    assert procore.patch(f"/rest/v1.0/vendors/{vendor_id}", body).status_code == 200


def test_cost_codes_and_types_sync_with_origin_ids(procore):
    made = procore.patch(
        "/rest/v1.0/cost_codes/sync",
        {"updates": [{"origin_id": "CC-31", "code": "310", "name": "Earthwork"}]},
        project_id=RIVERSIDE,
    ).json()["entities"][0]
    assert (made["full_code"], made["origin_id"]) == ("310", "CC-31")
    listed = procore.get("/rest/v1.0/cost_codes", project_id=RIVERSIDE, **{"filters[origin_id]": "CC-31"}).json()
    assert [c["id"] for c in listed] == [made["id"]]
    kinds = {"company_id": demo.COMPANY_ID, "updates": [{"origin_id": "CT-1", "name": "Permits", "base_type": "other"}]}
    kind = procore.patch("/rest/v1.0/line_item_types/sync", kinds).json()["entities"][0]
    assert kind["base_type"] == "other" and kind["origin_id"] == "CT-1"


def test_approved_change_orders_amend_the_commitment(procore):
    project = demo.PROJECTS[3][0]
    path = f"/rest/v1.0/projects/{project}/commitment_change_orders"
    orders = procore.get(path).json()
    contract_id = orders[0]["contract_id"]
    before = procore.get(f"/rest/v1.0/work_order_contracts/{contract_id}", project_id=project).json()
    assert before["approved_change_orders"] == "4500.00"
    assert before["revised_contract"] == "136500.00" and before["grand_total"] == "132000.00"
    made = procore.http.post(
        procore.api + path,
        json={
            "change_order": {"contract_id": contract_id, "title": "Extra", "status": "pending", "grand_total": "500"}
        },
        headers={"Authorization": f"Bearer {procore.token}", "Procore-Company-Id": COMPANY},
    ).json()
    procore.patch(f"{path}/{made['id']}", {"change_order": {"status": "approved"}})
    shown = procore.get(f"/rest/v1.0/commitments/{contract_id}", project_id=project).json()
    assert shown["type"] == "WorkOrderContract" and shown["revised_contract"] == "137000.00"
    kinds = {c["id"]: c for c in procore.get("/rest/v1.0/commitments", project_id=project).json()}
    assert len(kinds) == 2 and all("vendor" in c for c in kinds.values())


class Receiver:
    """A local HTTP endpoint that records webhook deliveries and answers the statuses it is told to."""

    def __init__(self):
        import http.server
        import json

        received, statuses = [], []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                received.append((dict(self.headers), body))
                self.send_response(statuses.pop(0) if statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.received, self.statuses = received, statuses
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/procore"

    def wait(self, count: int, timeout: float = 5.0) -> list:
        import time

        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.server.shutdown()


def _hook_on_direct_costs(procore, receiver):
    headers = {"Authorization": f"Bearer {procore.token}", "Procore-Company-Id": COMPANY}
    hook = procore.http.post(
        procore.api + "/rest/v1.0/webhooks/hooks",
        headers=headers,
        json={
            "company_id": demo.COMPANY_ID,
            "hook": {
                "api_version": "v2",
                "namespace": "ml-connector",
                "destination_url": receiver.url,
                "destination_headers": {"Authorization": "Bearer hook-secret"},
            },
        },
    ).json()
    trigger = {
        "company_id": demo.COMPANY_ID,
        "api_version": "v2",
        "trigger": {"resource_name": "Direct Costs", "event_type": "update"},
    }
    made = procore.http.post(
        procore.api + f"/rest/v1.0/webhooks/hooks/{hook['id']}/triggers", headers=headers, json=trigger
    )
    assert made.status_code == 201 and made.json()["event_type"] == "UPDATE"
    return hook


def test_webhook_delivers_matching_events_with_the_hook_headers(procore, procore_ctl, receiver):
    hook = _hook_on_direct_costs(procore, receiver)
    procore_ctl.upsert("direct_costs", {"id": 5_700_000_702, "status": "approved"})  # a user edits it
    procore_ctl.upsert("requisitions", {"id": 5_600_000_602, "status": "approved"})  # no trigger for this
    ((headers, payload),) = receiver.wait(1)
    assert headers["Authorization"] == "Bearer hook-secret"
    assert (payload["resource_name"], payload["event_type"], payload["resource_id"]) == (
        "Direct Costs",
        "update",
        5_700_000_702,
    )
    assert (
        payload["project_id"] == RIVERSIDE and payload["company_id"] == demo.COMPANY_ID and len(payload["ulid"]) == 26
    )
    procore_ctl.action("deliver")
    log = procore.get(f"/rest/v1.0/webhooks/hooks/{hook['id']}/deliveries", company_id=COMPANY).json()
    assert [d["outcome"] for d in log] == ["ok"] and log[0]["response_status"] == 200


def test_webhook_retries_after_a_failure_and_can_duplicate_or_drop(procore, procore_ctl, receiver):
    _hook_on_direct_costs(procore, receiver)
    receiver.statuses.append(500)
    procore_ctl.upsert("direct_costs", {"id": 5_700_000_701, "terms": "Net 30"})
    receiver.wait(1)
    procore_ctl.advance(2)  # past the first 1 s backoff on the simulator clock
    first, second = receiver.wait(2)
    assert first[1]["id"] == second[1]["id"]  # the same event, retried
    procore_ctl.config(webhook_duplicates=True)
    procore.patch(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/5700000702", {"item": {"terms": "Net 45"}})
    *_, dup_a, dup_b = receiver.wait(4)
    assert dup_a[1]["id"] == dup_b[1]["id"] and dup_a[1]["resource_id"] == 5_700_000_702
    procore_ctl.config(webhook_duplicates=False, webhook_drop=True)
    procore_ctl.upsert("direct_costs", {"id": 5_700_000_701, "terms": "Net 60"})
    procore_ctl.action("deliver")
    assert len(receiver.received) == 4 and procore_ctl.action("deliveries")["dropped"] == 1


# -- sync calls match on id or origin_id -----------------------------------------------------------------

DIRECT_COST = 5700000701
LINE_SYNC = f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/line_items/sync"


def _direct_cost_lines(procore, direct_cost_id=DIRECT_COST):
    return procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/{direct_cost_id}/line_items").json()


def test_direct_cost_line_sync_by_origin_id_twice_updates_the_one_line(procore):
    first = {"direct_cost_id": DIRECT_COST, "origin_id": "DCL-1", "amount": "10.00", "description": "Rebar"}
    made = procore.patch(LINE_SYNC, {"updates": [first]}).json()
    assert made["errors"] == [] and made["entities"][0]["amount"] == "10.00"
    again = procore.patch(LINE_SYNC, {"updates": [{**first, "amount": "25.00"}]}).json()
    assert again["errors"] == [] and again["entities"][0]["id"] == made["entities"][0]["id"]
    # direct_cost_id is only required to create: a known origin_id alone finds the line
    alone = procore.patch(LINE_SYNC, {"updates": [{"origin_id": "DCL-1", "description": "Rebar #5"}]}).json()
    assert alone["entities"][0]["id"] == made["entities"][0]["id"]
    lines = [line for line in _direct_cost_lines(procore) if line["origin_id"] == "DCL-1"]
    assert [(line["amount"], line["description"]) for line in lines] == [("25.00", "Rebar #5")]
    assert len(_direct_cost_lines(procore)) == 3  # the two seeded lines and this one


def test_direct_cost_line_sync_by_id_updates_and_relinks(procore):
    seeded = _direct_cost_lines(procore)[1]
    answer = procore.patch(LINE_SYNC, {"updates": [{"id": seeded["id"], "origin_id": "DCL-9", "amount": "700.00"}]})
    assert answer.status_code == 200 and answer.json()["errors"] == []
    lines = _direct_cost_lines(procore)
    assert len(lines) == 2 and (lines[1]["origin_id"], lines[1]["amount"]) == ("DCL-9", "700.00")
    unknown = procore.patch(LINE_SYNC, {"updates": [{"id": 1, "amount": "1.00"}]}).json()
    assert unknown["entities"] == [] and unknown["errors"][0]["errors"] == {"id": ["not found"]}
    clash = procore.patch(LINE_SYNC, {"updates": [{"id": lines[0]["id"], "origin_id": "DCL-9"}]}).json()
    assert clash["errors"][0]["errors"] == {"origin_id": ["has already been taken"]}
    elsewhere = procore.get(f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs").json()[1]["id"]
    moved = procore.patch(LINE_SYNC, {"updates": [{"origin_id": "DCL-9", "direct_cost_id": elsewhere}]}).json()
    assert moved["errors"][0]["errors"] == {"direct_cost_id": ["is invalid"]}
    assert len(_direct_cost_lines(procore)) == 2


def test_direct_cost_line_sync_with_an_unknown_origin_id_creates(procore):
    answer = procore.patch(
        LINE_SYNC,
        {
            "updates": [
                {"direct_cost_id": DIRECT_COST, "origin_id": "DCL-2", "amount": "5.00"},
                {"origin_id": "DCL-3", "amount": "6.00"},  # a new line must name its direct cost
            ]
        },
    ).json()
    assert [e["origin_id"] for e in answer["entities"]] == ["DCL-2"]
    assert answer["errors"][0]["errors"] == {"direct_cost_id": ["is invalid"]}
    assert [line["origin_id"] for line in _direct_cost_lines(procore)][-1] == "DCL-2"
    assert len(_direct_cost_lines(procore)) == 3


def test_contract_line_sync_matches_on_origin_id_and_id(procore):
    path, contract = "/rest/v1.0/work_order_contracts/5500000502/line_items", {"project_id": RIVERSIDE}
    before = procore.get(path, **contract).json()
    made = procore.patch(path + "/sync", {"updates": [{"origin_id": "WL-1", "amount": "10.00"}]}, **contract).json()
    again = procore.patch(path + "/sync", {"updates": [{"origin_id": "WL-1", "amount": "12.00"}]}, **contract).json()
    assert again["entities"][0]["id"] == made["entities"][0]["id"]
    by_id = {"id": before[0]["id"], "description": "Framing, revised"}
    assert procore.patch(path + "/sync", {"updates": [by_id]}, **contract).json()["errors"] == []
    after = procore.get(path, **contract).json()
    assert len(after) == len(before) + 1 and after[0]["description"] == "Framing, revised"
    assert [line["amount"] for line in after if line["origin_id"] == "WL-1"] == ["12.00"]


@pytest.mark.parametrize(
    ("path", "params", "body", "item"),
    [
        ("/rest/v1.0/vendors/sync", {}, {"company_id": demo.COMPANY_ID}, {"name": "Delta Paving"}),
        ("/rest/v1.0/cost_codes/sync", {"project_id": RIVERSIDE}, {}, {"code": "310", "name": "Earthwork"}),
        ("/rest/v1.0/line_item_types/sync", {}, {"company_id": demo.COMPANY_ID}, {"name": "Permits"}),
        (
            "/rest/v1.0/standard_cost_codes/sync",
            {"company_id": COMPANY, "standard_cost_code_list_id": demo.STANDARD_LIST_ID},
            {},
            {"code": "310", "name": "Earthwork"},
        ),
        ("/rest/v1.0/work_order_contracts/sync", {"project_id": RIVERSIDE}, {}, {"title": "Paving"}),
        ("/rest/v1.0/purchase_order_contracts/sync", {"project_id": RIVERSIDE}, {}, {"title": "Rebar"}),
        (f"/rest/v1.0/projects/{RIVERSIDE}/direct_costs/sync", {}, {}, {"invoice_number": "INV-9"}),
    ],
)
def test_every_record_sync_updates_the_record_its_origin_id_names(procore, path, params, body, item):
    first = procore.patch(path, {**body, "updates": [{**item, "origin_id": "ERP-1"}]}, **params).json()
    assert first["errors"] == [] and len(first["entities"]) == 1
    second = procore.patch(path, {**body, "updates": [{"origin_id": "ERP-1"}]}, **params).json()
    assert second["errors"] == [] and second["entities"][0]["id"] == first["entities"][0]["id"]
    other = procore.patch(path, {**body, "updates": [{**item, "origin_id": "ERP-2"}]}, **params).json()
    assert other["entities"][0]["id"] != first["entities"][0]["id"]


def test_a_sync_item_without_id_or_origin_id_follows_the_switch(procore, procore_ctl):
    line = {"direct_cost_id": DIRECT_COST, "amount": "3.00"}
    assert procore.patch(LINE_SYNC, {"updates": [line]}).json()["errors"] == []
    procore_ctl.config(sync_unkeyed="error")
    refused = procore.patch(LINE_SYNC, {"updates": [line]}).json()
    assert refused["errors"][0]["errors"] == {"base": ["id or origin_id is required"]}
    vendors = {"company_id": demo.COMPANY_ID, "updates": [{"name": "Nameless"}]}
    assert procore.patch("/rest/v1.0/vendors/sync", vendors).json()["entities"] == []
    assert len(_direct_cost_lines(procore)) == 3
