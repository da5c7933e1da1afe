"""The demo's Procurify -> Acumatica integration, seeded and run once as `make run` does (seed_demo --first-run)."""

import pytest

from connections.models import Connection, Environment
from mappings.models import CostCodeMap
from sandbox.testing import SandboxControl
from syncs import demo, demo_procurify
from syncs.models import Integration, RecordState, SyncRecord

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def procurify_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "procurify")
    control.reset()
    control.seed(preset="demo")
    return control


def test_the_demo_integration_posts_most_documents_and_leaves_one_account_code_to_map(
    tenant_a, sandbox, procurify_sim, acumatica_sim
):
    acumatica_sim.seed(preset="demo")
    connections = {}
    for spec in demo.connection_specs(sandbox.base_url):
        if spec["system"] in ("procurify", "acumatica"):
            connections[spec["system"]] = Connection.objects.create(
                tenant=tenant_a, environment=Environment.SIMULATOR, **spec
            )
    demo_procurify.seed_integration(tenant_a, connections)
    integration = Integration.objects.get(tenant=tenant_a, name=demo_procurify.NAME)
    assert integration.flows == demo_procurify.FLOWS

    counts = demo.seed_maps(integration)
    mapped = set(CostCodeMap.objects.filter(integration=integration).values_list("cost_code", flat=True))
    assert counts["cost_codes"] == len(mapped) and demo_procurify.UNMAPPED_ACCOUNT_CODE not in mapped
    assert mapped == set(demo_procurify.ACCOUNTS)  # every other Procurify account code of the demo is mapped

    outcomes = demo.first_run(integration)
    assert set(outcomes.values()) == {"succeeded"}, outcomes
    posted = SyncRecord.objects.filter(integration=integration, state=RecordState.POSTED)
    assert posted.filter(flow="commitments").count() >= 20 and posted.filter(flow="ap_bills").count() >= 10
    waiting = SyncRecord.objects.filter(integration=integration, state=RecordState.NEEDS_MAPPING)
    assert waiting.exists()
    key = f"cost_code:{demo_procurify.UNMAPPED_ACCOUNT_CODE}/"
    assert all(key in {error["key"] for error in record.mapping_errors} for record in waiting)
    assert demo.pay_one_bill(integration)  # the ERP pays one bill; the next payments poll records it
