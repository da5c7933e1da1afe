"""Procore -> Sage Intacct under upstream faults: nothing lost, nothing posted twice, a clear error while it waits.

The world of test_procore_to_intacct.py (two projects, sixteen approved invoices, four subcontracts), with Procore
lists paged two records at a time. Each write fault is armed on the Intacct gateway for the create of one document
among many (`contains` its create control id), so it hits exactly that document; the others post on. Documents
are counted on the Intacct simulator by their number, and ledger rows in the database.
"""

import ast
import copy
import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from connections.systems.intacct import client
from connections.systems.intacct.fields import create_controlid, key_marker
from syncs import engine
from syncs.models import AuditKind, Cursor, RecordState, RunStatus, SyncRecord

from . import intacct_scenario as scenario
from .test_procore_to_intacct import GATEWAY, bills, purchase_orders

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = 2  # Procore records per list page: every project's requisition list spans several pages
READ_TIMEOUT = 2.5
#: bill fault -> (fault kind, its parameters, whether Intacct applied the create, what the record's error says)
BILL_FAULTS = {
    "reset": ("reset_after_write", {}, True, "connection lost before the answer arrived"),
    "502": ("status", {"status": 502}, False, "502"),
    "503": ("status", {"status": 503}, False, "503"),
    "504": ("status", {"status": 504}, False, "504"),
    "hang": ("hang_after_write", {"ms": int(READ_TIMEOUT * 2000)}, True, "no complete answer (ReadTimeout)"),
    "truncated": ("truncate", {"framed": True}, True, "Intacct answer unreadable"),
    "cut": ("truncate", {}, True, "no complete answer"),
    "html": ("html", {}, False, "HTML page instead of the API"),
}


@pytest.fixture
def world(tenant_a, sandbox, procore_sim, intacct_sim):
    data, expected = scenario.procore_records(dt.date.today())
    procore_sim.config(max_per_page=PAGE)
    procore_sim.seed(data)
    return scenario.wire(tenant_a, sandbox.base_url), expected, data


@pytest.fixture
def cut_answers_are_not_intacct_answers(intacct_answers_follow_the_published_envelopes, monkeypatch):
    """The answers the simulator cut short on purpose are read by our client but left out of the envelope check
    (this folder's conftest checks every other answer against the published envelopes)."""
    from connections.systems.intacct.errors import read_answer

    recording = client.read_answer

    def read(content):
        try:
            etree.fromstring(content)
        except etree.XMLSyntaxError:
            return read_answer(content)
        return recording(content)

    monkeypatch.setattr(client, "read_answer", read)


def read(integration, flow: str):
    """Run the flow's read, keeping the records it queues; they are posted by `engine.post_batch`."""
    queued = []
    run = engine.run_flow(integration.pk, flow, "manual", enqueue=lambda ids, run_id: queued.extend(ids))
    return run, queued


def arm(sim, record: SyncRecord, obj: str, kind: str, **params) -> None:
    """A fault on the gateway for the create of this record's document only (its control id is in the body)."""
    sim.fault(kind, method="POST", path=GATEWAY, contains=create_controlid(record.idempotency_key, obj), **params)


def make_due(records) -> None:
    SyncRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )


def creates_sent(sim, record: SyncRecord, obj: str) -> int:
    """Create functions for this record's document the gateway received."""
    controlid = create_controlid(record.idempotency_key, obj)
    return sum(1 for entry in sim.journal() if f'controlid="{controlid}"' in entry["body"])


def assert_waits_with_a_clear_error(record: SyncRecord, says: str, unknown: bool) -> None:
    """Failed, due again later, with what happened on the record and in the audit trail; a lost or cut answer also
    says that the document may be there and will be looked up (so no one enters it by hand meanwhile)."""
    record.refresh_from_db()
    assert record.state == RecordState.FAILED, (record.source_id, record.state, record.last_error)
    assert says in record.last_error, record.last_error
    assert ("looks it up by our key before writing" in record.last_error) == unknown, record.last_error
    assert record.next_attempt_at is not None
    assert record.audit_events.filter(kind=AuditKind.FAILED, message__contains=says).exists()


