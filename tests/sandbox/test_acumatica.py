"""The Acumatica simulator over real HTTP, checked against the vendor facts."""

from __future__ import annotations

import pytest
import requests

from sandbox.acumatica import demo

VERSION = "24.200.001"


class Acumatica:
    """A tiny hand-written caller, enough to poke the simulator."""

    def __init__(self, server, instance="/AcuSite"):
        self.site = server.url("acumatica") + instance
        self.api = f"{self.site}/entity/Default/{VERSION}"
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


@pytest.fixture
def acu(acumatica_ctl, sandbox_server):
    acumatica_ctl.seed(preset="demo")
    return Acumatica(sandbox_server)


def v(value):
    return {"value": value}


def bill_body(vendor="STARFRAME", ref="SC-001-01", hold=False, **line):
    detail = {
        "Account": v("50000"),
        "Subaccount": v("000-000"),
        "Project": v("RIVERSIDE"),
        "ProjectTask": v("06"),
        "CostCode": v("06100"),
        "Amount": v(1000.0),
        "TransactionDescription": v("Framing"),
    }
    detail.update({k: v(x) for k, x in line.items()})
    return {"Vendor": v(vendor), "VendorRef": v(ref), "Hold": v(hold), "Details": [detail]}


def release(acu, ref):
    return acu.call("POST", "/Bill/ReleaseBill", json={"entity": {"Type": v("Bill"), "ReferenceNbr": v(ref)}})


# -- discovery and routes ------------------------------------------------------------------------------


def test_discovery_lists_configured_endpoints(acu, acumatica_ctl):
    body = acu.http.get(acu.site + "/entity").json()
    assert [e["version"] for e in body["endpoints"]] == ["22.200.001", "23.200.001", "24.200.001"]
    assert body["endpoints"][0]["href"].endswith("/entity/Default/22.200.001/")
    acumatica_ctl.config(endpoints=[["Default", "23.200.001"]])
    assert acu.call("GET", "/Vendor").status_code == 404
    assert "message" in acu.call("GET", "/Vendor").json()


def test_site_without_instance_segment(acu, sandbox_server):
    plain = requests.get(
        sandbox_server.url("acumatica") + f"/entity/Default/{VERSION}/Vendor",
        headers={"Authorization": f"Bearer {acu.token}"},
    )
    assert plain.status_code == 200 and len(plain.json()) == 5


def test_unknown_entity_and_action_are_404(acu):
    assert acu.call("GET", "/Nonsense").status_code == 404
    assert acu.call("POST", "/Bill/Explode", json={"entity": {}}).status_code == 404


# -- auth ----------------------------------------------------------------------------------------------


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


def test_cookie_login_logout(acu, sandbox_server):
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


def test_rate_limit_fault_in_acumatica_style(acu, acumatica_ctl):
    acumatica_ctl.fault("rate_limit", path="/Vendor", retry_after=3)
    limited = acu.call("GET", "/Vendor")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert limited.json()["message"] == "API Login Limit"


# -- representation and lists --------------------------------------------------------------------------


def test_value_objects_and_system_fields(acu):
    vendors = acu.call("GET", "/Vendor", params={"$filter": "VendorID eq 'STARFRAME'"}).json()
    vendor = vendors[0]
    assert vendor["VendorName"] == {"value": "Star Framing, LLC"}
    assert vendor["TaxZone"] == {}
    assert {"id", "rowNumber", "note", "custom", "_links"} <= set(vendor)
    assert "MainContact" not in vendor
    expanded = acu.call("GET", "/Vendor", params={"$filter": "VendorID eq 'STARFRAME'", "$expand": "MainContact"})
    assert expanded.json()[0]["MainContact"]["Email"] == {"value": "accounts@starframing.example"}


def test_subaccount_has_no_last_modified(acu):
    sub = acu.call("GET", "/Subaccount").json()[0]
    assert "LastModifiedDateTime" not in sub and "SubaccountCD" in sub
    assert (
        acu.call(
            "GET", "/Subaccount", params={"$filter": "LastModifiedDateTime gt datetimeoffset'2020-01-01'"}
        ).status_code
        == 400
    )


