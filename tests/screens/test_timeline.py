"""The record page is a read-only timeline: the document as a table with its total, the payload as sent with
secrets masked, every attempt and audit event, no Save button; and the ledger is searched by what finance knows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.redaction import register_secret
from syncs.ledger import audit
from syncs.models import AuditKind, RecordState, SyncRecord

from .ledger_world import canonical_bill

pytestmark = pytest.mark.django_db

SENT = {"Vendor": {"value": "STARFRAME"}, "VendorRef": {"value": "INV-77"}, "Amount": {"value": 1250.0},
        "Details": [{"Account": {"value": "50000"}, "Amount": {"value": 1250.0}}],
        "note": {"value": "ml-connector key"}, "password": "hunter2-in-payload"}  # fmt: skip


@pytest.fixture
def posted(tenant_a, integration_of, ledger_row, members):
    integration = integration_of(tenant_a)
    row = ledger_row(
        integration, RecordState.POSTED, canonical=canonical_bill("INV-77", amount="1250.00"),
        sent_payload=SENT, destination_id="000123",
    )  # fmt: skip
    audit(integration, AuditKind.READ, "Read new source record.", record=row)
    audit(integration, AuditKind.FAILED, "Attempt 1 failed: 503.", record=row, response={"error": "busy"})
    audit(integration, AuditKind.REPLAYED, "Replay asked; a new attempt with the same key.", record=row,
          actor=members["finance_a"])  # fmt: skip
    audit(integration, AuditKind.POSTED, "Created destination record 000123.", record=row, request=SENT,
          response={"id": "abc", "ReferenceNbr": {"value": "000123"}})  # fmt: skip
    return row


def page(client, user, row):
    client.force_login(user)
    response = client.get(reverse("admin:syncs_syncrecord_change", args=[row.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_timeline_reads_like_a_document(posted, client, members):
    html = page(client, members["finance_a"], posted)
    assert 'id="document-lines"' in html and 'id="document-total">1,250.00<' in html
    assert "Star Framing, LLC" in html and "P-1 Tower A" in html
    assert "<code>Details[1].Account</code>" in html and "STARFRAME" in html
    assert html.index("Read new source record") < html.index("Attempt 1 failed") < html.index("Created destination")
    assert "by fay" in html and "The destination's answer" in html
    # Nothing to edit and nothing to save.
    assert 'name="_save"' not in html and "<textarea" not in html and "<select" not in html


def test_secrets_in_a_stored_payload_are_masked(posted, client, members):
    register_secret("ml-connector key")  # a credential that ended up in a stored payload by value
    html = page(client, members["finance_a"], posted)
    assert "hunter2-in-payload" not in html and "ml-connector key" not in html
    assert "***" in html


def test_a_post_to_the_record_page_changes_nothing(posted, client, members):
    client.force_login(members["finance_a"])
    before = SyncRecord.objects.filter(pk=posted.pk).values().get()
    response = client.post(reverse("admin:syncs_syncrecord_change", args=[posted.pk]), {"state": "pending"})
    assert response.status_code == 302
    assert SyncRecord.objects.filter(pk=posted.pk).values().get() == before


def test_replay_is_offered_to_finance_not_to_viewers(tenant_a, integration_of, ledger_row, client, members):
    failed = ledger_row(integration_of(tenant_a), RecordState.FAILED, canonical=canonical_bill("INV-9"),
                        last_error="Account '59999' cannot be found in the system.")  # fmt: skip
    replay_url = reverse("admin:syncs_syncrecord_replay", args=[failed.pk])
    viewer_html = page(client, members["viewer_a"], failed)
    assert replay_url not in viewer_html and "cannot be found in the system" in viewer_html
    finance_html = page(client, members["finance_a"], failed)
    assert replay_url in finance_html
    assert "cannot be found in the system" in finance_html
    assert f"/mappings/{failed.integration_id}/?tab=cost_codes&amp;q=03-310" in finance_html


def searched(client, user, term, **params):
    client.force_login(user)
    response = client.get(reverse("admin:syncs_syncrecord_changelist"), {"q": term, **params})
    assert response.status_code == 200
    return [row.pk for row in response.context["cl"].result_list]


@pytest.fixture
def searchable(tenant_a, tenant_b, integration_of, ledger_row):
    """The wanted row, a neighbour of the same tenant, and the wanted row's twin in another tenant."""
    a, b = integration_of(tenant_a), integration_of(tenant_b)
    wanted = ledger_row(a, RecordState.POSTED, destination_id="DEST-4711",
                        canonical=canonical_bill("INV-2024-88", "Apex Concrete", "9876.50", "Tower B"))  # fmt: skip
    ledger_row(a, RecordState.POSTED, canonical=canonical_bill("INV-1", "Star Framing", "10.00", "Tower A"))
    twin = ledger_row(b, RecordState.POSTED, destination_id="DEST-4711",  # the same values in another tenant
                      canonical=canonical_bill("INV-2024-88", "Apex Concrete", "9876.50", "Tower B"))  # fmt: skip
    SyncRecord.objects.filter(pk__in=[wanted.pk, twin.pk]).update(source_id="req:901")
    return wanted


