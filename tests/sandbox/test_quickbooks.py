"""The QuickBooks Online simulator over real HTTP, checked against the vendor facts and recordings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.quickbooks import demo
from sandbox.testing import SandboxControl

REDIRECT = demo.REDIRECT_URIS[0]
SCOPE = "com.intuit.quickbooks.accounting"


class QBO:
    """A small hand-written QuickBooks caller: consent, tokens, API calls."""

    def __init__(self, server, realm=demo.REALM):
        self.server, self.realm = server, realm
        self.http = requests.Session()
        self.basic = base64.b64encode(f"{demo.CLIENT_ID}:{demo.CLIENT_SECRET}".encode()).decode()
        self.token = None
        self.refresh = demo.REFRESH_TOKEN

    # OAuth
    def consent(self, state="st-1", decision="allow", realm=demo.REALM, redirect_uri=REDIRECT):
        params = {
            "client_id": demo.CLIENT_ID,
            "response_type": "code",
            "scope": SCOPE,
            "redirect_uri": redirect_uri,
            "state": state,
        }
        page = self.http.get(self.server.url("quickbooks-appcenter") + "/connect/oauth2", params=params)
        assert page.status_code == 200, page.text
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        answer = self.http.post(action, data={**form, "realmId": realm, "decision": decision}, allow_redirects=False)
        assert answer.status_code == 302
        location = urlsplit(answer.headers["Location"])
        return location, {k: v[0] for k, v in parse_qs(location.query).items()}, page

    def token_call(self, auth=True, **form):
        headers = {"Authorization": f"Basic {self.basic}", "Accept": "application/json"} if auth else {}
        return self.http.post(
            self.server.url("quickbooks-oauth") + "/oauth2/v1/tokens/bearer", data=form, headers=headers
        )

    def refresh_now(self):
        response = self.token_call(grant_type="refresh_token", refresh_token=self.refresh)
        assert response.status_code == 200, response.text
        self.token, self.refresh = response.json()["access_token"], response.json()["refresh_token"]
        return response.json()

    # API
    def url(self, rest, realm=None):
        return f"{self.server.url('quickbooks')}/v3/company/{realm or self.realm}/{rest}"

    def call(self, method, rest, realm=None, **kwargs):
        if self.token is None:
            self.refresh_now()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **kwargs.pop("headers", {})}
        return self.http.request(method, self.url(rest, realm), headers=headers, **kwargs)

    def query(self, statement):
        return self.call("GET", "query", params={"query": statement})

    def read(self, entity, record_id):
        response = self.call("GET", f"{entity.lower()}/{record_id}")
        assert response.status_code == 200, response.text
        return response.json()[entity]

    def post(self, entity, body, **params):
        return self.call("POST", entity.lower(), params=params, json=body)


@pytest.fixture
def qb_ctl(sandbox_server) -> SandboxControl:
    control = SandboxControl(sandbox_server.base_url, "quickbooks")
    control.reset()
    control.seed(preset="demo")
    return control


@pytest.fixture
def qbo(qb_ctl, sandbox_server):
    return QBO(sandbox_server)


class Receiver:
    """An app's webhook endpoint: records raw bodies and headers, answers with the statuses it is told to."""

    def __init__(self):
        self.hits: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.hits.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/quickbooks"

    def wait(self, count, timeout=15.0):
        deadline = time.time() + timeout
        while len(self.hits) < count and time.time() < deadline:
            time.sleep(0.02)
        return self.hits


@pytest.fixture
def receiver(qb_ctl):
    hook = Receiver()
    qb_ctl.upsert("apps", {"id": demo.CLIENT_ID, "webhook_url": hook.url})
    yield hook
    hook.server.shutdown()


def signature(body: bytes) -> str:
    return base64.b64encode(hmac.new(demo.VERIFIER_TOKEN.encode(), body, hashlib.sha256).digest()).decode()


