"""A backfill of 2,000 Procurify bills into Acumatica through the engine, within the connection's request budget,
with Procurify overloaded for part of it.

The Procurify connection may spend 30 requests a minute, and the simulator suspends the domain the moment any minute
has more. Our clock and the simulator's move together (a paced wait advances both instead of waiting), so the half
hour of Procurify time the backfill spends at that pace and in its pauses passes at once. Once the first bills are
posted, Procurify is overloaded: it answers a gateway timeout, and suspends the domain at the next call. The
connection's Procurify work pauses, visibly (records that met the pause wait with the time it ends, the runs meanwhile
say when they resume, the connection's health counts the push-back) and sends nothing; then it resumes as the
cluster would run the rescheduled work, and every approved bill is in Acumatica exactly once, no minute over the
budget. Most of the test's time is the engine posting 2,000 bills, not the budget.
"""

import ast
import datetime as dt
from collections import Counter

import pytest
from django.utils.module_loading import import_string
from django_q.models import Schedule

from connections.models import ApiUsage, Connection
from sandbox.testing import SandboxControl
from syncs import engine
from syncs.models import RecordState, RunStatus, SyncRecord
from tests.contract.test_procurify import SimulatedTime
from tests.sync import procurify_scenario as world_of

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = 30
BILLS = 2000


@pytest.fixture
def procurify_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "procurify")
    control.reset()
    control.seed(preset="demo")
    assert len(control.seed({"bulk": {"bills": BILLS, "days": 30}})["bills"]) == BILLS
    return control


@pytest.fixture
def clock(procurify_sim, monkeypatch):
    clock = SimulatedTime(procurify_sim)
    clock.install(monkeypatch)  # before the first Procurify call, so the pace starts on this clock
    return clock


@pytest.fixture
def integration(tenant_a, sandbox, procurify_sim, acumatica_sim, clock):
    acumatica_sim.seed(preset="reference")
    integration = world_of.wire(tenant_a, sandbox.base_url, flows=["vendors_forward", "ap_bills"])
    world_of.map_account_code(integration, world_of.UNMAPPED)  # nothing waits for a person here
    procurify = Connection.objects.get(pk=integration.source_id)
    procurify.settings = {**procurify.settings, "requests_per_minute": str(BUDGET)}
    procurify.save()
    # One call over the budget in any minute suspends the domain; so does a second timed-out call.
    procurify_sim.config(suspend_over_per_minute=BUDGET, suspend_after_errors=1)
    procurify_sim.clear_calls()
    procurify_sim.clear_journal()
    return integration


