"""Exact Online -> Procore end to end over both simulators, counting documents on both sides.

Van der Meer Bouw's purchase orders (two pages of Exact's 60 rows, on three projects) become Procore purchase order
contracts and its purchase invoices direct costs of type invoice, each on the Procore project its Exact project maps
to, coded by account rules (GL account and cost center). A fault at the page boundary leaves the rest for the next
run without a duplicate; a second run writes nothing to Procore; a changed order then updates its contract, a
cancelled one is flagged and left in place; and nothing is ever written to Exact. Webhooks are subscribed from the
connection admin (twice: nothing is subscribed twice, and the app's secret is kept), and an order created in Exact
then reaches Procore through its webhook before any poll. Every request our client sent Exact is checked against
Exact's published reference (Procore's journal is checked by this folder's conftest).
"""

from __future__ import annotations

import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from connections.models import Connection, Environment
from sandbox.exact import demo as exact_demo
from sandbox.procore import demo as procore_demo
from sandbox.testing import SandboxControl
from syncs import demo_exact, engine
from syncs.engine import adapter_for
from syncs.models import Integration, RecordState, SyncRecord, SyncRun
from tests.conformance.exact import ExactContract, check_request
from tests.contract.systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS, INVOICES = "purchase_orders_to_commitments", "purchase_invoices_to_costs"
#: Orders added to the demo's six so the list spans two pages; (Exact project, cost center, description, price)
EXTRA = [
    ("P24001", "100", "Kalkzandsteen levering", "12.50"),
    ("P24002", "200", "Steigerhuur week", "1450.00"),
    ("P23017", "100", "Onderhoud dakgoten", "310.00"),  # on the project left unmapped: waits for its map
]
EXTRA_COUNT = 57  # with the demo's six: 63 orders, two pages


@pytest.fixture
def exact_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "exact")
    control.reset()
    control.seed(preset="demo")
    control.config(minutely_limit=10_000, daily_limit=100_000)
    yield control
    sent = [entry for entry in control.journal() if entry["path"].startswith("/api/v1/")]
    contract = ExactContract.load()
    assert [p for e in sent for p in check_request(contract, e["method"], e["path"], e["query"], e["body"])] == []


def extra_orders() -> list[dict]:
    orders = []
    for n in range(EXTRA_COUNT):
        project, center, text, price = EXTRA[n % len(EXTRA)]
        orders.append({
            "PurchaseOrderID": exact_demo.gid(f"po:extra:{n}"), "OrderNumber": 500 + n, "OrderStatus": 10,
            "Supplier": exact_demo.gid(f"acc:{2001 + n % 3}"), "OrderDate": "2024-06-03T00:00:00.000",
            "Description": f"{text} {n}",
            "PurchaseOrderLines": [{"ID": exact_demo.gid(f"pol:extra:{n}"), "Description": text,
                                    "QuantityInPurchaseUnits": "2", "UnitPrice": price, "CostCenter": center,
                                    "Project": exact_demo.gid(f"prj:{project}")}],
        })  # fmt: skip
    return orders


@pytest.fixture
def world(tenant_a, sandbox, exact_sim, procore_sim, make_user):
    make_user("admin", superuser=True)
    exact_sim.seed({"PurchaseOrders": extra_orders()})
    procore_sim.seed({"clients": [{"id": procore_demo.CLIENT_ID, "secret": procore_demo.CLIENT_SECRET, "name": "t"}]})
    exact = SYSTEMS["exact"].connection(tenant_a, sandbox.base_url)  # through the simulator's consent page
    procore = Connection.objects.create(
        tenant=tenant_a, name="Procore - Van der Meer", system="procore", environment=Environment.SIMULATOR,
        settings={"company_id": str(demo_exact.COMPANY_ID), "base_url": f"{sandbox.base_url}/procore",
                  "login_url": f"{sandbox.base_url}/procore-login"},
        secrets={"client_id": procore_demo.CLIENT_ID, "client_secret": procore_demo.CLIENT_SECRET},
    )  # fmt: skip
    integration = Integration.objects.create(
        tenant=tenant_a, name="Exact -> Procore", source=exact, destination=procore, flows=demo_exact.FLOWS
    )
    demo_exact.seed_maps(integration)  # the Procore company, reference data, project maps and account rules
    exact_sim.clear_journal()
    return integration


def run(integration, flow, expect="succeeded"):
    result = engine.run_flow(integration.pk, flow, "manual")
    assert result is not None and result.status == expect, (flow, result and result.error)
    return result


def procore_writes(procore_sim) -> int:
    return sum(n for call, n in procore_sim.calls().items() if call.split(" ")[0] in ("POST", "PUT", "PATCH", "DELETE"))


