"""A poison record (one the destination always refuses, or one whose worker always dies) ends dead after
SYNC_MAX_ATTEMPTS with its reason, and the rest of its batch flows. Counted on the Acumatica simulator."""

import datetime as dt

import pytest

from syncs import engine, ledger
from syncs.models import AuditKind, RecordState, SyncRecord

from . import scenario, volume
from .test_procore_to_acumatica import bills

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def world(tenant_a, sandbox, procore_sim, acumatica_sim, settings):
    settings.SYNC_MAX_ATTEMPTS = 3
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=4, older=0)
    procore_sim.config(max_per_page=volume.PAGE)
    procore_sim.seed(data)
    acumatica_sim.seed(preset="reference")
    return scenario.wire(tenant_a, sandbox.base_url), expected


def test_a_record_the_destination_always_refuses_ends_dead_and_the_rest_flows(world, acumatica_sim):
    integration, expected = world
    poison = sorted(expected)[1]  # in the middle of the batch
    acumatica_sim.fault("status", method="PUT", path="/Bill", status=502, times=None, contains=poison)
    engine.run_flow(integration.pk, "ap_bills", "manual")
    record = SyncRecord.objects.get(integration=integration, source_id__endswith=poison[len("INV-") :])
    for _ in range(5):  # more rounds than attempts: a dead record is left alone
        SyncRecord.objects.filter(pk=record.pk, state=RecordState.FAILED).update(next_attempt_at=LONG_AGO)
        engine.retry_due()
    record.refresh_from_db()
    assert record.state == RecordState.DEAD
    assert record.attempts == 3
    assert "502" in record.last_error
    assert record.audit_events.filter(kind=AuditKind.DEAD, message__contains="Giving up").count() == 1
    assert set(bills(acumatica_sim)) == set(expected) - {poison}


def test_a_record_whose_worker_always_dies_ends_dead_with_its_reason(world, acumatica_sim):
    """Each attempt's worker dies mid-post (its claim is simply never settled); once the claim is older than the
    claim timeout the record is taken over, and the dead attempt counts."""
    integration, expected = world
    engine.run_flow(integration.pk, "ap_bills", "manual", enqueue=lambda ids, run_id: None)
    record = SyncRecord.objects.filter(integration=integration).order_by("pk").first()
    for attempt in range(3):
        claimed = ledger.claim(record.pk)
        assert claimed is not None, f"attempt {attempt + 1} was not handed out"
        SyncRecord.objects.filter(pk=record.pk).update(claimed_at=LONG_AGO)  # ... and its worker died
    assert ledger.claim(record.pk) is None
    record.refresh_from_db()
    assert record.state == RecordState.DEAD
    assert "stopped without an outcome 3 times" in record.last_error
    assert record.audit_events.filter(kind=AuditKind.DEAD).count() == 1

    others = list(SyncRecord.objects.filter(integration=integration).exclude(pk=record.pk).values_list("pk", flat=True))
    engine.post_batch(others + [record.pk])
    assert len(bills(acumatica_sim)) == len(expected) - 1
    assert SyncRecord.objects.get(pk=record.pk).state == RecordState.DEAD
