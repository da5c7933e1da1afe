"""The first flow end to end over real HTTP: approved Procore invoices become Acumatica AP bills, exactly once."""

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.urls import reverse
from django_q.models import Schedule

from connections.models import Connection
from syncs import engine
from syncs.models import AuditEvent, AuditKind, RecordState, SyncRecord

from . import scenario

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(procore_acumatica):
    return procore_acumatica


def bills(acumatica_sim) -> dict[str, dict]:
    """Bills in the Acumatica simulator by VendorRef; fails on a duplicate."""
    found = {}
    for bill in acumatica_sim.records("Bill"):
        ref = _plain(bill.get("VendorRef"))
        assert ref not in found, f"bill {ref} was posted twice"
        found[ref] = bill
    return found


def _plain(value):
    return value.get("value") if isinstance(value, dict) else value


def bill_accounts(bill) -> list[str]:
    return sorted(_plain(line.get("Account")) for line in bill.get("Details", []))


def put_calls(acumatica_sim) -> int:
    return sum(count for name, count in acumatica_sim.calls().items() if name.startswith("PUT ") and "Bill" in name)


def run(integration):
    return engine.run_flow(integration.pk, "ap_bills", "manual")


def test_approved_invoices_become_bills_and_blocked_ones_post_once_mapped(world, acumatica_sim):
    integration, expected = world
    result = run(integration)
    assert result.status == "succeeded", result.error

    posted = bills(acumatica_sim)
    assert len(posted) == 38
    for number, bill in posted.items():
        want = expected.bills[number]
        assert _plain(bill["Vendor"]) == want["vendor"], number
        assert Decimal(str(_plain(bill["Amount"]))) == want["amount"], number
        assert bill_accounts(bill) == want["accounts"], number
        assert {_plain(line.get("Subaccount")) for line in bill["Details"]} <= {"000-000", "000000"}
    blocked = SyncRecord.objects.filter(integration=integration, state=RecordState.NEEDS_MAPPING)
    assert blocked.count() == 2
    for record in blocked:
        assert "cost code 99-999" in record.mapping_errors[0]["message"]
        assert record.audit_events.filter(kind=AuditKind.BLOCKED).exists()
    assert "INV-UNDER-REVIEW" not in posted

    # Adding the mapping posts them, without anyone clicking anything.
    for type_code, account in scenario.ACCOUNT_BY_TYPE.items():
        scenario.map_cost_code(integration, scenario.UNMAPPED, type_code, account)
    posted = bills(acumatica_sim)
    assert len(posted) == 40
    assert set(posted) == set(expected.bills)
    assert not SyncRecord.objects.filter(integration=integration).exclude(state=RecordState.POSTED).exists()


def test_rerun_duplicate_webhook_replay_and_two_workers_post_nothing_twice(
    world, acumatica_sim, procore_sim, client, make_user, tenant_a
):
    integration, expected = world
    scenario.map_cost_code(integration, scenario.UNMAPPED, "S", "50000")
    scenario.map_cost_code(integration, scenario.UNMAPPED, "M", "51000")
    run(integration)
    assert len(bills(acumatica_sim)) == 40
    puts = put_calls(acumatica_sim)

    run(integration)  # the same run again
    assert len(bills(acumatica_sim)) == 40
    assert put_calls(acumatica_sim) == puts

    # A duplicated webhook for a posted record: stored once, record re-read, nothing written.
    source = Connection.objects.get(pk=integration.source_id)
    payload = json.dumps(
        {
            "id": 771,
            "ulid": "01J0000000000000000000000A",
            "resource_name": "Direct Costs",
            "resource_id": 9_700_000_000,
            "project_id": scenario.PROJECT_IDS[0],
            "event_type": "update",
            "company_id": scenario.COMPANY,
        }
    )
    url = reverse("webhook", args=[source.uuid])
    for _ in range(2):
        response = client.post(
            url, payload, content_type="application/json", headers={"Authorization": "Bearer hook-secret-123"}
        )
        assert response.status_code in (200, 202)
    assert source.webhook_events.count() == 1
    assert source.webhook_events.get().duplicates == 1
    assert len(bills(acumatica_sim)) == 40

    # A replay click on a posted record.
    user = make_user("fin", tenant=tenant_a, role="finance")
    client.force_login(user)
    record = SyncRecord.objects.filter(integration=integration, state=RecordState.POSTED).first()
    response = client.post(
        reverse("admin:syncs_syncrecord_changelist"), {"action": "replay_records", "_selected_action": [record.pk]}
    )
    assert response.status_code == 302
    assert record.audit_events.filter(kind=AuditKind.REPLAYED, actor=user).exists()
    assert put_calls(acumatica_sim) == puts

    # Two workers on the same batch of new records.
    numbers = [scenario.new_requisition(procore_sim, rid) for rid in (9_600_500_001, 9_600_500_002)]
    queued = []
    engine.run_flow(integration.pk, "ap_bills", "manual", enqueue=lambda ids, run_id: queued.extend(ids))
    assert len(queued) == 2
    _in_threads(2, lambda: engine.post_batch(queued))
    posted = bills(acumatica_sim)
    assert len(posted) == 42 and set(numbers) <= set(posted)


