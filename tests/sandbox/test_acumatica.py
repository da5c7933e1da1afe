"""The Acumatica simulator over real HTTP, checked against the published contract and the vendor facts."""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from sandbox.acumatica import demo, demo_data

VERSION = "24.200.001"
CONTRACT = Path(__file__).resolve().parents[2] / "sandbox" / "acumatica" / "contract"


class Acumatica:
    """A tiny hand-written caller, enough to poke the simulator."""

    def __init__(self, server, instance="/AcuSite", version=VERSION):
        self.site = server.url("acumatica") + instance
        self.api = f"{self.site}/entity/Default/{version}"
        self.http = requests.Session()
        self.refresh = None
        self.token = self.password_grant()["access_token"]

    def token_call(self, **form):
        base = {"client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET}
        return self.http.post(self.site + "/identity/connect/token", data={**base, **form})

    def password_grant(self, scope="api offline_access"):
        response = self.token_call(grant_type="password", username=demo.USERNAME, password=demo.PASSWORD, scope=scope)
        assert response.status_code == 200, response.text
        self.refresh = response.json().get("refresh_token")
        return response.json()

    def call(self, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.http.request(method, self.api + path, headers=headers, **kwargs)

    def put(self, entity, body, **params):
        response = self.call("PUT", f"/{entity}", json=body, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, path, **params):
        response = self.call("GET", path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def acu(acumatica_ctl, sandbox_server):
    acumatica_ctl.seed(preset="demo")
    return Acumatica(sandbox_server)


def v(value):
    return {"value": value}


def bill_body(vendor="STARFRAME", ref="SC-001-01", hold=False, amount=1000.0, kind=None, **line):
    detail = {
        "Account": v("50000"),
        "Subaccount": v("000-000"),
        "Project": v("RIVERSIDE"),
        "ProjectTask": v("06"),
        "CostCode": v("06-100"),
        "Amount": v(amount),
        "TransactionDescription": v("Framing"),
    }
    detail.update({k: v(x) for k, x in line.items()})
    body = {"Vendor": v(vendor), "VendorRef": v(ref), "Hold": v(hold), "Details": [detail]}
    if kind:
        body["Type"] = v(kind)
    return body


def keys(doc):
    return {"Type": doc["Type"], "ReferenceNbr": doc["ReferenceNbr"]}


def act(acu, entity, action, doc):
    return acu.call("POST", f"/{entity}/{action}", json={"entity": keys(doc)})


def new_bill(acu, **kwargs):
    bill = acu.put("Bill", bill_body(**kwargs))
    if not kwargs.get("hold"):
        assert act(acu, "Bill", "ReleaseBill", bill).status_code == 204
    return bill


def pay(acu, *lines, vendor="STARFRAME", release=True):
    details = [{"DocType": d["Type"], "ReferenceNbr": d["ReferenceNbr"], "AmountPaid": v(paid)} for d, paid in lines]
    check = acu.put("Check", {"Vendor": v(vendor), "PaymentMethod": v("CHECK"), "CashAccount": v("10200"),
                              "Details": details})  # fmt: skip
    if release:
        assert act(acu, "Check", "ReleaseCheck", check).status_code == 204
    return check


def bill_state(acu, bill):
    found = acu.get(f"/Bill/{bill['id']}", **{"$expand": "Applications"})
    return found["Status"]["value"], found["Balance"]["value"], found["Applications"]


# -- discovery, routes and the published document --------------------------------------------------------


def test_discovery_lists_the_published_versions(acu, acumatica_ctl):
    body = acu.http.get(acu.site + "/entity").json()
    assert [e["version"] for e in body["endpoints"]] == ["23.200.001", "24.200.001"]
    assert body["endpoints"][0]["href"].endswith("/entity/Default/23.200.001/")
    acumatica_ctl.config(endpoints=[["Default", "23.200.001"], ["Default", "22.200.001"]])
    assert acu.call("GET", "/Vendor").status_code == 404
    old = acu.http.get(acu.site + "/entity/Default/22.200.001/Vendor", headers={"Authorization": f"Bearer {acu.token}"})
    assert old.status_code == 404 and "message" in old.json()  # listed, but no contract is carried for it


def test_site_without_instance_segment(acu, sandbox_server):
    plain = requests.get(
        sandbox_server.url("acumatica") + f"/entity/Default/{VERSION}/Vendor",
        headers={"Authorization": f"Bearer {acu.token}"},
    )
    assert plain.status_code == 200 and len(plain.json()) == len(demo.VENDORS) == 9


@pytest.mark.parametrize("version", ["23.200.001", "24.200.001"])
def test_no_branch_entity_and_unknown_action(acu, sandbox_server, version):
    other = Acumatica(sandbox_server, version=version)
    assert other.call("GET", "/Branch").status_code == 404
    assert other.call("POST", "/Bill/Explode", json={"entity": {}}).status_code == 404
    assert other.call("PATCH", "/Bill", json={}).status_code == 405  # PATCH is not in the published contract


@pytest.mark.parametrize(("version", "marker"), [("23.200.001", "swagger"), ("24.200.001", "openapi")])
def test_swagger_json_is_the_official_document(acu, version, marker):
    served = requests.get(f"{acu.site}/entity/Default/{version}/swagger.json")  # no sign-in needed
    assert served.status_code == 200
    assert served.content == gzip.decompress((CONTRACT / f"Default_{version}.swagger.json.gz").read_bytes())
    document = served.json()
    assert marker in document and "/Bill" in document["paths"] and "/Branch" not in document["paths"]


# -- auth and licence ------------------------------------------------------------------------------------


def test_token_response_and_expiry_on_clock(acu, acumatica_ctl):
    grant = acu.password_grant()
    assert grant["expires_in"] == 3600 and grant["token_type"] == "Bearer" and grant["refresh_token"]
    acu.token = grant["access_token"]
    assert acu.call("GET", "/Vendor").status_code == 200
    acumatica_ctl.advance(3601)
    assert acu.call("GET", "/Vendor").status_code == 401


def test_refresh_tokens_rotate_and_are_single_use(acu, acumatica_ctl):
    first = acu.refresh
    rotated = acu.token_call(grant_type="refresh_token", refresh_token=first)
    assert rotated.status_code == 200 and rotated.json()["refresh_token"] != first
    reused = acu.token_call(grant_type="refresh_token", refresh_token=first)
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    fresh = acu.token_call(grant_type="refresh_token", refresh_token=rotated.json()["refresh_token"])
    assert fresh.status_code == 200
    counts = acumatica_ctl.calls()
    assert counts["POST /identity/connect/token grant_type=refresh_token"] == 3
    assert counts["POST /identity/connect/token grant_type=password"] == 1


def test_no_refresh_token_without_offline_access(acu):
    assert "refresh_token" not in acu.password_grant(scope="api")


def test_bad_client_tenant_or_secret_is_invalid_client(acu):
    wrong_tenant = acu.token_call(
        grant_type="password", username="admin", password="demo", client_id=f"{demo.CLIENT_GUID}@Elsewhere"
    )
    wrong_secret = acu.token_call(grant_type="password", username="admin", password="demo", client_secret="x")
    wrong_user = acu.token_call(grant_type="password", username="admin", password="nope")
    assert wrong_tenant.json() == {"error": "invalid_client"} and wrong_tenant.status_code == 400
    assert wrong_secret.json()["error"] == "invalid_client"
    assert wrong_user.json()["error"] == "invalid_grant"


def test_cookie_login_logout(acu):
    session = requests.Session()
    login = session.post(
        acu.site + "/entity/auth/login", json={"name": demo.USERNAME, "password": demo.PASSWORD, "tenant": demo.TENANT}
    )
    assert login.status_code == 204 and "ASP.NET_SessionId" in session.cookies
    assert session.get(acu.api + "/Vendor").status_code == 200
    assert session.post(acu.site + "/entity/auth/logout").status_code == 204
    assert session.get(acu.api + "/Vendor").status_code == 401
    bad = session.post(acu.site + "/entity/auth/login", json={"name": "admin", "password": "x", "tenant": "Summit"})
    assert bad.status_code == 500 and bad.json()["exceptionType"] == "PX.Data.PXException"


def test_session_cap_answers_api_login_limit(acu, acumatica_ctl):
    acumatica_ctl.config(max_api_sessions=1)  # the fixture's token already holds the only session
    response = requests.post(acu.site + "/entity/auth/login", json={"name": "admin", "password": "demo"})
    assert response.status_code == 429 and response.json()["message"] == "API Login Limit"


def test_requests_per_minute_limit(acu, acumatica_ctl):
    acumatica_ctl.config(requests_per_minute=3)
    answers = [acu.call("GET", "/CostCode").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    declined = acu.call("GET", "/CostCode")
    assert declined.json()["exceptionType"] == "PX.Data.PXException" and "Retry-After" not in declined.headers
    acumatica_ctl.config(licence_retry_after=7)
    assert acu.call("GET", "/CostCode").headers["Retry-After"] == "7"
    acumatica_ctl.advance(61)
    assert acu.call("GET", "/CostCode").status_code in (200, 401)  # counted again; the token may have aged


def test_rate_limit_fault_in_acumatica_style(acu, acumatica_ctl):
    acumatica_ctl.fault("rate_limit", path="/Vendor", retry_after=3)
    limited = acu.call("GET", "/Vendor")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert limited.json()["message"] == "API Login Limit"


# -- representation and lists ----------------------------------------------------------------------------


def test_value_objects_typed_as_published_and_no_links_by_default(acu, acumatica_ctl):
    vendor = acu.get("/Vendor", **{"$filter": "VendorID eq 'STARFRAME'"})[0]
    assert vendor["VendorName"] == {"value": "Star Framing, LLC"} and vendor["TaxZone"] == {}
    assert vendor["F1099Vendor"] == {"value": True} and vendor["AccountRef"] == {}  # every published field
    assert {"id", "rowNumber", "note", "custom"} <= set(vendor) and "_links" not in vendor
    assert "MainContact" not in vendor
    expanded = acu.get("/Vendor/STARFRAME", **{"$expand": "MainContact"})
    assert expanded["MainContact"]["Email"] == {"value": "accounts@starframing.example"}
    account = acu.get("/Account/50000")
    assert account["AccountID"]["value"] == 1003 and account["Active"] == {"value": True}
    acumatica_ctl.config(links_field=True)
    assert acu.get("/Account/50000")["_links"]["self"].endswith(f"/Account/{account['id']}")


def test_subaccount_has_no_last_modified_and_bad_queries_fail(acu, acumatica_ctl):
    sub = acu.get("/Subaccount")[0]
    assert "LastModifiedDateTime" not in sub and sub["SubaccountCD"]["value"]
    query = {"$filter": "LastModifiedDateTime gt datetimeoffset'2020-01-01'"}
    failed = acu.call("GET", "/Subaccount", params=query)
    assert failed.status_code == 500 and failed.json()["exceptionType"] == "PX.Data.PXException"
    acumatica_ctl.config(bad_query_status=400)
    assert acu.call("GET", "/Subaccount", params=query).status_code == 400


def test_filter_select_skip_top(acu):
    rows = acu.get("/Vendor", **{"$select": "VendorID", "$skip": 1, "$top": 2})
    assert [r["VendorID"]["value"] for r in rows] == ["BRIGHTLINE", "CASCADEPM"]
    assert set(rows[0]) == {"id", "rowNumber", "note", "custom", "VendorID"}
    found = acu.get("/Vendor", **{"$filter": "substringof('concrete', VendorName) or startswith(VendorID,'GRAN')"})
    assert sorted(r["VendorID"]["value"] for r in found) == ["APEXCONC", "GRANITESUP"]
    linked = acu.get("/Vendor", **{"$filter": "MainContact/Email eq 'ar@apexconcrete.example'"})
    assert [r["VendorID"]["value"] for r in linked] == ["APEXCONC"]


def test_paging_reads_every_row_once(acu):
    seen, skip = [], 0
    while True:
        page = acu.get("/ProjectTask", **{"$top": 25, "$skip": skip})
        seen += [(r["ProjectID"]["value"], r["ProjectTaskID"]["value"]) for r in page]
        if len(page) < 25:
            break
        skip += 25
    assert len(seen) == len(set(seen)) == 13 * 9


@pytest.mark.parametrize("entity", ["Vendor", "CostCode", "Bill", "Check", "PurchaseOrder", "Subcontract", "Project"])
def test_last_modified_filter_on_every_entity_that_has_it(acu, acumatica_ctl, entity):
    acumatica_ctl.set_clock("2099-06-01T10:00:00Z")
    acu.token = acu.password_grant()["access_token"]  # the old one expired with the jump
    touched = acumatica_ctl.records(entity)[0]
    acumatica_ctl.upsert(entity, {"id": touched["id"], "Description": "touched"})
    rows = acu.get(f"/{entity}", **{"$filter": "LastModifiedDateTime gt datetimeoffset'2099-06-01T12:59:59+03:00'"})
    assert [r["id"] for r in rows] == [touched["id"]]
    assert rows[0]["LastModifiedDateTime"]["value"].startswith("2099-06-01T10:00:00")


def test_get_by_key_both_separators_and_missing_key(acu):
    task = acu.get("/ProjectTask/RIVERSIDE/03")
    assert task["Description"] == {"value": "Concrete"}
    assert acu.get("/ProjectTask/RIVERSIDE|03")["id"] == task["id"]
    assert acu.get(f"/ProjectTask/{task['id']}")["ProjectTaskID"] == {"value": "03"}
    missing = acu.call("GET", "/Vendor/NOBODY")
    assert missing.status_code == 500
    assert missing.json()["exceptionType"] == "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException"
    assert missing.json()["exceptionMessage"] == "No entity satisfies the condition."


def test_branches_come_from_companies_structure(acu, acumatica_ctl):
    inquiry = acu.put("CompaniesStructure", {}, **{"$expand": "Results"})
    branches = {row["BranchID"]["value"]: row for row in inquiry["Results"]}
    assert set(branches) == {"HEADOFFICE", "NORTH", "SOUTH", "RESI"}
    assert branches["NORTH"]["CompanyID"] == {"value": "SUMMIT"} and branches["NORTH"]["BranchStatus"] == v(True)
    blank = acu.get("/CompaniesStructure", **{"$expand": "Results"})
    assert len(blank) == 1 and "Results" not in blank[0]
    acumatica_ctl.config(inquiry_get_results=True)
    assert len(acu.get("/CompaniesStructure", **{"$expand": "Results"})[0]["Results"]) == 4
    assert acu.call("PUT", "/Bill", json={**bill_body(), "BranchID": v("NOWHERE")}).status_code == 422
    assert acu.put("Bill", {**bill_body(), "BranchID": v("NORTH")})["BranchID"] == v("NORTH")


# -- PUT -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["23.200.001", "24.200.001"])
def test_put_answers_the_whole_created_record(acu, sandbox_server, version):
    other = Acumatica(sandbox_server, version=version)
    body = other.put("Bill", bill_body())
    assert body["ReferenceNbr"] == {"value": "000005"}  # the demo holds four bills
    assert body["Status"] == v("Balanced") and body["Amount"] == v(1000.0) and body["Balance"] == v(1000.0)
    assert body["DueDate"]["value"] and body["BranchID"] == v("HEADOFFICE") and "Applications" not in body
    assert body["Details"][0]["Amount"] == v(1000.0) and body["Details"][0]["id"]
    assert ("LCNbr" in body["Details"][0]) is (version == "24.200.001")  # published in 24.200.001 only
    selected = other.put("Bill", {"id": body["id"], "Description": v("x")}, **{"$select": "Status"})
    assert set(selected) == {"id", "rowNumber", "note", "custom", "Status"}


def test_bill_lines_update_in_place_insert_delete_and_stay(acu):
    bill = acu.put("Bill", bill_body(hold=True))
    first = bill["Details"][0]["id"]
    update = {
        **keys(bill),
        "Details": [{"id": first, "Amount": v(1500.0)}, {"Account": v("51000"), "Amount": v(250.0)}],
    }
    changed = acu.put("Bill", update)
    assert [line["Amount"]["value"] for line in changed["Details"]] == [1500.0, 250.0]
    assert changed["Details"][0]["id"] == first and changed["Amount"] == v(1750.0)
    again = acu.put("Bill", update)  # the same body again: lines with ids are not doubled
    assert len(again["Details"]) == 3 and again["Amount"] == v(2000.0)  # only the line without an id is added
    second = again["Details"][1]["id"]
    kept = acu.put("Bill", {"id": bill["id"], "Details": [{"id": second, "delete": True}]})
    assert [line["id"] for line in kept["Details"]] == [first, again["Details"][2]["id"]]
    assert kept["Amount"] == v(1750.0) and kept["Balance"] == v(1750.0)
    untouched = acu.put("Bill", {"id": bill["id"], "Description": v("no lines sent")}, **{"$expand": "Details"})
    assert len(untouched["Details"]) == 2


def test_note_is_stored_returned_and_writable(acu):
    bill = acu.put("Bill", {**bill_body(), "note": v("mlc:integration-7:requisition-42")})
    assert bill["note"] == v("mlc:integration-7:requisition-42")
    acu.put("Bill", {"id": bill["id"], "note": v("mlc:integration-7:requisition-43")})
    assert acu.get(f"/Bill/Bill/{bill['ReferenceNbr']['value']}")["note"] == v("mlc:integration-7:requisition-43")


def test_last_modified_bumps_on_every_write(acu, acumatica_ctl):
    bill = acu.put("Bill", bill_body())
    acumatica_ctl.advance(60)
    later = acu.put("Bill", {**keys(bill), "Description": v("x")})
    assert later["LastModifiedDateTime"]["value"] > bill["LastModifiedDateTime"]["value"]


def test_if_match_headers_give_412(acu):
    new = {"VendorID": v("NEWVEND"), "VendorName": v("New")}
    assert acu.call("PUT", "/Vendor", json=new, headers={"If-Match": "*"}).status_code == 412
    existing = {"VendorID": v("STARFRAME"), "VendorName": v("Star")}
    conflict = acu.call("PUT", "/Vendor", json=existing, headers={"If-None-Match": "*"})
    assert conflict.status_code == 412 and conflict.json()["message"]
    inserted = acu.call("PUT", "/Vendor", json=new, headers={"If-None-Match": "*"})
    assert inserted.status_code == 200 and inserted.json()["VendorID"] == {"value": "NEWVEND"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Account", "99999"),
        ("Subaccount", "999-999"),
        ("Project", "NOPROJ"),
        ("ProjectTask", "77"),
        ("CostCode", "99999"),
        ("Branch", "NOWHERE"),
    ],
)
def test_unknown_references_on_lines_are_422_with_the_entity(acu, acumatica_ctl, field, value):
    response = acu.call("PUT", "/Bill", json=bill_body(**{field: value}))
    assert response.status_code == 422
    body = response.json()
    line = body["Details"][0]
    assert line[field]["value"] == value and "cannot be found" in line[field]["error"]
    assert body["Vendor"] == v("STARFRAME") and field in body["error"]
    assert len(acumatica_ctl.records("Bill")) == len(demo_data.BILLS)


def test_unknown_vendor_is_422_on_the_header(acu):
    response = acu.call("PUT", "/Bill", json=bill_body(vendor="NOBODY"))
    assert response.status_code == 422 and response.json()["Vendor"]["error"]
    assert "Vendor" in response.json()["error"]


def test_duplicate_vendor_ref_follows_the_ap_preference(acu, acumatica_ctl):
    first = acu.put("Bill", bill_body(ref="INV-3"))
    second = acu.put("Bill", bill_body(ref="INV-3"))  # default: allowed (a warning in the screen only)
    assert first["ReferenceNbr"] != second["ReferenceNbr"]
    acumatica_ctl.config(duplicate_vendor_ref="error")
    refused = acu.call("PUT", "/Bill", json=bill_body(ref="INV-3"))
    assert refused.status_code == 422 and "vendor reference" in refused.json()["VendorRef"]["error"]
    assert acu.call("PUT", "/Bill", json=bill_body(vendor="APEXCONC", ref="INV-3")).status_code == 200


def test_put_then_reset_still_saves(acu, acumatica_ctl):
    acumatica_ctl.fault("reset_after_write", method="PUT", path="/Bill")
    with pytest.raises(requests.exceptions.ConnectionError):
        acu.call("PUT", "/Bill", json=bill_body(ref="LOST-REPLY"))
    assert len(acu.get("/Bill", **{"$filter": "VendorRef eq 'LOST-REPLY'"})) == 1


# -- AP documents and payments ---------------------------------------------------------------------------


def test_release_only_from_balanced(acu):
    bill = acu.put("Bill", bill_body(hold=True))
    on_hold = act(acu, "Bill", "ReleaseBill", bill)
    assert on_hold.status_code == 500 and "on hold" in on_hold.json()["exceptionMessage"]
    acu.put("Bill", {**keys(bill), "Hold": v(False)})
    assert act(acu, "Bill", "ReleaseBill", bill).status_code == 204
    assert acu.get(f"/Bill/{bill['id']}")["Status"] == v("Open")
    assert act(acu, "Bill", "ReleaseBill", bill).status_code == 500
    assert act(acu, "Bill", "ReleaseBill", {"Type": v("Bill"), "ReferenceNbr": v("000404")}).status_code == 500


def test_release_async_with_status_url(acu, acumatica_ctl):
    acumatica_ctl.config(actions_async=True, action_polls=1)
    bill = acu.put("Bill", bill_body())
    started = act(acu, "Bill", "ReleaseBill", bill)
    assert started.status_code == 202
    status_url = acu.site.split("/acumatica")[0] + started.headers["Location"]
    headers = {"Authorization": f"Bearer {acu.token}"}
    assert acu.http.get(status_url, headers=headers).status_code == 202
    assert acu.get(f"/Bill/{bill['id']}")["Status"] == v("Balanced")
    assert acu.http.get(status_url, headers=headers).status_code == 204
    assert acu.get(f"/Bill/{bill['id']}")["Status"] == v("Open")


def test_partial_then_full_payment_and_void(acu):
    bill = new_bill(acu, amount=1000.0)
    first = pay(acu, (bill, 400.0))
    status, balance, applications = bill_state(acu, bill)
    assert (status, balance) == ("Open", 600.0)
    assert [(a["ReferenceNbr"]["value"], a["AmountPaid"]["value"]) for a in applications] == [
        (first["ReferenceNbr"]["value"], 400.0)
    ]
    second = pay(acu, (bill, 600.0))
    assert bill_state(acu, bill)[:2] == ("Closed", 0.0)
    assert acu.get(f"/Check/{second['id']}", **{"$expand": "History"})["History"][0]["AmountPaid"] == v(600.0)
    assert act(acu, "Check", "VoidCheck", second).status_code == 204
    assert bill_state(acu, bill)[:2] == ("Open", 600.0)
    assert acu.get(f"/Check/{second['id']}")["Status"] == v("Voided")


def test_overpayment_is_422_on_the_line(acu):
    bill = new_bill(acu, amount=100.0)
    details = [{"DocType": v("Bill"), "ReferenceNbr": bill["ReferenceNbr"], "AmountPaid": v(150.0)}]
    response = acu.call("PUT", "/Check", json={"Vendor": v("STARFRAME"), "Details": details})
    assert response.status_code == 422 and response.json()["Details"][0]["AmountPaid"]["error"]


def test_debit_adjustment_has_positive_amounts_and_nets_a_payment(acu):
    bill = new_bill(acu, amount=1000.0)
    credit = new_bill(acu, ref="SC-001-CR", amount=120.0, kind="Debit Adj.")
    found = acu.get(f"/Bill/Debit Adj./{credit['ReferenceNbr']['value']}")
    assert found["Type"] == v("Debit Adj.") and found["Amount"] == v(120.0) and found["Balance"] == v(120.0)
    check = pay(acu, (bill, 1000.0), (credit, 120.0))
    assert acu.get(f"/Check/{check['id']}")["PaymentAmount"] == v(880.0)
    assert bill_state(acu, bill)[:2] == ("Closed", 0.0) and bill_state(acu, credit)[:2] == ("Closed", 0.0)


def test_negative_bill_is_saved_but_not_released_unless_switched(acu, acumatica_ctl):
    bill = acu.put("Bill", bill_body(amount=-120.0))
    assert bill["Amount"] == v(-120.0)
    refused = act(acu, "Bill", "ReleaseBill", bill)
    assert refused.status_code == 500 and "negative" in refused.json()["exceptionMessage"]
    acumatica_ctl.config(negative_bill_on_save="reject")
    assert acu.call("PUT", "/Bill", json=bill_body(amount=-5.0)).status_code == 422


# -- orders, subcontracts, vendors, cost codes -----------------------------------------------------------


def test_purchase_order_keys_totals_and_hold(acu):
    line = {"Account": v("51000"), "Project": v("HARBORVIEW"), "ProjectTask": v("03"), "CostCode": v("03-300")}
    lines = [{**line, "OrderQty": v(10), "UnitCost": v(12.5)}, {**line, "OrderQty": v(2), "UnitCost": v(100)}]
    order = acu.put("PurchaseOrder", {"VendorID": v("GRANITESUP"), "VendorRef": v("PO-201"), "Details": lines})
    assert order["Type"] == v("Normal") and order["OrderNbr"] == v("000005")
    assert order["OrderTotal"] == v(325.0) and order["Status"] == v("On Hold") and order["Hold"] == v(True)
    assert [d["LineNbr"]["value"] for d in order["Details"]] == [1, 2]
    opened = acu.put("PurchaseOrder", {"Type": v("Normal"), "OrderNbr": v("000005"), "Hold": v(False)})
    assert opened["Status"] == v("Open") and opened["OrderTotal"] == v(325.0)
    assert acu.get("/PurchaseOrder/Normal/000005")["VendorRef"] == v("PO-201")
    bad = acu.call(
        "PUT", "/PurchaseOrder", json={"VendorID": v("GRANITESUP"), "Details": [{**line, "CostCode": v("0")}]}
    )
    assert bad.status_code == 422 and bad.json()["Details"][0]["CostCode"]["error"]


def test_subcontract_hold_actions_and_totals(acu):
    line = {"Project": v("LAKESIDE"), "Task": v("03"), "CostCode": v("05-100"), "Account": v("50000")}
    body = {"VendorID": v("SUMMITSTL"), "VendorRef": v("SC-302"), "Details": [{**line, "OrderQty": v(1),
            "UnitCost": v(5000)}]}  # fmt: skip
    sub = acu.put("Subcontract", body)
    assert sub["SubcontractTotal"] == v(5000.0) and sub["Status"] == v("On Hold")
    entity = {"entity": {"SubcontractNbr": sub["SubcontractNbr"]}}
    assert acu.call("POST", "/Subcontract/ReleaseFromHold", json=entity).status_code == 204
    assert acu.get(f"/Subcontract/{sub['SubcontractNbr']['value']}")["Status"] == v("Open")
    assert acu.call("POST", "/Subcontract/PutOnHold", json=entity).status_code == 204
    assert acu.get(f"/Subcontract/{sub['id']}")["Status"] == v("On Hold")
    bad_task = {**body, "Details": [{**line, "Task": v("99")}]}
    assert acu.call("PUT", "/Subcontract", json=bad_task).json()["Details"][0]["Task"]["error"]


def test_vendor_create_rename_deactivate(acu, acumatica_ctl):
    created = acu.put("Vendor", {"VendorID": v("NORTHWIND"), "VendorName": v("Northwind Drywall")})
    assert created["Status"] == v("Active") and created["LastModifiedDateTime"]["value"]
    acumatica_ctl.advance(5)
    renamed = acu.put("Vendor", {"VendorID": v("NORTHWIND"), "VendorName": v("Northwind Drywall LLC"),
                                 "Status": v("Inactive")})  # fmt: skip
    assert renamed["VendorName"] == v("Northwind Drywall LLC") and renamed["Status"] == v("Inactive")
    assert renamed["LastModifiedDateTime"]["value"] > created["LastModifiedDateTime"]["value"]
    assert acu.call("PUT", "/Vendor", json={"VendorName": v("No id")}).json()["VendorID"]["error"]


def test_cost_code_create_and_update(acu):
    created = acu.put("CostCode", {"CostCodeID": v("31000"), "Description": v("Earthwork (site)")})
    updated = acu.put("CostCode", {"CostCodeID": v("31000"), "Description": v("Site earthwork")})
    assert created["id"] == updated["id"] and updated["Description"] == v("Site earthwork")
    assert len(acu.get("/CostCode", **{"$filter": "CostCodeID eq '31000'"})) == 1


def test_demo_set_for_reconciliation_and_payments(acu):
    projects = acu.get("/Project", **{"$filter": "Status eq 'Active'"})
    assert len(projects) == 12
    subcontracts = {s["VendorRef"]["value"]: s for s in acu.get("/Subcontract")}
    assert subcontracts["SC-001"]["SubcontractTotal"] == v(420000.0) and "SC-101" not in subcontracts
    assert all(s["Status"] == v("Open") for s in subcontracts.values())
    orders = {o["VendorRef"]["value"] for o in acu.get("/PurchaseOrder")}
    assert orders == {"PO-001", "PO-101", "PO-201", "SL-Q-2291"}
    statuses = sorted((b["Status"]["value"], b["Balance"]["value"]) for b in acu.get("/Bill"))
    assert statuses == [("Closed", 0.0), ("Closed", 0.0), ("Open", 4850.0), ("Open", 16000.0)]
    assert acu.get("/Vendor/OLDTOWNSUP")["Status"] == v("Inactive")


# -- push notifications ----------------------------------------------------------------------------------


class Receiver:
    """A webhook destination on a free port: records each POST and answers the next planned status."""

    def __init__(self):
        self.received: list[tuple[dict, dict]] = []
        self.plan: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.plan.pop(0) if receiver.plan else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/acumatica-hook"

    def wait(self, count: int, timeout: float = 10.0) -> list[tuple[dict, dict]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


@pytest.fixture
def receiver():
    hook = Receiver()
    yield hook
    hook.server.shutdown()


@pytest.fixture
def pushing(acu, acumatica_ctl, receiver):
    acumatica_ctl.action("push_destination", url=receiver.url, header_name="X-Hook-Secret", header_value="s3cret")
    acumatica_ctl.config(push_retry_delay=0.01)
    return receiver


def test_push_on_insert_and_update_with_the_static_header(acu, pushing):
    bill = acu.put("Bill", bill_body(ref="PUSH-1"))
    headers, message = pushing.wait(1)[0]
    assert headers["X-Hook-Secret"] == "s3cret"
    assert set(message) == {"Inserted", "Deleted", "Query", "CompanyId", "Id", "TimeStamp", "AdditionalInfo"}
    assert message["Query"] == "APBills" and message["CompanyId"] == demo.TENANT and message["Deleted"] == []
    row = message["Inserted"][0]
    assert row["VendorRef"] == "PUSH-1" and row["Amount"] == 1000.0 and row["NoteID"] == bill["id"]  # flat values
    act(acu, "Bill", "ReleaseBill", bill)
    _, update = pushing.wait(2)[1]
    assert update["Deleted"][0]["Status"] == "Balanced" and update["Inserted"][0]["Status"] == "Open"
    assert update["TimeStamp"] > message["TimeStamp"] and update["Id"] != message["Id"]


def test_no_push_without_a_destination(acu, acumatica_ctl, pushing):
    acumatica_ctl.action("push_destination")
    acu.put("Bill", bill_body(ref="PUSH-NONE"))
    time.sleep(0.3)
    assert pushing.received == [] and acumatica_ctl.records("push_deliveries") == []


def test_push_retries_non_2xx_up_to_five_attempts_with_the_same_id(acu, acumatica_ctl, pushing):
    pushing.plan = [500, 503]
    acu.put("Vendor", {"VendorID": v("PUSHVEND"), "VendorName": v("Push Vendor")})
    ids = [body["Id"] for _, body in pushing.wait(3)]
    assert len(ids) == 3 and len(set(ids)) == 1
    pushing.plan = [500] * 6
    acu.put("CostCode", {"CostCodeID": v("99000"), "Description": v("not pushed")})  # no GI on cost codes
    acu.put("Vendor", {"VendorID": v("PUSHVEND"), "Status": v("Inactive")})
    assert len(pushing.wait(8)) == 8
    time.sleep(0.3)
    assert len(pushing.received) == 8  # 3 + 5: no sixth attempt
    log = acumatica_ctl.records("push_deliveries")
    assert [(e["attempts"], e["delivered"]) for e in log] == [(3, True), (5, False)]


def test_push_duplicate_and_drop_switches(acu, acumatica_ctl, pushing):
    acumatica_ctl.config(push_duplicate_next=1)
    acu.put("Vendor", {"VendorID": v("DUPVEND"), "VendorName": v("Twice")})
    first, second = (body for _, body in pushing.wait(2))
    assert first == second
    acumatica_ctl.config(push_drop_next=1)
    acu.put("Vendor", {"VendorID": v("DUPVEND"), "VendorName": v("Dropped")})
    acu.put("Vendor", {"VendorID": v("DUPVEND"), "VendorName": v("Delivered")})
    third = pushing.wait(3)[2][1]
    assert third["Inserted"][0]["VendorName"] == "Delivered" and len(pushing.received) == 3
    assert [e["dropped"] for e in acumatica_ctl.records("push_deliveries")].count(True) == 1
