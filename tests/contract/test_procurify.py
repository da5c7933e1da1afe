"""Procurify operations over HTTP against its simulator, counting calls.

Purchase orders and AP bills read as canonical records with their coding; purchase orders closed and reopened from
the ERP's status; vendors and account codes written back, found before they are created; the test connection's
answer when the client header is refused; a 2,000-bill backfill read within the connection's request budget (calls
counted per minute on the simulator), stopped by an overload and resumed without losing anything; a suspension that
pauses the connection. Every request sent is checked against Procurify's published contract.
"""

from __future__ import annotations

import datetime as dt
import json
import types
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

import connections.http as transport
from connections import errors
from connections.models import Connection, ConnectionStatus
from connections.systems.procurify import consts, limits
from sandbox.core.clock import parse_iso
from sandbox.procurify import demo_data as demo
from sandbox.testing import SandboxControl
from syncs.canonical import Account, PaymentStatus, Vendor
from syncs.engine import adapter_for

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

DOMAIN = demo.DOMAIN
POSTABLE = {2, 4, 6, 7, 8}


@pytest.fixture
def sim(sandbox):
    control = SandboxControl(sandbox.base_url, "procurify")
    control.reset()
    control.seed(preset="demo")
    return control


def connect(sandbox, tenant, per_minute: int = 6000) -> Connection:
    connection = SYSTEMS["procurify"].connection(tenant, sandbox.base_url)
    connection.settings = {**connection.settings, "requests_per_minute": str(per_minute)}
    connection.save()
    return connection


@pytest.fixture
def procurify(sandbox, sim, tenant_a):
    return connect(sandbox, tenant_a)


def fresh(connection):
    return adapter_for(Connection.objects.get(pk=connection.pk))


def calls(sim, method: str, path: str) -> int:
    return sim.calls().get(f"{method} /{DOMAIN}{path}", 0)


def documented_problems(sim) -> list[str]:
    from tests.conformance.framework import Contract, check_request

    contract = Contract.load("procurify")
    problems = []
    for entry in sim.journal():
        found = check_request(contract, entry["method"], entry["path"], entry["query"], entry["body"])
        problems += [f"{entry['method']} {entry['path']}: {problem}" for problem in found]
    return problems


# --- authentication and the client header ---------------------------------------------------------------------
def test_one_token_per_connection_from_a_json_body_and_the_client_header_on_every_call(procurify, sim):
    sim.clear_journal()
    list(fresh(procurify).reference("department"))
    list(fresh(procurify).reference("location"))  # another worker: the cached token is used
    journal = sim.journal()
    tokens = [entry for entry in journal if entry["path"].endswith("/oauth/token")]
    assert len(tokens) == 1
    body = json.loads(tokens[0]["body"])
    assert body["audience"] == "https://api.procurify.com/" and body["grant_type"] == "client_credentials"
    assert len(journal) == 3
    for entry in journal:
        headers = {name.lower(): value for name, value in (entry.get("headers") or {}).items()}
        assert headers.get("x-procurify-client") == "api", entry["path"]
    assert documented_problems(sim) == []


def test_check_signs_in_and_names_the_client_header_when_it_is_refused(procurify, sim, monkeypatch):
    assert fresh(procurify).check().ok
    monkeypatch.setattr(consts, "CLIENT_HEADER_VALUE", "browser")  # a value Procurify does not accept
    for status in (401, 403):
        sim.config(missing_client_header_status=status)
        result = fresh(procurify).check()
        assert result.ok is False
        assert "X-Procurify-Client: api" in result.message and str(status) in result.message
    procurify.refresh_from_db()
    assert procurify.status == ConnectionStatus.ACTIVE  # the credentials are fine: no re-authorisation asked


# --- purchase orders ----------------------------------------------------------------------------------------------
def test_purchase_orders_are_commitments_with_coded_lines_that_add_up(procurify, sim):
    items = list(fresh(procurify).changed("commitment", None))
    orders = {str(po["id"]): po for po in sim.records("purchase_orders")}
    totals = Counter()
    for row in sim.records("order_items"):
        totals[str(row["purchase_order"])] += Decimal(row["price"]) * Decimal(row["quantity"])
    assert {item.native_id for item in items} == set(orders)
    cancelled = {item.native_id for item in items if item.deleted}
    assert cancelled == {key for key, po in orders.items() if po["state"] == 1} and cancelled
    for item in items:
        if item.native_id in cancelled:
            continue
        record, po = item.record, orders[item.native_id]
        assert not item.error and record.kind == "purchase_order" and record.project is None
        assert record.total == totals[item.native_id] + Decimal(po["freight"] or "0") + Decimal(po["other"] or "0")
        assert record.vendor.native_id == str(po["pref_vendor"])
        assert all(line.account and line.dimensions.get("department") and line.dimensions.get("location")
                   for line in record.lines)  # fmt: skip
    again = fresh(procurify).get("commitment", items[0].native_id)
    assert again.record == items[0].record and again.version == items[0].version


