"""The inbox's queue is its table: stored events are drained per connection, each exactly once, and swept when late.

- A drain processes every waiting event of its connection once, and none of another connection's.
- An event claimed by a live worker is left to it; a claim older than the task timeout is taken again.
- The sweep queues a drain for a connection whose event waited too long, and leaves fresh events to their drain.
- A web process queues one drain per connection for a whole burst, not one task per event.
- A new webhook secret applies from the next delivery (the inbox keeps connections between requests).

The burst against a live server is tests/slow/test_webhook_burst.py.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

from syncs import webhooks
from syncs.models import WebhookEvent, WebhookStatus
from syncs.tasks import WEBHOOK_SWEEP_SCHEDULE

from .webhook_senders import connection, delivery

SECRET = "drain-webhook-secret-3Kp8"


def deliver(client, conn, n: int, secret: str = SECRET):
    headers, body = delivery("procore", n, secret)
    return client.post(reverse("webhook", args=[conn.uuid]), body, content_type="application/json", headers=headers)


def stored(client, conn, count: int, django_capture_on_commit_callbacks) -> list[str]:
    """`count` accepted deliveries whose drain is held back (the callbacks are captured, not run)."""
    with django_capture_on_commit_callbacks(execute=False):
        answers = [deliver(client, conn, n) for n in range(1, count + 1)]
    assert [answer.status_code for answer in answers] == [202] * count
    return [answer.json()["id"] for answer in answers]


@pytest.mark.django_db
def test_a_drain_processes_every_waiting_event_of_its_connection_once(
    client, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    alpha, bravo = connection("procore", tenant_a, SECRET), connection("procore", tenant_b, SECRET)
    ours = stored(client, alpha, 5, django_capture_on_commit_callbacks)
    theirs = stored(client, bravo, 2, django_capture_on_commit_callbacks)

    assert webhooks.drain(alpha.pk) == 5
    assert webhooks.drain(alpha.pk) == 0  # nothing is taken twice
    events = {str(pk): event for pk, event in WebhookEvent.objects.in_bulk([*ours, *theirs]).items()}
    assert {events[pk].status for pk in ours} == {WebhookStatus.PROCESSED}
    assert all(events[pk].claimed_at and events[pk].processed_at for pk in ours)
    assert {events[pk].status for pk in theirs} == {WebhookStatus.RECEIVED}


@pytest.mark.django_db
def test_a_claimed_event_is_left_to_its_worker_until_the_claim_is_stale(
    client, tenant_a, django_capture_on_commit_callbacks
):
    alpha = connection("procore", tenant_a, SECRET)
    taken, stale, free = stored(client, alpha, 3, django_capture_on_commit_callbacks)
    WebhookEvent.objects.filter(pk=taken).update(claimed_at=timezone.now())
    long_ago = timezone.now() - dt.timedelta(seconds=settings.SYNC_CLAIM_TIMEOUT_SECONDS + 1)
    WebhookEvent.objects.filter(pk=stale).update(claimed_at=long_ago)

    assert webhooks.drain(alpha.pk) == 2
    assert WebhookEvent.objects.get(pk=taken).status == WebhookStatus.RECEIVED
    assert WebhookEvent.objects.get(pk=stale).status == WebhookStatus.PROCESSED
    assert WebhookEvent.objects.get(pk=free).status == WebhookStatus.PROCESSED


@pytest.mark.django_db
def test_the_sweep_drains_connections_whose_events_waited_too_long(
    client, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    late, fresh = connection("procore", tenant_a, SECRET), connection("procore", tenant_b, SECRET)
    [old] = stored(client, late, 1, django_capture_on_commit_callbacks)
    [new] = stored(client, fresh, 1, django_capture_on_commit_callbacks)
    received = timezone.now() - dt.timedelta(seconds=webhooks.SWEEP_AFTER_SECONDS + 5)
    WebhookEvent.objects.filter(pk=old).update(received_at=received)

    assert webhooks.sweep() == [late.pk]  # tasks run inline here: the drain it queued has run
    assert WebhookEvent.objects.get(pk=old).status == WebhookStatus.PROCESSED
    assert WebhookEvent.objects.get(pk=new).status == WebhookStatus.RECEIVED  # its own drain is still to come
    assert webhooks.sweep() == []
    assert Schedule.objects.filter(name=WEBHOOK_SWEEP_SCHEDULE, func="syncs.tasks.sweep_webhooks").exists()


@pytest.mark.django_db
def test_a_new_webhook_secret_applies_from_the_next_delivery(client, tenant_a, django_capture_on_commit_callbacks):
    alpha = connection("procore", tenant_a, SECRET)
    with django_capture_on_commit_callbacks(execute=False):
        assert deliver(client, alpha, 1).status_code == 202
        alpha.secrets = {**alpha.secrets, "webhook_secret": "rotated-webhook-secret-5Tz1"}
        alpha.save(update_fields=["secrets", "updated_at"])
        assert deliver(client, alpha, 2).status_code == 401
        assert deliver(client, alpha, 3, "rotated-webhook-secret-5Tz1").status_code == 202
    alpha.delete()
    assert deliver(client, alpha, 4, "rotated-webhook-secret-5Tz1").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_web_process_queues_one_drain_per_connection_for_a_burst(client, tenant_a, tenant_b, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued on the database broker, as in production
    alpha, bravo = connection("procore", tenant_a, SECRET), connection("procore", tenant_b, SECRET)
    started = time.monotonic()
    answers = [deliver(client, conn, n).status_code for n in range(1, 11) for conn in (alpha, bravo)]
    burst = time.monotonic() - started
    assert answers == [202] * 20
    for thread in threading.enumerate():  # the last drains are queued by timers, after the drain delay
        if isinstance(thread, threading.Timer):
            thread.join(10)

    queued = [task.func() for task in OrmQ.objects.all()]
    assert set(queued) == {"syncs.tasks.drain_webhooks"}
    windows = int(burst / webhooks.DRAIN_DELAY_SECONDS) + 1  # at most one drain per connection per delay
    assert 2 <= len(queued) <= 2 * windows
    assert {task.task["args"][0] for task in OrmQ.objects.all()} == {alpha.pk, bravo.pk}
    assert WebhookEvent.objects.filter(status=WebhookStatus.RECEIVED).count() == 20
