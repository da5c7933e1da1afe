"""In a real browser, over real HTTP to the simulators: a finance user approves a queue of invoices in bulk, and fixes
an invoice the reconciliation shows as not in the books. Screenshots of each page go to tests/screens/screenshots/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from syncs import engine
from syncs.models import RecordState, SyncRecord

from .approval_world import bill_puts, bills_by_number, set_options

SHOTS = Path(__file__).parent / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, finance, chromium):
    SHOTS.mkdir(exist_ok=True)
    tab = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    tab.goto(f"{live_server.url}/admin/login/")
    tab.fill("#id_username", finance.username)
    tab.fill("#id_password", f"pw-{finance.username}")
    tab.click("input[type=submit]")
    return tab


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_bulk_approval_posts_every_invoice_once(wired, acumatica_sim, live_server, page):
    integration = set_options(wired, approval=True)
    engine.run_flow(integration.pk, "ap_bills", "manual")
    assert bill_puts(acumatica_sim) == 0

    page.goto(f"{live_server.url}/admin/syncs/approvalqueue/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(6)
    shot(page, "approval-queue")
    rows.first.locator("th a, td.field-document_link a").first.click()
    expect(page.locator("pre.payload-text")).to_contain_text("VendorRef")
    expect(page.locator(".document-total")).not_to_be_empty()
    shot(page, "approval-preview")

    page.goto(f"{live_server.url}/admin/syncs/approvalqueue/")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "approve_selected")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Approved 6 documents")
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
    shot(page, "approval-queue-after-bulk")
    assert bill_puts(acumatica_sim) == 6 and len(bills_by_number(acumatica_sim)) == 6
    assert not SyncRecord.objects.filter(integration=integration).exclude(state=RecordState.POSTED).exists()


def test_a_difference_on_the_reconciliation_page_is_fixed_from_it(wired, acumatica_sim, live_server, page):
    number = "DC-INV-9700000100"  # the direct cost of the second project
    acumatica_sim.fault("status", method="PUT", path="/Bill", status=422, contains=number)
    engine.run_flow(wired.pk, "ap_bills", "manual")
    failed = SyncRecord.objects.get(integration=wired, label__contains=number)
    assert failed.state == RecordState.FAILED
    puts = bill_puts(acumatica_sim)

    page.goto(f"{live_server.url}/admin/syncs/billreconciliation/{wired.pk}/change/")
    differing = page.locator('table.reconcile-projects tr:has(td[data-differences="1"])')
    expect(differing).to_have_count(1)
    expect(page.locator('table.reconcile-projects td[data-differences="0"]')).to_have_count(1)
    shot(page, "invoices-reconciliation")
    differing.locator("a").click()
    line = page.locator(f'tr[data-number="{number}"]')
    expect(line).to_have_attribute("data-state", "not_posted")
    shot(page, "invoices-reconciliation-project")
    line.locator("input[type=checkbox]").check()
    page.fill("#id_reason", "Acumatica refused a closed period; reopened")
    page.click("#send-again")
    expect(page.locator(".messagelist")).to_contain_text("Sent again: 1")
    expect(page.locator(f'tr[data-number="{number}"]')).to_have_attribute("data-state", "matched")
    expect(page.locator("tr[data-state=not_posted]")).to_have_count(0)
    shot(page, "invoices-reconciliation-fixed")
    assert bill_puts(acumatica_sim) == puts + 1 and number in bills_by_number(acumatica_sim)
    replayed = failed.audit_events.get(kind="replayed")
    assert replayed.actor.username == "fiona" and "closed period" in replayed.message
