"""The demo's QuickBooks Online -> Procore integration, seeded and run the way `make run` does, against both
simulators: most of the lookup table is seeded, the first run posts what it places (requisitions for the two
subcontractors on their commitments, direct costs for the rest) and leaves the rental bill waiting for its rule."""

import pytest

from connections.models import Connection, Environment
from mappings.models import AccountRule, ProjectMap
from sandbox.testing import SandboxControl
from syncs import demo, demo_quickbooks
from syncs.models import Integration, RecordState, SyncRecord

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def qbo_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "quickbooks")
    control.reset()
    control.seed(preset="demo")
    return control


@pytest.fixture
def seeded(tenant_a, sandbox, qbo_sim, procore_sim):
    procore_sim.seed(preset="demo")
    spec = next(spec for spec in demo.connection_specs(sandbox.base_url) if spec["system"] == "procore")
    summit = Connection.objects.create(tenant=tenant_a, name=spec["name"], system="procore",
                                       environment=Environment.SIMULATOR, settings=spec["settings"],
                                       secrets=spec["secrets"])  # fmt: skip
    demo_quickbooks.seed_integration(tenant_a, {"procore": summit})
    integration = Integration.objects.get(tenant=tenant_a, name=demo_quickbooks.NAME)
    counts = demo.seed_maps(integration)
    return Integration.objects.select_related("source", "destination").get(pk=integration.pk), counts


def test_the_demo_seeds_most_of_the_lookup_table_and_its_first_run_posts_what_it_places(seeded, procore_sim):
    integration, counts = seeded
    assert counts["projects"] == ProjectMap.objects.filter(integration=integration).count() == 5
    assert counts["rules"] == AccountRule.objects.filter(integration=integration).count() == len(demo_quickbooks.RULES)
    assert not AccountRule.objects.filter(integration=integration, account_code=demo_quickbooks.UNMAPPED_ACCOUNT)

    outcomes = demo.first_run(integration)
    assert outcomes == {flow: "succeeded" for flow in demo_quickbooks.FLOWS}
    bills = {r.label.split(" ")[1]: r for r in SyncRecord.objects.filter(integration=integration,
                                                                         flow="bills_to_project_costs")}  # fmt: skip
    held = {number for number, r in bills.items() if r.state == RecordState.NEEDS_MAPPING}
    assert held == {"RER-99120", "SF-2024-11"}  # rental: no rule; fuel: no job
    assert "account 5200" in bills["RER-99120"].mapping_errors[0]["message"]
    posted = {number: r.destination_id.split(":")[0] for number, r in bills.items() if r.state == RecordState.POSTED}
    assert len(posted) == len(bills) - 2
    assert {n for n, kind in posted.items() if kind == "requisition"} == {"BE-1107", "SPH-3398"}
    ours = [r for r in procore_sim.records("requisitions") if r.get("origin_id")]
    ours += [c for c in procore_sim.records("direct_costs") if c.get("origin_id")]
    assert len(ours) == len(posted)
    assert {r["project_id"] for r in ours} <= set(demo_quickbooks.PROJECTS)
    payments = [p for p in procore_sim.records("contract_payments") if p.get("origin_id")]
    assert len(payments) == 2  # the partial payments of the two requisitions
