"""The Exact Online simulator over real HTTP, checked against the vendor facts and the published reference."""

from __future__ import annotations

import calendar
import hashlib
import hmac
import json
import re
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
import requests

from sandbox.exact import demo
from sandbox.testing import SandboxControl

MAIN = demo.MAIN


class Receiver:
    """A local HTTP endpoint standing in for a client's redirect URI and webhook callback."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answers to give, in order; 200 once exhausted
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                split = urlsplit(self.path)
                receiver.requests.append(
                    {
                        "method": self.command,
                        "path": split.path,
                        "query": parse_qs(split.query),
                        "body": self.rfile.read(length) if length else b"",
                    }
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = _record  # noqa: N815 - names the base class looks up

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def posts(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]

    def wait_for(self, path: str, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.posts(path)) < count:
            time.sleep(0.02)
        return self.posts(path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Exact:
    """A tiny hand-written caller: the consent flow, tokens and API calls on one regional host."""

    def __init__(self, server, ctl: SandboxControl, receiver: Receiver, region: str = "nl"):
        self.base = server.url(f"exact-{region}")
        self.ctl = ctl
        self.http = requests.Session()
        self.redirect_uri = receiver.url + "/callback"
        self.receiver = receiver
        ctl.upsert("clients", {"id": demo.CLIENT_ID, "redirect_uris": [*demo.REDIRECT_URIS, self.redirect_uri]})
        self.tokens: dict = {}

    def consent(self, state: str = "st-1", decision: str = "allow", **params) -> dict:
        """GET the consent page, submit its form, follow the redirect; returns the callback's query."""
        page = self.http.get(
            self.base + "/api/oauth2/auth",
            params={
                "client_id": demo.CLIENT_ID,
                "redirect_uri": self.redirect_uri,
                "response_type": "code",
                "state": state,
                **params,
            },
        )
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        form = lxml.html.fromstring(page.text).forms[0]
        fields = dict(form.fields)
        fields["decision"] = decision
        action = urlsplit(self.base)._replace(path=form.action).geturl()
        answer = self.http.post(action, data=fields)  # follows the 302 to the receiver
        assert answer.status_code == 200, answer.text
        return {k: v[0] for k, v in self.receiver.requests[-1]["query"].items()}

    def token(self, **form) -> requests.Response:
        body = {"client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET, **form}
        return self.http.post(self.base + "/api/oauth2/token", data=body)

    def connect(self) -> dict:
        code = self.consent()["code"]
        response = self.token(grant_type="authorization_code", code=code, redirect_uri=self.redirect_uri)
        assert response.status_code == 200, response.text
        self.tokens = response.json()
        return self.tokens

    def refresh(self, refresh_token: str | None = None) -> requests.Response:
        response = self.token(grant_type="refresh_token", refresh_token=refresh_token or self.tokens["refresh_token"])
        if response.status_code == 200:
            self.tokens = response.json()
        return response

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens['access_token']}", "Accept": "application/json"}
        headers.update(kwargs.pop("headers", {}))
        url = path if path.startswith("http") else f"{self.base}/api/v1/{path}"
        return self.http.request(method, url, headers=headers, **kwargs)

    def get(self, path: str, **params) -> requests.Response:
        return self.call("GET", path, params=params)


@pytest.fixture
def exact_ctl(sandbox_server) -> SandboxControl:
    control = SandboxControl(sandbox_server.base_url, "exact")
    control.reset()
    control.seed(preset="demo")
    return control


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def exact(sandbox_server, exact_ctl, receiver) -> Exact:
    client = Exact(sandbox_server, exact_ctl, receiver)
    client.connect()
    return client


def date_ms(text: str) -> int:
    return int(re.fullmatch(r"/Date\((-?\d+)\)/", text).group(1))


def utc_ms(*parts: int) -> int:
    """Epoch milliseconds of a wall-clock time read as UTC."""
    return calendar.timegm(datetime(*parts).timetuple()) * 1000