def test_only_purchase_orders_modified_since_the_cursor_are_read_again(procurify, sim):
    first = list(fresh(procurify).changed("commitment", None))
    since = max(item.modified_at for item in first) + dt.timedelta(seconds=1)
    sim.advance(3600)
    target = next(item for item in first if item.eligible)
    sim.upsert("purchase_orders", {"id": int(target.native_id), "comment": "Promise date confirmed"})
    sim.clear_calls()
    later = list(fresh(procurify).changed("commitment", since))
    assert [item.native_id for item in later] == [target.native_id]
    assert later[0].version != target.version
    assert calls(sim, "GET", "/api/v2/purchase_orders/{id}/") == 1  # one detail, for the one that changed


def test_erp_status_closes_a_purchase_order_once_and_reopens_it(procurify, sim):
    po = next(p for p in sim.records("purchase_orders") if p["state"] == 0)
    native_id, adapter = str(po["id"]), fresh(procurify)
    closed = PaymentStatus(native_id="PO000123", status="closed", amount=Decimal("1"), balance=Decimal("0"))
    sim.clear_calls()
    assert adapter.write_status("commitment", native_id, closed, "k").response == {"state": 3}
    assert adapter.write_status("commitment", native_id, closed, "k").response["unchanged"] is True
    assert calls(sim, "POST", "/api/v3/purchase-orders/{id}/close/") == 1
    reopened = PaymentStatus(native_id="PO000123", status="reopened", amount=Decimal("1"), balance=Decimal("1"))
    assert adapter.write_status("commitment", native_id, reopened, "k").response == {"state": 5}
    assert adapter.write_status("commitment", native_id, reopened, "k").response["unchanged"] is True
    assert calls(sim, "POST", "/api/v3/purchase-orders/{id}/reopen/") == 1
    cancelled = next(p for p in sim.records("purchase_orders") if p["state"] == 1)
    with pytest.raises(errors.ValidationFailed, match="cancelled"):
        adapter.write_status("commitment", str(cancelled["id"]), closed, "k")
    # No published call marks a bill paid: its status is kept in our ledger, and nothing is sent.
    sent = len(sim.journal())
    kept = adapter.write_status("bill", "b-uuid", closed, "k")
    assert kept.sent is None and kept.response["written_to_procurify"] is False and len(sim.journal()) == sent
    assert documented_problems(sim) == []


# --- AP bills ---------------------------------------------------------------------------------------------------
def test_approved_bills_carry_account_department_location_and_their_purchase_order(procurify, sim):
    items = {item.native_id: item for item in fresh(procurify).changed("bill", None)}
    bills = {bill["uuid"]: bill for bill in sim.records("bills")}
    assert set(items) == set(bills)
    postable = {uuid for uuid, bill in bills.items() if bill["status"] in POSTABLE}
    assert {uuid for uuid, item in items.items() if item.eligible} == postable
    for uuid in postable:
        item = items[uuid]
        assert not item.error and item.record.number == bills[uuid]["invoice_number"]
        assert item.record.vendor.native_id == str(bills[uuid]["vendor"])
        assert all(line.account and set(line.dimensions) == {"department", "location"} for line in item.record.lines)
    linked = next(uuid for uuid in postable if bills[uuid].get("purchase_orders"))
    assert items[linked].record.commitment.native_id == str(bills[linked]["purchase_orders"][0])
    for uuid in list(postable)[:3]:  # the detail gives the same bill as the bulk read
        assert fresh(procurify).get("bill", uuid).record == items[uuid].record


def test_a_bill_approved_later_is_read_alone_through_its_detail(procurify, sim):
    draft = next(bill for bill in sim.records("bills") if bill["status"] == 0)
    since = parse_iso(sim.clock()["now"])
    sim.advance(60)
    sim.upsert("bills", {"id": draft["id"], "status": 2})
    sim.clear_calls()
    items = list(fresh(procurify).changed("bill", since))
    assert [item.native_id for item in items] == [draft["uuid"]]
    assert items[0].eligible and items[0].record.total > 0 and not items[0].error
    assert calls(sim, "GET", "/api/v2/ap/bills/{id}/") == 1 and calls(sim, "GET", "/api/v2/ap/items/") == 0


