"""The demo's Exact Online -> Procore integration, seeded and run the way `make run` does, against both simulators.

Exact is connected through its consent page (over HTTP, as a browser would), reference data is pulled from both
sides, project maps and account rules are seeded for all but general costs, and a first run posts the orders and
invoices that are mapped, mirrors their suppliers into Procore, and leaves the rest waiting with its reason.
"""

import io
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from connections.models import Connection, ConnectionStatus, Environment
from mappings.models import AccountRule, ProjectMap
from sandbox.exact import demo as exact
from sandbox.procore import demo as procore
from sandbox.testing import SandboxControl
from syncs import demo, demo_exact
from syncs.models import Integration, RecordState, SyncRecord, WebhookEvent, WebhookStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def exact_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "exact")
    control.reset()
    control.seed(preset="demo")
    control.config(minutely_limit=10_000, daily_limit=100_000)
    return control


@pytest.fixture
def seeded(tenant_a, sandbox, exact_sim, procore_sim, make_user):
    make_user("admin", superuser=True)
    procore_sim.seed(preset="demo")
    spec = next(spec for spec in demo.connection_specs(sandbox.base_url) if spec["system"] == "procore")
    summit = Connection.objects.create(tenant=tenant_a, name=spec["name"], system="procore",
                                       environment=Environment.SIMULATOR, settings=spec["settings"],
                                       secrets=spec["secrets"])  # fmt: skip
    demo_exact.seed_integration(tenant_a, {"procore": summit})
    integration = Integration.objects.get(tenant=tenant_a, name=demo_exact.NAME)
    counts = demo.seed_maps(integration)
    return Integration.objects.select_related("source", "destination").get(pk=integration.pk), counts


def test_the_demo_connects_through_the_consent_page_seeds_most_maps_and_its_first_run_holds_the_rest(
    seeded, exact_sim, procore_sim
):
    integration, counts = seeded
    source = integration.source
    assert source.status == ConnectionStatus.ACTIVE and source.token_state["refresh_token"]
    assert source.settings["division"] == str(exact.MAIN)  # read from /current/Me when connecting
    assert exact_sim.calls()["POST /api/oauth2/token"] == 1
    assert counts["projects"] == ProjectMap.objects.filter(integration=integration).count() == 2
    assert counts["rules"] == AccountRule.objects.filter(integration=integration).count() == len(demo_exact.RULES)
    mapped = set(ProjectMap.objects.filter(integration=integration).values_list("source__code", flat=True))
    assert mapped == {"P24001", "P24002"}
    assert integration.destination.settings["company_id"] == str(demo_exact.COMPANY_ID)

    again = demo.seed_maps(integration)  # seeding twice changes nothing and does not connect again
    assert (again["projects"], again["rules"]) == (0, 0) and exact_sim.calls()["POST /api/oauth2/token"] == 1

    outcomes = demo.first_run(integration)
    assert outcomes == {flow: "succeeded" for flow in demo_exact.FLOWS}

    orders = SyncRecord.objects.filter(integration=integration, flow="purchase_orders_to_commitments")
    assert {r.state for r in orders} == {RecordState.POSTED}
    assert orders.count() == len(exact.PURCHASE_ORDERS) - 1  # the cancelled order is never posted
    contracts = [c for c in procore_sim.records("purchase_order_contracts") if c.get("origin_id")]
    assert len(contracts) == orders.count()
    assert {c["project_id"] for c in contracts} <= set(demo_exact.PROJECTS)

    invoices = SyncRecord.objects.filter(integration=integration, flow="purchase_invoices_to_costs")
    invoices = {r.label: r for r in invoices}
    held = [r for r in invoices.values() if r.state == RecordState.NEEDS_MAPPING]
    assert [r.label for r in held] == ["Purchase invoice ES-1187 - Elektrotechniek Smit B.V."]
    keys = {error["key"] for error in held[0].mapping_errors}
    assert f"account_rule:{demo_exact.UNMAPPED_ACCOUNT}@900" in keys
    posted = [r for r in invoices.values() if r.state == RecordState.POSTED]
    assert len(posted) == len(exact.PURCHASE_ENTRIES) - 1
    costs = [d for d in procore_sim.records("direct_costs") if d.get("origin_id")]
    assert len(costs) == len(posted)
    first = next(d for d in costs if d.get("invoice_number") == "F2024-0311")
    assert sum(Decimal(str(line["amount"])) for line in first.get("line_items") or []) == Decimal("7872.00")

    suppliers = {v["name"] for v in procore_sim.records("vendors") if v.get("company_id") == demo_exact.COMPANY_ID}
    assert "Bouwmaterialenhandel De Vries B.V." in suppliers
    summit = [c for c in procore_sim.records("purchase_order_contracts") if c.get("project_id") in
              {p[0] for p in procore.PROJECTS}]  # fmt: skip
    assert not [c for c in summit if c.get("origin_id")], "nothing of the Dutch company lands in Summit Builders"


