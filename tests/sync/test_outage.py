"""Acumatica down for an hour (and longer) while Procore keeps being read: nothing lost, nothing posted twice.

Nothing sleeps. Time is lived through on a schedule: the retry task every minute and the poll every five, as the
schedules run them. Moving time forward by a step moves every scheduled retry (`next_attempt_at`) back by that step,
as if it had passed, and the simulators' clocks forward by it, so their tokens expire when they would. During an
outage every write to Acumatica answers 503; reads of Procore go on, and new invoices keep arriving.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from syncs import engine, ledger
from syncs.models import AuditKind, Cursor, RecordState, RunStatus, SyncRecord

from . import scenario, volume
from .test_nothing_lost import amounts, wired
from .test_procore_to_acumatica import bills, put_calls

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RETRY_EVERY = 60  # seconds between runs of the retry task (the poll runs at the integration's own interval)
HOUR = 3600
#: Enough attempts to outlast an hour (the 8th comes 63.5 minutes after the first), and one more, so that a
#: longer outage shows the capped delay before the 9th.
OUTLASTS_AN_HOUR = 9
TOKEN_CALL = "POST /identity/connect/token"
ARRIVING = 9_690_000_000  # ids of the pay apps entered in Procore during the outage


class Schedule:
    """The retry task and the poll of one integration, lived through in virtual seconds."""

    def __init__(self, integration, procore_sim, acumatica_sim):
        self.integration, self.procore_sim, self.acumatica_sim = integration, procore_sim, acumatica_sim
        self.elapsed = 0
        self.runs: list = []
        #: record pk -> [(attempt, virtual second it failed, seconds announced to its next attempt or None)]
        self.failures: dict[int, list] = defaultdict(list)
        self._attempts: dict[int, int] = {}
        self.poll_every = integration.poll_interval_minutes * 60
        self._clocks_at = 0  # the second the simulators' clocks and the scheduled retries stand at

    def live(self, seconds: int, *, arrivals=None, check=None, until=None) -> None:
        """Live through `seconds` (or until `until()` holds), minute by minute: `arrivals[second]()` happens at its
        second, the poll runs at the integration's interval, the retry task on the other minutes, and
        `check(schedule)` after each of them. Minutes in which nothing happens pass without a call to anyone."""
        end = self.elapsed + seconds
        while self.elapsed < end and not (until and until()):
            if self.elapsed in (arrivals or {}):
                self._catch_up()  # stamped by the simulator's clock
                arrivals[self.elapsed]()
            poll = self.elapsed % self.poll_every == 0
            if poll or self._retry_due():
                self._catch_up()
                if poll:
                    self.runs.append(engine.run_flow(self.integration.pk, "ap_bills", "schedule"))
                else:
                    engine.retry_due()
                self._observe()
                if check:
                    check(self, poll)
            self.elapsed += RETRY_EVERY
        self._catch_up()

    def _retry_due(self) -> bool:
        moment = timezone.now() + dt.timedelta(seconds=self.elapsed - self._clocks_at)
        return SyncRecord.objects.filter(
            integration=self.integration, state=RecordState.FAILED, next_attempt_at__lte=moment
        ).exists()

    def _catch_up(self) -> None:
        """Move time forward to `elapsed`: every scheduled retry comes that much closer, the simulators' clocks move
        on (their tokens expire as they would)."""
        step = self.elapsed - self._clocks_at
        if not step:
            return
        SyncRecord.objects.filter(integration=self.integration, next_attempt_at__isnull=False).update(
            next_attempt_at=F("next_attempt_at") - dt.timedelta(seconds=step)
        )
        self.procore_sim.advance(step)
        self.acumatica_sim.advance(step)
        self._clocks_at = self.elapsed

    def _observe(self) -> None:
        rows = SyncRecord.objects.filter(integration=self.integration).values_list(
            "pk", "state", "attempts", "next_attempt_at", "updated_at"
        )
        for pk, state, attempts, next_at, updated in rows:
            if state in (RecordState.FAILED, RecordState.DEAD) and attempts > self._attempts.get(pk, 0):
                announced = round((next_at - updated).total_seconds()) if next_at else None
                self.failures[pk].append((attempts, self.elapsed, announced))
            self._attempts[pk] = attempts


def records(integration):
    return SyncRecord.objects.filter(integration=integration)


def approved_ids(procore_sim) -> set[str]:
    return {str(r["id"]) for r in procore_sim.records("requisitions") if r.get("status") == "approved"}


def ledger_ids(integration) -> set[str]:
    return {source_id.rsplit(":", 1)[-1] for source_id in records(integration).values_list("source_id", flat=True)}


def arrive(procore_sim, contract, rid, expected):
    """A new approved pay app entered in Procore now (the simulator stamps it with its clock)."""
    requisition = volume.pay_app(contract, rid, rid % 1000, volume.amount_of(rid), dt.datetime.now(dt.UTC))
    procore_sim.upsert("requisitions", requisition)
    expected[f"INV-{rid}"] = volume.amount_of(rid)


def outage_invariants(schedule, poll=False):
    """What must hold at every moment of the outage."""
    limit = settings.SYNC_MAX_ATTEMPTS
    for record in records(schedule.integration):
        assert record.state in (RecordState.FAILED, RecordState.DEAD), (record.state, record.last_error)
        assert "503" in record.last_error, record.last_error
        if record.state == RecordState.FAILED:
            assert 0 < record.attempts < limit and record.next_attempt_at is not None
        else:
            assert record.attempts == limit, f"dead after {record.attempts} of {limit} attempts"
            assert record.next_attempt_at is None
    # Every attempt made exactly one write, and every write was refused: the attempts are all counted.
    assert put_calls(schedule.acumatica_sim) == sum(records(schedule.integration).values_list("attempts", flat=True))
    assert not bills(schedule.acumatica_sim)


def assert_backoff_grows_and_is_capped(failures):
    """The delays announced grow until the cap, then stay there; no attempt came before its announced time."""
    cap = ledger.RETRY_DELAY_CAP.total_seconds()
    announced = [delay for _, _, delay in failures if delay is not None]
    growing = [delay for delay in announced if delay < cap]
    assert growing == sorted(set(growing)), f"the delays do not grow: {announced}"
    assert all(delay == cap for delay in announced[len(growing) :]), announced
    assert max(announced) <= cap
    for (_, failed_at, delay), (_, next_failed_at, _) in zip(failures, failures[1:], strict=False):
        assert next_failed_at - failed_at >= delay, f"retried before its time: {failures}"


@pytest.fixture
def world(tenant_a, sandbox, procore_sim, acumatica_sim):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=11, older=2)  # project 0 lists two pages
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    return integration, data, expected


def test_an_hour_long_outage_loses_nothing_and_posts_each_invoice_once_when_it_ends(
    world, procore_sim, acumatica_sim, settings
):
    settings.SYNC_MAX_ATTEMPTS = OUTLASTS_AN_HOUR
    integration, data, expected = world
    contract = data["work_order_contracts"][1]
    partition = f"requisitions:{contract['project_id']}"
    arrivals = {
        minute * 60: (lambda rid=ARRIVING + minute: arrive(procore_sim, contract, rid, expected))
        for minute in (5, 20, 35, 50)
    }
    acumatica_sim.fault("status", method="PUT", status=503, times=None)  # every write, until cleared
    # ... and the first poll loses the second page of project 0 (three tries): the next poll reads it.
    procore_sim.fault("status", method="GET", path="/requisitions$", skip=1, times=3, status=500)
    schedule = Schedule(integration, procore_sim, acumatica_sim)
    tokens_before = acumatica_sim.calls().get(TOKEN_CALL, 0)
    marks = []

    def check(schedule, poll):
        outage_invariants(schedule)
        assert not records(integration).filter(state=RecordState.DEAD).exists()
        if poll and not schedule.elapsed:  # the page lost: project 0 keeps no mark, so it is read again in full
            assert Cursor.objects.get(integration=integration).mark(f"requisitions:{scenario.PROJECT_IDS[0]}") == ""
        elif poll:
            assert ledger_ids(integration) == approved_ids(procore_sim), "an approved invoice has no ledger row"
            mark = Cursor.objects.get(integration=integration).mark(partition)
            arrived = [r["updated_at"] for r in procore_sim.records("requisitions") if r["id"] >= ARRIVING]
            assert dt.datetime.fromisoformat(mark) >= max(map(dt.datetime.fromisoformat, arrived))
            marks.append(mark)

    schedule.live(HOUR + RETRY_EVERY, arrivals=arrivals, check=check)  # the hour, and the poll that ends it

    assert schedule.runs[0].status == RunStatus.PARTIAL and "Could not read" in schedule.runs[0].error
    assert all(run.status == RunStatus.SUCCEEDED for run in schedule.runs[1:]), [r.error for r in schedule.runs]
    assert len(ledger_ids(integration)) == len(expected) == 11 + 2 + 4
    # The cursor of the project the new invoices arrived on moved with each of them, though nothing was written.
    assert len(marks) == len(arrivals) == len(set(marks))
    # The records read at the start failed on every attempt, the delays between them growing.
    earliest = [failures for failures in schedule.failures.values() if failures[0][1] == 0]
    assert earliest
    for failures in earliest:
        assert [attempt for attempt, _, _ in failures] == list(range(1, 8))
        # Tried at 0, 1, 2, 4, 8, 16 and 32 minutes (each on the first retry run once due); next at 64 minutes.
        assert [failed_at for _, failed_at, _ in failures] == [0, 60, 120, 240, 480, 960, 1920], failures
        assert_backoff_grows_and_is_capped(failures)
    record = records(integration).get(pk=next(iter(schedule.failures)))
    failed_events = record.audit_events.filter(kind=AuditKind.FAILED, message__contains="Next attempt at")
    assert failed_events.count() == record.attempts

    acumatica_sim.clear_faults()  # Acumatica is back
    schedule.live(2 * HOUR, until=lambda: not records(integration).exclude(state=RecordState.POSTED).exists())
    assert schedule.elapsed < 2 * HOUR, "the retries did not post everything within an hour of the outage's end"

    assert set(records(integration).values_list("state", flat=True)) == {RecordState.POSTED}
    assert amounts(acumatica_sim) == expected  # one bill per invoice (bills() fails on a duplicate)
    assert acumatica_sim.calls().get(TOKEN_CALL, 0) > tokens_before, "the token that expired was not renewed"
    assert engine.replay(list(records(integration).values_list("pk", flat=True)), actor=None)["replayed"] == 0
    assert len(bills(acumatica_sim)) == len(expected)


def test_a_longer_outage_ends_in_dead_records_after_capped_delays_and_a_replay_posts_them_once(
    tenant_a, sandbox, procore_sim, acumatica_sim, settings
):
    settings.SYNC_MAX_ATTEMPTS = OUTLASTS_AN_HOUR
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=3, older=0)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    acumatica_sim.fault("status", method="PUT", status=503, times=None)
    schedule = Schedule(integration, procore_sim, acumatica_sim)
    procore_tokens = procore_sim.calls().get("POST /oauth/token", 0)

    schedule.live(150 * 60, check=outage_invariants)  # two and a half hours: Procore's tokens expire too
    assert procore_sim.calls().get("POST /oauth/token", 0) > procore_tokens, "the expired token was not renewed"

    for record in records(integration):
        assert record.state == RecordState.DEAD and record.attempts == OUTLASTS_AN_HOUR
        assert "503" in record.last_error
        assert record.audit_events.filter(kind=AuditKind.DEAD, message__contains="Giving up").count() == 1
        failures = schedule.failures[record.pk]
        assert len(failures) == OUTLASTS_AN_HOUR
        assert_backoff_grows_and_is_capped(failures)
        assert failures[-2][2] == HOUR < 30 * 2**7, "the eighth delay is not capped"
    assert all(run.status == RunStatus.SUCCEEDED for run in schedule.runs)

    acumatica_sim.clear_faults()
    schedule.live(30 * 60)
    assert not bills(acumatica_sim), "a dead record was posted without a person"

    ids = list(records(integration).values_list("pk", flat=True))
    assert engine.replay(ids, actor=None)["replayed"] == len(expected)
    assert engine.replay(ids, actor=None) == {"replayed": 0, "already_posted": len(expected), "busy": 0}
    assert amounts(acumatica_sim) == expected


def test_with_few_attempts_an_hour_long_outage_ends_in_dead_records_that_a_replay_posts_once(
    tenant_a, sandbox, procore_sim, acumatica_sim, settings
):
    """A deployment that sets SYNC_MAX_ATTEMPTS low (5: 7.5 minutes of retries) gives up during the hour; a person's
    replay afterwards posts each record once. The default (10) outlasts about three hours."""
    settings.SYNC_MAX_ATTEMPTS = 5
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=2, older=2)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    acumatica_sim.fault("status", method="PUT", status=503, times=None)
    schedule = Schedule(integration, procore_sim, acumatica_sim)
    budget = sum(ledger.retry_delay(n).total_seconds() for n in range(1, settings.SYNC_MAX_ATTEMPTS))

    schedule.live(HOUR, check=outage_invariants)

    for record in records(integration):
        failures = schedule.failures[record.pk]
        assert_backoff_grows_and_is_capped(failures)
        if budget < HOUR:  # the defaults give up before the hour is over
            assert record.state == RecordState.DEAD and record.attempts == settings.SYNC_MAX_ATTEMPTS
            assert failures[-1][1] < HOUR
            assert record.audit_events.filter(kind=AuditKind.DEAD).count() == 1
        else:
            assert record.state == RecordState.FAILED
    acumatica_sim.clear_faults()
    ids = list(records(integration).filter(state=RecordState.DEAD).values_list("pk", flat=True))
    assert engine.replay(ids, actor=None)["replayed"] == len(ids)
    schedule.live(RETRY_EVERY)
    assert amounts(acumatica_sim) == expected
    assert set(records(integration).values_list("state", flat=True)) == {RecordState.POSTED}


def test_a_destination_that_announces_when_it_is_back_is_not_retried_before_and_outlives_the_default_attempts(
    tenant_a, sandbox, procore_sim, acumatica_sim
):
    """Maintenance answered with 503 and Retry-After: each attempt waits for the announced time instead of
    spending the record's attempts on a back-off that ignores it."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=2, older=0)
    integration = wired(tenant_a, sandbox, procore_sim, acumatica_sim, data)
    announced = 20 * 60
    acumatica_sim.fault("status", method="PUT", status=503, retry_after=announced, times=None)
    schedule = Schedule(integration, procore_sim, acumatica_sim)

    schedule.live(HOUR, check=outage_invariants)

    for record in records(integration):
        failures = schedule.failures[record.pk]
        assert record.state == RecordState.FAILED, record.last_error
        assert [failed_at for _, failed_at, _ in failures] == [0, announced, 2 * announced]
        assert all(delay >= announced - 1 for _, _, delay in failures), failures
    acumatica_sim.clear_faults()
    schedule.live(HOUR, until=lambda: not records(integration).exclude(state=RecordState.POSTED).exists())
    assert amounts(acumatica_sim) == expected


def test_an_announced_return_delays_a_record_no_less_than_its_back_off_and_no_more_than_the_cap():
    now = timezone.now()
    soon, far = now + dt.timedelta(seconds=5), now + dt.timedelta(days=30)
    assert ledger.next_attempt_at(3, soon) - now >= ledger.retry_delay(3)
    assert ledger.RETRY_DELAY_CAP - dt.timedelta(seconds=5) < ledger.next_attempt_at(1, far) - now
    assert ledger.next_attempt_at(1, far) - now <= ledger.RETRY_DELAY_CAP + dt.timedelta(seconds=5)
