"""Real workers, really killed: exactly one document at the destination in every case, counted on the simulator.

Each test runs `manage.py qcluster` processes on the test database and the simulators, with Procore approved pay
applications flowing to Acumatica bills (one pair stands for all: the claim, the destination key and the look-up
before any create are the engine's, not a system's). A cluster is SIGKILLed right after Acumatica applied a bill
and before our commit, and right before the write; a task outlives its timeout and its record is handed out again;
two clusters share a schedule, on the database broker and on Redis.

A killed worker's claim is released by age (`SYNC_CLAIM_TIMEOUT_SECONDS`, at least the task timeout + 30 s). Where
a test is not about that wait it dates the dead claim back instead of sleeping through it; the test of the task
timeout waits for real.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest
from django_q.models import Schedule

from syncs.models import AuditKind, RecordState, SyncRecord
from tests.sync import scenario, volume
from tests.sync.test_procore_to_acumatica import bills

from .cluster import Cluster, cluster_env, enqueue, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

FLOW = "ap_bills"
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def world(tenant_a, sandbox, procore_sim, acumatica_sim):
    """Three approved pay applications on one project, wired to Acumatica; returns (integration, expected)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data, expected = volume.projects_of_different_ages(now, recent=3, older=0)
    procore_sim.config(max_per_page=volume.PAGE)
    procore_sim.seed(data)
    acumatica_sim.seed(preset="reference")
    return scenario.wire(tenant_a, sandbox.base_url), expected


@pytest.fixture
def clusters(tmp_path):
    """Start clusters by calling start(env); every one still running is stopped at the end."""
    started: list[Cluster] = []

    def start(env: dict) -> Cluster:
        cluster = Cluster(env, tmp_path / f"cluster-{len(started)}.log")
        started.append(cluster)
        return cluster

    yield start
    for cluster in started:
        cluster.kill()


def records(integration):
    return SyncRecord.objects.filter(integration=integration, flow=FLOW)


def posting(integration):
    return records(integration).filter(state=RecordState.POSTING)


def all_posted(integration, count: int):
    return lambda: records(integration).filter(state=RecordState.POSTED).count() == count


def assert_exactly_once(acumatica_sim, expected) -> None:
    found = bills(acumatica_sim)  # fails on any duplicate vendor reference
    assert {number: volume.amount_of(int(number[4:])) for number in found} == expected


def date_back_claims(integration) -> None:
    """As if the claim timeout had passed since the dead worker took its record."""
    posting(integration).update(claimed_at=LONG_AGO)


def test_killed_after_the_destination_applied_the_write(world, acumatica_sim, clusters):
    integration, expected = world
    # Acumatica applies the first bill, then holds its answer: the worker dies before it can record the outcome.
    acumatica_sim.fault("hang_after_write", method="PUT", path="/Bill", ms=20_000)
    first = clusters(cluster_env())
    enqueue("syncs.tasks.run_flow_task", integration.pk, FLOW, "manual")
    wait_until(lambda: len(acumatica_sim.records("Bill")) == 1 and posting(integration).exists(), "no bill applied")
    first.kill()

    crashed = posting(integration).get()
    assert crashed.destination_id == "", "the outcome must not have been recorded"
    assert len(acumatica_sim.records("Bill")) == 1

    date_back_claims(integration)
    clusters(cluster_env())
    enqueue("syncs.tasks.retry_due_records")
    enqueue("syncs.tasks.run_flow_task", integration.pk, FLOW, "schedule")  # the next poll: the rest of the batch
    wait_until(all_posted(integration, 3), lambda: f"not all posted: {list(records(integration).values('state'))}")

    assert_exactly_once(acumatica_sim, expected)
    crashed.refresh_from_db()
    assert crashed.audit_events.filter(kind=AuditKind.POSTED, message__contains="found by look-up").exists()


def test_killed_right_before_the_write(world, acumatica_sim, clusters):
    integration, expected = world
    # The first bill's create hangs before Acumatica applies it; the worker dies, its record claimed, nothing written.
    acumatica_sim.fault("latency", method="PUT", path="/Bill", ms=20_000)
    first = clusters(cluster_env())
    enqueue("syncs.tasks.run_flow_task", integration.pk, FLOW, "manual")
    wait_until(
        lambda: posting(integration).exists()
        and any(e["method"] == "PUT" and e["path"].endswith("/Bill") for e in acumatica_sim.journal()),
        "the write never started",
    )
    first.kill()
    assert acumatica_sim.records("Bill") == []

    date_back_claims(integration)
    clusters(cluster_env())
    enqueue("syncs.tasks.retry_due_records")
    enqueue("syncs.tasks.run_flow_task", integration.pk, FLOW, "schedule")
    wait_until(all_posted(integration, 3), lambda: f"not all posted: {list(records(integration).values('state'))}")
    assert_exactly_once(acumatica_sim, expected)