# --- vendors and account codes written back ---------------------------------------------------------------------
def mirror(adapter, entity: str, record) -> tuple[str, bool]:
    """What a mirror flow does with one record: look it up, create it only when it is truly absent."""
    found = adapter.find(entity, record, "key")
    if found is not None:
        return found, False
    return adapter.write(entity, record, "key").destination_id, True


def test_erp_vendors_and_accounts_are_found_before_they_are_created(procurify, sim):
    vendor = Vendor(native_id="V30001", name="Cascade Fasteners Ltd", code="V30001", email="ap@fasteners.example")
    account = Account(native_id="6150", code="6150", name="Small Tools", account_type="Expense")
    sim.clear_calls()
    vendor_id, created = mirror(fresh(procurify), "vendor", vendor)
    assert created and mirror(fresh(procurify), "vendor", vendor) == (vendor_id, False)
    account_id, created = mirror(fresh(procurify), "account", account)
    assert created and mirror(fresh(procurify), "account", account) == (account_id, False)
    assert calls(sim, "POST", "/api/v3/vendors/") == 1 and calls(sim, "POST", "/api/v3/account-codes/") == 1
    assert not any(key.startswith(("PUT", "PATCH")) for key in sim.calls())  # the second call wrote nothing
    stored = next(v for v in sim.records("vendors") if v["id"] == int(vendor_id))
    assert stored["external_id"] == "V30001" and stored["type"] == consts.VENDOR_TYPE_REGULAR
    code = next(c for c in sim.records("account_codes") if c["id"] == int(account_id))
    assert code["code"] == "6150" and code["account_type"] == 2
    assert documented_problems(sim) == []


def test_an_unlinked_namesake_is_linked_and_a_deactivation_propagates(procurify, sim):
    namesake = next(v for v in sim.records("vendors") if not v.get("external_id"))
    record = Vendor(native_id="V30002", name=namesake["name"], code="V30002")
    adapter = fresh(procurify)
    assert adapter.find("vendor", record, "key") == str(namesake["id"])
    adapter.write("vendor", Vendor(**{**record.__dict__, "active": False}), "key", str(namesake["id"]))
    now = fresh(procurify).get("vendor", str(namesake["id"])).record
    assert now.active is False and now.origin_id == "V30002"
    assert fresh(procurify).find("vendor", record, "key") == str(namesake["id"])  # by its external id now


def test_an_account_code_deactivation_is_refused_with_the_manual_step(procurify, sim):
    code = next(c for c in sim.records("account_codes") if c.get("active", True))
    adapter = fresh(procurify)
    sim.clear_calls()
    off = Account(native_id=code["code"], code=code["code"], name=code["description"], active=False)
    with pytest.raises(errors.ValidationFailed, match="by hand"):
        adapter.write("account", off, "key", str(code["id"]))
    assert calls(sim, "PUT", "/api/v3/account-codes/{id}/") == 0
    renamed = Account(native_id=code["code"], code=code["code"], name=f"{code['description']} (ERP)")
    adapter.write("account", renamed, "key", str(code["id"]))
    assert fresh(procurify).get("account", str(code["id"])).record.name == renamed.name


# --- the request budget, an overload and a suspension -----------------------------------------------------------
class SimulatedTime:
    """Our clock and the simulator's, moved together: a paced sleep advances both instead of waiting."""

    def __init__(self, sim: SandboxControl, on_sleep=None):
        self.sim, self.on_sleep = sim, on_sleep
        self.wall, self.mono, self.sleeps = timezone.now(), 0.0, 0

    def now(self) -> dt.datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.wall += dt.timedelta(seconds=seconds)
        self.mono += seconds
        self.sim.advance(seconds)
        self.sleeps += 1
        if self.on_sleep:
            self.on_sleep(self)

    def install(self, monkeypatch) -> None:
        clock = types.SimpleNamespace(now=self.now)
        monkeypatch.setattr(limits, "monotonic", self.monotonic)
        monkeypatch.setattr(limits, "sleep", self.sleep)
        monkeypatch.setattr(limits, "timezone", clock)
        monkeypatch.setattr(transport, "timezone", clock)
        monkeypatch.setattr(transport, "time", types.SimpleNamespace(sleep=self.sleep, monotonic=lambda: 0.0))