def bill_body(amount="1500.00", vendor="13", job="7", account="6"):
    detail = {"AccountRef": {"value": account}, "CustomerRef": {"value": job}, "BillableStatus": "Billable"}
    return {
        "VendorRef": {"value": vendor},
        "Line": [
            {
                "Amount": amount,
                "DetailType": "AccountBasedExpenseLineDetail",
                "Description": "Trim plumbing",
                "AccountBasedExpenseLineDetail": detail,
            }
        ],
    }


# -- OAuth ---------------------------------------------------------------------------------------------------


def test_consent_page_redirects_with_code_state_and_realm(qbo):
    location, params, page = qbo.consent(state="xyz-42")
    assert "Connect" in page.text and "Keystone Builders LLC" in page.text
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert params["state"] == "xyz-42" and params["realmId"] == demo.REALM and params["code"]
    grant = qbo.token_call(grant_type="authorization_code", code=params["code"], redirect_uri=REDIRECT)
    assert grant.status_code == 200, grant.text
    body = grant.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["x_refresh_token_expires_in"] == 8726400 and grant.headers["Intuit-Tid"]
    again = qbo.token_call(grant_type="authorization_code", code=params["code"], redirect_uri=REDIRECT)
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}


def test_consent_refusals(qbo, sandbox_server):
    _, params, _ = qbo.consent(decision="deny", state="s9")
    assert params == {"error": "access_denied", "state": "s9"}
    bad = qbo.http.get(
        sandbox_server.url("quickbooks-appcenter") + "/connect/oauth2",
        allow_redirects=False,
        params={
            "client_id": demo.CLIENT_ID,
            "response_type": "code",
            "scope": SCOPE,
            "redirect_uri": "https://evil.example.com/cb",
            "state": "s",
        },
    )
    assert bad.status_code == 400 and "Location" not in bad.headers
    _, params, _ = qbo.consent()
    wrong_uri = qbo.token_call(grant_type="authorization_code", code=params["code"], redirect_uri=REDIRECT + "x")
    assert wrong_uri.json() == {"error": "invalid_grant"}


def test_client_auth_is_basic_and_checked(qbo):
    qbo.basic = base64.b64encode(f"{demo.CLIENT_ID}:wrong".encode()).decode()
    assert qbo.token_call(grant_type="refresh_token", refresh_token=demo.REFRESH_TOKEN).status_code == 401
    assert qbo.token_call(auth=False, grant_type="refresh_token", refresh_token=demo.REFRESH_TOKEN).status_code == 401


def test_refresh_rotates_and_superseded_token_is_invalid_grant(qbo):
    first = qbo.refresh_now()
    assert first["refresh_token"] != demo.REFRESH_TOKEN
    stale = qbo.token_call(grant_type="refresh_token", refresh_token=demo.REFRESH_TOKEN)
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"
    second = qbo.refresh_now()
    assert second["refresh_token"] != first["refresh_token"]
    hard = qbo.token_call(grant_type="refresh_token", refresh_token=qbo.refresh, **{}).json()
    assert "x_refresh_token_hard_expires_in" not in hard
    headers = {"Authorization": f"Basic {qbo.basic}", "x-include-refresh-token-hard-expires-in": "true"}
    with_hard = qbo.http.post(
        qbo.server.url("quickbooks-oauth") + "/oauth2/v1/tokens/bearer",
        headers=headers,
        data={"grant_type": "refresh_token", "refresh_token": hard["refresh_token"]},
    ).json()
    assert 0 < with_hard["x_refresh_token_hard_expires_in"] <= 157680000


def test_access_token_lives_one_hour_on_the_simulator_clock(qbo, qb_ctl):
    assert qbo.call("GET", "vendor/10").status_code == 200
    qb_ctl.advance(3601)
    expired = qbo.call("GET", "vendor/10")
    assert expired.status_code == 401
    assert expired.json()["fault"]["error"][0]["code"] == "3200"
    assert isinstance(expired.json()["time"], int)
    qb_ctl.config(auth_fault_format="xml")
    assert qbo.call("GET", "vendor/10").text.count("AuthenticationFault") == 1