# -- consent page and codes ---------------------------------------------------------------------------


def test_consent_flow_end_to_end(sandbox_server, exact_ctl, receiver):
    client = Exact(sandbox_server, exact_ctl, receiver)
    callback = client.consent(state="opaque/state+1")
    assert callback["state"] == "opaque/state+1"
    assert callback["code"].startswith("stampNL001.") and "!" in callback["code"]
    response = client.token(grant_type="authorization_code", code=callback["code"], redirect_uri=client.redirect_uri)
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["expires_in"] == "600" and body["token_type"] == "bearer"
    client.tokens = body
    me = client.get("current/Me").json()["d"]["results"][0]
    assert me["CurrentDivision"] == MAIN and me["UserName"] == demo.USERNAME


def test_consent_page_has_an_allow_button_and_deny_redirects_access_denied(sandbox_server, exact_ctl, receiver):
    client = Exact(sandbox_server, exact_ctl, receiver)
    page = client.http.get(
        client.base + "/api/oauth2/auth",
        params={"client_id": demo.CLIENT_ID, "redirect_uri": client.redirect_uri, "response_type": "code"},
    )
    buttons = lxml.html.fromstring(page.text).xpath("//form//button")
    assert [b.text for b in buttons] == ["Allow", "Deny"]
    assert client.consent(state="s", decision="deny") == {"error": "access_denied", "state": "s"}


def test_unregistered_redirect_uri_shows_an_error_and_never_redirects(sandbox_server, exact_ctl, receiver):
    client = Exact(sandbox_server, exact_ctl, receiver)
    page = client.http.get(
        client.base + "/api/oauth2/auth",
        params={"client_id": demo.CLIENT_ID, "redirect_uri": "https://evil.example/cb", "response_type": "code"},
        allow_redirects=False,
    )
    assert page.status_code == 400 and "Location" not in page.headers and "redirect_uri" in page.text


def test_wrong_password_shows_the_form_again(sandbox_server, exact_ctl, receiver):
    client = Exact(sandbox_server, exact_ctl, receiver)
    page = client.http.get(
        client.base + "/api/oauth2/auth",
        params={"client_id": demo.CLIENT_ID, "redirect_uri": client.redirect_uri, "response_type": "code"},
    )
    form = dict(lxml.html.fromstring(page.text).forms[0].fields, password="wrong", decision="allow")
    answer = client.http.post(client.base + "/api/oauth2/auth", data=form, allow_redirects=False)
    assert answer.status_code == 200 and "Invalid username or password" in answer.text


def test_code_is_single_use_and_expires(sandbox_server, exact_ctl, receiver):
    client = Exact(sandbox_server, exact_ctl, receiver)
    code = client.consent()["code"]
    first = client.token(grant_type="authorization_code", code=code, redirect_uri=client.redirect_uri)
    again = client.token(grant_type="authorization_code", code=code, redirect_uri=client.redirect_uri)
    assert first.status_code == 200
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    late = client.consent()["code"]
    exact_ctl.advance(181)
    expired = client.token(grant_type="authorization_code", code=late, redirect_uri=client.redirect_uri)
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"


def test_code_needs_the_same_redirect_uri_and_client_secret(sandbox_server, exact_ctl, receiver):
    client = Exact(sandbox_server, exact_ctl, receiver)
    code = client.consent()["code"]
    wrong_uri = client.token(grant_type="authorization_code", code=code, redirect_uri=demo.REDIRECT_URIS[0])
    assert wrong_uri.json()["error"] == "invalid_grant"
    bad_secret = client.token(grant_type="authorization_code", code=code, client_secret="nope")
    assert bad_secret.status_code == 400 and bad_secret.json()["error"] == "invalid_client"


# -- tokens ---------------------------------------------------------------------------------------------


def test_access_token_expires_after_600_seconds(exact, exact_ctl):
    exact_ctl.advance(599)
    assert exact.get("current/Me").status_code == 200
    exact_ctl.advance(2)
    response = exact.get("current/Me")
    assert response.status_code == 401
    assert "expired" in response.headers["WWW-Authenticate"]