def test_a_task_past_its_timeout_is_stopped_and_its_record_handed_out_again(world, acumatica_sim, clusters):
    """django-q2 kills a worker at the task timeout (4 s here); its claim is honoured until it is 34 s old."""
    integration, expected = world
    acumatica_sim.fault("hang_after_write", method="PUT", path="/Bill", ms=12_000)
    cluster = clusters(cluster_env(Q_TIMEOUT=4, SYNC_CLAIM_TIMEOUT_SECONDS=34))
    enqueue("syncs.tasks.run_flow_task", integration.pk, FLOW, "manual")
    wait_until(lambda: "after timeout" in cluster.text(), lambda: f"no timeout:\n{cluster.text()}", timeout=60)
    held = posting(integration).get()
    assert len(acumatica_sim.records("Bill")) == 1

    # The same batch handed out again while the claim is fresh: the held record is left alone, the others post.
    ids = list(records(integration).values_list("pk", flat=True))
    enqueue("syncs.tasks.post_batch", ids, None)
    enqueue("syncs.tasks.retry_due_records")
    wait_until(all_posted(integration, 2), "the rest of the batch did not post")
    assert posting(integration).get().pk == held.pk
    assert len(bills(acumatica_sim)) == 3

    # Once the claim has aged past the timeout, the record is handed out again and linked by look-up.
    wait_until(
        lambda: (enqueue("syncs.tasks.retry_due_records"), all_posted(integration, 3)())[1],
        "the timed-out record was never handed out again",
        timeout=90,
        interval=3,
    )
    assert_exactly_once(acumatica_sim, expected)
    held.refresh_from_db()
    assert held.attempts == 2  # the attempt the timeout cut short counts
    assert held.audit_events.filter(kind=AuditKind.POSTED, message__contains="found by look-up").exists()


def _two_clusters_on_one_schedule(integration, expected, acumatica_sim, clusters, redis_url=""):
    env = cluster_env(redis_url=redis_url)
    clusters(env)
    clusters(env)
    Schedule.objects.create(
        name=f"poll-integration-{integration.pk}",
        func="syncs.tasks.poll_integration",
        args=repr((integration.pk,)),
        schedule_type=Schedule.MINUTES,
        minutes=1,
        repeats=-1,
        next_run=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
    )
    # The poll delivered twice besides, as two schedulers racing (or a broker redelivery) would do.
    enqueue("syncs.tasks.poll_integration", integration.pk, redis_url=redis_url)
    enqueue("syncs.tasks.poll_integration", integration.pk, redis_url=redis_url)
    wait_until(all_posted(integration, 3), lambda: f"not all posted: {list(records(integration).values('state'))}")
    assert_exactly_once(acumatica_sim, expected)
    creates = [e for e in acumatica_sim.journal() if e["method"] == "PUT" and e["path"].endswith("/Bill")]
    assert len(creates) == 3, "a bill was sent more than once"


def test_two_clusters_on_the_same_schedule(world, acumatica_sim, clusters):
    integration, expected = world
    _two_clusters_on_one_schedule(integration, expected, acumatica_sim, clusters)


@pytest.fixture(scope="module")
def redis_url():
    """Redis at 127.0.0.1:6379 (started as the machine's notes say when it is not running), on a database of its
    own whose queue is emptied before and after."""
    import redis

    # A database per test run (by process id), so two runs on one machine never take each other's tasks.
    url = f"redis://127.0.0.1:6379/{8 + os.getpid() % 8}"
    client = redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        assert shutil.which("redis-server"), "Redis is needed for these tests and is not installed"
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
        wait_until(lambda: _pings(client), "Redis did not start", timeout=20)
    client.delete(f"django_q:{'ml-connector'}:q")
    yield url
    client.delete(f"django_q:{'ml-connector'}:q")


def _pings(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_two_clusters_with_redis_as_the_broker(world, acumatica_sim, clusters, redis_url):
    integration, expected = world
    _two_clusters_on_one_schedule(integration, expected, acumatica_sim, clusters, redis_url=redis_url)


def test_a_record_that_takes_down_its_worker_ends_dead_and_the_rest_flows(world, acumatica_sim, clusters):
    """The first pay application's look-up outlives the task timeout every time: after SYNC_MAX_ATTEMPTS (3 here)
    stopped attempts it is dead with its reason; the other two post."""
    integration, expected = world
    poison = min(expected)
    acumatica_sim.fault("latency", method="GET", path="/Bill", ms=7_000, times=None, contains=poison)
    cluster = clusters(cluster_env(Q_TIMEOUT=3, SYNC_CLAIM_TIMEOUT_SECONDS=33, SYNC_MAX_ATTEMPTS=3))
    enqueue("syncs.tasks.run_flow_task", integration.pk, FLOW, "manual")
    record = lambda: records(integration).get(source_id__endswith=poison[len("INV-") :])  # noqa: E731
    for crash in range(1, 4):
        wait_until(
            lambda crash=crash: cluster.text().count("after timeout") >= crash,
            lambda: f"no timeout:\n{cluster.text()}",
        )
        date_back_claims(integration)
        enqueue("syncs.tasks.retry_due_records")
        enqueue("syncs.tasks.run_flow_task", integration.pk, FLOW, "schedule")  # the poll posts what was pending
    wait_until(lambda: record().state == RecordState.DEAD, lambda: f"not dead: {record().state} {record().attempts}")
    dead = record()
    assert dead.attempts == 3
    assert "stopped without an outcome 3 times" in dead.last_error
    assert dead.audit_events.filter(kind=AuditKind.DEAD).exists()
    wait_until(all_posted(integration, 2), "the rest of the batch did not post")
    posted = bills(acumatica_sim)
    assert set(posted) == set(expected) - {poison}