def test_filter_select_skip_top(acu):
    rows = acu.call("GET", "/Vendor", params={"$select": "VendorID", "$skip": 1, "$top": 2}).json()
    assert [r["VendorID"]["value"] for r in rows] == ["BRIGHTLINE", "CASCADEPM"]
    assert set(rows[0]) == {"id", "rowNumber", "note", "custom", "_links", "VendorID"}
    found = acu.call(
        "GET", "/Vendor", params={"$filter": "substringof('concrete', VendorName) or startswith(VendorID,'GRAN')"}
    ).json()
    assert sorted(r["VendorID"]["value"] for r in found) == ["APEXCONC", "GRANITESUP"]
    linked = acu.call("GET", "/Vendor", params={"$filter": "MainContact/Email eq 'ar@apexconcrete.example'"})
    assert [r["VendorID"]["value"] for r in linked.json()] == ["APEXCONC"]


def test_last_modified_filter_with_datetimeoffset(acu, acumatica_ctl):
    acumatica_ctl.set_clock("2099-06-01T10:00:00Z")
    acu.token = acu.password_grant()["access_token"]  # the old one expired with the jump
    acumatica_ctl.upsert("Vendor", {"VendorID": "APEXCONC", "VendorName": "Apex Concrete Inc. (new)"})
    rows = acu.call(
        "GET", "/Vendor", params={"$filter": "LastModifiedDateTime gt datetimeoffset'2099-06-01T12:59:59+03:00'"}
    ).json()
    assert [r["VendorID"]["value"] for r in rows] == ["APEXCONC"]
    assert rows[0]["LastModifiedDateTime"]["value"].startswith("2099-06-01T10:00:00")


def test_get_by_key_and_missing_key(acu):
    task = acu.call("GET", "/ProjectTask/RIVERSIDE/03").json()
    assert task["Description"] == {"value": "Concrete"}
    assert acu.call("GET", f"/ProjectTask/{task['id']}").json()["ProjectTaskID"] == {"value": "03"}
    missing = acu.call("GET", "/Vendor/NOBODY")
    assert missing.status_code == 500
    assert missing.json()["exceptionType"] == "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException"
    assert missing.json()["exceptionMessage"] == "No entity satisfies the condition."


# -- PUT -----------------------------------------------------------------------------------------------


def test_put_inserts_numbered_bill_then_updates_it(acu):
    created = acu.call("PUT", "/Bill", json=bill_body(), params={"$select": "Status,Amount"})
    body = created.json()
    assert created.status_code == 200 and body["ReferenceNbr"] == {"value": "000001"}
    assert body["Status"] == {"value": "Balanced"} and body["Amount"] == {"value": 1000.0}
    assert "Balance" not in body  # only sent, key and selected fields come back
    line_id = body["Details"][0]["id"]
    update = {
        "Type": v("Bill"),
        "ReferenceNbr": v("000001"),
        "Hold": v(True),
        "Details": [{"id": line_id, "Amount": v(1500.0)}, {"Account": v("51000"), "Amount": v(250.0)}],
    }
    acu.call("PUT", "/Bill", json=update)
    stored = acu.call("GET", "/Bill/Bill/000001", params={"$expand": "Details"}).json()
    assert stored["Status"] == {"value": "On Hold"} and stored["Amount"] == {"value": 1750.0}
    assert len(stored["Details"]) == 2
    removal = {"id": stored["id"], "Details": [{"id": line_id, "delete": True}]}
    acu.call("PUT", "/Bill", json=removal)
    stored = acu.call("GET", "/Bill/Bill/000001", params={"$expand": "Details"}).json()
    assert len(stored["Details"]) == 1 and stored["Amount"] == {"value": 250.0}
    assert len(acu.call("GET", "/Bill").json()) == 1


def test_last_modified_bumps_on_every_write(acu, acumatica_ctl):
    acu.call("PUT", "/Bill", json=bill_body())
    first = acu.call("GET", "/Bill/Bill/000001").json()["LastModifiedDateTime"]["value"]
    acumatica_ctl.advance(60)
    acu.call("PUT", "/Bill", json={"Type": v("Bill"), "ReferenceNbr": v("000001"), "Description": v("x")})
    assert acu.call("GET", "/Bill/Bill/000001").json()["LastModifiedDateTime"]["value"] > first


