"""/healthz: 200 only when database, broker and a fresh worker heartbeat all pass; reasons in the body."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from syncs.models import WorkerHeartbeat
from syncs.ops import HEARTBEAT_FUNC, ensure_heartbeat_schedule, health
from syncs.ops.heartbeat import HEARTBEAT_MAX_AGE

pytestmark = pytest.mark.django_db


def get(client):
    response = client.get("/healthz")
    return response, response.json()


def test_all_checks_pass_with_a_heartbeat_written_by_the_scheduled_task(client):
    # Run the task by its dotted path, as the django-q2 schedule will.
    async_task(HEARTBEAT_FUNC, sync=True)
    assert WorkerHeartbeat.objects.count() == 1

    response, body = get(client)

    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
    }
    assert 0 <= body["checks"]["worker"]["age_seconds"] < 5
    assert response["Cache-Control"].startswith("max-age=0")


def test_no_heartbeat_at_all_is_503_with_the_reason(client):
    response, body = get(client)

    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["worker"]["status"] == "fail"
    assert "no worker heartbeat in the last 90 s" in body["checks"]["worker"]["reason"]
    assert body["checks"]["database"]["status"] == "ok"


def test_stale_heartbeat_is_503_and_says_how_old(client):
    WorkerHeartbeat.objects.create(name="worker-1", beat_at=timezone.now() - timedelta(minutes=5))

    response, body = get(client)

    assert response.status_code == 503
    reason = body["checks"]["worker"]["reason"]
    assert reason.startswith("no worker heartbeat in the last 90 s")
    assert "(last one 300 s ago)" in reason


def test_heartbeat_just_inside_the_limit_passes_and_the_newest_host_counts(client):
    WorkerHeartbeat.objects.create(name="old-host", beat_at=timezone.now() - timedelta(hours=1))
    WorkerHeartbeat.objects.create(name="new-host", beat_at=timezone.now() - HEARTBEAT_MAX_AGE + timedelta(seconds=5))

    response, body = get(client)

    assert response.status_code == 200, body


def test_unreachable_broker_fails_with_the_reason(client, monkeypatch):
    WorkerHeartbeat.objects.create(name="w", beat_at=timezone.now())

    class DownBroker:
        def ping(self):
            raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(health, "get_broker", lambda: DownBroker())
    response, body = get(client)

    assert response.status_code == 503
    assert body["checks"]["broker"] == {
        "status": "fail",
        "reason": "ConnectionError: Error 111 connecting to redis:6379. Connection refused.",
    }
    assert body["checks"]["worker"]["status"] == "ok"


def test_broker_that_answers_ping_false_fails(client, monkeypatch):
    WorkerHeartbeat.objects.create(name="w", beat_at=timezone.now())
    monkeypatch.setattr(health, "get_broker", lambda: type("Quiet", (), {"ping": lambda self: False})())

    response, body = get(client)

    assert response.status_code == 503
    assert body["checks"]["broker"]["reason"] == "broker did not answer ping"


def test_orm_broker_is_checked_by_reading_its_table(client, monkeypatch):
    from django_q.brokers.orm import ORM

    def broken(self):
        raise RuntimeError("no such table: django_q_ormq")

    WorkerHeartbeat.objects.create(name="w", beat_at=timezone.now())
    monkeypatch.setattr(ORM, "queue_size", broken)
    response, body = get(client)

    assert response.status_code == 503
    assert body["checks"]["broker"]["reason"] == "RuntimeError: no such table: django_q_ormq"


def test_failing_database_check_is_reported_not_raised(client, monkeypatch):
    def down():
        raise OSError("connection to server failed\nsecond line with more detail")

    WorkerHeartbeat.objects.create(name="w", beat_at=timezone.now())
    monkeypatch.setitem(health.CHECKS, "database", down)
    response, body = get(client)

    assert response.status_code == 503
    assert body["checks"]["database"]["reason"] == "OSError: connection to server failed"


def test_body_reveals_no_tenant_data(client, world_a):
    WorkerHeartbeat.objects.create(name="w", beat_at=timezone.now())
    text = client.get("/healthz").content.decode()

    for secret in ("Alpha", "alpha", "Integration", "Procore", "client-secret-value"):
        assert secret not in text


def test_head_is_allowed_for_probes_and_post_is_not(client):
    assert client.head("/healthz").status_code == 503
    assert client.post("/healthz").status_code == 405


def test_heartbeat_schedule_is_created_once_and_repaired():
    Schedule.objects.filter(func=HEARTBEAT_FUNC).delete()

    first = ensure_heartbeat_schedule()
    ensure_heartbeat_schedule()
    assert Schedule.objects.filter(func=HEARTBEAT_FUNC).count() == 1
    assert (first.schedule_type, first.minutes, first.repeats) == (Schedule.MINUTES, 1, -1)

    next_run = first.next_run
    Schedule.objects.filter(pk=first.pk).update(minutes=10)
    Schedule.objects.create(func=HEARTBEAT_FUNC, schedule_type=Schedule.MINUTES, minutes=1)
    repaired = ensure_heartbeat_schedule()

    assert list(Schedule.objects.filter(func=HEARTBEAT_FUNC).values_list("pk", "minutes")) == [(first.pk, 1)]
    assert repaired.next_run == next_run


def test_the_migration_creates_the_schedule():
    from importlib import import_module

    from django.apps import apps

    Schedule.objects.filter(func=HEARTBEAT_FUNC).delete()
    import_module("syncs.migrations.0003_heartbeat_schedule").create_schedule(apps, None)

    assert Schedule.objects.filter(func=HEARTBEAT_FUNC, schedule_type=Schedule.MINUTES, minutes=1).count() == 1


def test_each_systems_maintenance_task_is_scheduled_after_migrate():
    from django_q.models import Schedule

    from connections.registry import SYSTEMS

    declared = {func for spec in SYSTEMS.values() for func, _ in spec.maintenance}
    assert "connections.systems.exact.tasks.keep_alive" in declared
    scheduled = set(Schedule.objects.filter(name__startswith="maintenance:").values_list("func", flat=True))
    assert scheduled == declared