def test_refresh_rotates_and_a_spent_refresh_token_is_invalid_grant(exact, exact_ctl):
    spent = exact.tokens["refresh_token"]
    exact_ctl.advance(571)
    fresh = exact.refresh()
    assert fresh.status_code == 200 and fresh.json()["refresh_token"] != spent
    assert fresh.json()["expires_in"] == "600"
    exact_ctl.advance(571)
    reused = exact.refresh(spent)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert "Reason" in reused.headers
    assert exact.refresh().status_code == 200  # the newest one still works


def test_refresh_too_early_is_refused_without_spending_the_refresh_token(exact, exact_ctl):
    exact_ctl.advance(560)
    early = exact.refresh()
    assert early.status_code == 401 and early.headers["Reason"] == "Access Token not expired"
    exact_ctl.config(early_refresh_body="json")
    assert exact.refresh().json()["error_description"] == "Access Token not expired"
    exact_ctl.advance(11)
    assert exact.refresh().status_code == 200


def test_refresh_token_unused_for_30_days_expires(exact, exact_ctl):
    exact_ctl.advance(29 * 86400)
    assert exact.refresh().status_code == 200
    exact_ctl.advance(30 * 86400 + 1)
    response = exact.refresh()
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_old_refresh_token_grace_switch(exact, exact_ctl):
    exact_ctl.config(old_refresh_token_grace=True)
    first = exact.tokens["refresh_token"]
    exact_ctl.advance(571)
    assert exact.refresh().status_code == 200  # answer "lost": the new pair is never used
    exact_ctl.advance(571)
    assert exact.refresh(first).status_code == 200  # the previous one is still accepted
    exact.get("current/Me")  # the newest pair is used: no more grace for its predecessor
    exact_ctl.advance(571)
    assert exact.refresh(first).status_code == 400


def test_tokens_belong_to_their_regional_host(exact, sandbox_server):
    uk = exact.call("GET", f"{sandbox_server.url('exact-uk')}/api/v1/current/Me")
    assert uk.status_code == 401


# -- divisions ------------------------------------------------------------------------------------------


def test_me_and_the_divisions_a_user_may_use(exact):
    me = exact.get("current/Me", **{"$select": "CurrentDivision,UserID"}).json()["d"]["results"]
    assert me[0]["CurrentDivision"] == MAIN and set(me[0]) == {"__metadata", "CurrentDivision", "UserID"}
    rows = exact.get(f"{MAIN}/system/Divisions", **{"$select": "Code,Description,Current"}).json()["d"]["results"]
    assert {r["Code"]: r["Current"] for r in rows} == {demo.MAIN: True, demo.INSTALL: False}
    assert exact.get(f"{demo.INSTALL}/financial/GLAccounts").status_code == 200
    assert exact.get(f"{demo.FOREIGN}/financial/GLAccounts").status_code == 403


# -- OData ----------------------------------------------------------------------------------------------


def test_paging_follows_next_60_rows_a_page(exact, exact_ctl):
    extra = [{"Code": f"8{i:03d}", "Description": f"Kostenplaats {i}", "Type": 120} for i in range(130)]
    exact_ctl.seed({"GLAccounts": extra})
    url, pages, ids = f"{MAIN}/financial/GLAccounts", [], []
    params = {"$select": "ID,Code"}
    while url:
        body = exact.call("GET", url, params=params).json()["d"]
        pages.append(len(body["results"]))
        ids += [row["ID"] for row in body["results"]]
        url, params = body.get("__next"), None
        assert url is None or "$skiptoken=guid'" in url
    assert pages == [60, 60, 20] and len(set(ids)) == 140


