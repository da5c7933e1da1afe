"""Exact Online over HTTP against its simulator: the connect flow, token care, reads, budgets and webhooks.

The connect views run through Django's test client; the simulator's consent page is followed with requests, as a
browser would, and its redirect back to us is handed to the test client. Calls are counted on the simulator, and
every request our client sent is checked against Exact's published reference (tests/conformance/exact.py).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from connections import errors
from connections.models import Connection, ConnectionStatus, Environment, Role
from connections.oauth import PENDING
from connections.systems.exact import tasks
from sandbox.exact import demo
from sandbox.testing import SandboxControl
from syncs.engine import adapter_for
from tests.conformance.exact import ExactContract, check_request
from tests.sandbox.test_exact import Receiver

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

EXACT = SYSTEMS["exact"]
TOKEN = "POST /api/oauth2/token"
CALLBACK = "http://testserver/exact/callback/"
MAIN, INSTALL, FOREIGN = demo.MAIN, demo.INSTALL, demo.FOREIGN


@pytest.fixture
def sim(sandbox):
    control = SandboxControl(sandbox.base_url, "exact")
    control.reset()
    control.seed(preset="demo")
    # Exact's 60 calls a minute would pace every test; the budget test sets its own limit.
    control.config(minutely_limit=10_000, daily_limit=100_000)
    control.upsert("clients", {"id": demo.CLIENT_ID, "redirect_uris": [*demo.REDIRECT_URIS, CALLBACK]})
    yield control
    # Whatever a test made our client send must be a documented request of Exact's reference.
    contract = ExactContract.load()
    sent = api_requests(control)
    assert [p for e in sent for p in check_request(contract, e["method"], e["path"], e["query"], e["body"])] == []


@pytest.fixture
def exact(sim, sandbox, tenant_a):
    return EXACT.connection(tenant_a, sandbox.base_url)


@pytest.fixture
def admin_client(client, make_user, tenant_a):
    client.force_login(make_user("boss", tenant_a, Role.ADMIN))
    return client


def fresh(connection):
    return adapter_for(Connection.objects.get(pk=connection.pk))


def unconnected(tenant, sandbox, division: str = "") -> Connection:
    return Connection.objects.create(
        tenant=tenant,
        system="exact",
        name="Exact - Van der Meer",
        environment=Environment.SIMULATOR,
        settings={"region": "nl", "division": division, "base_url": f"{sandbox.base_url}/exact-nl"},
        secrets={"client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET},
    )


def start(client, connection) -> str:
    """Press "Connect to Exact Online": the consent page URL we are sent to."""
    response = client.post(reverse("oauth_connect", args=[connection.uuid]))
    assert response.status_code == 302
    return response["Location"]


def come_back(client, consent_url: str):
    """Consent on the simulator's page, then follow its redirect to our callback."""
    query = EXACT.consent(consent_url, CALLBACK)
    return client.get(urlsplit(CALLBACK).path, query)


def expire_locally(connection) -> None:
    """Our clock passes the token's expiry (the simulator's clock is moved by the test)."""
    Connection.objects.filter(pk=connection.pk).update(token_expires_at=timezone.now() - dt.timedelta(seconds=1))


def api_requests(sim) -> list[dict]:
    return [entry for entry in sim.journal() if entry["path"].startswith("/api/v1/")]


# --- the connect flow ------------------------------------------------------------------------------------------
def test_connect_flow_end_to_end(admin_client, sim, sandbox, tenant_a):
    connection = unconnected(tenant_a, sandbox, division=str(FOREIGN))  # not a division this user may use
    page = admin_client.get(reverse("admin:connections_connection_change", args=[connection.pk]))
    assert b"Connect to Exact Online" in page.content

    consent_url = start(admin_client, connection)
    assert consent_url.startswith(f"{sandbox.base_url}/exact-nl/api/oauth2/auth?")
    assert f"client_id={demo.CLIENT_ID}" in consent_url and "response_type=code" in consent_url
    done = come_back(admin_client, consent_url)
    assert done.status_code == 302 and done["Location"].endswith(f"/connections/connection/{connection.pk}/change/")

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.token_state["access_token"] and connection.token_state["refresh_token"]
    assert PENDING not in connection.token_state  # the state's nonce is spent
    assert connection.token_expires_at > timezone.now() + dt.timedelta(seconds=500)
    assert connection.settings["division"] == str(MAIN)  # the user's current division, from /current/Me
    notes = [str(message) for message in admin_client.get(done["Location"]).context["messages"]]
    assert any("division 1459012" in note and "1459013" in note and "replaced" in note for note in notes)
    assert sim.calls()[TOKEN] == 1

    connection.settings = {**connection.settings, "division": str(INSTALL)}  # changed among the user's divisions
    connection.save()
    assert fresh(connection).check().ok
    list(fresh(connection).reference("cost_center"))
    assert api_requests(sim)[-1]["path"] == f"/api/v1/{INSTALL}/hrm/Costcenters"
    connection.settings = {**connection.settings, "division": str(FOREIGN)}
    connection.save()
    check = fresh(connection).check()
    assert not check.ok and f"{MAIN} (Van der Meer Bouw B.V.)" in check.message