def per_minute(sim) -> list[int]:
    return [row["calls"] for row in sim.records("calls_per_minute") if row["domain"] == DOMAIN]


def postable_uuids(sim) -> set[str]:
    return {bill["uuid"] for bill in sim.records("bills") if bill["status"] in POSTABLE}


def read_bills(connection) -> dict[str, object]:
    items = {}
    for item in fresh(connection).changed("bill", None):
        assert not item.error, item.error
        if item.eligible:
            items[item.native_id] = item.record
    return items


BUDGET = 30


@pytest.fixture
def backfill(sandbox, sim, tenant_a):
    """2,000 more bills, a connection with a budget of 30 requests a minute, and the simulator set to suspend the
    domain the moment any minute has more."""
    assert len(sim.seed({"bulk": {"bills": 2000, "days": 30}})["bills"]) == 2000
    sim.config(suspend_over_per_minute=BUDGET)
    sim.clear_calls()
    return connect(sandbox, tenant_a, per_minute=BUDGET)


def test_a_backfill_of_2000_bills_is_read_whole_within_the_request_budget(backfill, sim, monkeypatch):
    clock = SimulatedTime(sim)
    clock.install(monkeypatch)
    bills = read_bills(backfill)
    assert set(bills) == postable_uuids(sim) and len(bills) > 2000
    minutes = per_minute(sim)
    assert len(minutes) >= 2 and max(minutes) <= BUDGET  # the budget was what set the pace
    assert sim.records("suspensions") == []
    assert sum(sim.calls().values()) < 100  # items in bulk: pages, not one detail per bill


def test_an_overload_stops_the_backfill_and_the_resumed_read_loses_nothing(backfill, sim, monkeypatch):
    def overload_midway(clock):
        if clock.sleeps == 25:
            sim.config(overload=True)

    clock = SimulatedTime(sim, on_sleep=overload_midway)
    clock.install(monkeypatch)
    with pytest.raises(errors.RateLimited, match="overloaded") as caught:
        read_bills(backfill)
    assert caught.value.retry_at >= clock.now() + consts.OVERLOAD_PAUSE - dt.timedelta(seconds=5)
    statuses = Counter(entry["status"] for entry in sim.journal())
    assert statuses[504] == 1  # not called again while Procurify is overloaded

    sent = len(sim.journal())
    with pytest.raises(errors.RateLimited, match="paused until"):  # other work of the connection waits too
        list(fresh(backfill).reference("department"))
    assert len(sim.journal()) == sent

    sim.config(overload=False)
    clock.sleep((caught.value.retry_at - clock.now()).total_seconds() + 1)
    bills = read_bills(backfill)
    assert set(bills) == postable_uuids(sim) and len(bills) > 2000
    assert max(per_minute(sim)) <= BUDGET and sim.records("suspensions") == []


def test_a_suspension_pauses_the_connection_without_asking_for_new_credentials(procurify, sim, sandbox, tenant_b):
    sim.config(suspend_over_per_minute=2)
    adapter = fresh(procurify)
    with pytest.raises(errors.RateLimited, match="suspended") as caught:
        for _ in range(4):
            list(adapter.reference("department"))
    assert caught.value.retry_at >= timezone.now() + consts.SUSPENSION_PAUSE - dt.timedelta(seconds=5)
    assert sim.records("suspensions")
    sent = len(sim.journal())
    with pytest.raises(errors.RateLimited):
        fresh(procurify).check()
    assert len(sim.journal()) == sent  # paused here: nothing more sent during the suspension

    other = connect(sandbox, tenant_b)  # a connection with no token yet meets the suspension at the token call
    with pytest.raises(errors.RateLimited, match="suspended"):
        list(fresh(other).reference("vendor"))
    for connection in (procurify, other):
        connection.refresh_from_db()
        assert connection.status == ConnectionStatus.ACTIVE


def test_a_suspension_that_says_when_it_ends_is_waited_for_that_long(procurify, sim):
    sim.config(suspend_over_per_minute=1, suspension_retry_after=True, suspension_seconds=1800)
    with pytest.raises(errors.RateLimited) as caught:
        for _ in range(3):
            list(fresh(procurify).reference("location"))
    assert caught.value.retry_at >= timezone.now() + dt.timedelta(seconds=1700)
