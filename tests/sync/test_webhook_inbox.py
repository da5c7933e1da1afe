"""The webhook inbox turns bad deliveries into clear 4xx answers or failed events, never a 500 or a stuck row."""

import json

import pytest
from django.urls import reverse

from syncs.models import WebhookEvent, WebhookStatus
from syncs.webhooks import process_event
from tests.contract.systems import SYSTEMS

pytestmark = pytest.mark.django_db

SECRET = {"Authorization": "Bearer inbox-secret"}


@pytest.fixture
def procore(tenant_a):
    return SYSTEMS["procore"].connection(tenant_a, "http://127.0.0.1:9", webhook_secret="inbox-secret")


def deliver(client, connection, body, headers=SECRET):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        reverse("webhook", args=[connection.uuid]), data, content_type="application/json", headers=headers
    )


def test_a_wrong_secret_is_refused_and_nothing_is_stored(client, procore):
    response = deliver(
        client,
        procore,
        {"id": 1, "resource_name": "Direct Costs", "resource_id": 5},
        headers={"Authorization": "Bearer not-it"},
    )
    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_a_deeply_nested_body_is_a_400_not_a_500(client, procore):
    body = "[" * 100_000 + "]" * 100_000
    response = deliver(client, procore, body)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]
    assert WebhookEvent.objects.get().status == WebhookStatus.FAILED


def test_long_event_ids_that_share_a_prefix_stay_two_events(client, procore):
    prefix = "e" * 250
    for suffix in ("a", "b"):
        assert (
            deliver(client, procore, {"ulid": prefix + suffix, "resource_name": "x", "resource_id": 1}).status_code
            == 202
        )
    assert WebhookEvent.objects.count() == 2
    assert all(len(event.event_id) <= 200 for event in WebhookEvent.objects.all())


def test_an_authentic_delivery_with_a_list_for_an_id_ends_failed_with_its_reason(client, procore):
    response = deliver(
        client, procore, {"id": 9, "resource_name": "Direct Costs", "resource_id": [1, 2], "project_id": 5}
    )
    event = WebhookEvent.objects.get()
    if response.status_code == 202:  # accepted: the worker reads it (synchronously in the tests)
        process_event(str(event.pk))
        event.refresh_from_db()
    assert event.status == WebhookStatus.FAILED
    assert event.error