def exact_writes(exact_sim) -> list[str]:
    """Calls to Exact's API that are not reads (the token endpoint is not the API)."""
    return [f"{e['method']} {e['path']}" for e in exact_sim.journal() if e["path"].startswith("/api/v1/")
            and e["method"] != "GET"]  # fmt: skip


def contracts(procore_sim) -> dict[str, dict]:
    """Our purchase order contracts by origin_id; fails on a duplicate."""
    found = {}
    for contract in procore_sim.records("purchase_order_contracts"):
        if contract.get("origin_id"):
            assert contract["origin_id"] not in found, f"contract {contract['number']} written twice"
            found[contract["origin_id"]] = contract
    return found


def total(document) -> Decimal:
    return sum((Decimal(str(line["amount"])) for line in document.get("line_items") or []), Decimal("0"))


def records(integration, flow) -> dict[str, SyncRecord]:
    return {r.source_id: r for r in SyncRecord.objects.filter(integration=integration, flow=flow)}


def test_orders_and_invoices_reach_procore_once_across_pages_a_fault_changes_and_a_cancellation(
    world, exact_sim, procore_sim
):
    integration = world
    # The second page of orders fails until the fault is cleared: the first page posts, the cursor stays.
    exact_sim.fault("status", method="GET", path="purchaseorder/PurchaseOrders", times=None, status=500,
                    contains="skiptoken")  # fmt: skip
    run(integration, ORDERS, expect="partial")
    first_page = len(contracts(procore_sim))
    assert 0 < first_page < EXTRA_COUNT
    exact_sim.clear_faults()
    run(integration, ORDERS)

    ledger = records(integration, ORDERS)
    by_number = {r.label.split(" ")[2]: r for r in ledger.values()}
    waiting = {n for n, r in by_number.items() if r.state == RecordState.NEEDS_MAPPING}
    assert waiting == {str(500 + n) for n in range(EXTRA_COUNT) if n % len(EXTRA) == 2}  # project P23017
    for record in [r for r in ledger.values() if r.state == RecordState.NEEDS_MAPPING][:1]:
        assert [e["key"] for e in record.mapping_errors] == [f"project:{exact_demo.gid('prj:P23017')}"]
    posted = {k: r for k, r in ledger.items() if r.state == RecordState.POSTED}
    assert len(posted) == 5 + EXTRA_COUNT - len(waiting)  # the cancelled demo order is never posted
    written = contracts(procore_sim)
    assert {r.idempotency_key for r in posted.values()} == set(written)
    projects = {pid: exact for pid, (_n, _name, exact) in demo_exact.PROJECTS.items()}
    for record in posted.values():
        order = adapter_for(integration.source).get("commitment", record.source_id).record
        contract = written[record.idempotency_key]
        assert total(contract) == order.total and contract["number"] == order.number
        assert projects[contract["project_id"]] == order.lines[0].project.code
    # Order lines carry no GL account: the rules on their cost center and description code them.
    coding = {
        number: {(line["cost_code_id"], line["line_item_type_id"]) for line in written_contract["line_items"]}
        for number, written_contract in ((c["number"], c) for c in written.values())
    }
    assert coding["3"] == {(demo_exact.cost_code_id(6_100_000_002, "01-500"), 6_400_000_003)}  # "*steiger*": E
    assert coding["5"] == {(demo_exact.cost_code_id(6_100_000_002, "26-100"), 6_400_000_001)}  # centre 200: S
    assert coding["4"] == {(demo_exact.cost_code_id(6_100_000_001, "31-200"), 6_400_000_001)}  # grond|zand|graaf

    run(integration, INVOICES)
    invoices = records(integration, INVOICES)
    held = [r for r in invoices.values() if r.state == RecordState.NEEDS_MAPPING]
    assert [r.label for r in held] == ["Purchase invoice ES-1187 - Elektrotechniek Smit B.V."]
    assert {e["key"] for e in held[0].mapping_errors} == {"account_rule:4800@900", "project:(none):2"}
    costs = [d for d in procore_sim.records("direct_costs") if d.get("origin_id")]
    assert len(costs) == 4 == len([r for r in invoices.values() if r.state == RecordState.POSTED])
    assert {d["invoice_number"]: total(d) for d in costs} == {
        "F2024-0311": Decimal("7872.00"), "BMC-88112": Decimal("12631.00"), "SJ-5531": Decimal("9000.00"),
        "GV-2024-077": Decimal("12000.00"),
    }  # fmt: skip

    run(integration, "vendors_forward")  # its first run: suppliers no document named yet join Procore's directory
    before = procore_writes(procore_sim)
    for flow in demo_exact.FLOWS:
        run(integration, flow)
    assert procore_writes(procore_sim) == before, "a second run writes nothing to Procore"

    # A changed order updates its commitment in place; a cancelled one is flagged and left as it is.
    before = contracts(procore_sim)
    first, second = exact_demo.gid("po:1"), exact_demo.gid("po:2")
    exact_sim.upsert("PurchaseOrderLines", {"ID": exact_demo.gid("pol:1:1"), "UnitPrice": "5.10"})
    exact_sim.upsert("PurchaseOrders", {"PurchaseOrderID": first, "PurchaseOrderLines": [
        {"Description": "Lijmmortel extra", "QuantityInPurchaseUnits": "10", "UnitPrice": "11.40",
         "CostCenter": "100", "Project": exact_demo.gid("prj:P24001")}]})  # fmt: skip
    exact_sim.upsert("PurchaseOrders", {"PurchaseOrderID": second, "OrderStatus": 40})
    run(integration, ORDERS)

    after = contracts(procore_sim)
    assert set(after) == set(before), "updated in place, nothing new"
    changed = after[ledger[first].idempotency_key]
    assert changed["id"] == before[ledger[first].idempotency_key]["id"]
    assert total(changed) == Decimal("1200") * Decimal("5.10") + Decimal("2052.00") + Decimal("114.00")
    assert len(changed["line_items"]) == 3
    cancelled = SyncRecord.objects.get(pk=ledger[second].pk)
    assert cancelled.state == RecordState.SOURCE_DELETED
    assert after[ledger[second].idempotency_key] == before[ledger[second].idempotency_key], "left in place"
    assert exact_writes(exact_sim) == [], "nothing is ever written to Exact"