def test_a_forged_state_is_refused_and_nothing_is_exchanged(admin_client, sim, sandbox, tenant_a):
    connection = unconnected(tenant_a, sandbox)
    query = EXACT.consent(start(admin_client, connection), CALLBACK)
    for forged in ("forged", signing.dumps({"c": connection.pk, "u": 1, "n": "x"}, salt="another.salt")):
        refused = admin_client.get("/exact/callback/", {**query, "state": forged})
        assert refused.status_code == 400 and b"does not belong" in refused.content
    # A correctly signed state whose nonce we never issued (e.g. made with a leaked key) is refused as well.
    user = refused.wsgi_request.user
    minted = signing.dumps({"c": connection.pk, "u": user.pk, "n": "guessed"}, salt="connections.oauth.state")
    assert admin_client.get("/exact/callback/", {**query, "state": minted}).status_code == 400
    assert TOKEN not in sim.calls()
    connection.refresh_from_db()
    assert "access_token" not in connection.token_state


def test_an_expired_state_is_refused(admin_client, sim, sandbox, tenant_a, monkeypatch):
    connection = unconnected(tenant_a, sandbox)
    eleven_minutes_ago = signing.b62_encode(int(time.time()) - 660)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: eleven_minutes_ago)
    consent_url = start(admin_client, connection)
    monkeypatch.undo()
    refused = come_back(admin_client, consent_url)
    assert refused.status_code == 400 and b"longer than 10 minutes" in refused.content
    assert TOKEN not in sim.calls()


def test_a_replayed_state_is_refused(admin_client, sim, sandbox, tenant_a):
    connection = unconnected(tenant_a, sandbox)
    query = EXACT.consent(start(admin_client, connection), CALLBACK)
    assert admin_client.get("/exact/callback/", query).status_code == 302
    first = Connection.objects.get(pk=connection.pk).token_state["refresh_token"]
    replayed = admin_client.get("/exact/callback/", query)
    assert replayed.status_code == 400 and b"already used" in replayed.content
    assert sim.calls()[TOKEN] == 1  # the code was exchanged once
    assert Connection.objects.get(pk=connection.pk).token_state["refresh_token"] == first


def test_a_state_started_by_another_admin_is_refused(admin_client, sim, sandbox, tenant_a, make_user):
    connection = unconnected(tenant_a, sandbox)
    query = EXACT.consent(start(admin_client, connection), CALLBACK)
    other = make_user("other-admin", tenant_a, Role.ADMIN)
    admin_client.force_login(other)
    refused = admin_client.get("/exact/callback/", query)
    assert refused.status_code == 400 and b"another user" in refused.content
    assert TOKEN not in sim.calls()


def test_only_an_admin_may_start_a_connection(client, sim, sandbox, tenant_a, make_user):
    connection = unconnected(tenant_a, sandbox)
    client.force_login(make_user("clerk", tenant_a, Role.FINANCE))
    assert client.post(reverse("oauth_connect", args=[connection.uuid])).status_code == 403
    assert PENDING not in Connection.objects.get(pk=connection.pk).token_state


# --- token care ------------------------------------------------------------------------------------------------
def in_threads(count: int, target) -> list[Exception]:
    failures = []

    def run():
        try:
            target()
        except Exception as exc:  # collected and asserted on below
            failures.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


