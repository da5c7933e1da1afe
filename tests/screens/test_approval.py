"""The approval queue and edit-and-replay, over real HTTP to the Procore and Acumatica simulators: a flow with
approval holds every invoice with the exact payload it would send; approving posts once however often it is clicked,
in bulk too; a rejection keeps the whole story on one timeline; a date override reaches the destination."""

import pytest
from django.urls import reverse

from syncs import engine
from syncs.models import AuditKind, RecordState, SyncRecord

from .approval_world import bill_puts, bills_by_number, plain, set_options

pytestmark = pytest.mark.django_db(transaction=True)


def run(integration):
    return engine.run_flow(integration.pk, "ap_bills", "manual")


def waiting(integration):
    return SyncRecord.objects.filter(integration=integration, state=RecordState.AWAITING_APPROVAL).order_by("pk")


@pytest.fixture
def held(wired, acumatica_sim):
    integration = set_options(wired, approval=True)
    result = run(integration)
    assert result.status == "succeeded", result.error
    return integration


def test_every_invoice_waits_with_the_payload_it_would_send_and_nothing_is_written(held, acumatica_sim):
    records = list(waiting(held))
    assert len(records) == 6
    assert bills_by_number(acumatica_sim) == {} and bill_puts(acumatica_sim) == 0
    for record in records:
        body = record.preview
        assert plain(body["VendorRef"]) == record.canonical["number"]
        assert plain(body["Vendor"]) in {"STARFRAME", "APEXCONC", "BRIGHTLINE"}
        assert {plain(line["Account"]) for line in body["Details"]} <= {"50000", "51000", "52000"}
        assert record.audit_events.filter(kind=AuditKind.AWAITING_APPROVAL).count() == 1
    run(held)  # a second run neither posts nor re-previews what waits
    assert waiting(held).count() == 6 and bill_puts(acumatica_sim) == 0


def test_a_double_click_on_approve_posts_once(held, acumatica_sim, client, finance):
    record = waiting(held).first()
    client.force_login(finance)
    url = reverse("admin:syncs_approvalqueue_approve", args=[record.pk])
    first, second = client.post(url), client.post(url)
    assert first.status_code == second.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.POSTED
    posted = bills_by_number(acumatica_sim)
    assert list(posted) == [record.canonical["number"]]
    assert bill_puts(acumatica_sim) == 1
    # What was sent is what the approver saw (only the document number Acumatica assigns is added).
    assert plain(posted[record.canonical["number"]]["Amount"]) is not None
    assert record.sent_payload["Details"] == record.preview["Details"]
    approvals = record.audit_events.filter(kind=AuditKind.APPROVED)
    assert [event.actor for event in approvals] == [finance]
    assert waiting(held).count() == 5


def test_bulk_approval_posts_each_selected_invoice_once(held, acumatica_sim, client, finance):
    chosen = list(waiting(held).values_list("pk", flat=True))[:4]
    client.force_login(finance)
    changelist = reverse("admin:syncs_approvalqueue_changelist")
    data = {"action": "approve_selected", "_selected_action": chosen}
    assert client.post(changelist, data).status_code == 302
    assert client.post(changelist, data).status_code == 302  # the same form sent twice
    assert bill_puts(acumatica_sim) == 4 and len(bills_by_number(acumatica_sim)) == 4
    assert set(SyncRecord.objects.filter(pk__in=chosen).values_list("state", flat=True)) == {RecordState.POSTED}
    assert waiting(held).count() == 2
    page = client.get(changelist).content.decode()
    assert page.count('class="button approve-one"') == 2