def test_a_2000_bill_backfill_keeps_the_budget_pauses_through_an_overload_and_posts_every_bill_once(
    integration, procurify_sim, acumatica_sim, clock
):
    bills = world_of.postable_bills(procurify_sim)
    assert len(bills) > BILLS
    posted = SyncRecord.objects.filter(integration=integration, flow="ap_bills", state=RecordState.POSTED)

    def overload_once_bills_post(clock):
        if not overloaded and posted.exists():
            procurify_sim.config(overload=True)
            overloaded.append(clock.now())

    overloaded = []
    clock.on_sleep = overload_once_bills_post
    first = engine.run_flow(integration.pk, "ap_bills", "manual")
    clock.on_sleep = None
    assert overloaded, "the backfill never reached the overload"
    assert first.status in (RunStatus.SUCCEEDED, RunStatus.RESCHEDULED), first.error
    timeouts = [entry for entry in procurify_sim.journal() if entry["status"] == 504]
    assert len(timeouts) == 1  # Procurify timed out once, and was not called again

    # The pause is visible: Procurify's work waits with the time it resumes, and nothing is sent to Procurify.
    resume_at = pause_end()
    assert resume_at >= clock.now() + dt.timedelta(minutes=4)
    waiting = SyncRecord.objects.filter(integration=integration, state=RecordState.PENDING)
    assert waiting.filter(next_attempt_at=resume_at).exists()  # the records that met the pause say until when
    assert set(waiting.values_list("pk", flat=True)) <= scheduled_records()  # and none is forgotten
    sent = len(procurify_sim.journal())
    poll = engine.run_flow(integration.pk, "ap_bills", "schedule")  # the schedule comes round meanwhile
    assert poll.status == RunStatus.RESCHEDULED and f"{resume_at:%Y-%m-%d %H:%M:%S}" in poll.error
    assert len(procurify_sim.journal()) == sent
    assert usage(integration).rate_limited == 1  # the connection's health counts Procurify's push-back
    assert len(world_of.acumatica_bills(acumatica_sim)) == posted.count() < len(bills)

    # At the time it said, the connection calls again: Procurify, still overloaded, suspends the domain.
    clock.sleep((resume_at - clock.now()).total_seconds() + 1)
    run_due_schedules(clock)
    assert procurify_sim.records("suspensions"), "Procurify did not suspend the domain"
    suspended_until = pause_end()
    assert suspended_until >= clock.now() + dt.timedelta(minutes=14)
    assert waiting.filter(next_attempt_at=suspended_until).exists()
    assert set(waiting.values_list("pk", flat=True)) <= scheduled_records()
    assert usage(integration).rate_limited == 2
    sent = len(procurify_sim.journal())
    poll = engine.run_flow(integration.pk, "ap_bills", "schedule")
    assert poll.status == RunStatus.RESCHEDULED and f"{suspended_until:%Y-%m-%d %H:%M:%S}" in poll.error
    assert len(procurify_sim.journal()) == sent
    procurify_sim.config(overload=False)  # the overload is over; the suspension still runs its course

    # After the suspension everything resumes; the next poll finds nothing left to do.
    clock.sleep((suspended_until - clock.now()).total_seconds() + 1)
    run_due_schedules(clock)
    last = engine.run_flow(integration.pk, "ap_bills", "schedule")
    assert last.status == RunStatus.SUCCEEDED, last.error
    run_due_schedules(clock)

    rows = SyncRecord.objects.filter(integration=integration, flow="ap_bills")
    assert set(rows.values_list("source_id", flat=True)) >= set(bills)
    assert not rows.exclude(state=RecordState.POSTED).exists(), Counter(rows.values_list("state", flat=True))
    in_acumatica = world_of.acumatica_bills(acumatica_sim)  # fails on a bill posted twice
    assert len(in_acumatica) == len(bills)
    assert {ref for _vendor, ref in in_acumatica} == {bill["invoice_number"] for bill in bills.values()}

    statuses = Counter(entry["status"] for entry in procurify_sim.journal())
    assert statuses[504] == 1 and statuses[403] == 1  # neither the overload nor the suspension was hammered
    minutes = calls_per_minute(procurify_sim.journal())
    assert sum(minutes.values()) > 2 * BUDGET and max(minutes.values()) <= BUDGET  # the budget set the pace
    assert max(row["calls"] for row in procurify_sim.records("calls_per_minute")) <= BUDGET
    assert not Schedule.objects.filter(schedule_type=Schedule.ONCE).exists()


def usage(integration) -> ApiUsage:
    return ApiUsage.objects.get(connection_id=integration.source_id)


def pause_end() -> dt.datetime:
    """When the rescheduled work resumes: the one time every waiting schedule of the integration names."""
    times = {schedule.next_run for schedule in Schedule.objects.filter(schedule_type=Schedule.ONCE)}
    assert len(times) == 1, times
    return times.pop()


def scheduled_records() -> set[int]:
    """The ledger records the waiting post_batch schedules will post."""
    batches = Schedule.objects.filter(schedule_type=Schedule.ONCE, func="syncs.tasks.post_batch")
    return {pk for batch in batches for pk in ast.literal_eval(batch.args)[0]}


def run_due_schedules(clock) -> int:
    """Run every one-off schedule that is due on our clock, oldest first, as the cluster would; returns how many."""
    ran = 0
    while True:
        due = Schedule.objects.filter(schedule_type=Schedule.ONCE, next_run__lte=clock.now()).order_by("pk").first()
        if due is None:
            return ran
        due.delete()
        import_string(due.func)(*(ast.literal_eval(due.args) if due.args else ()))
        ran += 1


def calls_per_minute(journal: list[dict]) -> Counter:
    """Calls to the Procurify domain per minute of the simulator's clock, from the journal's timestamps."""
    return Counter(entry["at"][:16] for entry in journal if entry["path"].startswith(f"/{world_of.DOMAIN}/"))
