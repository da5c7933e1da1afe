"""What a record costs: vendor calls and database work per record stay flat, and the API usage counters add up."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connections import usage
from connections.models import ApiUsage
from syncs import canonical, engine, ledger
from syncs.models import SyncRecord

pytestmark = pytest.mark.django_db(transaction=True)

ORDER_LOOK_UP = "GET /entity/Default/23.200.001/PurchaseOrder"


def read(integration) -> list[int]:
    queued: list[int] = []
    run = engine.run_flow(integration.pk, "ap_bills", "manual", enqueue=lambda ids, run_id: queued.extend(ids))
    assert run.status == "succeeded", run.error
    return queued


def posted(integration) -> int:
    return SyncRecord.objects.filter(integration=integration, flow="ap_bills", state="posted").count()


def test_without_a_commitment_flow_no_bill_looks_for_an_order(procore_acumatica, acumatica_sim):
    integration, _ = procore_acumatica
    ids = read(integration)
    acumatica_sim.clear_calls()
    engine.post_batch(ids)
    assert posted(integration) >= 5
    assert acumatica_sim.calls().get(ORDER_LOOK_UP, 0) == 0  # no order of ours can be there to link to


def test_with_a_commitment_flow_each_bill_looks_for_its_order(procore_acumatica, acumatica_sim):
    integration, _ = procore_acumatica
    integration.flows = ["commitments", "ap_bills"]
    integration.save()
    ids = read(integration)
    acumatica_sim.clear_calls()
    engine.post_batch(ids)
    requisitions = SyncRecord.objects.filter(
        integration=integration, state="posted", source_id__startswith="requisition:"
    ).count()
    assert requisitions >= 5
    assert acumatica_sim.calls().get(ORDER_LOOK_UP, 0) == requisitions  # each names its commitment


def test_a_batch_costs_a_bounded_number_of_queries_per_record(procore_acumatica):
    integration, _ = procore_acumatica
    ids = read(integration)
    with CaptureQueriesContext(connection) as captured:
        engine.post_batch(ids)
    done = posted(integration)
    assert done >= 5
    # claim (2), settle under a row lock (4), one audit row; map rows, tokens and counters once per batch or second
    assert len(captured.captured_queries) <= 8 * len(ids) + 30, len(captured.captured_queries)
    tokens = [q for q in captured.captured_queries if q["sql"].startswith('SELECT "connections_connection"')]
    assert len(tokens) <= 4  # each connection's token read once for the batch, not once per record


def test_api_usage_counts_every_call_in_a_few_writes(procore_acumatica, procore_sim, acumatica_sim):
    integration, _ = procore_acumatica
    usage.flush()
    before = {row.connection_id: row.calls for row in ApiUsage.objects.all()}
    procore_sim.clear_calls()
    acumatica_sim.clear_calls()
    with CaptureQueriesContext(connection) as captured:
        engine.post_batch(read(integration))
    usage.flush()
    after = {row.connection_id: row.calls for row in ApiUsage.objects.all()}
    for side, simulator in ((integration.source_id, procore_sim), (integration.destination_id, acumatica_sim)):
        assert after[side] - before.get(side, 0) == sum(simulator.calls().values())
    writes = [q for q in captured.captured_queries if q["sql"].startswith("UPDATE") and "apiusage" in q["sql"]]
    assert len(writes) < sum(procore_sim.calls().values()) / 2


def bill_look_ups(acumatica_sim) -> int:
    return acumatica_sim.calls().get("GET /entity/Default/23.200.001/Bill", 0)


def test_a_batch_looks_its_bills_up_together(procore_acumatica, acumatica_sim):
    integration, _ = procore_acumatica
    ids = read(integration)
    acumatica_sim.clear_calls()
    engine.post_batch(ids)
    done = posted(integration)
    assert done >= 20
    assert bill_look_ups(acumatica_sim) <= -(-done // 20) + 1  # one $filter per 20 bills, not one per bill
    assert acumatica_sim.calls().get("PUT /entity/Default/23.200.001/Bill") == done
    engine.post_batch(ids)  # nothing left to do: nothing looked up or written again
    assert acumatica_sim.calls().get("PUT /entity/Default/23.200.001/Bill") == done


def test_a_record_claimed_by_another_worker_after_the_batch_look_up_is_looked_up_again(
    procore_acumatica, acumatica_sim
):
    """Another worker took the record after the batch looked it up, wrote its bill and lost the answer: the batch
    must not trust what it found before (nothing), or the bill would be written twice."""
    integration, _ = procore_acumatica
    ids = read(integration)
    batch = engine.BatchCache()
    snapshot = engine._prefetch(ids, batch)
    record = SyncRecord.objects.get(pk=ids[0])
    assert record.pk in snapshot
    other = ledger.claim(record.pk)  # the other worker's attempt: its write lands, its answer is lost
    document = engine._resolve(integration, canonical.from_dict(record.canonical), {}, None).record
    engine.adapter_for(integration.destination).write("bill", document, record.idempotency_key)
    ledger.mark_failed(other, "connection lost before the answer arrived", retryable=True)
    SyncRecord.objects.filter(pk=record.pk).update(next_attempt_at=timezone.now())  # its retry is due
    assert engine.post_record(record.pk, None, batch, snapshot[record.pk]) == "posted"
    same = [bill for bill in acumatica_sim.records("Bill") if scenario_value(bill, "VendorRef") == document.number]
    assert len(same) == 1  # found by its key and updated, not written again


def scenario_value(row: dict, name: str):
    field = row.get(name)
    return field.get("value") if isinstance(field, dict) else field