def test_top_filter_and_trimmed_account_codes(exact):
    rows = exact.get(f"{MAIN}/crm/Accounts", **{"$filter": "IsSupplier eq true", "$select": "Code,Name"}).json()
    assert len(rows["d"]["results"]) == len(demo.SUPPLIERS)
    assert all(len(r["Code"]) == 18 for r in rows["d"]["results"])
    one = exact.get(f"{MAIN}/crm/Accounts", **{"$filter": "trim(Code) eq '2003'", "$select": "Name"}).json()
    assert [r["Name"] for r in one["d"]["results"]] == ["Steigerbouw Jansen B.V."]
    assert exact.get(f"{MAIN}/crm/Accounts", **{"$filter": "Code eq '2003'"}).json()["d"]["results"] == []
    bad = exact.get(f"{MAIN}/crm/Accounts", **{"$filter": "Nope eq 1"})
    assert bad.status_code == 400 and "Nope" in bad.json()["error"]["message"]["value"]


def test_lines_deferred_unless_expanded_and_dates_as_date_ms(exact):
    po = demo.gid("po:1")
    plain = exact.get(f"{MAIN}/purchaseorder/PurchaseOrders(guid'{po}')").json()["d"]
    assert set(plain["PurchaseOrderLines"]) == {"__deferred"}
    assert date_ms(plain["OrderDate"]) == utc_ms(2024, 3, 4)
    assert plain["AmountDC"] == 7872  # 1200 x 4.85 + 180 x 11.40
    lines = exact.call("GET", plain["PurchaseOrderLines"]["__deferred"]["uri"]).json()["d"]["results"]
    assert sorted(line["LineNumber"] for line in lines) == [1, 2]
    expanded = exact.get(f"{MAIN}/purchaseorder/PurchaseOrders(guid'{po}')", **{"$expand": "PurchaseOrderLines"})
    assert len(expanded.json()["d"]["PurchaseOrderLines"]["results"]) == 2


def test_modified_is_amsterdam_wall_clock_encoded_as_utc(exact, exact_ctl):
    exact_ctl.set_clock("2024-07-01T10:00:00+00:00")  # 12:00 in Amsterdam (CEST)
    exact.tokens = {}
    exact.connect()
    exact_ctl.upsert("Costcenters", {"ID": demo.gid("cc:100"), "Description": "Woningbouw Noord"})
    row = exact.get(f"{MAIN}/hrm/Costcenters(guid'{demo.gid('cc:100')}')").json()["d"]
    assert abs(date_ms(row["Modified"]) - utc_ms(2024, 7, 1, 12, 0)) < 5000
    filtered = exact.get(
        f"{MAIN}/hrm/Costcenters",
        **{
            "$filter": "Modified ge datetime'2024-07-01T11:59:00' and Modified lt datetime'2024-07-01T12:01'",
            "$select": "Code",
        },
    )
    assert [r["Code"] for r in filtered.json()["d"]["results"]] == ["100"]


def test_json_only_when_asked_for(exact):
    response = exact.call("GET", f"{MAIN}/hrm/Costunits", headers={"Accept": "*/*"})
    assert response.headers["Content-Type"].startswith("application/atom+xml")


# -- sync -----------------------------------------------------------------------------------------------


def test_sync_needs_select_and_pages_on_timestamp(exact, exact_ctl):
    path = f"{MAIN}/sync/Financial/GLAccounts"
    missing = exact.get(path, **{"$filter": "Timestamp gt 1"})
    assert missing.status_code == 400
    assert missing.json()["error"]["message"]["value"].startswith("Please add a $select or a $top=1")
    rows = exact.get(path, **{"$filter": "Timestamp gt 1", "$select": "Timestamp,ID,Code"}).json()["d"]["results"]
    assert len(rows) == len(demo.GL_ACCOUNTS)
    cursor = max(row["Timestamp"] for row in rows)
    exact_ctl.upsert("GLAccounts", {"ID": demo.gid("gl:4000"), "Description": "Inkoop materialen"})
    changed = exact.get(path, **{"$filter": f"Timestamp gt {cursor}L", "$select": "Timestamp,Code"}).json()
    assert [row["Code"] for row in changed["d"]["results"]] == ["4000"]