def test_reset_after_the_bill_was_created_is_followed_by_a_lookup_not_a_second_bill(world, acumatica_sim, procore_sim):
    integration, _ = world
    run(integration)
    number = scenario.new_requisition(procore_sim, 9_600_600_001)
    acumatica_sim.fault("reset_after_write", method="PUT", path="/Bill")
    run(integration)
    record = SyncRecord.objects.get(integration=integration, label__contains=number)
    assert record.state == RecordState.FAILED
    assert "connection lost" in record.last_error
    assert number in bills(acumatica_sim)  # the write was applied before the connection dropped

    SyncRecord.objects.filter(pk=record.pk).update(next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert engine.retry_due() >= 1
    record.refresh_from_db()
    assert record.state == RecordState.POSTED
    assert record.destination_id == _plain(bills(acumatica_sim)[number]["ReferenceNbr"])
    assert len([b for b in bills(acumatica_sim) if b == number]) == 1
    assert record.audit_events.filter(kind=AuditKind.POSTED, message__contains="found by look-up").exists()


def test_twenty_workers_on_an_expired_token_cause_one_token_request(world, acumatica_sim, procore_sim):
    integration, _ = world
    for connection, sim, token_call in (
        (integration.destination, acumatica_sim, "POST /identity/connect/token"),
        (integration.source, procore_sim, "POST /oauth/token"),
    ):
        adapter = engine.adapter_for(Connection.objects.get(pk=connection.pk))
        list(adapter.reference("vendor"))  # a token in the cache
        sim.advance(4 * 3600)  # ...that the vendor now considers expired, though our cache does not know
        before = sim.calls().get(token_call, 0)

        def work(connection_id=connection.pk):
            fresh = engine.adapter_for(Connection.objects.get(pk=connection_id))
            assert list(fresh.reference("vendor"))

        _in_threads(20, work)
        assert sim.calls().get(token_call, 0) - before == 1, token_call


def test_rate_limits_reschedule_the_work_and_nothing_is_lost(world, acumatica_sim, procore_sim):
    integration, expected = world
    scenario.map_cost_code(integration, scenario.UNMAPPED, "S", "50000")
    scenario.map_cost_code(integration, scenario.UNMAPPED, "M", "51000")
    # Procore says "too many requests" while we read...
    procore_sim.fault("rate_limit", method="GET", path="/requisitions$", skip=2, reset_in=1)
    first = run(integration)
    assert first.status == "rescheduled"
    resume = Schedule.objects.get(func="syncs.tasks.run_flow_task")
    assert resume.next_run > first.started_at
    # ...and Acumatica does the same while we write.
    acumatica_sim.fault("rate_limit", method="PUT", path="/Bill", skip=5)
    _run_schedule(resume)
    batch = Schedule.objects.filter(func="syncs.tasks.post_batch")
    assert batch.count() == 1
    assert len(bills(acumatica_sim)) < 40
    _run_schedule(batch.get())  # the window has passed
    engine.run_flow(integration.pk, "ap_bills", "manual")
    assert set(bills(acumatica_sim)) == set(expected.bills)
    assert SyncRecord.objects.filter(integration=integration, state=RecordState.POSTED).count() == 40


def _run_schedule(schedule):
    """Execute a django-q2 schedule now, as the cluster would once its time has come."""
    import ast

    from django.utils.module_loading import import_string

    args = ast.literal_eval(schedule.args) if schedule.args else ()
    schedule.delete()
    return import_string(schedule.func)(*args)


def _in_threads(count: int, target):
    errors = []

    def wrapper():
        try:
            target()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=wrapper) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_audit_trail_is_append_only(world):
    integration, _ = world
    run(integration)
    event = AuditEvent.objects.filter(integration=integration).first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