def assert_each_once(intacct_sim, integration, expected) -> None:
    """Every expected bill exactly once (`bills` fails on a duplicate), with its vendor and total, and one ledger
    row per bill, posted and linked to it."""
    posted = bills(intacct_sim, set(expected))
    assert set(posted) == set(expected)
    for number, bill in posted.items():
        assert bill["VENDORID"] == expected[number]["vendor"], number
        assert sum(Decimal(line["TRX_AMOUNT"]) for line in bill["APBILLITEMS"]) == expected[number]["amount"], number
    records = SyncRecord.objects.filter(integration=integration, flow="ap_bills")
    assert records.count() == len(expected)
    assert {r.state for r in records} == {RecordState.POSTED}, [(r.source_id, r.last_error) for r in records]
    assert sorted(records.values_list("destination_id", flat=True)) == sorted(b["RECORDNO"] for b in posted.values())
    descriptions = [bill.get("DESCRIPTION") or "" for bill in intacct_sim.records("APBILL")]
    for record in records:
        marker = key_marker(record.idempotency_key)  # our key on the bill: one bill per ledger row
        assert sum(marker in description for description in descriptions) == 1, record.source_id


def test_a_write_fault_on_one_bill_among_many_ends_with_exactly_one_bill(
    world, intacct_sim, settings, cut_answers_are_not_intacct_answers
):
    """A reset after the create was applied, 502/503/504, a hang past the read timeout, a cut XML answer (framed and
    unframed) and an HTML page with 200, each on the create of one bill: that bill waits with its error, the others
    post; the next attempt looks the bill up first, and each invoice ends as exactly one APBILL."""
    integration, expected, _ = world
    settings.HTTP_READ_TIMEOUT = READ_TIMEOUT
    run, queued = read(integration, "ap_bills")
    assert run.status == RunStatus.SUCCEEDED, run.error
    records = list(SyncRecord.objects.filter(pk__in=queued).order_by("source_id"))
    assert len(records) == len(expected.bills) == 16
    faulted = dict(zip(BILL_FAULTS, records[:: len(records) // len(BILL_FAULTS)], strict=False))
    for name, record in faulted.items():
        kind, params, _, _ = BILL_FAULTS[name]
        arm(intacct_sim, record, "APBILL", kind, **params)

    engine.post_batch(queued)
    assert not intacct_sim.faults(), "every fault fired on its bill"
    numbers = {name: record.canonical["number"] for name, record in faulted.items()}
    before = bills(intacct_sim, set(expected.bills))
    for name, record in faulted.items():
        kind, _, applied, says = BILL_FAULTS[name]
        assert_waits_with_a_clear_error(record, says, unknown=kind != "status")
        assert (numbers[name] in before) == applied, name
    assert len(before) == 16 - sum(not applied for _, _, applied, _ in BILL_FAULTS.values())

    make_due(faulted.values())
    engine.retry_due()
    assert_each_once(intacct_sim, integration, expected.bills)
    for name, record in faulted.items():
        applied = BILL_FAULTS[name][2]
        # A create Intacct applied is found by our key and linked; it is never sent again.
        assert creates_sent(intacct_sim, record, "APBILL") == (1 if applied else 2), name
        linked = record.audit_events.filter(kind=AuditKind.POSTED, message__contains="found by look-up")
        assert linked.exists() == applied, name


def test_a_rate_limit_on_one_create_hands_the_rest_of_the_batch_back_and_it_posts_once(world, intacct_sim):
    """Intacct's GW-0010 (HTTP 429) on the fifth create of a batch: nothing of that request ran, the batch stops
    there and is scheduled again for when the gateway allows; that batch posts the rest once."""
    from django_q.models import Schedule

    integration, expected, _ = world
    run, queued = read(integration, "ap_bills")
    limited = SyncRecord.objects.get(pk=queued[4])
    arm(intacct_sim, limited, "APBILL", "rate_limit", retry_after=1)

    outcome = engine.post_batch(queued, run.pk)
    assert outcome["rescheduled"] == len(queued) - 4
    limited.refresh_from_db()
    assert limited.state == RecordState.PENDING and limited.attempts == 0
    assert len(bills(intacct_sim, set(expected.bills))) == 4
    schedule = Schedule.objects.get(func="syncs.tasks.post_batch")
    ids, run_id = ast.literal_eval(schedule.args)
    assert ids == queued[4:] and run_id == run.pk
    assert schedule.next_run == limited.next_attempt_at > run.started_at, "not before the gateway allows"

    engine.post_batch(ids, run_id)  # as the schedule runs it
    assert_each_once(intacct_sim, integration, expected.bills)
    assert creates_sent(intacct_sim, limited, "APBILL") == 2


def test_a_purchase_order_whose_answer_was_lost_is_found_and_not_written_again(world, intacct_sim):
    integration, _, data = world
    run, queued = read(integration, "commitments")
    assert run.status == RunStatus.SUCCEEDED, run.error
    records = list(SyncRecord.objects.filter(pk__in=queued).order_by("source_id"))
    assert len(records) == len(data["work_order_contracts"]) == 4
    lost, refused = records[1], records[2]
    arm(intacct_sim, lost, "PODOCUMENT", "reset_after_write")
    arm(intacct_sim, refused, "PODOCUMENT", "status", status=503)

    engine.post_batch(queued)
    assert_waits_with_a_clear_error(lost, "connection lost before the answer arrived", unknown=True)
    assert_waits_with_a_clear_error(refused, "503", unknown=False)
    assert len(purchase_orders(intacct_sim)) == 3  # the lost answer's document is there, the refused one is not

    make_due([lost, refused])
    engine.retry_due()
    documents = purchase_orders(intacct_sim)  # fails on a document written twice
    assert set(documents) == {contract["number"] for contract in data["work_order_contracts"]}
    for record in records:
        record.refresh_from_db()
        assert record.state == RecordState.POSTED, record.last_error
        assert documents[record.canonical["number"]]["DOCID"] == record.destination_id
    assert creates_sent(intacct_sim, lost, "PODOCUMENT") == 1
    assert creates_sent(intacct_sim, refused, "PODOCUMENT") == 2
    assert lost.audit_events.filter(kind=AuditKind.POSTED, message__contains="found by look-up").exists()


def new_requisitions(data, expected, count: int) -> list[dict]:
    """`count` more approved pay applications on the first subcontract, as Procore users add them."""
    template = data["requisitions"][0]
    added = []
    for n in range(count):
        rid = 9_610_000_900 + n
        requisition = copy.deepcopy(template)
        requisition.update(id=rid, number=10 + n, invoice_number=f"INV-{rid}")
        for index, item in enumerate(requisition["items"], start=1):
            item.update(id=rid * 10 + index, work_completed_this_period=f"{700 + n}.00")
        added.append(requisition)
        expected[requisition["invoice_number"]] = {
            **expected[template["invoice_number"]],
            "amount": Decimal(f"{700 + n}.00") * len(requisition["items"]),
        }
    return added


def test_a_list_page_failing_midway_keeps_the_cursor_and_the_next_run_reads_everything(world, procore_sim, intacct_sim):
    integration, expected, data = world
    expected = dict(expected.bills)
    first = engine.run_flow(integration.pk, "ap_bills", "manual")
    assert first.status == RunStatus.SUCCEEDED, first.error
    assert_each_once(intacct_sim, integration, expected)
    marks = dict(Cursor.objects.get(integration=integration, flow="ap_bills").partitions)
    project = data["requisitions"][0]["project_id"]
    assert f"requisitions:{project}" in marks

    for requisition in new_requisitions(data, expected, 5):
        procore_sim.upsert("requisitions", requisition)
    # The second page of the first project's requisition list answers 500 on every try of the HTTP layer.
    procore_sim.fault("status", method="GET", path="/requisitions$", skip=1, times=3, status=500)
    second = engine.run_flow(integration.pk, "ap_bills", "manual")
    assert second.status == RunStatus.PARTIAL
    assert f"Could not read requisitions:{project}" in second.error
    assert integration.audit_events.filter(kind=AuditKind.FAILED, message__contains=f"requisitions:{project}").exists()
    after = dict(Cursor.objects.get(integration=integration, flow="ap_bills").partitions)
    assert after[f"requisitions:{project}"] == marks[f"requisitions:{project}"], "the cursor stays before unread data"
    assert len(bills(intacct_sim, set(expected))) < len(expected)

    third = engine.run_flow(integration.pk, "ap_bills", "manual")
    assert third.status == RunStatus.SUCCEEDED, third.error
    assert_each_once(intacct_sim, integration, expected)
    assert len(expected) == 21
    final = Cursor.objects.get(integration=integration, flow="ap_bills").partitions
    assert final[f"requisitions:{project}"] > marks[f"requisitions:{project}"]