def subscribe_from_the_admin(client, exact, live_server) -> list[str]:
    """An admin selects the connection and runs "Create the webhook" on the connection list: the messages shown."""
    response = client.post(
        reverse("admin:connections_connection_changelist"),
        {"action": "register_webhooks", "_selected_action": [exact.pk]},
        HTTP_HOST=urlsplit(live_server.url).netloc,  # the callback URL is built from the request, as in production
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_webhooks_subscribed_from_the_admin_bring_a_new_order_to_procore_before_any_poll(
    world, exact_sim, procore_sim, live_server, client
):
    integration = world
    exact = Connection.objects.get(pk=integration.source_id)
    client.force_login(get_user_model().objects.get(username="admin"))
    callback = f"{live_server.url}/webhooks/{exact.uuid}/"

    [first] = subscribe_from_the_admin(client, exact, live_server)
    assert callback in first and "subscribed PurchaseEntries, PurchaseOrders" in first
    assert "read by the poll only: vendor" in first  # the supplier mirror has no topic
    [again] = subscribe_from_the_admin(client, exact, live_server)
    assert "no new subscription" in again and "already subscribed: PurchaseEntries, PurchaseOrders" in again
    subscriptions = exact_sim.records("WebhookSubscriptions")
    assert sorted((row["CallbackURL"], row["Topic"]) for row in subscriptions) == [
        (callback, "PurchaseEntries"), (callback, "PurchaseOrders"),
    ]  # fmt: skip
    # Exact signs with the app's webhook secret: the one entered on the connection is kept, never replaced.
    assert Connection.objects.get(pk=exact.pk).secrets["webhook_secret"] == exact_demo.WEBHOOK_SECRET

    order = exact_demo.gid("po:by-webhook")
    exact_sim.upsert("PurchaseOrders", {
        "PurchaseOrderID": order, "OrderNumber": 900, "OrderStatus": 10, "Supplier": exact_demo.gid("acc:2002"),
        "OrderDate": "2024-07-01T00:00:00.000", "Description": "Betonmortel vloeren",
        "PurchaseOrderLines": [{"Description": "Betonmortel C30/37", "QuantityInPurchaseUnits": "20",
                                "UnitPrice": "128.50", "CostCenter": "100", "Project": exact_demo.gid("prj:P24001")}],
    })  # fmt: skip
    # The worker writes the contract, then its lines, then marks the record posted: wait for the last step.
    posted = SyncRecord.objects.filter(integration=integration, flow=ORDERS, source_id=order, state=RecordState.POSTED)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not posted.exists():
        time.sleep(0.2)
    found = [c for c in procore_sim.records("purchase_order_contracts") if c.get("number") == "900"]
    assert len(found) == 1 and total(found[0]) == Decimal("2570.00")
    assert found[0]["project_id"] == 6_100_000_001
    record = SyncRecord.objects.get(integration=integration, flow=ORDERS, source_id=order)
    assert record.state == RecordState.POSTED and record.idempotency_key == found[0]["origin_id"]
    assert not SyncRun.objects.filter(integration=integration, flow=ORDERS).exists(), "no poll ran"
    # The only calls that were not reads: the two subscriptions (our registration, not data).
    assert exact_writes(exact_sim) == ["POST /api/v1/1459012/webhooks/WebhookSubscriptions"] * 2
