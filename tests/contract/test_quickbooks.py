"""QuickBooks Online client and adapter, over real HTTP against the simulator.

Tokens come from the consent page (driven with requests) and our code exchange; reads go through change data
capture or the query endpoint; writes carry requestids and SyncTokens; webhooks are checked against Intuit's own
signature vectors and our verifier token.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from connections import errors
from connections.models import Connection, ConnectionStatus, Environment
from connections.systems.quickbooks import auth
from connections.systems.quickbooks.client import request_id
from connections.systems.quickbooks.errors import StaleObject
from sandbox.quickbooks import demo
from sandbox.testing import SandboxControl
from syncs.canonical import Vendor
from syncs.engine import adapter_for
from tests.conformance.quickbooks import DOCUMENTED_ROUTES, check_entity

pytestmark = pytest.mark.django_db(transaction=True)

VECTORS = Path("/work/shared/vendor-apis/specs/quickbooks/sdk-fixtures/webhooks-and-token-vectors.json")
REDIRECT = demo.REDIRECT_URIS[0]
VENDOR_PATH = f"/v3/company/{demo.REALM}/vendor"
STAMP = "2026-11-21T10:00:00Z"


@pytest.fixture
def qbo_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "quickbooks")
    control.reset()
    control.seed(preset="demo")
    return control


def make_connection(tenant, sandbox, realm=demo.REALM, **secrets):
    settings = {
        "base_url": f"{sandbox.base_url}/quickbooks",
        "discovery_url": f"{sandbox.base_url}/quickbooks-oauth/.well-known/openid-configuration",
    }
    if realm:
        settings["realm_id"] = realm
    return Connection.objects.create(
        tenant=tenant,
        system="quickbooks",
        name="QuickBooks Keystone",
        environment=Environment.SIMULATOR,
        settings=settings,
        secrets={
            "client_id": demo.CLIENT_ID,
            "client_secret": demo.CLIENT_SECRET,
            "webhook_verifier_token": demo.VERIFIER_TOKEN,
            **secrets,
        },
    )


@pytest.fixture
def qbo(qbo_sim, sandbox, tenant_a):
    return make_connection(tenant_a, sandbox, refresh_token=demo.REFRESH_TOKEN)


def fresh(connection):
    return adapter_for(Connection.objects.get(pk=connection.pk))


def consent(connection, state="state-1", realm=demo.REALM) -> dict:
    """Open the consent page at our authorize URL, allow access for `realm`, and return the callback's query."""
    url = auth.authorize_url(connection, REDIRECT, state)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    answer = requests.post(action, data={**form, "realmId": realm, "decision": "allow"}, allow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def store(connection, grant):
    """What the connect flow's callback does with a grant: cache the tokens on the connection."""
    connection.token_state = {"access_token": grant.access_token, "refresh_token": grant.refresh_token}
    connection.token_expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=grant.expires_in)
    connection.save()


def by_number(items):
    return {item.raw.get("DocNumber"): item for item in items if not item.deleted}


# --- OAuth: consent, code exchange, rotating refresh tokens, revoke ---------------------------------------------
def test_consent_and_code_exchange_record_the_realm_and_tokens(qbo_sim, sandbox, tenant_a):
    connection = make_connection(tenant_a, sandbox, realm=None)
    url = auth.authorize_url(connection, REDIRECT, "s-42")
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == ["com.intuit.quickbooks.accounting"] and query["response_type"] == ["code"]
    assert query["state"] == ["s-42"] and query["client_id"] == [demo.CLIENT_ID]

    callback = consent(connection, state="s-42")
    assert callback["state"] == "s-42" and callback["realmId"] == demo.REALM
    grant = auth.exchange_code(connection, callback["code"], REDIRECT, callback["realmId"])
    assert grant.access_token and grant.refresh_token and grant.expires_in == 3600
    connection.refresh_from_db()
    assert connection.settings["realm_id"] == demo.REALM
    store(connection, grant)
    assert fresh(connection).check().ok
    assert qbo_sim.calls().get("POST /oauth2/v1/tokens/bearer") == 1  # the exchanged token is used as it is
    token_call = next(e for e in qbo_sim.journal() if e["path"] == "/oauth2/v1/tokens/bearer")
    assert "authorization" in token_call["headers"]  # client authentication by HTTP Basic, not in the form
    assert parse_qs(token_call["body"]).keys() == {"grant_type", "code", "redirect_uri"}
    with pytest.raises(auth.InvalidGrant):  # an authorization code is single use
        auth.exchange_code(connection, callback["code"], REDIRECT)