def test_a_viewer_sees_the_queue_but_cannot_decide(held, acumatica_sim, client, viewer):
    record = waiting(held).first()
    client.force_login(viewer)
    page = client.get(reverse("admin:syncs_approvalqueue_change", args=[record.pk]))
    assert page.status_code == 200 and record.canonical["number"] in page.content.decode()
    assert "approve-button" not in page.content.decode()
    assert client.post(reverse("admin:syncs_approvalqueue_approve", args=[record.pk])).status_code == 403
    changelist = reverse("admin:syncs_approvalqueue_changelist")
    client.post(changelist, {"action": "approve_selected", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.state == RecordState.AWAITING_APPROVAL and bill_puts(acumatica_sim) == 0


def test_reject_then_fix_and_send_again_keeps_one_timeline(held, acumatica_sim, procore_sim, client, finance):
    record = waiting(held).first()
    client.force_login(finance)
    reject = reverse("admin:syncs_approvalqueue_reject", args=[record.pk])
    assert client.post(reject, {"reason": ""}).status_code == 200  # no reason: asked again, nothing done
    record.refresh_from_db()
    assert record.state == RecordState.AWAITING_APPROVAL
    assert client.post(reject, {"reason": "Wrong period, check with the PM"}).status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.REJECTED and "Wrong period" in record.last_error
    assert bill_puts(acumatica_sim) == 0
    queue = client.get(reverse("admin:syncs_approvalqueue_changelist") + "?queue=rejected").content.decode()
    assert record.label in queue

    fix = reverse("admin:syncs_syncrecord_fix", args=[record.pk])
    assert client.post(fix, {"do": "replay", "reason": ""}).status_code == 200  # a replay needs a reason
    assert client.post(fix, {"do": "replay", "reason": "PM confirmed"}).status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.AWAITING_APPROVAL  # back in the queue, not posted behind the approver
    client.post(reverse("admin:syncs_approvalqueue_approve", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == RecordState.POSTED and bill_puts(acumatica_sim) == 1

    story = list(record.audit_events.order_by("created_at", "id").values_list("kind", "actor__username"))
    kinds = [kind for kind, _ in story]
    assert kinds[:2] == [AuditKind.READ, AuditKind.AWAITING_APPROVAL]
    assert kinds[2:] == [AuditKind.REJECTED, AuditKind.REPLAYED, AuditKind.AWAITING_APPROVAL, AuditKind.APPROVED,
                         AuditKind.POSTED]  # fmt: skip
    assert ("rejected", "fiona") in story and ("approved", "fiona") in story
    assert record.audit_events.get(kind=AuditKind.REPLAYED).message.endswith("Reason: PM confirmed")


def test_a_new_source_version_replaces_the_preview(held, procore_sim, acumatica_sim):
    record = waiting(held).filter(source_id__startswith="direct_cost").first()
    cost_id = int(record.source_id.split(":")[2])
    cost = next(row for row in procore_sim.records("direct_costs") if row["id"] == cost_id)
    cost["line_items"][0]["amount"] = "999.99"
    procore_sim.upsert("direct_costs", cost)
    old = record.preview
    run(held)
    record.refresh_from_db()
    assert record.state == RecordState.AWAITING_APPROVAL
    assert record.preview != old
    assert [plain(line["Amount"]) for line in record.preview["Details"]] == ["999.99"]
    assert record.audit_events.filter(kind=AuditKind.AWAITING_APPROVAL).count() == 2
    assert bill_puts(acumatica_sim) == 0


def test_a_date_override_reaches_the_destination(wired, acumatica_sim, client, finance):
    integration = set_options(wired, overrides=["date"])
    record_number = "DC-INV-9700000000"
    acumatica_sim.fault("status", method="PUT", path="/Bill", status=422, contains=record_number)
    run(integration)
    record = SyncRecord.objects.get(integration=integration, label__contains=record_number)
    assert record.state == RecordState.FAILED, record.last_error
    puts = bill_puts(acumatica_sim)

    client.force_login(finance)
    fix = reverse("admin:syncs_syncrecord_fix", args=[record.pk])
    page = client.get(fix).content.decode()
    assert 'name="override_date"' in page and 'name="override_number"' not in page  # only what the flow allows
    refused = client.post(fix, {"override_date": "31/01/2020", "reason": "period closed", "do": "preview"})
    assert refused.status_code == 200 and "is not a date" in refused.content.decode()
    client.post(fix, {"override_date": "2020-01-31", "reason": "April is closed", "do": "preview"})
    record.refresh_from_db()
    assert record.overrides == {"date": "2020-01-31"}
    preview = client.get(fix).content.decode()
    assert "2020-01-31T00:00:00" in preview  # the new preview shows the date that would be sent
    client.post(fix, {"override_date": "2020-01-31", "reason": "April is closed", "do": "replay"})

    record.refresh_from_db()
    assert record.state == RecordState.POSTED, record.last_error
    assert bill_puts(acumatica_sim) == puts + 1
    sent = bills_by_number(acumatica_sim)[record_number]
    assert plain(sent["Date"]).startswith("2020-01-31")
    override = record.audit_events.get(kind=AuditKind.OVERRIDE)
    assert override.actor == finance and "April is closed" in override.message
    # A field the flow does not allow is refused, and nothing is stored.
    bad = client.post(fix, {"override_number": "X-1", "reason": "typo"})
    assert bad.status_code == 302
    record.refresh_from_db()
    assert record.overrides == {"date": "2020-01-31"}