def test_if_match_headers_give_412(acu):
    assert (
        acu.call(
            "PUT", "/Vendor", json={"VendorID": v("NEWVEND"), "VendorName": v("New")}, headers={"If-Match": "*"}
        ).status_code
        == 412
    )
    assert (
        acu.call(
            "PUT", "/Vendor", json={"VendorID": v("STARFRAME"), "VendorName": v("Star")}, headers={"If-None-Match": "*"}
        ).status_code
        == 412
    )
    inserted = acu.call(
        "PUT", "/Vendor", json={"VendorID": v("NEWVEND"), "VendorName": v("New")}, headers={"If-None-Match": "*"}
    )
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
def test_unknown_references_on_lines_are_422(acu, acumatica_ctl, field, value):
    response = acu.call("PUT", "/Bill", json=bill_body(**{field: value}))
    assert response.status_code == 422
    line = response.json()["Details"][0]
    assert line[field]["value"] == value and "cannot be found" in line[field]["error"]
    assert acumatica_ctl.records("Bill") == []


def test_unknown_vendor_is_422_on_the_header(acu):
    response = acu.call("PUT", "/Bill", json=bill_body(vendor="NOBODY"))
    assert response.status_code == 422 and response.json()["Vendor"]["error"]
    assert "Vendor" in response.json()["error"]


def test_put_then_reset_still_saves(acu, acumatica_ctl):
    acumatica_ctl.fault("reset_after_write", method="PUT", path="/Bill")
    with pytest.raises(requests.exceptions.ConnectionError):
        acu.call("PUT", "/Bill", json=bill_body(ref="LOST-REPLY"))
    found = acu.call("GET", "/Bill", params={"$filter": "VendorRef eq 'LOST-REPLY'"}).json()
    assert len(found) == 1


# -- bill life cycle -----------------------------------------------------------------------------------


def test_release_only_from_balanced(acu):
    acu.call("PUT", "/Bill", json=bill_body(hold=True))
    on_hold = release(acu, "000001")
    assert on_hold.status_code == 500 and "on hold" in on_hold.json()["exceptionMessage"]
    acu.call("PUT", "/Bill", json={"Type": v("Bill"), "ReferenceNbr": v("000001"), "Hold": v(False)})
    assert release(acu, "000001").status_code == 204
    assert acu.call("GET", "/Bill/Bill/000001").json()["Status"] == {"value": "Open"}
    assert release(acu, "000001").status_code == 500
    assert release(acu, "000404").status_code == 500


def test_release_async_with_status_url(acu, acumatica_ctl):
    acumatica_ctl.config(actions_async=True, action_polls=1)
    acu.call("PUT", "/Bill", json=bill_body())
    started = release(acu, "000001")
    assert started.status_code == 202
    status_url = acu.site.split("/acumatica")[0] + started.headers["Location"]
    headers = {"Authorization": f"Bearer {acu.token}"}
    assert acu.http.get(status_url, headers=headers).status_code == 202
    assert acu.call("GET", "/Bill/Bill/000001").json()["Status"] == {"value": "Balanced"}
    assert acu.http.get(status_url, headers=headers).status_code == 204
    assert acu.call("GET", "/Bill/Bill/000001").json()["Status"] == {"value": "Open"}


def test_check_release_closes_paid_bill(acu):
    acu.call("PUT", "/Bill", json=bill_body())
    release(acu, "000001")
    check = {
        "Vendor": v("STARFRAME"),
        "PaymentMethod": v("CHECK"),
        "CashAccount": v("10200"),
        "Details": [{"DocType": v("Bill"), "ReferenceNbr": v("000001"), "AmountPaid": v(1000.0)}],
    }
    ref = acu.call("PUT", "/Check", json=check).json()["ReferenceNbr"]["value"]
    released = acu.call("POST", "/Check/ReleaseCheck", json={"entity": {"Type": v("Payment"), "ReferenceNbr": v(ref)}})
    assert released.status_code == 204
    bill = acu.call("GET", "/Bill/Bill/000001").json()
    assert bill["Status"] == {"value": "Closed"} and bill["Balance"] == {"value": 0.0}