def test_the_connect_flow_part_reads_the_company_and_refuses_another_one(qbo_sim, sandbox, tenant_a):
    connection = make_connection(tenant_a, sandbox, realm=None)
    flow = connection.spec.oauth_flow()
    callback = consent(connection)
    grant = flow.exchange_code(connection, callback["code"], REDIRECT, {"realmId": callback["realmId"]})
    store(connection, grant)
    note = flow.connected(Connection.objects.get(pk=connection.pk), {"realmId": callback["realmId"]})
    assert "Keystone Builders" in note and demo.REALM in note

    other = consent(connection, realm=demo.OTHER_REALM)  # the admin picks the other company the second time
    before = qbo_sim.calls().get("POST /oauth2/v1/tokens/bearer")
    with pytest.raises(auth.InvalidGrant, match="company"):
        flow.exchange_code(Connection.objects.get(pk=connection.pk), other["code"], REDIRECT, other)
    assert qbo_sim.calls().get("POST /oauth2/v1/tokens/bearer") == before  # refused before the code was spent
    assert Connection.objects.get(pk=connection.pk).settings["realm_id"] == demo.REALM


def test_refresh_tokens_rotate_and_a_superseded_one_requires_reauthorisation(qbo_sim, sandbox, tenant_a):
    connection = make_connection(tenant_a, sandbox)
    store(connection, auth.exchange_code(connection, consent(connection)["code"], REDIRECT))
    first_refresh = Connection.objects.get(pk=connection.pk).token_state["refresh_token"]

    qbo_sim.advance(3700)  # the access token expired at Intuit: a 401, one refresh, the call goes through
    assert list(fresh(connection).reference("class"))
    state = Connection.objects.get(pk=connection.pk).token_state
    assert state["refresh_token"] != first_refresh  # rotated, and the new one is what we keep

    qbo_sim.advance(3700)  # the same again with the refresh token we kept
    assert list(fresh(connection).reference("class"))
    latest = Connection.objects.get(pk=connection.pk)
    assert latest.status == ConnectionStatus.ACTIVE

    latest.token_state = {**latest.token_state, "refresh_token": first_refresh}  # e.g. a stale copy restored
    latest.save()
    qbo_sim.advance(3700)
    with pytest.raises(errors.ReauthRequired):
        list(fresh(connection).reference("class"))
    latest.refresh_from_db()
    assert latest.status == ConnectionStatus.REAUTH_REQUIRED and "invalid_grant" in latest.status_reason


def test_revoke_forgets_the_tokens_and_intuit_refuses_the_refresh_token(qbo_sim, sandbox, tenant_a):
    connection = make_connection(tenant_a, sandbox)
    store(connection, auth.exchange_code(connection, consent(connection)["code"], REDIRECT))
    refresh_token = Connection.objects.get(pk=connection.pk).token_state["refresh_token"]
    auth.revoke(Connection.objects.get(pk=connection.pk))
    connection.refresh_from_db()
    assert connection.token_state == {}
    assert qbo_sim.calls().get("POST /v2/oauth2/tokens/revoke") == 1
    with pytest.raises(auth.InvalidGrant):
        auth.fetch_token(connection, {"refresh_token": refresh_token})


# --- reads: CDC, query fallback, deleted stubs --------------------------------------------------------------------
def test_bills_changed_recently_come_through_cdc_with_deleted_stubs(qbo, qbo_sim):
    adapter = fresh(qbo)
    bills = by_number(adapter.changed("bill", None))  # first read: the query endpoint, all bills
    assert {"AC-20417", "NL-88412", "BE-1107", "SF-2024-11"} <= set(bills)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    qbo_sim.advance(60)
    doomed, edited = bills["SF-2024-11"], bills["RER-99120"]
    qbo_sim.upsert("Bill", {"Id": doomed.native_id, "_op": "delete"})
    qbo_sim.upsert("Bill", {"Id": edited.native_id, "PrivateNote": "Rental per contract 88"})
    qbo_sim.clear_journal()

    items = {item.native_id: item for item in fresh(qbo).changed("bill", since)}
    assert set(items) == {doomed.native_id, edited.native_id}
    assert items[doomed.native_id].deleted and items[doomed.native_id].record is None
    assert not items[edited.native_id].deleted
    assert items[edited.native_id].record.description == "Rental per contract 88"
    assert items[edited.native_id].version != edited.version
    paths = [entry["path"] for entry in qbo_sim.journal() if entry.get("host") == "api"]
    assert any(path.endswith("/cdc") for path in paths) and not any(path.endswith("/query") for path in paths[:1])
    cdc = next(entry for entry in qbo_sim.journal() if entry["path"].endswith("/cdc"))
    assert cdc["query"]["entities"] == ["Bill"]


