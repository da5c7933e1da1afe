"""The audit log: filters that really filter (integration, flow, kind, actor, date), a CSV of exactly what the
filters select, the user's tenants only, and nothing to change."""

import csv
import io

import pytest
from django.urls import reverse

from syncs.ledger import audit
from syncs.models import AuditEvent, AuditKind, RecordState, SyncRun

from .ledger_world import canonical_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(tenant_a, tenant_b, integration_of, ledger_row, members):
    a, b = integration_of(tenant_a), integration_of(tenant_b)
    bill = ledger_row(a, RecordState.FAILED)
    commitment = ledger_row(a, RecordState.POSTED, flow="commitments", canonical=canonical_bill("PO-7"))
    run = SyncRun.objects.create(integration=a, flow="commitments")
    audit(a, AuditKind.FAILED, "Attempt 1 failed", record=bill)
    audit(a, AuditKind.REPLAYED, "Replay asked", record=bill, actor=members["finance_a"])
    audit(a, AuditKind.POSTED, "Created PO", record=commitment)
    audit(a, AuditKind.FAILED, "Run of commitments failed", run=run)
    audit(b, AuditKind.FAILED, "bravo's own failure", record=ledger_row(b, RecordState.FAILED))
    return a, b


def listed(client, **params):
    response = client.get(reverse("admin:syncs_auditevent_changelist"), params)
    assert response.status_code == 200
    return sorted(event.message for event in response.context["cl"].result_list)


def exported(client, **params):
    response = client.get(reverse("admin:syncs_auditevent_export"), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return sorted(row["message"] for row in rows)


def test_filters_and_the_csv_select_the_same_events_of_the_users_tenant(trail, client, members):
    a, _ = trail
    client.force_login(members["viewer_a"])
    everything = ["Attempt 1 failed", "Created PO", "Replay asked", "Run of commitments failed"]
    cases = [
        ({}, everything),
        ({"kind__exact": "failed"}, ["Attempt 1 failed", "Run of commitments failed"]),
        ({"flow": "commitments"}, ["Created PO", "Run of commitments failed"]),
        ({"actor__id__exact": members["finance_a"].pk}, ["Replay asked"]),
        ({"integration__id__exact": a.pk, "q": "po-"}, ["Created PO"]),  # its record's number starts so
        ({"created_at__gte": "2000-01-01 00:00:00+00:00"}, everything),
        ({"created_at__lt": "2000-01-01 00:00:00+00:00"}, []),
    ]
    for params, expected in cases:
        assert listed(client, **params) == expected, params
        assert exported(client, **params) == expected, params


def test_the_export_action_exports_the_selected_events(trail, client, members):
    client.force_login(members["viewer_a"])
    chosen = AuditEvent.objects.filter(message="Replay asked").values_list("pk", flat=True)
    response = client.post(reverse("admin:syncs_auditevent_changelist"),
                           {"action": "export_csv", "_selected_action": [str(pk) for pk in chosen]})  # fmt: skip
    text = b"".join(response.streaming_content).decode()
    assert "Replay asked" in text and "fay" in text and "Attempt 1" not in text


def test_the_log_is_read_only_for_everyone(trail, client, members):
    client.force_login(members["admin_a"])
    event = AuditEvent.objects.filter(message="Replay asked").get()
    html = client.get(reverse("admin:syncs_auditevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in html
    assert client.post(reverse("admin:syncs_auditevent_change", args=[event.pk]), {"message": "x"}).status_code == 403
    assert client.get(reverse("admin:syncs_auditevent_export"), {"created_at__gte": "not a date"}).status_code == 400