@pytest.mark.parametrize("expired_on", ["both clocks", "the server only"])
def test_twenty_workers_with_an_expired_token_make_one_refresh(exact, sim, expired_on):
    sim.advance(601)
    if expired_on == "both clocks":
        expire_locally(exact)  # each worker sees the expiry before calling; else each one meets a 401
    sim.clear_journal()
    assert in_threads(20, lambda: list(fresh(exact).reference("cost_center"))) == []
    token_calls = [entry for entry in sim.journal() if entry["path"] == "/api/oauth2/token"]
    assert len(token_calls) == 1 and token_calls[0]["status"] == 200  # one refresh, never an invalid_grant
    exact.refresh_from_db()
    assert exact.status == ConnectionStatus.ACTIVE


def test_a_refresh_answer_lost_in_flight_ends_in_reauth_required(exact, sim):
    sim.advance(601)
    expire_locally(exact)
    sim.fault("reset_after_write", method="POST", path="/api/oauth2/token")
    with pytest.raises(errors.ReauthRequired):
        list(fresh(exact).reference("cost_center"))
    exact.refresh_from_db()
    assert exact.status == ConnectionStatus.REAUTH_REQUIRED
    assert "lost in transit" in exact.status_reason and "Connect to Exact Online again" in exact.status_reason
    assert sim.calls()[TOKEN] == 3  # the connect, the lost refresh, one try with the same token: no more
    with pytest.raises(errors.ReauthRequired):
        list(fresh(exact).reference("cost_center"))
    assert sim.calls()[TOKEN] == 3


def test_a_lost_refresh_is_recovered_by_one_more_try_where_exact_still_takes_the_old_token(exact, sim):
    sim.advance(601)
    expire_locally(exact)
    # The variant where the previous refresh token still works until the new one is used (and no early refusal).
    sim.config(old_refresh_token_grace=True, early_refresh_seconds=0)
    sim.fault("reset_after_write", method="POST", path="/api/oauth2/token")
    assert list(fresh(exact).reference("cost_center"))
    exact.refresh_from_db()
    assert exact.status == ConnectionStatus.ACTIVE and sim.calls()[TOKEN] == 3


def test_a_refresh_exact_finds_too_early_waits_and_spends_nothing(exact, sim):
    sim.advance(300)
    expire_locally(exact)  # our clock says expired; Exact's says the token is five minutes old
    with pytest.raises(errors.RateLimited) as caught:
        list(fresh(exact).reference("cost_center"))
    issued = dt.datetime.fromisoformat(Connection.objects.get(pk=exact.pk).token_state["issued_at"])
    assert caught.value.retry_at == issued + dt.timedelta(seconds=570)
    assert Connection.objects.get(pk=exact.pk).status == ConnectionStatus.ACTIVE
    sim.advance(300)
    assert list(fresh(exact).reference("cost_center"))  # the refresh token was not spent by the refusal
    assert sim.calls()[TOKEN] == 3


def test_a_long_read_renews_its_token_when_due_instead_of_meeting_a_401(exact, sim):
    adapter = fresh(exact)
    list(adapter.reference("cost_center"))
    sim.advance(590)
    Connection.objects.filter(pk=exact.pk).update(token_expires_at=timezone.now() + dt.timedelta(seconds=10))
    adapter.client.http.auth._renew_at = timezone.now()  # our clock, too, is at 590 s of the token's life
    sim.clear_journal()
    list(adapter.reference("cost_unit"))  # the same adapter, as in a long backfill
    assert [entry["status"] for entry in sim.journal()] == [200, 200]  # the refresh, then the read: no 401
    assert sim.calls()[TOKEN] == 2


def test_keep_alive_refreshes_only_connections_left_idle(exact, sim, sandbox, tenant_b):
    recent = EXACT.connection(tenant_b, sandbox.base_url)
    assert tasks.keep_alive() == {"refreshed": 0, "skipped": 2, "failed": 0}
    sim.advance(21 * 86400)
    long_ago = (timezone.now() - dt.timedelta(days=21)).isoformat()
    Connection.objects.filter(pk=exact.pk).update(token_state={**exact.token_state, "issued_at": long_ago})
    before = sim.calls()[TOKEN]
    assert tasks.keep_alive() == {"refreshed": 1, "skipped": 1, "failed": 0}
    assert sim.calls()[TOKEN] == before + 1
    renewed = Connection.objects.get(pk=exact.pk).token_state
    assert renewed["refresh_token"] != exact.token_state["refresh_token"] and tasks.idle_since(
        Connection.objects.get(pk=exact.pk)
    ) > timezone.now() - dt.timedelta(minutes=1)
    assert Connection.objects.get(pk=recent.pk).token_state == recent.token_state