@pytest.fixture
def demo_tenant(tenant_a, sandbox, exact_sim, procore_sim, acumatica_sim, make_user):
    """The demo's connections and integrations as seed_demo makes them, Exact connected through its consent page."""
    make_user("admin", superuser=True)
    procore_sim.seed(preset="demo")
    connections = {}
    for spec in demo.connection_specs(sandbox.base_url):
        connections[spec["system"]] = Connection.objects.create(tenant=tenant_a, environment=Environment.SIMULATOR,
                                                                **spec)  # fmt: skip
    demo.seed_integrations(tenant_a, connections)
    exact_connection = Connection.objects.get(tenant=tenant_a, name=demo_exact.EXACT_NAME)
    demo_exact.connect_through_consent(exact_connection, exact.REDIRECT_URIS[0])
    return tenant_a


def set_up_webhooks(tenant, live_server, sandbox) -> str:
    """What scripts/run.sh runs once the web server answers."""
    out = io.StringIO()
    call_command("demo_webhooks", base_url=live_server.url, sandbox_url=sandbox.base_url, tenant=tenant.slug,
                 force=True, stdout=out)  # fmt: skip
    return out.getvalue()


def handled(connection, marker: str, seconds=15) -> list[WebhookEvent]:
    """The connection's events whose body names `marker`, once handled (each is handled in the web server's thread)."""
    deadline = time.monotonic() + seconds
    while True:
        found = [e for e in WebhookEvent.objects.filter(connection=connection) if marker in e.body]
        if (found and all(e.status != WebhookStatus.RECEIVED for e in found)) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_the_demo_webhooks_are_set_up_once_the_web_server_answers_and_never_twice(
    demo_tenant, live_server, sandbox, exact_sim, procore_sim, acumatica_sim
):
    by_name = {c.name: c for c in Connection.objects.filter(tenant=demo_tenant)}
    exact_connection, summit, erp = by_name[demo_exact.EXACT_NAME], by_name["Procore (simulator)"], by_name[
        "Acumatica (simulator)"]  # fmt: skip
    url = {name: f"{live_server.url}/webhooks/{c.uuid}/" for name, c in by_name.items()}

    first = set_up_webhooks(demo_tenant, live_server, sandbox)
    assert "subscribed PurchaseEntries, PurchaseOrders" in first
    hooks = procore_sim.records("webhook_hooks")
    triggers = len(procore_sim.records("webhook_triggers"))
    assert [(h["destination_url"], h["destination_headers"]) for h in hooks] == [
        (url[summit.name], {"Authorization": f"Bearer {summit.secrets['webhook_secret']}"})
    ]  # only Summit's company: no flow reads the other demo companies' Procore connections
    assert triggers > 0
    push = acumatica_sim.config()
    assert (push["push_url"], push["push_header_value"]) == (url[erp.name], erp.secrets["push_header_value"])

    again = set_up_webhooks(demo_tenant, live_server, sandbox)  # run twice (make run restarts): nothing is made twice
    assert "already subscribed: PurchaseEntries, PurchaseOrders" in again
    subscriptions = exact_sim.records("WebhookSubscriptions")
    assert sorted(row["Topic"] for row in subscriptions) == ["PurchaseEntries", "PurchaseOrders"]
    assert {row["CallbackURL"] for row in subscriptions} == {url[exact_connection.name]}
    assert len(procore_sim.records("webhook_hooks")) == 1 and len(procore_sim.records("webhook_triggers")) == triggers
    assert Connection.objects.get(pk=summit.pk).secrets == summit.secrets  # the demo's secrets are kept
    assert Connection.objects.get(pk=exact_connection.pk).secrets == exact_connection.secrets

    # Deliveries reach the web server and pass verification (a rejected one is never stored). What they start is
    # left to the other tests: Procore's own deliveries are switched off so that nothing more follows.
    procore_sim.config(webhook_drop=True)
    exact_sim.upsert("PurchaseOrders", {"PurchaseOrderID": exact.gid("po:2"), "Description": "Betonmortel fase 2b"})
    assert handled(exact_connection, exact.gid("po:2"))
    acumatica_sim.upsert("Vendor", {"VendorID": "WEBHOOK01", "VendorName": "Pushed Vendor", "Status": "Active"})
    assert handled(erp, "WEBHOOK01")
    acumatica_sim.action("push_destination")