def test_revoke_ends_the_grant(qbo):
    qbo.refresh_now()
    revoke = qbo.http.post(
        qbo.server.url("quickbooks-developer") + "/v2/oauth2/tokens/revoke",
        json={"token": qbo.refresh},
        headers={"Authorization": f"Basic {qbo.basic}"},
    )
    assert revoke.status_code == 200
    assert qbo.call("GET", "vendor/10").status_code == 401
    assert qbo.token_call(grant_type="refresh_token", refresh_token=qbo.refresh).json()["error"] == "invalid_grant"


def test_token_is_for_one_company(qbo):
    assert qbo.call("GET", "vendor/1", realm=demo.OTHER_REALM).status_code == 403


# -- records, SyncToken ---------------------------------------------------------------------------------------


def test_create_read_and_sync_token(qbo):
    created = qbo.post("Bill", bill_body())
    assert created.status_code == 200, created.text
    bill = created.json()["Bill"]
    assert bill["SyncToken"] == "0" and bill["TotalAmt"] == 1500 and bill["Balance"] == 1500
    assert bill["APAccountRef"]["name"] == "Accounts Payable (A/P)"
    assert bill["Line"][0]["AccountBasedExpenseLineDetail"]["CustomerRef"]["name"].endswith(":Lot 14 Custom Home")
    sparse = qbo.post("Bill", {"Id": bill["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "checked"})
    assert sparse.json()["Bill"]["SyncToken"] == "1" and sparse.json()["Bill"]["Line"] == bill["Line"]
    stale = qbo.post("Bill", {"Id": bill["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "again"})
    assert stale.status_code == 400
    error = stale.json()["Fault"]["Error"][0]
    assert error["code"] == "5010" and error["Message"] == "Stale Object Error"
    assert stale.json()["Fault"]["type"] == "ValidationFault"
    assert qbo.read("Bill", bill["Id"])["PrivateNote"] == "checked"


def test_full_update_replaces_and_unknown_property_is_refused(qbo):
    vendor = qbo.read("Vendor", "10")
    full = qbo.post("Vendor", {"Id": "10", "SyncToken": vendor["SyncToken"], "DisplayName": "Ace Concrete Supply"})
    assert full.status_code == 200
    assert "PrimaryEmailAddr" not in full.json()["Vendor"] and "CompanyName" not in full.json()["Vendor"]
    bad = qbo.post("Vendor", {"DisplayName": "New Vendor", "BadJson": True})
    assert bad.status_code == 400 and bad.json()["Fault"]["Error"][0]["code"] == "2010"
    duplicate = qbo.post("Customer", {"DisplayName": "Ace Concrete Supply"})
    assert duplicate.json()["Fault"]["Error"][0]["code"] == "6240"


def test_delete_answers_the_recorded_stub(qbo):
    bill = qbo.read("Bill", "107")
    deleted = qbo.post("Bill", {"Id": "107", "SyncToken": bill["SyncToken"]}, operation="delete").json()
    assert deleted["Bill"] == {"domain": "QBO", "status": "Deleted", "Id": "107"}
    assert qbo.call("GET", "bill/107").json()["Fault"]["Error"][0]["code"] == "610"


def test_bill_payment_lowers_balance_and_links_both_ways(qbo):
    bill = qbo.read("Bill", "110")  # open Brightline bill, 4,200.00
    payment = {
        "VendorRef": {"value": "12"},
        "PayType": "Check",
        "TotalAmt": 1200,
        "CheckPayment": {"BankAccountRef": {"value": "2"}},
        "Line": [{"Amount": 1200, "LinkedTxn": [{"TxnId": "110", "TxnType": "Bill"}]}],
    }
    made = qbo.post("BillPayment", payment).json()["BillPayment"]
    after = qbo.read("Bill", "110")
    assert after["Balance"] == 3000 and int(after["SyncToken"]) == int(bill["SyncToken"]) + 1
    assert after["LinkedTxn"] == [{"TxnId": made["Id"], "TxnType": "BillPaymentCheck"}]
    assert made["Line"][0]["LinkedTxn"] == [{"TxnId": "110", "TxnType": "Bill"}]
    too_much = qbo.post("BillPayment", {**payment, "TotalAmt": 5000, "Line": [{**payment["Line"][0], "Amount": 5000}]})
    assert too_much.status_code == 400
    qbo.post("BillPayment", {"Id": made["Id"], "SyncToken": made["SyncToken"]}, operation="delete")
    restored = qbo.read("Bill", "110")
    assert restored["Balance"] == 4200 and "LinkedTxn" not in restored


def test_demo_has_paid_partly_paid_and_open_bills(qbo):
    bills = qbo.query("SELECT * FROM Bill MAXRESULTS 1000").json()["QueryResponse"]["Bill"]
    states = {("paid" if b["Balance"] == 0 else "partly" if b["Balance"] < b["TotalAmt"] else "open") for b in bills}
    assert states == {"paid", "partly", "open"}
    kinds = {line["DetailType"] for bill in bills for line in bill["Line"]}
    assert kinds == {"AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"}
    jobs = qbo.query("SELECT * FROM Customer WHERE Job = true").json()["QueryResponse"]["Customer"]
    assert all(job["ParentRef"]["value"] for job in jobs) and any(job.get("Level") == 2 for job in jobs)


# -- query ---------------------------------------------------------------------------------------------------


def test_query_pages_without_overlap(qbo):
    total = qbo.query("SELECT COUNT(*) FROM Bill").json()["QueryResponse"]["totalCount"]
    seen, start = [], 1
    while True:
        page = qbo.query(f"SELECT * FROM Bill ORDERBY Id STARTPOSITION {start} MAXRESULTS 3").json()["QueryResponse"]
        if not page:
            break
        assert page["startPosition"] == start and page["maxResults"] == len(page["Bill"]) <= 3
        seen += [bill["Id"] for bill in page["Bill"]]
        start += 3
    assert len(seen) == len(set(seen)) == total == 11
    assert seen == sorted(seen, key=int)


def test_query_conditions(qbo):
    def ids(statement):
        body = qbo.query(statement).json()["QueryResponse"]
        return sorted(next(iter(v for v in body.values() if isinstance(v, list)), []), key=lambda r: r["Id"])

    assert sorted(v["DisplayName"] for v in ids("select * from Vendor where DisplayName LIKE 'S%'")) == [
        "Shell Fleet Services",
        "Summit Plumbing & Heating",
    ]
    assert [b["Id"] for b in ids("SELECT * FROM Bill WHERE Id IN ('100', '101')")] == ["100", "101"]
    assert all(b["Balance"] > 0 for b in ids("SELECT * FROM Bill WHERE Balance > '0'"))
    assert ids("SELECT * FROM Bill WHERE VendorRef = '13' AND TotalAmt >= '7000'")[0]["Id"] == "104"
    recent = ids("SELECT * FROM Bill WHERE MetaData.LastUpdatedTime >= '2000-01-01T00:00:00-08:00'")
    assert len(recent) == 11
    assert qbo.query("SELECT * FROM Vendor WHERE DisplayName = 'Nobody'").json()["QueryResponse"] == {}
    for bad in (
        "SELECT * FROM Vendor WHERE Active = true OR Balance > '0'",
        "SELECT * FROM Vendr",
        "SELECT * FROM Vendor MAXRESULTS 0",
    ):
        fault = qbo.query(bad)
        assert fault.status_code == 400 and fault.json()["Fault"]["Error"][0]["code"] == "4001"


def test_inactive_names_hidden_unless_asked_and_maxresults_capped(qbo, qb_ctl):
    qb_ctl.upsert("Vendor", {"Id": "16", "_op": "delete"})
    names = [v["DisplayName"] for v in qbo.query("SELECT * FROM Vendor").json()["QueryResponse"]["Vendor"]]
    assert "Shell Fleet Services" not in names and len(names) == 6
    both = qbo.query("SELECT * FROM Vendor WHERE Active IN (true, false)").json()["QueryResponse"]["Vendor"]
    assert "Shell Fleet Services (deleted)" in [v["DisplayName"] for v in both]
    qb_ctl.seed({"Class": [{"Name": f"Crew {n}"} for n in range(1005)]})
    capped = qbo.query("SELECT * FROM Class MAXRESULTS 2000").json()["QueryResponse"]
    assert capped["maxResults"] == 1000


# -- change data capture --------------------------------------------------------------------------------------


def test_cdc_reports_changes_and_deleted_stubs(qbo, qb_ctl):
    since = qb_ctl.clock()["now"]
    qb_ctl.advance(5)
    qb_ctl.upsert("Bill", {"Id": "106", "_op": "delete"})
    qb_ctl.upsert("Vendor", {"Id": "14", "PrintOnCheckName": "Rapid Rentals"})
    body = qbo.call("GET", "cdc", params={"entities": "Bill,Vendor,Class", "changedSince": since}).json()
    bills, vendors, classes = body["CDCResponse"][0]["QueryResponse"]
    assert bills["Bill"] == [
        {
            "domain": "QBO",
            "status": "Deleted",
            "Id": "106",
            "MetaData": {"LastUpdatedTime": bills["Bill"][0]["MetaData"]["LastUpdatedTime"]},
        }
    ]
    assert [v["Id"] for v in vendors["Vendor"]] == ["14"] and vendors["maxResults"] == 1
    assert classes == {}


def test_cdc_limits(qbo, qb_ctl):
    old = qbo.call("GET", "cdc", params={"entities": "Bill", "changedSince": "2001-01-01T00:00:00Z"})
    assert old.status_code == 400 and old.json()["Fault"]["Error"][0]["code"] == "4001"
    since = qb_ctl.clock()["now"]
    qb_ctl.advance(2)
    qb_ctl.seed({"Department": [{"Name": f"Site {n}"} for n in range(1003)]})
    body = qbo.call("GET", "cdc", params={"entities": "Department", "changedSince": since}).json()
    block = body["CDCResponse"][0]["QueryResponse"][0]
    assert len(block["Department"]) == block["maxResults"] == 1000


# -- requestid, throttling, headers ---------------------------------------------------------------------------


def test_requestid_replays_the_original_answer(qbo, qb_ctl):
    first = qbo.post("Vendor", {"DisplayName": "Granite Works"}, requestid="ledger-row-77")
    again = qbo.post("Vendor", {"DisplayName": "Granite Works"}, requestid="ledger-row-77")
    assert first.status_code == again.status_code == 200
    assert again.json()["Vendor"]["Id"] == first.json()["Vendor"]["Id"]
    count = qbo.query("SELECT COUNT(*) FROM Vendor WHERE DisplayName = 'Granite Works'").json()
    assert count["QueryResponse"]["totalCount"] == 1
    other = qbo.post("Vendor", {"DisplayName": "Granite Works"}, requestid="ledger-row-78")
    assert other.json()["Fault"]["Error"][0]["code"] == "6240"


def test_throttle_per_company_in_xml_or_json(qbo, qb_ctl):
    qbo.refresh_now()
    qb_ctl.config(throttle_per_minute=2)  # the per-minute window: robust on a slow machine
    answers = [qbo.call("GET", "vendor/10") for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert answers[2].status_code == 429 and answers[2].headers["Content-Type"].startswith("application/xml")
    assert "ThrottleExceeded; errorCode=003001; statusCode=429" in answers[2].text
    assert qbo.call("GET", "vendor/10", realm=demo.OTHER_REALM).status_code == 403  # not throttled: refused first
    qb_ctl.config(throttle_format="json")
    qb_ctl.advance(61)
    answers = [qbo.call("GET", "vendor/10") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["Fault"]["type"] == "SERVICE" and answers[2].json()["Fault"]["Error"][0]["code"] == "3001"
    qb_ctl.config(throttle_per_minute=500, throttle_per_second=1)
    qb_ctl.advance(61)
    assert [qbo.call("GET", "vendor/10").status_code for _ in range(2)][0] == 200


def test_intuit_tid_on_every_answer(qbo):
    answers = [qbo.call("GET", "vendor/10"), qbo.call("GET", "vendor/99999"), qbo.token_call(grant_type="x")]
    assert all(re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", a.headers["Intuit-Tid"]) for a in answers)


# -- webhooks ------------------------------------------------------------------------------------------------


def test_legacy_webhook_is_signed(qbo, qb_ctl, receiver):
    bill = qbo.post("Bill", bill_body()).json()["Bill"]
    headers, raw = receiver.wait(1)[0]
    assert hmac.compare_digest(headers["intuit-signature"], signature(raw))
    event = json.loads(raw)["eventNotifications"][0]
    assert event["realmId"] == demo.REALM
    assert event["dataChangeEvent"]["entities"][0] == {
        "name": "Bill",
        "id": bill["Id"],
        "operation": "Create",
        "lastUpdated": event["dataChangeEvent"]["entities"][0]["lastUpdated"],
    }


def test_cloudevents_webhook_is_signed(qbo, qb_ctl, receiver):
    qb_ctl.config(webhook_format="cloudevents")
    qb_ctl.upsert("Vendor", {"Id": "11", "_op": "delete"})
    headers, raw = receiver.wait(1)[0]
    assert headers["intuit-signature"] == signature(raw)
    events = json.loads(raw)
    assert isinstance(events, list) and events[0]["type"] == "qbo.vendor.deleted.v1"
    assert events[0]["intuitentityid"] == "11" and events[0]["intuitaccountid"] == demo.REALM
    assert events[0]["specversion"] == "1.0"


def test_dropped_webhook_never_arrives_but_cdc_sees_the_change(qbo, qb_ctl, receiver):
    qb_ctl.config(webhook_drop=1)
    since = qb_ctl.clock()["now"]
    qb_ctl.advance(1)
    qb_ctl.upsert("Vendor", {"Id": "15", "PrintOnCheckName": "Springfield Permit Office"})
    deadline = time.time() + 10
    while not [d for d in qb_ctl.records("webhook_deliveries") if d["status"] == "dropped"] and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert receiver.hits == []
    body = qbo.call("GET", "cdc", params={"entities": "Vendor", "changedSince": since}).json()
    assert [v["Id"] for v in body["CDCResponse"][0]["QueryResponse"][0]["Vendor"]] == ["15"]
    qb_ctl.config(webhook_duplicate=1)
    qb_ctl.upsert("Vendor", {"Id": "15", "PrintOnCheckName": "City Permits"})
    first, second = receiver.wait(2)[:2]
    assert first[1] == second[1]


def test_failed_delivery_is_retried_in_order(qbo, qb_ctl, receiver):
    qb_ctl.config(webhook_retry_scale=0.01)
    receiver.statuses = [500, 503]
    qb_ctl.upsert("Vendor", {"Id": "14", "PrintOnCheckName": "one"})
    qb_ctl.upsert("Vendor", {"Id": "13", "PrintOnCheckName": "two"})
    hits = receiver.wait(4)
    assert len(hits) >= 4
    bodies = [h[1] for h in hits[:4]]
    assert bodies[0] == bodies[1] == bodies[2] != bodies[3]  # the failing one first, until acknowledged
    log = qb_ctl.records("webhook_deliveries")
    assert [d["status"] for d in log][:4] == [500, 503, 200, 200]
