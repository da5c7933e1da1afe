"""Webhooks for every system that sends them (Procore, Acumatica, Exact, QuickBooks), through the real inbox view.

- A delivery whose signature or secret is missing, wrong, cut short, or another tenant's is refused (401) and
  nothing is stored.
- A valid delivery sent again is one event (and one queued task), its repeats counted.
- Oversized, deeply nested, malformed, mis-shaped and undecodable bodies answer 4xx, never 500; an authentic one is
  kept as a failed event with its reason (never left `received`), a forged one not at all.

The burst of a thousand deliveries against a live server is tests/slow/test_webhook_burst.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncs.models import WebhookEvent, WebhookStatus
from syncs.webhooks import MAX_BODY_BYTES

from .webhook_senders import SENDERS, body_of, connection, delivery, forgeries, signed

pytestmark = pytest.mark.django_db

ALPHA_SECRET = "alpha-webhook-secret-7Qx2"
BRAVO_SECRET = "bravo-webhook-secret-9Lm4"
NESTING = 100_000


def post(client, conn, headers: dict, body: bytes):
    return client.post(reverse("webhook", args=[conn.uuid]), body, content_type="application/json", headers=headers)


@pytest.fixture(params=SENDERS)
def key(request):
    return request.param


@pytest.fixture
def alpha(key, tenant_a):
    return connection(key, tenant_a, ALPHA_SECRET)


def test_a_good_delivery_is_accepted_and_stored_once(client, key, alpha):
    response = post(client, alpha, *delivery(key, 1, ALPHA_SECRET))
    assert response.status_code == 202, response.content
    event = WebhookEvent.objects.get()
    assert event.connection_id == alpha.pk and event.status == WebhookStatus.RECEIVED


def test_a_forged_signature_is_refused_and_nothing_is_stored(client, key, alpha):
    forged = forgeries(key, 1, ALPHA_SECRET)
    assert {"missing", "wrong", "truncated"} <= set(forged)
    for name, (headers, body) in forged.items():
        response = post(client, alpha, headers, body)
        assert response.status_code == 401, f"{key} {name}: {response.status_code}"
        assert response.json() == {"error": "verification failed"}  # says nothing about what was expected
    assert not WebhookEvent.objects.exists()


def test_another_tenants_secret_is_refused_both_ways(client, key, alpha, tenant_b):
    bravo = connection(key, tenant_b, BRAVO_SECRET)
    assert post(client, alpha, *delivery(key, 1, BRAVO_SECRET)).status_code == 401
    assert post(client, bravo, *delivery(key, 2, ALPHA_SECRET)).status_code == 401
    assert not WebhookEvent.objects.exists()
    assert post(client, bravo, *delivery(key, 3, BRAVO_SECRET)).status_code == 202  # its own secret still works
    assert list(WebhookEvent.objects.values_list("connection_id", flat=True)) == [bravo.pk]


def test_a_replayed_delivery_is_one_event_and_one_task(client, key, alpha, django_capture_on_commit_callbacks):
    headers, body = delivery(key, 7, ALPHA_SECRET)
    with django_capture_on_commit_callbacks() as queued:
        answers = [post(client, alpha, headers, body).status_code for _ in range(3)]
    assert answers == [202, 200, 200]
    event = WebhookEvent.objects.get()
    assert event.duplicates == 2 and len(queued) == 1
    assert post(client, alpha, *delivery(key, 8, ALPHA_SECRET)).status_code == 202  # a new event is not a replay
    assert WebhookEvent.objects.count() == 2


def nested(key: str) -> bytes:
    deep = b"[" * NESTING + b"]" * NESTING
    return {
        "procore": b'{"id": ' + deep + b"}",
        "acumatica": b'{"Query": "MLC-Bills", "Id": ' + deep + b"}",
        "quickbooks": b'{"eventNotifications": ' + deep + b"}",
        "exact": b'{"Topic": "PurchaseOrders", "Key": ' + deep + b"}",
    }[key]


def misshaped(key: str) -> bytes:
    return {
        "procore": b'{"resource_name": "Direct Costs"}',  # no id
        "acumatica": b'{"Query": "MLC-Bills", "Id": "x", "Inserted": {"ReferenceNbr": "1"}}',  # rows not a list
        "quickbooks": b'{"eventNotifications": "all of them"}',
        "exact": b'{"Topic": "PurchaseOrders"}',  # no Key
    }[key]


BAD_BODIES = {
    "deeply nested": nested,
    "not JSON": lambda key: b'{"id": 1, "resource_name": ',
    "a JSON list": lambda key: b"[1, 2, 3]",
    "mis-shaped": misshaped,
    "not UTF-8": lambda key: b"\xff\xfe\xfd\x00{",
}


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
def test_an_authentic_bad_body_is_a_4xx_and_a_failed_event_with_its_reason(client, key, alpha, kind):
    headers, body = signed(key, BAD_BODIES[kind](key), ALPHA_SECRET)
    response = post(client, alpha, headers, body)
    assert 400 <= response.status_code < 500, f"{key} {kind}: {response.status_code}"
    assert not WebhookEvent.objects.filter(status=WebhookStatus.RECEIVED).exists()  # nothing for the worker
    if response.status_code == 400:
        event = WebhookEvent.objects.get()
        assert event.status == WebhookStatus.FAILED and event.error.startswith("Malformed payload")
    else:  # Exact signs inside the body: a body it cannot parse carries no signature to check
        assert key == "exact" and response.status_code == 401 and not WebhookEvent.objects.exists()


@pytest.mark.parametrize("signed_well", [True, False])
def test_an_oversized_body_is_refused_before_anything_else(client, key, alpha, signed_well):
    padding = b" " * (MAX_BODY_BYTES + 1)
    headers, body = signed(key, body_of(key, 1) + padding, ALPHA_SECRET if signed_well else BRAVO_SECRET)
    response = post(client, alpha, headers, body)
    assert response.status_code == 413
    assert not WebhookEvent.objects.exists()


def test_other_methods_and_unknown_inboxes_are_4xx(client, key, alpha):
    url = reverse("webhook", args=[alpha.uuid])
    assert client.get(url).status_code == 405
    assert client.put(url, b"{}", content_type="application/json").status_code == 405
    headers, body = delivery(key, 1, ALPHA_SECRET)
    unknown = reverse("webhook", args=["00000000-0000-4000-8000-000000000000"])
    assert client.post(unknown, body, content_type="application/json", headers=headers).status_code == 404
    assert not WebhookEvent.objects.exists()