# --- reads -----------------------------------------------------------------------------------------------------
def test_purchase_orders_read_as_commitments_with_coded_lines(exact, sim):
    sim.clear_journal()
    items = {item.native_id: item for item in fresh(exact).changed("commitment", None)}
    assert len(items) == len(demo.PURCHASE_ORDERS)
    first = items[demo.gid("po:1")].record
    assert first.kind == "purchase_order" and first.number == "1" and first.title == "Kalkzandsteen en lijm fase 1"
    assert first.vendor.code == "2001" and first.date == dt.date(2024, 3, 4) and first.currency == "EUR"
    assert first.total == Decimal("7872.00") and [line.amount for line in first.lines] == [
        Decimal("5820.00"),
        Decimal("2052.00"),
    ]
    line = first.lines[0]
    assert line.cost_center == "100" and line.dimensions == {}  # dimensions hold destination values only
    assert line.project.native_id == demo.gid("prj:P24001") and line.project.code == "P24001"
    assert line.account is None  # Exact order lines carry no GL account
    assert first.project.code == "P24001" and line.quantity == Decimal("1200") and line.unit_cost == Decimal("4.85")
    cancelled = items[demo.gid("po:6")]
    assert cancelled.deleted and not cancelled.eligible and cancelled.record.status == "cancelled"
    assert all(item.modified_at.tzinfo is not None for item in items.values())
    sent = api_requests(sim)
    assert sent and all(entry["method"] == "GET" for entry in sent)  # nothing is ever written to Exact


def test_purchase_entries_read_as_bills_with_gl_accounts(exact, sim):
    items = {item.native_id: item for item in fresh(exact).changed("bill", None)}
    assert len(items) == len(demo.PURCHASE_ENTRIES)
    bill = items[demo.gid("pe:240311")].record
    assert bill.number == "F2024-0311" and bill.vendor.code == "2001" and bill.date == dt.date(2024, 3, 18)
    assert bill.total == Decimal("7872.00") and bill.kind == "bill"
    assert [(line.account, line.cost_center, line.project.code) for line in bill.lines] == [
        ("4000", "100", "P24001"),
        ("4000", "100", "P24001"),
    ]
    mixed = items[demo.gid("pe:1187")].record
    assert mixed.project is None and (mixed.lines[1].cost_center, mixed.lines[1].project) == ("900", None)
    again = fresh(exact).get("bill", demo.gid("pe:240311"))
    assert again.version == items[demo.gid("pe:240311")].version


def test_changes_are_read_by_local_modified_time_and_line_changes_count(sim, sandbox, tenant_a):
    sim.set_clock("2027-07-01T10:00:00+00:00")  # 12:00 in Amsterdam (summer time), after the demo was seeded
    adapter = fresh(EXACT.connection(tenant_a, sandbox.base_url))
    since = dt.datetime(2027, 7, 1, 9, 59, tzinfo=dt.UTC)
    sim.upsert("PurchaseOrders", {"PurchaseOrderID": demo.gid("po:2"), "Description": "Betonmortel fase 2"})
    sim.advance(120)
    sim.upsert("PurchaseOrderLines", {"ID": demo.gid("pol:3:1"), "UnitPrice": "1500.00"})
    sim.clear_journal()
    changed = {item.native_id: item for item in adapter.changed("commitment", since)}
    assert set(changed) == {demo.gid("po:2"), demo.gid("po:3")}
    assert abs(changed[demo.gid("po:2")].modified_at - dt.datetime(2027, 7, 1, 10, 0, tzinfo=dt.UTC)) < dt.timedelta(
        seconds=30
    )
    assert changed[demo.gid("po:3")].record.lines[0].amount == Decimal("18000.00")
    filters = [entry["query"].get("$filter", [""])[0] for entry in api_requests(sim)]
    assert "Modified ge datetime'2027-07-01T11:59:00'" in filters  # Exact filters on Amsterdam wall-clock time



# --- budgets ---------------------------------------------------------------------------------------------------
# A backfill larger than the minute budget waits for a real minute boundary: tests/slow/test_exact_backfill.py.


