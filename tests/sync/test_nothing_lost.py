"""Nothing lost, nothing posted twice: each way the core once lost or doubled money, over the simulators.

Every test counts documents on the Acumatica simulator; most use several pages per list (the Procore simulator
pages at `volume.PAGE`), projects of different ages, and faults at page boundaries.
"""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections

from connections.models import Connection
from mappings.models import NO_COST_CODE
from syncs import engine, ledger
from syncs.models import AuditKind, Cursor, RecordState, RunStatus, SyncRecord

from . import scenario, volume
from .test_procore_to_acumatica import _plain, bills

pytestmark = pytest.mark.django_db(transaction=True)


def wired(tenant, sandbox, procore_sim, acumatica_sim, data):
    procore_sim.config(max_per_page=volume.PAGE)
    procore_sim.seed(data)
    acumatica_sim.seed(preset="reference")
    return scenario.wire(tenant, sandbox.base_url)


def run(integration):
    return engine.run_flow(integration.pk, "ap_bills", "manual")


def amounts(acumatica_sim) -> dict[str, Decimal]:
    return {number: Decimal(str(_plain(bill["Amount"]))) for number, bill in bills(acumatica_sim).items()}


def test_a_run_stopped_after_the_first_page_loses_no_older_project(tenant_a, sandbox, procore_sim, acumatica_sim):
    """60 recent pay apps on project 0, 27 older ones on projects 1-2, and a 429 on the second list page."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=60, older=27)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    # Project 0's six pages go through; the first page of project 1 is refused.
    procore_sim.fault("rate_limit", method="GET", path="/requisitions$", skip=6, reset_in=1)

    first = run(integration)
    assert first.status == RunStatus.RESCHEDULED
    marks = Cursor.objects.get(integration=integration).partitions
    assert list(marks) == [f"requisitions:{scenario.PROJECT_IDS[0]}"], "only project 0 was read in full"
    assert len(bills(acumatica_sim)) == 60

    second = run(integration)  # the rescheduled run
    assert second.status == RunStatus.SUCCEEDED, second.error
    assert amounts(acumatica_sim) == expected
    assert len(expected) == 87
    marks = Cursor.objects.get(integration=integration).partitions
    assert {key.split(":")[0] for key in marks} == {"requisitions"}  # direct cost lists are empty: no mark
    assert len(marks) == 3


def test_a_page_failing_midway_keeps_the_cursor_and_the_next_run_reads_the_rest(
    tenant_a, sandbox, procore_sim, acumatica_sim
):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=25, older=30)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    # Page 3 of the first project's list answers 500 on every try: the HTTP layer gives up on it.
    procore_sim.fault("status", method="GET", path="/requisitions$", skip=2, times=3, status=500)

    first = run(integration)
    assert first.status == RunStatus.PARTIAL
    assert "Could not read requisitions:" in first.error
    assert len(bills(acumatica_sim)) < len(expected)

    second = run(integration)
    assert second.status == RunStatus.SUCCEEDED, second.error
    assert amounts(acumatica_sim) == expected


def test_one_unreadable_project_does_not_stop_the_others(tenant_a, sandbox, procore_sim, acumatica_sim):
    """The service account is not granted project 2 (403), and one commitment answers 404."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=12, older=12)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    hidden = scenario.PROJECT_IDS[2]
    procore_sim.fault("status", method="GET", path=f"/projects/{hidden}/direct_costs", times=None, status=403)
    broken = data["work_order_contracts"][1]["id"]
    procore_sim.fault("status", method="GET", path=f"/work_order_contracts/{broken}", times=None, status=404)

    result = run(integration)
    assert result.status == RunStatus.PARTIAL
    assert f"direct_costs:{hidden}" in result.error
    project_one = {f"INV-{r['id']}" for r in data["requisitions"] if r["commitment_id"] == broken}
    assert set(bills(acumatica_sim)) == set(expected) - project_one
    failed = SyncRecord.objects.filter(integration=integration, state=RecordState.FAILED)
    assert failed.count() == len(project_one)
    assert all("404" in record.last_error for record in failed)

    procore_sim.clear_faults()
    SyncRecord.objects.filter(pk__in=failed).update(next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    engine.retry_due()
    assert amounts(acumatica_sim) == expected


def test_retrying_an_update_never_doubles_its_lines(tenant_a, sandbox, procore_sim, acumatica_sim):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, _ = volume.projects_of_different_ages(now, recent=3, older=0)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    run(integration)
    requisition = data["requisitions"][0]
    number = requisition["invoice_number"]
    original = bills(acumatica_sim)[number]

    # The same lines, a new amount: the update rewrites lines in place, so the HTTP layer may repeat it.
    requisition["items"][0]["work_completed_this_period"] = "300.00"
    procore_sim.upsert("requisitions", {"id": requisition["id"], "items": requisition["items"]})
    acumatica_sim.fault("reset_after_write", method="PUT", path="/Bill")
    run(integration)
    bill = bills(acumatica_sim)[number]
    assert Decimal(str(_plain(bill["Amount"]))) == Decimal("300.00")
    assert len(bill["Details"]) == 1
    assert _plain(bill["ReferenceNbr"]) == _plain(original["ReferenceNbr"])

    # A line more: that update inserts a line, so a lost answer is followed by a fresh read, never a blind repeat.
    contract = data["work_order_contracts"][0]
    requisition["items"].append(scenario._req_item(requisition["id"] * 10 + 2, contract["line_items"][1], 50))
    procore_sim.upsert("requisitions", {"id": requisition["id"], "items": requisition["items"]})
    acumatica_sim.fault("reset_after_write", method="PUT", path="/Bill")
    run(integration)
    record = SyncRecord.objects.get(integration=integration, source_id__endswith=str(requisition["id"]))
    assert record.state == RecordState.FAILED
    SyncRecord.objects.filter(pk=record.pk).update(next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    engine.retry_due()
    record.refresh_from_db()
    assert record.state == RecordState.POSTED, record.last_error
    bill = bills(acumatica_sim)[number]
    assert Decimal(str(_plain(bill["Amount"]))) == Decimal("350.00")
    assert len(bill["Details"]) == 2


def test_same_invoice_number_on_two_projects_makes_two_bills_and_a_foreign_one_is_a_conflict(
    tenant_a, sandbox, procore_sim, acumatica_sim
):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data = volume.base_records(now.date())
    vendor = list(scenario.VENDORS)[0]
    for index in (0, 1):
        contract = volume.subcontract(index, vendor)
        data["work_order_contracts"].append(contract)
        rid = 9_620_000_000 + index
        data["requisitions"].append(volume.pay_app(contract, rid, 1, Decimal(100 + index), now, invoice_number="3"))
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    # Someone keyed invoice "7" of the same vendor into Acumatica by hand.
    contract = data["work_order_contracts"][0]
    procore_sim.upsert("requisitions", volume.pay_app(contract, 9_620_000_009, 2, Decimal(70), now, invoice_number="7"))
    acu_vendor = scenario.VENDORS[vendor][1]
    acumatica_sim.seed(
        {
            "Bill": [
                {
                    "Type": "Bill",
                    "Vendor": acu_vendor,
                    "VendorRef": "7",
                    "Description": "by hand",
                    "Details": [{"Account": "50000", "Amount": "70.00", "Qty": "1", "UnitCost": "70.00"}],
                }
            ]
        }
    )

    run(integration)
    threes = [b for b in acumatica_sim.records("Bill") if _plain(b.get("VendorRef")) == "3"]
    assert sorted(Decimal(str(_plain(b["Amount"]))) for b in threes) == [Decimal(100), Decimal(101)]
    assert len({_plain(b["ReferenceNbr"]) for b in threes}) == 2
    conflict = SyncRecord.objects.get(integration=integration, source_id__endswith="9620000009")
    assert conflict.state == RecordState.CONFLICT
    assert "not created by ml-connector" in conflict.last_error
    assert conflict.audit_events.filter(kind=AuditKind.CONFLICT).exists()
    sevens = [b for b in acumatica_sim.records("Bill") if _plain(b.get("VendorRef")) == "7"]
    assert len(sevens) == 1 and _plain(sevens[0]["Description"]) == "by hand"


def test_an_edit_read_while_posting_is_posted_after_the_attempt(tenant_a, sandbox, procore_sim, acumatica_sim):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, _ = volume.projects_of_different_ages(now, recent=1, older=0)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    queued = []
    engine.run_flow(integration.pk, "ap_bills", "manual", enqueue=lambda ids, run_id: queued.extend(ids))
    requisition = data["requisitions"][0]
    acumatica_sim.fault("latency", method="PUT", path="/Bill", ms=2500)

    def slow_post():
        try:
            engine.post_batch(queued)
        finally:
            close_old_connections()

    worker = threading.Thread(target=slow_post)
    worker.start()
    deadline = time.monotonic() + 10
    while not SyncRecord.objects.filter(pk=queued[0], state=RecordState.POSTING).exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    requisition["items"][0]["work_completed_this_period"] = "250.00"
    procore_sim.upsert("requisitions", {"id": requisition["id"], "items": requisition["items"]})
    run(integration)  # reads the new version while the slow PUT of the old one is under way
    worker.join(30)

    record = SyncRecord.objects.get(pk=queued[0])
    assert record.state == RecordState.POSTED
    assert record.posted_version == record.source_version
    assert amounts(acumatica_sim) == {requisition["invoice_number"]: Decimal("250.00")}
    assert record.audit_events.filter(message__contains="newer source version").exists()


def test_replay_of_a_posted_record_whose_source_moved_on_posts_it(tenant_a, sandbox, procore_sim, acumatica_sim):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, _ = volume.projects_of_different_ages(now, recent=1, older=0)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    run(integration)
    record = SyncRecord.objects.get(integration=integration)
    # The source moved on, but this run's posting was lost (e.g. the worker was stopped before it).
    SyncRecord.objects.filter(pk=record.pk).update(source_version="newer", canonical={**record.canonical})
    requisition = data["requisitions"][0]
    requisition["items"][0]["work_completed_this_period"] = "999.00"
    SyncRecord.objects.filter(pk=record.pk).update(
        canonical={**record.canonical, "lines": [{**record.canonical["lines"][0], "amount": "999.00"}]}
    )
    counts = engine.replay([record.pk], actor=None)
    assert counts["replayed"] == 1
    assert amounts(acumatica_sim) == {requisition["invoice_number"]: Decimal("999.00")}


def test_a_claim_is_judged_by_the_database_clock_and_a_lost_claim_says_so(
    tenant_a, sandbox, procore_sim, acumatica_sim, monkeypatch
):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, _ = volume.projects_of_different_ages(now, recent=1, older=0)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    engine.run_flow(integration.pk, "ap_bills", "manual", enqueue=lambda ids, run_id: None)
    record_id = SyncRecord.objects.get(integration=integration).pk

    first = ledger.claim(record_id)
    assert first is not None
    # A second worker whose clock runs an hour ahead must not think the claim is stale.
    from django.utils import timezone

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(hours=1))
    assert ledger.claim(record_id) is None
    monkeypatch.setattr(timezone, "now", real_now)

    # The first worker really did outlive its claim: a second one takes it over and posts.
    SyncRecord.objects.filter(pk=record_id).update(claimed_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert engine.post_record(record_id) == RecordState.POSTED
    destination = SyncRecord.objects.get(pk=record_id).destination_id

    # The first worker now settles: it must not overwrite the outcome nor audit a "Created".
    from connections.systems.base import WriteResult

    ledger.mark_posted(first, WriteResult(destination_id="X-OTHER", created=True, sent={}), None)
    record = SyncRecord.objects.get(pk=record_id)
    assert record.state == RecordState.POSTED and record.destination_id == destination
    assert record.audit_events.filter(kind=AuditKind.CONFLICT, message__contains="X-OTHER").count() == 1
    assert record.audit_events.filter(kind=AuditKind.POSTED, message__contains="X-OTHER").count() == 0


def test_a_line_without_cost_code_waits_for_a_mapping(tenant_a, sandbox, procore_sim, acumatica_sim):
    data, _ = scenario.procore_records(dt.date.today())
    cost = next(dc for dc in data["direct_costs"] if dc["direct_cost_type"] == "invoice")
    cost["line_items"].append({**cost["line_items"][0], "id": 97_555_000_001, "cost_code_id": None})
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    run(integration)
    record = SyncRecord.objects.get(integration=integration, source_id__endswith=str(cost["id"]))
    assert record.state == RecordState.NEEDS_MAPPING
    assert any(NO_COST_CODE in error["key"] for error in record.mapping_errors)
    assert cost["invoice_number"] not in bills(acumatica_sim)

    scenario.map_cost_code(integration, NO_COST_CODE, "M", "51000")
    record.refresh_from_db()
    assert record.state == RecordState.POSTED
    bill = bills(acumatica_sim)[cost["invoice_number"]]
    assert all(_plain(line.get("Account")) for line in bill["Details"])


def test_a_net_credit_pay_app_posts_as_a_debit_adjustment(tenant_a, sandbox, procore_sim, acumatica_sim):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, _ = volume.projects_of_different_ages(now, recent=1, older=0)
    data["requisitions"][0]["items"][0]["work_completed_this_period"] = "-120.00"
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    run(integration)
    record = SyncRecord.objects.get(integration=integration)
    assert record.state == RecordState.POSTED, record.last_error
    documents = acumatica_sim.records("Bill")
    assert len(documents) == 1
    assert _plain(documents[0]["Type"]) == "Debit Adj."
    assert Decimal(str(_plain(documents[0]["Amount"]))) == Decimal("120.00")


def test_redaction_keeps_business_text_that_contains_a_user_name(tenant_a, sandbox, procore_sim, acumatica_sim):
    data, _ = scenario.procore_records(dt.date.today())
    cost = next(dc for dc in data["direct_costs"] if dc["direct_cost_type"] == "invoice" and len(dc["line_items"]) == 1)
    cost["line_items"][0]["description"] = "demolition, admin wing"
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    acumatica = Connection.objects.get(pk=integration.destination_id)
    acumatica.secrets = {**acumatica.secrets, "username": "admin"}
    acumatica.save()
    acumatica_sim.seed(
        {
            "users": [
                {
                    "id": "admin@" + acumatica.settings["tenant_name"],
                    "name": "admin",
                    "tenant": acumatica.settings["tenant_name"],
                    "password": acumatica.secrets["password"],
                }
            ]
        }
    )
    Connection.objects.get(pk=acumatica.pk)  # loads (and registers) the secrets, as every worker does
    run(integration)
    record = SyncRecord.objects.get(integration=integration, source_id__endswith=str(cost["id"]))
    assert record.state == RecordState.POSTED, record.last_error
    sent = record.sent_payload["Details"][0]["TransactionDescription"]["value"]
    assert sent == "demolition, admin wing"
    event = record.audit_events.get(kind=AuditKind.POSTED)
    assert event.request["Details"][0]["TransactionDescription"]["value"] == "demolition, admin wing"


def test_retainage_is_stated_on_the_bill_as_a_line_when_the_integration_asks(
    tenant_a, sandbox, procore_sim, acumatica_sim
):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, _ = volume.projects_of_different_ages(now, recent=2, older=0)
    for requisition in data["requisitions"]:
        requisition["items"][0]["work_completed_retainage_retained_this_period"] = "10.00"
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    gross, net = data["requisitions"]
    integration.options = {"ap_bills": {"retainage": "line"}}
    integration.save()
    run(integration)
    waiting = SyncRecord.objects.filter(integration=integration, state=RecordState.NEEDS_MAPPING)
    assert waiting.count() == 2 and "(retainage)" in waiting.first().mapping_errors[0]["message"]

    scenario.map_cost_code(integration, "(retainage)", "", "20500")  # retainage payable
    posted = bills(acumatica_sim)
    for requisition in (gross, net):
        bill = posted[requisition["invoice_number"]]
        amounts = sorted(Decimal(str(_plain(line["Amount"]))) for line in bill["Details"])
        claimed = Decimal(requisition["items"][0]["work_completed_this_period"])
        assert amounts == [Decimal("-10.00"), claimed]
        assert Decimal(str(_plain(bill["Amount"]))) == claimed - Decimal("10.00")
        assert "20500" in {_plain(line["Account"]) for line in bill["Details"]}