def test_a_window_beyond_thirty_days_is_read_through_the_query_endpoint(qbo, qbo_sim):
    qbo_sim.clear_journal()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=38)
    items = list(fresh(qbo).changed("bill", since))
    numbers = {item.record.number for item in items}
    assert "SPH-3301" in numbers and "AC-20417" not in numbers  # last changed 30 and 40 days ago
    assert all(item.modified_at >= since for item in items)
    paths = [entry["path"] for entry in qbo_sim.journal() if entry.get("host") == "api"]
    assert paths and all(path.endswith("/query") for path in paths)
    statements = [entry["query"]["query"][0] for entry in qbo_sim.journal() if entry["path"].endswith("/query")]
    assert any("FROM Bill WHERE MetaData.LastUpdatedTime >= " in s and "STARTPOSITION 1" in s for s in statements)


def test_an_entity_at_the_cdc_cap_is_read_again_through_the_query_endpoint(qbo, qbo_sim):
    bills = by_number(fresh(qbo).changed("bill", None))
    template = bills["BP-2291"].raw
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    qbo_sim.advance(60)
    line = {
        "Amount": 10.0,
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {
            "AccountRef": template["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]
        },
    }
    many = [
        {"VendorRef": template["VendorRef"], "DocNumber": f"BULK-{n:04d}", "TxnDate": "2026-11-20", "Line": [line]}
        for n in range(1005)
    ]
    qbo_sim.seed({"Bill": many})  # more changes than one CDC answer may hold
    qbo_sim.clear_journal()
    numbers = [item.record.number for item in fresh(qbo).changed("bill", since)]
    assert len(numbers) == len(set(numbers)) == 1005 and "BULK-1004" in numbers
    paths = [entry["path"].rsplit("/", 1)[-1] for entry in qbo_sim.journal() if entry.get("host") == "api"]
    assert paths[0] == "cdc" and paths.count("query") >= 2  # the whole window again, page by page


def test_queries_page_with_startposition_until_a_short_page(qbo, qbo_sim):
    adapter = fresh(qbo)
    qbo_sim.clear_journal()
    paged = [row["Id"] for row in adapter.client.select("Vendor", "Active = true", page_size=3)]
    everything = [row["Id"] for row in adapter.client.select("Vendor", "Active = true")]
    assert paged == everything and len(paged) == 7
    statements = [e["query"]["query"][0] for e in qbo_sim.journal() if e["path"].endswith("/query")]
    assert [s.split("STARTPOSITION ")[1] for s in statements[:3]] == [
        "1 MAXRESULTS 3",
        "4 MAXRESULTS 3",
        "7 MAXRESULTS 3",
    ]
    assert statements[3].endswith("STARTPOSITION 1 MAXRESULTS 1000")


def test_bill_lines_carry_account_job_class_and_location(qbo):
    bills = by_number(fresh(qbo).changed("bill", None))
    footings = bills["AC-20417"].record  # item lines: the account is the item's expense account
    assert [line.amount for line in footings.lines] == [Decimal("1980.00"), Decimal("500.00")]
    assert footings.lines[0].account == "5000" and footings.lines[0].quantity == Decimal("12")
    assert footings.lines[0].unit_cost == Decimal("165.00") and footings.lines[0].description == "Footings pour"
    assert footings.project is not None and "Pier 7 Lofts" in footings.project.name
    assert set(footings.lines[0].dimensions) == {"customer", "class"}
    framing = bills["NL-88412"].record  # account lines on two jobs, at one location
    assert [line.account for line in framing.lines] == ["5010", "5010"]
    assert framing.project is None and len({line.project.native_id for line in framing.lines}) == 2
    assert all(line.dimensions["department"] for line in framing.lines)
    assert framing.lines[0].dimensions["customer"] == framing.lines[0].project.native_id
    fuel = bills["SF-2024-11"].record
    assert fuel.lines[0].project is None and "customer" not in fuel.lines[0].dimensions
    assert fuel.total == Decimal("412.37") and fuel.vendor.name == "Shell Fleet Services"


def test_reference_kinds_list_jobs_with_their_parents_and_accounts_by_number(qbo):
    adapter = fresh(qbo)
    customers = {item.name: item for item in adapter.reference("customer")}
    assert customers["Phase 2 Interiors"].parent == customers["Pier 7 Lofts"].native_id
    assert customers["Pier 7 Lofts"].parent == customers["Harbor View Properties"].native_id
    accounts = {item.code: item for item in adapter.reference("account")}
    assert accounts["5010"].name == "Lumber" and accounts["2000"].active
    classes = {item.name: item for item in adapter.reference("class")}
    assert classes["Tenant Improvements"].parent == classes["Commercial"].native_id
    assert {item.name for item in adapter.reference("department")} >= {"North Yard", "South Yard", "Shop"}


# --- payment status ------------------------------------------------------------------------------------------
def test_paid_and_partly_paid_come_from_balance_and_linked_bill_payments(qbo, qbo_sim):
    statuses = by_number(fresh(qbo).changed("payment_status", None))
    footings = statuses["AC-20417"].record
    assert footings.status == "paid" and footings.balance == 0 and len(footings.payments) == 1
    assert footings.payments[0].amount == footings.amount and footings.payments[0].status == "Check"
    rough_in = statuses["BE-1107"].record
    assert rough_in.status == "partly_paid" and rough_in.balance == Decimal("8500.00")
    assert [p.amount for p in rough_in.payments] == [Decimal("10000.00")]
    assert statuses["RER-99120"].record.payments[0].status == "CreditCard"
    assert statuses["NL-88650"].record.status == "open" and statuses["NL-88650"].record.payments == []

    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    qbo_sim.advance(60)
    bank = next(item.native_id for item in fresh(qbo).reference("account") if item.code == "1010")
    bill = statuses["BE-1107"].raw
    qbo_sim.upsert(
        "BillPayment",
        {
            "VendorRef": bill["VendorRef"],
            "PayType": "Check",
            "CheckPayment": {"BankAccountRef": {"value": bank}},
            "TotalAmt": 8500.00,
            "Line": [{"Amount": 8500.00, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}],
        },
    )
    later = {item.native_id: item for item in fresh(qbo).changed("payment_status", since)}
    now = later[bill["Id"]]
    assert now.record.status == "paid" and now.record.balance == 0
    assert sorted(p.amount for p in now.record.payments) == [Decimal("8500.00"), Decimal("10000.00")]
    assert now.version != statuses["BE-1107"].version
    assert fresh(qbo).get("payment_status", bill["Id"]).version == now.version  # the same state reads the same


# --- writes: requestid and SyncToken ----------------------------------------------------------------------------
def test_a_replayed_create_makes_one_vendor(qbo, qbo_sim):
    adapter = fresh(qbo)
    qbo_sim.fault("reset_after_write", method="POST", path=VENDOR_PATH)  # applied, but the answer is lost
    created = adapter.write("vendor", Vendor(native_id="p-1", name="Granite Works Ltd"), "ledger-17")
    assert created.created
    named = [v for v in qbo_sim.records("Vendor") if v.get("DisplayName") == "Granite Works Ltd"]
    assert len(named) == 1 and str(named[0]["Id"]) == created.destination_id
    posts = [e for e in qbo_sim.journal() if e["method"] == "POST" and e["path"] == VENDOR_PATH]
    assert len(posts) == 2 and posts[0]["query"]["requestid"] == posts[1]["query"]["requestid"]
    assert posts[0]["query"]["requestid"] == [request_id("create", "Vendor", "ledger-17")]

    again = fresh(qbo).write("vendor", Vendor(native_id="p-1", name="Granite Works Ltd"), "ledger-17")
    assert again.destination_id == created.destination_id  # the next attempt of the same row: replayed, not redone
    assert len([v for v in qbo_sim.records("Vendor") if v.get("DisplayName") == "Granite Works Ltd"]) == 1


def test_a_stale_sync_token_is_read_again_and_the_update_retried_once(qbo, qbo_sim):
    adapter = fresh(qbo)
    vendor_id = adapter.find("vendor", Vendor(native_id="", name="Rapid Equipment Rentals"), "k")
    before = adapter.get("vendor", vendor_id)
    qbo_sim.upsert("Vendor", {"Id": vendor_id, "CompanyName": "Rapid Rentals Inc."})  # someone edits it meanwhile
    qbo_sim.clear_journal()
    result = adapter.write("vendor", Vendor(native_id="", name="Rapid Equipment Rentals", active=False), "k", vendor_id)
    assert not result.created and result.destination_id == vendor_id
    entries = [e for e in qbo_sim.journal() if e["path"].startswith(VENDOR_PATH)]
    assert [(e["method"], e["status"]) for e in entries] == [("POST", 400), ("GET", 200), ("POST", 200)]
    assert all(json.loads(e["body"])["sparse"] is True for e in entries if e["method"] == "POST")
    assert adapter.vendors.sync_tokens[vendor_id] != before.raw["SyncToken"]
    after = fresh(qbo).get("vendor", vendor_id)
    assert after.record.active is False and after.raw["CompanyName"] == "Rapid Rentals Inc."


def test_a_second_stale_answer_is_not_retried_again(qbo, qbo_sim, monkeypatch):
    adapter = fresh(qbo)
    vendor_id = adapter.find("vendor", Vendor(native_id="", name="Ace Concrete Supply"), "k")
    adapter.get("vendor", vendor_id)
    real_read = adapter.vendors.client.read

    def read_then_edit(entity, native_id):  # every re-read is overtaken by another edit before our update lands
        row = real_read(entity, native_id)
        qbo_sim.upsert("Vendor", {"Id": native_id, "Notes": f"edited {row['SyncToken']}"})
        return row

    qbo_sim.upsert("Vendor", {"Id": vendor_id, "Notes": "first edit"})
    monkeypatch.setattr(adapter.vendors.client, "read", read_then_edit)
    with pytest.raises(StaleObject) as caught:
        adapter.write("vendor", Vendor(native_id="", name="Ace Concrete Supply", active=False), "k", vendor_id)
    assert caught.value.code == "5010"
    posts = [e for e in qbo_sim.journal() if e["method"] == "POST" and e["path"] == VENDOR_PATH]
    assert len(posts) == 2


# --- faults and throttling -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt,status", [("xml", 429), ("json", 429), ("xml", 403)])
def test_throttling_raises_rate_limited_with_a_retry_time(qbo, qbo_sim, fmt, status):
    qbo_sim.config(throttle_format=fmt, throttle_status=status)
    qbo_sim.fault("rate_limit", method="GET", path="/query")
    with pytest.raises(errors.RateLimited) as caught:
        list(fresh(qbo).reference("vendor"))
    assert caught.value.retry_at is not None and caught.value.code == "3001"


def test_fault_envelopes_become_typed_errors_with_their_code(qbo):
    adapter = fresh(qbo)
    with pytest.raises(errors.NotFound) as missing:
        adapter.get("bill", "999999")
    assert missing.value.code and missing.value.fault_message
    with pytest.raises(errors.ValidationFailed) as invalid:
        adapter.client.query("SELECT * FROM Bill WHERE")
    assert invalid.value.code and "QuickBooks" in str(invalid.value)


# --- webhooks ------------------------------------------------------------------------------------------------
def sign(body: bytes, token=demo.VERIFIER_TOKEN) -> dict:
    return {"intuit-signature": base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode()}


def test_intuits_own_signature_vectors_verify(qbo):
    vectors = json.loads(VECTORS.read_text())["signed_legacy_payloads"]
    for vector in vectors:
        connection = Connection.objects.get(pk=qbo.pk)
        connection.secrets = {**connection.secrets, "webhook_verifier_token": vector["verifier_token"]}
        adapter = adapter_for(connection)
        body = vector["raw_body"].encode()
        assert adapter.verify_webhook({"intuit-signature": vector["intuit_signature"]}, body)
        assert not adapter.verify_webhook({"intuit-signature": vector["intuit_signature"]}, body + b" ")


def test_a_badly_signed_webhook_is_refused(qbo):
    adapter = fresh(qbo)
    body = json.dumps({"eventNotifications": [{"realmId": demo.REALM, "dataChangeEvent": {"entities": []}}]}).encode()
    assert adapter.verify_webhook(sign(body), body)
    assert not adapter.verify_webhook(sign(body, token="not-our-token"), body)
    assert not adapter.verify_webhook({"intuit-signature": "Zm9yZ2Vk"}, body)
    assert not adapter.verify_webhook({}, body)


def test_legacy_and_cloudevents_webhooks_become_hints(qbo):
    adapter = fresh(qbo)
    legacy = json.dumps(
        {
            "eventNotifications": [
                {
                    "realmId": demo.REALM,
                    "dataChangeEvent": {
                        "entities": [
                            {"name": "Bill", "id": "145", "operation": "Delete", "lastUpdated": STAMP},
                            {
                                "name": "Vendor",
                                "id": "58",
                                "operation": "Update",
                                "lastUpdated": STAMP,
                            },
                            {"name": "Class", "id": "7", "operation": "Create", "lastUpdated": STAMP},
                        ]
                    },
                },
                {"realmId": demo.OTHER_REALM, "dataChangeEvent": {"entities": [{"name": "Bill", "id": "9"}]}},
            ]
        }
    ).encode()
    headers = sign(legacy)
    assert adapter.verify_webhook(headers, legacy)
    hints = adapter.parse_webhook({}, legacy)
    assert [(h.entity, h.native_id, h.action) for h in hints] == [("bill", "145", "delete"), ("vendor", "58", "update")]
    assert adapter.webhook_event_id(headers, legacy) == adapter.webhook_event_id(headers, legacy)

    events = [
        {
            "specversion": "1.0",
            "id": "5b0a9c1e-2f4d-4c1a-9d3e-1f2a3b4c5d6e",
            "source": "intuit.abc",
            "type": "qbo.bill.updated.v1",
            "datacontenttype": "application/json",
            "time": "2026-11-21T10:00:00Z",
            "intuitentityid": "146",
            "intuitaccountid": demo.REALM,
        },
        {
            "specversion": "1.0",
            "id": "x-2",
            "type": "qbo.vendor.created.v1",
            "intuitentityid": "60",
            "intuitaccountid": demo.REALM,
        },
    ]
    cloud = json.dumps(events).encode()
    assert adapter.verify_webhook(sign(cloud), cloud)
    hints = adapter.parse_webhook({}, cloud)
    assert [(h.entity, h.native_id, h.action, h.event_id) for h in hints] == [
        ("bill", "146", "update", events[0]["id"]),
        ("vendor", "60", "create", "x-2"),
    ]
    assert adapter.webhook_event_id({}, cloud) == f"{events[0]['id']},x-2"
    for malformed in (b"{}", b"[{}]", b'[{"specversion": "1.0", "id": "1", "type": "bill"}]'):
        with pytest.raises(ValueError):
            adapter.parse_webhook({}, malformed)


# --- what we send is what Intuit documents ------------------------------------------------------------------
def documented(host: str, method: str, path: str) -> bool:
    for known_host, known_method, template in DOCUMENTED_ROUTES:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template.split("?")[0]))
        if known_host == host and known_method == method and re.fullmatch(pattern, path):
            return True
    return False


def test_every_request_is_a_documented_route_and_written_vendors_match_the_schema(qbo, qbo_sim):
    adapter = fresh(qbo)
    adapter.check()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    for entity in ("bill", "vendor", "payment_status"):
        list(adapter.changed(entity, since))
        list(adapter.changed(entity, None))
    for kind in sorted(adapter.reference_kinds):
        list(adapter.reference(kind))
    created = adapter.write("vendor", Vendor(native_id="", name="Delta Glazing", email="ap@delta.example"), "k9")
    adapter.write("vendor", Vendor(native_id="", name="Delta Glazing Inc.", active=False), "k9", created.destination_id)
    journal = qbo_sim.journal()
    undocumented = [
        f"{e['host']} {e['method']} {e['path']}" for e in journal if not documented(e["host"], e["method"], e["path"])
    ]
    assert undocumented == []
    assert all(e["query"].get("minorversion") == ["75"] for e in journal if e["host"] == "api")
    writes = [json.loads(e["body"]) for e in journal if e["method"] == "POST" and e["path"] == VENDOR_PATH]
    assert len(writes) == 2
    assert [problem for body in writes for problem in check_entity("Vendor", body)] == []
