"""A finance user in a real browser: log in, open the grid, accept a suggestion, map a cost code, and watch the
count of blocked records fall."""

import pytest
from playwright.sync_api import expect

from connections.models import Role

VENDOR_ERROR = {
    "kind": "vendor",
    "key": "vendor:123",
    "label": "Star Framing, LLC (Procore id 123)",
    "message": "vendor Star Framing, LLC (Procore id 123) is not mapped",
    "detail": {"native_id": "123"},
}
COST_ERROR = {
    "kind": "cost_code",
    "key": "cost_code:03-310/Subcontract",
    "label": "cost code 03-310",
    "message": "cost code 03-310 / cost type Subcontract has no GL account",
    "detail": {"cost_code": "03-310", "cost_type": "Subcontract"},
}


@pytest.fixture
def browser_page(chromium):
    return chromium.new_context().new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_finance_user_maps_and_the_blocked_count_falls(
    live_server, browser_page, integration, ref, make_user, tenant_a, blocked_record, requeued
):
    ref(integration.source, "vendor", "123", "", "Star Framing, LLC")
    ref(integration.destination, "vendor", "STARFRAM", "STARFRAM", "Star Framing LLC")
    ref(integration.destination, "vendor", "ACME", "ACME", "Acme Concrete Inc.")
    ref(integration.destination, "account", "5100", "5100", "Subcontract costs")
    blocked_record(integration, VENDOR_ERROR, COST_ERROR)
    blocked_record(integration, VENDOR_ERROR)
    blocked_record(integration, COST_ERROR)
    make_user("fiona", tenant_a, Role.FINANCE)
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/?next=/mappings/{integration.pk}/")
    page.fill("#id_username", "fiona")
    page.fill("#id_password", "pw-fiona")
    page.click("input[type=submit]")
    total = page.locator("#blocked-total")
    expect(total).to_have_text("3")

    vendor_row = page.locator('tr[data-key="vendor:123"]')
    expect(vendor_row.locator("[data-blocked]")).to_have_text("2")
    expect(vendor_row).to_contain_text("Star Framing LLC")
    vendor_row.locator("button.accept-suggestion").click()
    expect(page.locator(".messagelist")).to_contain_text("now maps to STARFRAM Star Framing LLC")
    expect(total).to_have_text("2")

    page.click("text=Cost codes")
    cost_row = page.locator('tr[data-key="cost_code:03-310/Subcontract"]')
    expect(cost_row.locator("[data-blocked]")).to_have_text("2")
    cost_row.locator('select[name="account"]').select_option(label="5100 Subcontract costs")
    cost_row.locator("form.inline-edit button").click()
    expect(page.locator(".messagelist")).to_contain_text("now posts to 5100 Subcontract costs")
    expect(total).to_have_text("0")
    assert requeued == [integration.pk, integration.pk]
