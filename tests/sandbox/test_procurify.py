"""The Procurify simulator over real HTTP, checked against the vendor facts and the published spec."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.core.clock import parse_iso
from sandbox.procurify import demo_data as demo
from sandbox.testing import SandboxControl

AUDIENCE = "https://api.procurify.com/"


@pytest.fixture
def procurify_ctl(sandbox_server) -> SandboxControl:
    control = SandboxControl(sandbox_server.base_url, "procurify")
    control.reset()
    return control


@pytest.fixture
def procurify(procurify_ctl, sandbox_server):
    procurify_ctl.seed(preset="demo")
    return Procurify(sandbox_server.url("procurify") + "/" + demo.DOMAIN)


class Procurify:
    """A tiny hand-written caller, enough to poke the simulator."""

    def __init__(self, host: str):
        self.host = host
        self.http = requests.Session()
        self.token = self.new_token().json()["access_token"]

    def new_token(self, **overrides) -> requests.Response:
        body = {
            "client_id": demo.CLIENT_ID,
            "client_secret": demo.CLIENT_SECRET,
            "audience": AUDIENCE,
            "grant_type": "client_credentials",
            **overrides,
        }
        return self.http.post(self.host + "/oauth/token", json=body)

    def headers(self, client_header: bool = True) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"}
        if client_header:
            headers["X-Procurify-Client"] = "api"
        return headers

    def get(self, path, client_header=True, **params):
        return self.http.get(self.host + path, params=params, headers=self.headers(client_header))

    def send(self, method, path, body):
        return self.http.request(method, self.host + path, json=body, headers=self.headers())


# -- token --------------------------------------------------------------------------------------------


def test_token_shape_and_scope(procurify):
    body = procurify.new_token().json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400
    assert body["scope"] == (
        f"urn:procurify-api:domain:{demo.DOMAIN}.procurify.com urn:procurify-api:email:{demo.API_USER_EMAIL}"
    )
    assert "refresh_token" not in body


@pytest.mark.parametrize(
    ("overrides", "status"),
    [({"client_secret": "wrong"}, 401), ({"audience": "https://example.com/"}, 403), ({"grant_type": "password"}, 400)],
)
def test_token_refusals(procurify, overrides, status):
    assert procurify.new_token(**overrides).status_code == status


def test_token_needs_a_json_body(procurify):
    form = {"client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET, "audience": AUDIENCE}
    response = procurify.http.post(procurify.host + "/oauth/token", data={**form, "grant_type": "client_credentials"})
    assert response.status_code == 400


def test_token_lives_24_hours_on_the_simulator_clock(procurify, procurify_ctl):
    assert procurify.get("/api/v3/vendors/").status_code == 200
    procurify_ctl.advance(86400 - 60)
    assert procurify.get("/api/v3/vendors/").status_code == 200
    procurify_ctl.advance(61)
    expired = procurify.get("/api/v3/vendors/")
    assert expired.status_code == 401 and "detail" in expired.json()


def test_token_of_one_domain_is_refused_on_another(procurify, procurify_ctl):
    procurify_ctl.seed({"clients": [{"id": "other-client", "secret": "s", "domain": "othertenant", "user": 1001}]})
    other = procurify.host.rsplit("/", 1)[0] + "/othertenant"
    response = procurify.http.get(other + "/api/v3/vendors/", headers=procurify.headers())
    assert response.status_code == 401


def test_unknown_domain_is_404(procurify):
    response = procurify.http.get(procurify.host + "-nope/api/v3/vendors/", headers=procurify.headers())
    assert response.status_code == 404


# -- request checks -----------------------------------------------------------------------------------


def test_missing_client_header_is_refused(procurify):
    response = procurify.get("/api/v3/vendors/", client_header=False)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_missing_client_header_behaviour_is_a_switch(procurify, procurify_ctl):
    procurify_ctl.config(missing_client_header_status=403)
    assert procurify.get("/api/v3/vendors/", client_header=False).status_code == 403
    procurify_ctl.config(missing_client_header_status=0)
    assert procurify.get("/api/v3/vendors/", client_header=False).status_code == 200


def test_missing_bearer_is_401(procurify):
    response = procurify.http.get(procurify.host + "/api/v3/vendors/", headers={"X-Procurify-Client": "api"})
    assert response.status_code == 401


def test_trailing_slash_policy(procurify, procurify_ctl):
    assert procurify.get("/api/v3/vendors").status_code == 200  # default: both forms served
    procurify_ctl.config(missing_trailing_slash="redirect")
    response = procurify.http.get(
        procurify.host + "/api/v3/vendors?page=2", headers=procurify.headers(), allow_redirects=False
    )
    assert response.status_code == 301
    assert response.headers["Location"] == procurify.host + "/api/v3/vendors/?page=2"
    procurify_ctl.config(missing_trailing_slash="404")
    assert procurify.get("/api/v3/vendors").status_code == 404


# -- envelope and paging ------------------------------------------------------------------------------


def test_list_envelope_and_absolute_links_keep_filters(procurify):
    first = procurify.get("/api/v3/users/", is_active="true", page_size=25).json()
    pagination = first["metadata"]["pagination"]
    active = [u for u in first["data"] if u["is_active"]]
    assert len(first["data"]) == 25 and active == first["data"]
    assert pagination["current_page"] == 1 and pagination["previous"] is None
    assert pagination["num_pages"] == -(-pagination["count"] // 25) and pagination["count"] < demo.HEADCOUNT
    nxt = urlsplit(pagination["next"])
    assert pagination["next"].startswith(procurify.host + "/api/v3/users/")
    assert parse_qs(nxt.query) == {"is_active": ["true"], "page_size": ["25"], "page": ["2"]}
    second = procurify.http.get(pagination["next"], headers=procurify.headers()).json()
    assert second["metadata"]["pagination"]["current_page"] == 2
    assert "page=" not in second["metadata"]["pagination"]["previous"]  # page 1 drops the parameter
    assert not {u["id"] for u in first["data"]} & {u["id"] for u in second["data"]}


def test_walking_next_links_returns_every_record_once(procurify):
    seen, url = [], procurify.host + "/api/v3/users/?page_size=40"
    while url:
        body = procurify.http.get(url, headers=procurify.headers()).json()
        seen += [u["id"] for u in body["data"]]
        url = body["metadata"]["pagination"]["next"]
    assert len(seen) == len(set(seen)) == demo.HEADCOUNT


def test_default_page_size_and_out_of_range_page(procurify):
    body = procurify.get("/api/v3/vendors/").json()
    assert body["metadata"]["pagination"]["page_size"] == 10 and len(body["data"]) == 10
    assert procurify.get("/api/v3/vendors/", page=99).status_code == 404


def test_single_object_envelope(procurify):
    body = procurify.get("/api/v3/vendors/2001/").json()
    assert body["metadata"] == {} and body["data"]["id"] == 2001
    assert "dateModified" in body["data"] and "addressLineOne" in body["data"]  # the real API's casing


# -- filters ------------------------------------------------------------------------------------------


def _bills(procurify, **params):
    body = procurify.get("/api/v3/ap/bills/", page_size=100, **params).json()
    return body["data"]


def test_date_range_filters_are_inclusive_days(procurify, procurify_ctl):
    every = procurify_ctl.records("bills")
    now = parse_iso(procurify_ctl.clock()["now"])
    low, high = (now - timedelta(days=40)).date(), (now - timedelta(days=20)).date()
    expected = {b["id"] for b in every if low <= parse_iso(b["invoice_date"]).date() <= high}
    got = _bills(procurify, invoice_date_0=low.isoformat(), invoice_date_1=high.isoformat())
    assert expected and {b["id"] for b in got} == expected


def test_last_modified_datetime_range_for_polling(procurify, procurify_ctl):
    now = parse_iso(procurify_ctl.clock()["now"])
    since = (now - timedelta(days=10)).isoformat()
    got = _bills(procurify, last_modified_datetime_0=since)
    assert got and all(parse_iso(b["last_modified_datetime"]) >= parse_iso(since) for b in got)
    assert len(got) < len(procurify_ctl.records("bills"))


def test_date_filter_rejects_a_timestamp_unless_switched(procurify, procurify_ctl):
    response = procurify.get("/api/v3/ap/bills/", invoice_date_0="2024-01-01T00:00:00Z")
    assert response.status_code == 400 and "invoice_date_0" in response.json()
    procurify_ctl.config(date_filters_accept_datetimes=True)
    assert procurify.get("/api/v3/ap/bills/", invoice_date_0="2024-01-01T00:00:00Z").status_code == 200


def test_purchase_orders_by_role_and_status(procurify):
    closed = procurify.get("/api/v2/purchase_orders/purchased/closed/", page_size=100).json()
    assert closed["data"] and {po["state"] for po in closed["data"]} == {3}
    counts = closed["metadata"]["counts"]["purchased"]
    assert counts["closed"] == len(closed["data"]) and counts["all"] == 40
    receivable = procurify.get("/api/v2/purchase_orders/receivable/all/", page_size=100).json()["data"]
    assert receivable and all(po["fulfilment_status"] != "full" and po["state"] in (0, 5) for po in receivable)
    assert procurify.get("/api/v2/purchase_orders/nobody/all/").status_code == 404


def test_integer_status_codes_and_public_strings(procurify):
    assert {type(b["status"]) for b in _bills(procurify)} == {int}
    v2 = procurify.get("/api/v2/ap/payments/", page_size=100).json()["data"]
    public = procurify.get("/api/public/v1/payments/", page_size=100).json()["data"]
    assert {p["status"] for p in v2} <= set(range(10)) and {p["status"] for p in public} == {"paid", "scheduled"}
    paid = procurify.get("/api/public/v1/payments/", status="paid", page_size=100).json()["data"]
    assert paid and {p["status"] for p in paid} == {"paid"}
    both = procurify.get("/api/public/v1/payments/", status="paid,scheduled", page_size=100).json()["data"]
    assert len(both) == len(public)  # the published comma-separated form (explode: false)


def test_bill_detail_lines_and_purchase_order_link(procurify, procurify_ctl):
    linked = next(b for b in procurify_ctl.records("bills") if b.get("purchase_orders"))
    detail = procurify.get(f"/api/v2/ap/bills/{linked['uuid']}/").json()["data"]
    assert [po["id"] for po in detail["added_purchase_orders"]] == linked["purchase_orders"]
    assert detail["items"] and all(item["po"]["id"] == linked["purchase_orders"][0] for item in detail["items"])
    coding = detail["items"][0]["cost_allocations"][0]["budget"]
    assert coding["account_code"]["code"] and coding["department"]["name"]
    items = procurify.get("/api/v2/ap/items/", bill=linked["id"]).json()
    assert [i["id"] for i in items["data"]] == [i["id"] for i in detail["items"]]
    assert procurify.get(f"/api/v2/ap/bills/{linked['id']}/").status_code == 404  # by UUID unless switched


# -- writes -------------------------------------------------------------------------------------------


def test_vendor_create_put_patch_bump_date_modified(procurify, procurify_ctl):
    body = {"name": "Acumatica-mirrored Vendor", "type": 4, "email": ["ap@mirror.example"], "overall_score": None}
    created = procurify.send("POST", "/api/v3/vendors/", {**body, "external_id": "V20001"})
    assert created.status_code == 201, created.text
    vendor = created.json()["data"]
    procurify_ctl.advance(120)
    put = procurify.send("PUT", f"/api/v3/vendors/{vendor['id']}/", {**body, "city": "Portland"}).json()["data"]
    assert put["city"] == "Portland" and put["dateModified"] > vendor["dateModified"]
    patched = procurify.send("PATCH", f"/api/v3/vendors/{vendor['id']}/", {"active": False}).json()["data"]
    assert patched["active"] is False and patched["name"] == body["name"]
    found = procurify.get("/api/v3/vendors/", external_id="V20001").json()["data"]
    assert [v["id"] for v in found] == [vendor["id"]]


def test_vendor_validation_answers_field_errors(procurify):
    response = procurify.send("POST", "/api/v3/vendors/", {"name": "No type", "email": []})
    assert response.status_code == 400
    assert set(response.json()) == {"type", "overall_score"}


def test_account_code_create_update_and_active(procurify, procurify_ctl):
    created = procurify.send("POST", "/api/v3/account-codes/", {"code": "7100", "description": "Rentals"})
    assert created.status_code == 201
    code = created.json()["data"]
    assert procurify.send("POST", "/api/v3/account-codes/", {"code": "7100", "description": "x"}).status_code == 400
    body = {"code": "7100", "description": "Equipment Rentals", "active": False}
    updated = procurify.send("PUT", f"/api/v3/account-codes/{code['id']}/", body).json()["data"]
    assert updated["description"] == "Equipment Rentals" and updated["active"] is True  # not a published field
    procurify_ctl.config(account_code_put_sets_active=True)
    updated = procurify.send("PUT", f"/api/v3/account-codes/{code['id']}/", body).json()["data"]
    assert updated["active"] is False
    inactive = procurify.get("/api/v3/account-codes/", active="false", page_size=100).json()["data"]
    assert {c["code"] for c in inactive} == {"6900", "7100"}


def test_purchase_order_close_reopen_and_update(procurify, procurify_ctl):
    po = next(p for p in procurify_ctl.records("purchase_orders") if p["state"] == 0)
    closed = procurify.send("POST", f"/api/v3/purchase-orders/{po['id']}/close/", None)
    assert closed.status_code == 200 and closed.json()["data"]["state"] == 3
    assert procurify.send("POST", f"/api/v3/purchase-orders/{po['id']}/close/", None).status_code == 400
    assert procurify.send("POST", f"/api/v3/purchase-orders/{po['id']}/reopen/", None).json()["data"]["state"] == 5
    detail = procurify.get(f"/api/v2/purchase_orders/{po['id']}/").json()["data"]
    body = {key: detail[key] for key in ("promise_date", "version", "discount", "tax")}
    body.update({key: detail[key] for key in detail if key.startswith(("buyer_", "receiver_"))})
    body.update(buyer_address=po["location"], receiver_address=po["location"], PO_Num="ACU-PO-000123")
    item = detail["order_items"][0]
    line = {"id": item["id"], "name": item["name"], "price": item["price"], "unit": item["unit"]}
    body["order_items"] = [{**line, "quantity": "3", "custom_fields": []}]
    updated = procurify.send("PUT", f"/api/v3/purchase-orders/{po['id']}/", body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"]["version"] == detail["version"] + 1
    assert procurify.send("PUT", f"/api/v3/purchase-orders/{po['id']}/", body).status_code == 409  # stale version
    after = procurify.get(f"/api/v2/purchase_orders/{po['uuid']}/").json()["data"]
    assert after["PO_Num"] == "ACU-PO-000123" and after["last_modified"] > detail["last_modified"]
    assert after["order_items"][0]["quantity"] == 3.0


# -- load ---------------------------------------------------------------------------------------------


def test_overload_then_suspension_then_recovery(procurify, procurify_ctl):
    procurify_ctl.config(overload=True, suspend_after_errors=3, suspension_seconds=600)
    statuses = [procurify.get("/api/v3/vendors/").status_code for _ in range(5)]
    assert statuses == [504, 504, 504, 403, 403]
    assert procurify.new_token().status_code == 403  # the whole domain is suspended
    procurify_ctl.config(overload=False)
    assert procurify.get("/api/v3/vendors/").status_code == 403  # still suspended
    assert procurify_ctl.records("suspensions")[0]["domain"] == demo.DOMAIN
    procurify_ctl.advance(601)
    assert procurify.get("/api/v3/vendors/").status_code == 200


def _start_of_next_minute(control: SandboxControl) -> None:
    """Move the simulator clock to one second into the next minute, so a burst stays in one minute."""
    now = parse_iso(control.clock()["now"])
    control.advance(61 - now.second - now.microsecond / 1e6)


def test_too_many_calls_in_a_minute_suspends(procurify, procurify_ctl):
    procurify_ctl.config(suspend_over_per_minute=5)
    _start_of_next_minute(procurify_ctl)
    statuses = [procurify.get("/api/v3/departments/").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [403, 403]


def test_calls_are_counted_per_minute(procurify, procurify_ctl):
    procurify_ctl.clear_calls()
    _start_of_next_minute(procurify_ctl)
    for _ in range(3):
        procurify.get("/api/v3/vendors/")
    procurify_ctl.advance(60)
    procurify.get("/api/v3/vendors/")
    minutes = procurify_ctl.records("calls_per_minute")
    assert [row["calls"] for row in minutes] == [3, 1] and {row["domain"] for row in minutes} == {demo.DOMAIN}
    assert procurify_ctl.calls()[f"GET /{demo.DOMAIN}/api/v3/vendors/"] == 4


def test_bulk_seed_for_backfills(procurify, procurify_ctl):
    before = len(procurify_ctl.records("bills"))
    created = procurify_ctl.seed({"bulk": {"bills": 2000, "days": 30}})
    assert len(created["bills"]) == 2000
    body = procurify.get("/api/v3/ap/bills/", page_size=100).json()
    assert body["metadata"]["pagination"]["count"] == before + 2000
    now = parse_iso(procurify_ctl.clock()["now"])
    recent = procurify.get(
        "/api/v3/ap/bills/", last_modified_datetime_0=(now - timedelta(days=3)).isoformat(), page_size=1
    ).json()
    assert 150 < recent["metadata"]["pagination"]["count"] < 260