def test_sync_pages_hold_1000_rows(exact, exact_ctl):
    exact_ctl.seed({"GLAccounts": [{"Code": f"9{i:04d}", "Description": "x"} for i in range(1000)]})
    page = exact.get(f"{MAIN}/sync/Financial/GLAccounts", **{"$select": "Timestamp"}).json()["d"]
    assert len(page["results"]) == 1000 and "$skiptoken=" in page["__next"]
    rest = exact.call("GET", page["__next"]).json()["d"]
    assert len(rest["results"]) == len(demo.GL_ACCOUNTS) and "__next" not in rest


def test_sync_purchase_orders_one_row_per_line_and_deleted(exact, exact_ctl):
    path = f"{MAIN}/sync/PurchaseOrder/PurchaseOrders"
    rows = exact.get(path, **{"$select": "Timestamp,PurchaseOrderID,ID,OrderNumber,CostCenterCode"}).json()
    assert len(rows["d"]["results"]) == sum(len(po[-1]) for po in demo.PURCHASE_ORDERS)
    cursor = max(r["Timestamp"] for r in rows["d"]["results"])
    exact_ctl.upsert("PurchaseOrders", {"PurchaseOrderID": demo.gid("po:6"), "_delete": True})
    deleted = exact.get(f"{MAIN}/sync/Deleted", **{"$select": "EntityKey,EntityType,Timestamp"}).json()
    assert [(r["EntityKey"], r["EntityType"]) for r in deleted["d"]["results"]] == [(demo.gid("po:6"), 22)]
    after = exact.get(path, **{"$filter": f"Timestamp gt {cursor}L", "$select": "ID"}).json()["d"]["results"]
    assert after == []


# -- rate limits ----------------------------------------------------------------------------------------


def test_rate_limit_headers_and_429(exact, exact_ctl):
    exact_ctl.config(minutely_limit=3, daily_limit=1000)
    exact_ctl.set_clock("2024-05-01T10:00:05+00:00")
    exact.connect()
    seen = [exact.get(f"{MAIN}/hrm/Costunits", **{"$top": "1"}) for _ in range(3)]
    assert [r.headers["X-RateLimit-Minutely-Remaining"] for r in seen] == ["2", "1", "0"]
    assert seen[0].headers["X-RateLimit-Limit"] == "1000" and seen[-1].headers["X-RateLimit-Remaining"] == "997"
    assert seen[0].headers["X-RateLimit-Minutely-Reset"] == str(utc_ms(2024, 5, 1, 10, 1))
    assert seen[0].headers["X-RateLimit-Reset"] == str(utc_ms(2024, 5, 2))
    refused = exact.get(f"{MAIN}/hrm/Costunits")
    assert refused.status_code == 429 and refused.headers["X-RateLimit-Minutely-Remaining"] == "0"
    other_division = exact.get(f"{demo.INSTALL}/hrm/Costunits")
    assert other_division.status_code == 200  # limits are per company
    exact_ctl.advance(60)
    again = exact.get(f"{MAIN}/hrm/Costunits")
    assert again.status_code == 200 and again.headers["X-RateLimit-Remaining"] == "996"


def test_daily_limit(exact, exact_ctl):
    exact_ctl.config(minutely_limit=100, daily_limit=2)
    assert [exact.get(f"{MAIN}/hrm/Costunits").status_code for _ in range(3)] == [200, 200, 429]


# -- webhooks -------------------------------------------------------------------------------------------


def _subscribe(exact: Exact, topic: str = "PurchaseOrders") -> requests.Response:
    body = {"CallbackURL": exact.receiver.url + "/hook", "Topic": topic}
    return exact.call("POST", f"{MAIN}/webhooks/WebhookSubscriptions", json=body)


