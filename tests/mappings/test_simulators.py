"""Over the simulators: reference data pulled from Procore and Acumatica, and a blocked bill that posts once a
finance user maps its cost code in the grid."""

import datetime as dt

import pytest
from django.urls import reverse

from connections.models import Role
from mappings.models import ReferenceRecord
from mappings.pull import pull_reference
from syncs import engine
from syncs.models import RecordState, SyncRecord
from tests.sync import scenario

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(tenant_a, sandbox, procore_sim, acumatica_sim):
    data, expected = scenario.procore_records(dt.date.today())
    procore_sim.seed(data)
    acumatica_sim.seed(preset="demo")
    return scenario.wire(tenant_a, sandbox.base_url), expected


def kinds(connection) -> dict[str, int]:
    refs = ReferenceRecord.objects.filter(connection=connection)
    return {kind: refs.filter(kind=kind).count() for kind in sorted(set(refs.values_list("kind", flat=True)))}


def test_reference_data_pulled_from_both_simulators(world, procore_sim):
    integration, _ = world
    procore, acumatica = integration.source, integration.destination
    # Procore cost codes are per project; the adapter lists each code once (maps match by code).
    assert kinds(procore) == {"cost_code": 4, "cost_type": 3, "project": 3, "vendor": 3}
    pulled = kinds(acumatica)
    assert {"vendor", "account", "subaccount", "project", "task", "branch"} <= set(pulled)
    assert ReferenceRecord.objects.get(connection=procore, kind="cost_type", code="S").name == "Subcontract"
    assert ReferenceRecord.objects.filter(connection=acumatica, kind="account", code="50000").usable().exists()
    assert set(ReferenceRecord.objects.filter(connection=procore, kind="cost_code").values_list("code", flat=True)) \
        == set(scenario.COST_CODES)

    # A second pull creates nothing; a vendor that is gone is kept and marked, not deleted.
    star = procore_sim.records("vendors")[0]
    procore_sim.upsert("vendors", {**star, "is_active": False})
    counts = pull_reference(procore)
    assert counts["cost_code"] == {"seen": 4, "created": 0, "updated": 0, "missing": 0}
    gone = ReferenceRecord.objects.get(connection=procore, kind="vendor", native_id=str(star["id"]))
    assert not gone.is_usable
    assert pull_reference(acumatica)["account"]["created"] == 0


def test_blocked_bills_post_after_the_grid_maps_their_cost_code(world, acumatica_sim, client, make_user, tenant_a):
    integration, expected = world
    engine.run_flow(integration.pk, "ap_bills", "manual")
    blocked = SyncRecord.objects.filter(integration=integration, state=RecordState.NEEDS_MAPPING)
    assert blocked.count() == 2
    keys = {error["key"] for record in blocked for error in record.mapping_errors}
    assert keys == {"cost_code:99-999/S", "cost_code:99-999/M"}

    client.force_login(make_user("fiona", tenant_a, Role.FINANCE))
    grid = reverse("mappings:grid", args=[integration.pk])
    assert 'id="blocked-total">2<' in client.get(grid).content.decode()
    subaccount = ReferenceRecord.objects.get(connection=integration.destination, kind="subaccount", code="000-000")
    for type_code, account_code in (("S", "50000"), ("M", "51000")):
        account = ReferenceRecord.objects.get(connection=integration.destination, kind="account", code=account_code)
        response = client.post(
            reverse("mappings:save_cost_code", args=[integration.pk]),
            {"cost_code": "99-999", "cost_type": type_code, "account": account.pk, "dim_subaccount": subaccount.pk},
        )
        assert response.status_code == 302

    # Saving the map re-queued the blocked records, and the engine posted them.
    assert not SyncRecord.objects.filter(integration=integration, state=RecordState.NEEDS_MAPPING).exists()
    refs = {_plain(bill.get("VendorRef")) for bill in acumatica_sim.records("Bill")}
    assert expected.blocked <= refs
    assert 'id="blocked-total">0<' in client.get(grid).content.decode()


def _plain(value):
    return value.get("value") if isinstance(value, dict) else value