def test_a_spent_day_stops_with_its_reset_time_without_calling(exact, sim):
    sim.config(daily_limit=3)
    adapter = fresh(exact)
    with pytest.raises(errors.RateLimited) as caught:
        for _ in range(5):
            list(adapter.reference("cost_unit"))
    assert caught.value.retry_at.time() == dt.time(0, 0) and caught.value.retry_at > timezone.now()
    assert all(entry["status"] == 200 for entry in api_requests(sim))


# --- webhooks --------------------------------------------------------------------------------------------------
def test_webhooks_are_verified_by_hashcode_and_give_keys_only(exact):
    adapter = fresh(exact)
    headers, body = EXACT.webhook(7, key=demo.gid("po:3"))
    assert adapter.verify_webhook(headers, body)
    tampered = body.replace(demo.gid("po:3").encode(), demo.gid("po:4").encode())
    assert not adapter.verify_webhook(headers, tampered)
    content, _, _ = body.partition(b',"HashCode"')
    assert not adapter.verify_webhook(headers, content + b',"HashCode":"' + b"0" * 64 + b'"}')
    assert not fresh_with_secret(exact, "another-secret").verify_webhook(headers, body)
    [hint] = adapter.parse_webhook(headers, body)
    assert (hint.entity, hint.native_id, hint.action) == ("commitment", demo.gid("po:3"), "update")
    assert adapter.webhook_event_id(headers, body) == adapter.webhook_event_id(headers, body) == hint.event_id
    assert adapter.get(hint.entity, hint.native_id).record.number == "3"  # the record is fetched again
    _, other_division = EXACT.webhook(8, division=INSTALL)
    _, other_topic = EXACT.webhook(9, topic="Accounts")
    assert adapter.parse_webhook({}, other_division) == [] and adapter.parse_webhook({}, other_topic) == []
    _, entry = EXACT.webhook(10, topic="PurchaseEntries", key=demo.gid("pe:5531"), action="Delete")
    assert [(h.entity, h.action) for h in adapter.parse_webhook({}, entry)] == [("bill", "delete")]


def fresh_with_secret(connection, secret: str):
    connection = Connection.objects.get(pk=connection.pk)
    connection.secrets = {**connection.secrets, "webhook_secret": secret}
    return adapter_for(connection)


def test_a_notification_sent_by_exact_verifies_and_the_handshake_is_answered(exact, sim, client):
    receiver = Receiver()
    try:
        subscribed = fresh(exact).subscribe_webhooks(receiver.url + "/hook")
        assert subscribed["created"] == ["PurchaseEntries", "PurchaseOrders"]
        again = fresh(exact).subscribe_webhooks(receiver.url + "/hook", ["commitment", "vendor"])
        assert again["created"] == [] and again["kept"] == ["PurchaseOrders"] and again["polled"] == ["vendor"]
        assert len(sim.records("WebhookSubscriptions")) == 2  # a subscription is never made twice
        sim.upsert("PurchaseOrders", {"PurchaseOrderID": demo.gid("po:2"), "Description": "Betonmortel fase 2"})
        deliveries = receiver.wait_for("/hook", 3)  # two handshakes (one per topic), then the notification
    finally:
        receiver.close()
    handshake, notification = deliveries[0]["body"], deliveries[-1]["body"]
    adapter = fresh(exact)
    assert adapter.verify_webhook({}, notification)
    [hint] = adapter.parse_webhook({}, notification)
    assert hint.native_id == demo.gid("po:2") and adapter.get("commitment", hint.native_id).record.title.endswith("2")
    # Exact's subscription handshake is an empty, unsigned POST that must be answered 2xx, and gives no hint.
    assert handshake == b"" and adapter.verify_webhook({}, handshake) and adapter.parse_webhook({}, handshake) == []
    answered = client.post(f"/webhooks/{exact.uuid}/", data=handshake, content_type="application/json")
    assert answered.status_code in (200, 202)
    signed = client.post(f"/webhooks/{exact.uuid}/", data=notification, content_type="application/json")
    assert signed.status_code == 202
    forged = notification.replace(b'"Update"', b'"Delete"')
    assert client.post(f"/webhooks/{exact.uuid}/", data=forged, content_type="application/json").status_code == 401
    assert json.loads(notification)["Content"]["Action"] == "Update"