def _verify(raw: bytes) -> dict:
    match = re.fullmatch(rb'\{"Content":(.*),"HashCode":"([0-9A-F]{64})"\}', raw)
    assert match, raw
    expected = hmac.new(demo.WEBHOOK_SECRET.encode(), match.group(1), hashlib.sha256).hexdigest().upper()
    assert hmac.compare_digest(expected, match.group(2).decode())
    return json.loads(match.group(1))


def test_webhook_subscription_handshake_and_signed_key_only_notification(exact, exact_ctl):
    created = _subscribe(exact)
    assert created.status_code == 201 and created.json()["d"]["Topic"] == "PurchaseOrders"
    handshake = exact.receiver.posts("/hook")
    assert len(handshake) == 1 and handshake[0]["body"] == b""
    listed = exact.get(f"{MAIN}/webhooks/WebhookSubscriptions").json()["d"]["results"]
    assert [s["CallbackURL"] for s in listed] == [exact.receiver.url + "/hook"]
    exact_ctl.upsert("PurchaseOrders", {"PurchaseOrderID": demo.gid("po:2"), "Description": "Betonmortel fase 2"})
    content = _verify(exact.receiver.wait_for("/hook", 2)[1]["body"])
    assert content["Action"] == "Update" and content["Key"] == demo.gid("po:2")
    assert content["Topic"] == "PurchaseOrders" and content["Division"] == MAIN
    assert content["ClientId"] == demo.CLIENT_ID
    fetched = exact.call("GET", content["ExactOnlineEndpoint"]).json()["d"]
    assert fetched["Description"] == "Betonmortel fase 2"


def test_webhook_create_and_delete_actions_and_unsubscribe(exact, exact_ctl):
    subscription = _subscribe(exact).json()["d"]["ID"]
    order = {
        "Supplier": demo.gid("acc:2001"),
        "PurchaseOrderLines": [{"Description": "Dakpannen", "QuantityInPurchaseUnits": "10", "UnitPrice": "12.50"}],
    }
    created = exact_ctl.upsert("PurchaseOrders", order)
    exact_ctl.upsert("PurchaseOrders", {"PurchaseOrderID": created["id"], "_delete": True})
    actions = [_verify(r["body"])["Action"] for r in exact.receiver.wait_for("/hook", 3)[1:]]
    assert actions == ["Create", "Delete"]
    gone = exact.call("DELETE", f"{MAIN}/webhooks/WebhookSubscriptions(guid'{subscription}')")
    assert gone.status_code == 204
    exact_ctl.upsert("PurchaseOrders", {"PurchaseOrderID": demo.gid("po:1"), "Description": "x"})
    time.sleep(0.3)
    assert len(exact.receiver.posts("/hook")) == 3


def test_webhook_handshake_failure_refuses_the_subscription(exact):
    exact.receiver.statuses = [500]
    refused = _subscribe(exact)
    assert refused.status_code == 500
    assert "Post to callback URL endpoint returns 500" in refused.json()["error"]["message"]["value"]
    assert exact.get(f"{MAIN}/webhooks/WebhookSubscriptions").json()["d"]["results"] == []


def test_webhook_retries_and_duplicates_on_demand(exact, exact_ctl):
    exact_ctl.config(webhook_retries=2, webhook_retry_delay=0.05, webhook_duplicate=True)
    _subscribe(exact, "Accounts")
    exact.receiver.statuses = [503]
    exact_ctl.upsert("Accounts", {"ID": demo.gid("acc:2002"), "Phone": "030-1234567"})
    posts = exact.receiver.wait_for("/hook", 4)[1:]
    assert len(posts) == 3  # failed first attempt, its retry, then the duplicate
    assert posts[0]["body"] == posts[1]["body"] == posts[2]["body"]
    deadline = time.monotonic() + 5
    log = exact_ctl.records("WebhookDeliveries")
    while len(log) < 3 and time.monotonic() < deadline:  # a delivery is logged once its answer is in
        time.sleep(0.05)
        log = exact_ctl.records("WebhookDeliveries")
    assert [(e["status"], e["attempt"]) for e in log] == [(503, 1), (200, 2), (200, 1)]
