"""A finance user in a real browser, over real HTTP to the simulators: from the dashboard to a failed invoice, its
timeline, the mapping that fixes it, a replay, and the bill in Acumatica; an admin following an alert to its fix.
Each main page is saved as a screenshot under tests/screens/screenshots/ for a person to look at."""

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from connections.models import Connection, ConnectionStatus, Role
from mappings.models import ReferenceRecord
from syncs import alerts, engine
from syncs.models import RecordState, SyncRecord
from tests.sync import scenario

from .approval_world import small_world

SHOTS = Path(__file__).parent / "screenshots"
UNMAPPED_INVOICE = "INV-9600000004"  # the requisition with a line on cost code 99-999, type S

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(chromium):
    SHOTS.mkdir(exist_ok=True)
    return chromium


def open_as(browser, live_server, username, dark=False):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark" if dark else "light")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("input[type=submit]")
    return page


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def world(tenant_a, sandbox, procore_sim, acumatica_sim):
    """Six approved invoices over two projects plus the one coded to 99-999, whose subcontract type is mapped to an
    account Acumatica no longer has: after a run, five post and that one fails on the destination's answer."""
    today = dt.date.today()
    data, _ = scenario.procore_records(today)
    unmapped = next(r for r in data["requisitions"] if r["invoice_number"] == UNMAPPED_INVOICE)
    data = small_world(data)
    data["requisitions"].append(unmapped)
    procore_sim.seed(data)
    acumatica_sim.seed(preset="reference")
    integration = scenario.wire(tenant_a, sandbox.base_url)
    # Pulled before Acumatica deleted it: the map is valid here, the ERP refuses it.
    ReferenceRecord.objects.create(connection=integration.destination, kind="account", native_id="59999",
                                   code="59999", name="Old subcontract costs", last_seen_at=timezone.now())  # fmt: skip
    scenario.map_cost_code(integration, scenario.UNMAPPED, "S", "59999")
    run = engine.run_flow(integration.pk, "ap_bills", "manual")
    assert run.status == "succeeded", run.error
    failed = SyncRecord.objects.get(integration=integration, state=RecordState.FAILED)
    assert UNMAPPED_INVOICE in failed.label and "cannot be found" in failed.last_error
    return integration, failed


def test_dashboard_to_failed_invoice_to_mapping_to_replay_to_posted(
    world, browser, live_server, make_user, tenant_a, tenant_b, acumatica_sim
):
    integration, failed = world
    make_user("fiona", tenant_a, Role.FINANCE)
    page = open_as(browser, live_server, "fiona")

    # The dashboard is the landing page; its "failed" number for this flow leads to the ledger list.
    row = page.locator(f'tr[data-integration="{integration.pk}"][data-flow="ap_bills"]')
    failed_cell = row.locator('td[data-column="failed"] a')
    expect(failed_cell).to_have_text("1")
    expect(page.locator("svg.day-chart")).to_be_visible()
    shot(page, "dashboard")
    failed_cell.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    shot(page, "ledger-list")
    page.locator("#result_list tbody tr th a").first.click()

    # The timeline: what failed, the document, the answer, and the link to the map that fixes it.
    expect(page.locator("#record-state")).to_have_text("Failed (will retry)")
    expect(page.locator("#last-error")).to_contain_text("cannot be found")
    expect(page.locator("#document-lines")).to_contain_text("99-999")
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    timeline_url = page.url
    shot(page, "timeline-failed")
    page.locator("a.map-link", has_text="99-999").click()

    # The mapping grid, filtered to the cost code: point 99-999 / S at the right account.
    cost_row = page.locator('tr[data-key="cost_code:99-999/S"]')
    account = ReferenceRecord.objects.get(connection=integration.destination, kind="account", code="50000")
    subaccount = ReferenceRecord.objects.get(connection=integration.destination, kind="subaccount", code="000-000")
    cost_row.locator('select[name="account"]').select_option(value=str(account.pk))
    cost_row.locator('select[name="dim_subaccount"]').select_option(value=str(subaccount.pk))
    cost_row.locator("form.inline-edit button").click()
    expect(page.locator(".messagelist")).to_contain_text("now posts to 50000")
    expect(page.locator("#site-name")).to_have_text("ml-connector")
    shot(page, "mapping-grid")

    # Back on the timeline, replay: the invoice posts, and the history says who asked.
    page.goto(timeline_url)
    page.get_by_role("button", name="Replay").click()
    expect(page.locator("#record-state")).to_have_text("Posted")
    expect(page.locator("#events")).to_contain_text("Replay asked")
    expect(page.locator("#events")).to_contain_text("by fiona")
    shot(page, "timeline-posted")
    failed.refresh_from_db()
    assert failed.state == RecordState.POSTED and failed.destination_id
    bills = [b for b in acumatica_sim.records("Bill") if _plain(b.get("VendorRef")) == UNMAPPED_INVOICE]
    assert len(bills) == 1
    assert "50000" in {_plain(line.get("Account")) for line in bills[0]["Details"]}

    # A viewer reads the same timeline without the replay button; another tenant's admin cannot open it.
    make_user("victor", tenant_a, Role.VIEWER)
    viewer = open_as(browser, live_server, "victor", dark=True)
    viewer.goto(timeline_url)
    expect(viewer.locator("#record-state")).to_have_text("Posted")
    expect(viewer.get_by_role("button", name="Replay")).to_have_count(0)
    shot(viewer, "timeline-dark-viewer")
    make_user("bruno", tenant_b, Role.ADMIN)
    other = open_as(browser, live_server, "bruno")
    expect(other.locator("#flows")).not_to_contain_text(integration.name)
    assert other.goto(timeline_url).status == 404


def _plain(value):
    return value.get("value") if isinstance(value, dict) else value


def test_an_alert_followed_to_its_fix(world, browser, live_server, make_user, tenant_a, settings):
    integration, _ = world
    settings.DEBUG = True  # as in the demo: a tenant's admin may save a connection to the simulators
    admin = make_user("ada", tenant_a, Role.ADMIN)
    admin.email = "ada@example.com"
    admin.save(update_fields=["email"])
    source = Connection.objects.get(pk=integration.source_id)
    good_secret = source.secrets["client_secret"]
    source.secrets = {**source.secrets, "client_secret": "rotated-by-someone"}
    source.token_state, source.token_expires_at = {}, None
    source.save()
    engine.run_flow(integration.pk, "ap_bills", "manual")  # Procore refuses the credentials: syncs pause
    source.refresh_from_db()
    assert source.status == ConnectionStatus.REAUTH_REQUIRED, source.status_reason

    alerts.check_alerts()
    assert [m.to for m in mail.outbox] == [["ada@example.com"]] and "re-authorisation" in mail.outbox[0].subject
    page = open_as(browser, live_server, "ada")
    banner = page.locator(f'#alert-banners li[data-key="reauth:{source.pk}"]')
    expect(banner).to_contain_text("needs re-authorisation")
    shot(page, "dashboard-alert")
    banner.locator("a.alert-fix").click()

    # The connection page: type the credential again and make the connection active.
    page.fill('input[name="secret__client_secret"]', good_secret)
    page.select_option('select[name="status"]', ConnectionStatus.ACTIVE)
    shot(page, "connection-fix")
    page.click('input[name="_save"]')
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#alert-banners")).to_have_count(0)
    assert alerts.check_alerts()["resolved"] == 1
    assert engine.run_flow(integration.pk, "ap_bills", "manual").status == "succeeded"
