"""The dashboard's numbers: each counts the right records of the user's own tenants, each links to a ledger list
that really shows those records, and the page costs the same few queries whatever the size of the ledger."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from syncs import dashboard
from syncs.models import RecordState, SyncRun

from .ledger_world import canonical_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledgers(tenant_a, tenant_b, integration_of, ledger_row, now):
    a, b = integration_of(tenant_a), integration_of(tenant_b)
    today, _, _ = dashboard.day_bounds(now)
    earlier_today = today + (now - today) / 2
    for when in (earlier_today, earlier_today, now - dt.timedelta(days=3), now - dt.timedelta(days=10)):
        ledger_row(a, RecordState.POSTED, posted_at=when, canonical=canonical_bill("INV-1"))
    for state, n in ((RecordState.NEEDS_MAPPING, 2), (RecordState.FAILED, 1), (RecordState.DEAD, 1),
                     (RecordState.SOURCE_DELETED, 1), (RecordState.AWAITING_APPROVAL, 1)):  # fmt: skip
        for _ in range(n):
            ledger_row(a, state)
    ledger_row(a, RecordState.FAILED, flow="commitments")  # a flow the integration no longer runs still shows
    for _ in range(3):
        ledger_row(b, RecordState.FAILED)
    SyncRun.objects.create(integration=a, flow="ap_bills", status="succeeded", finished_at=now)
    return a, b


def cells(row):
    return [cell.number for cell in row.cells]


def test_counts_per_flow_and_state_for_the_users_tenants_only(ledgers, members, now):
    a, b = ledgers
    board = dashboard.build(members["viewer_a"], now)
    rows = {(row.integration.pk, row.flow_key): row for row in board["rows"]}
    assert set(rows) == {(a.pk, "ap_bills"), (a.pk, "commitments")}
    # posted today, posted 7 days, waiting for a mapping, awaiting approval, failed, dead, conflict, deleted
    assert cells(rows[(a.pk, "ap_bills")]) == [2, 3, 2, 1, 1, 1, 0, 1]
    assert cells(rows[(a.pk, "commitments")]) == [0, 0, 0, 0, 1, 0, 0, 0]
    assert rows[(a.pk, "ap_bills")].last_success is not None
    assert rows[(a.pk, "commitments")].last_success is None
    other = dashboard.build(members["admin_b"], now)
    assert [cells(row) for row in other["rows"]] == [[0, 0, 0, 0, 3, 0, 0, 0]]


def test_a_retired_flow_shows_while_it_has_records_waiting_or_posted_this_week(ledgers, members, ledger_row, now):
    a, _ = ledgers
    ledger_row(a, RecordState.POSTED, flow="retired", posted_at=now)
    ledger_row(a, RecordState.POSTED, flow="long_gone", posted_at=now - dt.timedelta(days=40))
    rows = {row.flow_key: row for row in dashboard.build(members["viewer_a"], now)["rows"]}
    assert set(rows) == {"ap_bills", "commitments", "retired"}
    assert cells(rows["retired"]) == [1, 1, 0, 0, 0, 0, 0, 0]


def test_every_number_links_to_a_list_of_exactly_those_records(ledgers, members, client, now):
    client.force_login(members["viewer_a"])
    board = dashboard.build(members["viewer_a"], now)
    checked = 0
    for row in board["rows"]:
        for cell in row.cells:
            response = client.get(cell.url)
            assert response.status_code == 200, cell.url
            assert response.context["cl"].result_count == cell.number, cell.url
            checked += 1
    assert checked == 16


def test_the_chart_counts_posted_and_failed_per_day(ledgers, members, now):
    chart = dashboard.build(members["viewer_a"], now)["chart"]
    assert len(chart.days) == 30
    assert chart.posted_total == 4  # the one posted 10 days ago counts: the chart spans 30 days
    by_day = {day["date"]: day for day in chart.days}
    today = dashboard.day_bounds(now)[0].date()
    assert by_day[today]["failed"] == 3  # failed twice (two flows) and dead once, all updated today
    assert chart.posted_total + chart.failed_total == sum(d["posted"] + d["failed"] for d in chart.days)
    tallest = max(max(d["h_posted"], d["h_failed"]) for d in chart.days)
    assert tallest == chart.height - 20


def test_the_page_renders_for_each_role_and_shows_no_other_tenant(ledgers, members, client):
    for who in ("viewer_a", "finance_a", "admin_a"):
        client.force_login(members[who])
        page = client.get(reverse("admin:index")).content.decode()
        assert "Integration alpha" in page and "bravo" not in page.lower()
        assert "<svg" in page and "Acumatica alpha" in page
        assert "ml-connector" in page and "Django administration" not in page


def test_queries_do_not_grow_with_the_ledger(ledgers, members, ledger_row, now):
    a, _ = ledgers
    fresh = type(members["viewer_a"]).objects.get  # a fresh user each time: its roles are cached on the object
    viewer = fresh(pk=members["viewer_a"].pk)
    with CaptureQueriesContext(connection) as small:
        dashboard.build(viewer, now)
    for state in list(RecordState) * 5:
        ledger_row(a, state, posted_at=now if state == RecordState.POSTED else None)
    viewer = fresh(pk=members["viewer_a"].pk)
    with CaptureQueriesContext(connection) as large:
        dashboard.build(viewer, now)
    assert len(large.captured_queries) == len(small.captured_queries) <= 12


def test_the_mapping_pages_wear_the_admins_header_and_navigation(ledgers, members, client):
    a, _ = ledgers
    client.force_login(members["viewer_a"])
    for url in (reverse("mappings:index"), reverse("mappings:grid", args=[a.pk])):
        page = client.get(url).content.decode()
        assert '<div id="site-name"><a href="/admin/">ml-connector</a></div>' in page, url
        assert 'id="nav-sidebar"' in page and 'class="breadcrumbs"' in page and 'class="app-nav"' in page, url
        assert "Django administration" not in page and "bravo" not in page.lower(), url
