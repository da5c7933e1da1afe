"""The demo's Exact Online -> Procore integration, seeded and run the way `make run` does, against both simulators.

Exact is connected through its consent page (over HTTP, as a browser would), reference data is pulled from both
sides, project maps and account rules are seeded for all but general costs, and a first run posts the orders and
invoices that are mapped, mirrors their suppliers into Procore, and leaves the rest waiting with its reason.
"""

from decimal import Decimal

import pytest

from connections.models import Connection, ConnectionStatus, Environment
from mappings.models import AccountRule, ProjectMap
from sandbox.exact import demo as exact
from sandbox.procore import demo as procore
from sandbox.testing import SandboxControl
from syncs import demo, demo_exact
from syncs.models import Integration, RecordState, SyncRecord

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


def test_the_demo_connects_through_the_consent_page_and_seeds_most_maps(seeded, exact_sim):
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


def test_the_first_run_posts_what_is_mapped_and_holds_the_rest(seeded, exact_sim, procore_sim):
    integration, _ = seeded
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