@pytest.mark.parametrize(
    "term",
    [
        "INV-2024-88", "inv-2024", " INV-2024 ",  # the document number, or how it starts, in any case
        "Apex Concrete", "apex con",  # the vendor: the whole phrase is one prefix, not separate words
        "P-1 Tower B", "p-1 tower b",  # the project, as stored: its code and name
        "req:901", "DEST-4711", "dest-47",  # the source and destination ids
        "9,876.50", "9876.5", "$9876.50",  # the amount, however typed
    ],
)  # fmt: skip
def test_the_ledger_is_searched_by_number_vendor_project_ids_and_amount(term, searchable, client, members):
    assert searched(client, members["viewer_a"], term) == [searchable.pk]


@pytest.mark.parametrize("term", ["2024-88", "Concrete", "Tower B", "4711", "Invoice", "9876"])
def test_search_matches_how_a_value_starts_not_text_inside_it(term, searchable, client, members):
    """A prefix, which an index serves on a ledger of millions; text inside a value would read every row."""
    assert searched(client, members["viewer_a"], term) == []


def test_a_search_never_finds_another_tenants_rows(searchable, client, members):
    twin = SyncRecord.objects.exclude(pk=searchable.pk).get(destination_id="DEST-4711")
    assert searched(client, members["admin_b"], "INV-2024-88") == [twin.pk]
    assert searched(client, members["admin_b"], "9876.50") == [twin.pk]


def test_the_ledger_list_costs_the_same_queries_whatever_its_length(tenant_a, integration_of, ledger_row, client,
                                                                    members):  # fmt: skip
    a = integration_of(tenant_a)

    def queries(term=""):
        client.force_login(members["viewer_a"])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("admin:syncs_syncrecord_changelist"), {"q": term} if term else {})
        assert response.status_code == 200
        return len(captured.captured_queries)

    ledger_row(a, RecordState.POSTED, canonical=canonical_bill("INV-1"))
    few, few_searched = queries(), queries("INV")
    for n in range(30):
        ledger_row(a, RecordState.FAILED if n % 3 else RecordState.POSTED, canonical=canonical_bill(f"INV-{n + 2}"))
    assert queries() == few and queries("INV") == few_searched


def test_an_amount_search_keeps_the_lists_filters(tenant_a, integration_of, ledger_row, client, members):
    a = integration_of(tenant_a)
    ledger_row(a, RecordState.POSTED, canonical=canonical_bill("INV-5", amount="500.00"))
    failed = ledger_row(a, RecordState.FAILED, canonical=canonical_bill("INV-6", amount="500.00"))
    client.force_login(members["viewer_a"])
    response = client.get(reverse("admin:syncs_syncrecord_changelist"), {"q": "500", "state__exact": "failed"})
    assert [row.pk for row in response.context["cl"].result_list] == [failed.pk]


def test_a_post_to_the_record_page_is_refused_to_viewers_and_other_tenants(posted, client, members):
    url = reverse("admin:syncs_syncrecord_change", args=[posted.pk])
    client.force_login(members["viewer_a"])
    assert client.post(url, {}).status_code == 403
    client.force_login(members["admin_b"])
    assert client.post(url, {}).status_code == 404
