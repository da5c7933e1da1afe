"""An admin connects a QuickBooks company in a real browser: our connection page, Intuit's consent page (the
simulator's), and back with a code, the state and the realm; a forged state is refused before any code is spent."""

import pytest
from playwright.sync_api import expect

from connections.models import Connection, ConnectionStatus, Environment, Role
from sandbox.quickbooks import demo as qbo_demo
from sandbox.testing import SandboxControl

TOKEN_CALL = "POST /oauth2/v1/tokens/bearer"


@pytest.fixture
def browser_page(chromium):
    return chromium.new_context().new_page()


@pytest.fixture
def qbo_sim(sandbox, live_server):
    control = SandboxControl(sandbox.base_url, "quickbooks")
    control.reset()
    control.seed(preset="demo")
    # The app registered with Intuit lists the redirect URI of this server.
    control.upsert("apps", {"id": qbo_demo.CLIENT_ID, "redirect_uris": [f"{live_server.url}/quickbooks/callback/"]})
    return control


@pytest.fixture
def unconnected(tenant_a, sandbox):
    """A QuickBooks connection with the app's credentials and no company yet."""
    return Connection.objects.create(
        tenant=tenant_a,
        system="quickbooks",
        name="QuickBooks Keystone",
        environment=Environment.SIMULATOR,
        settings={
            "base_url": f"{sandbox.base_url}/quickbooks",
            "discovery_url": f"{sandbox.base_url}/quickbooks-oauth/.well-known/openid-configuration",
        },
        secrets={"client_id": qbo_demo.CLIENT_ID, "client_secret": qbo_demo.CLIENT_SECRET},
    )


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("input[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_connects_a_company_and_a_forged_state_is_refused(
    live_server, browser_page, qbo_sim, unconnected, make_user, tenant_a
):
    make_user("ada", tenant_a, Role.ADMIN)
    page = browser_page
    sign_in(page, live_server, "ada")

    # A callback carrying a state we never issued is refused, and no code is exchanged.
    page.goto(f"{live_server.url}/quickbooks/callback/?code=stolen-code&state=forged&realmId={qbo_demo.REALM}")
    expect(page.locator("body")).to_contain_text("does not belong to a connection attempt started here")
    assert qbo_sim.calls().get(TOKEN_CALL, 0) == 0
    unconnected.refresh_from_db()
    assert not unconnected.settings.get("realm_id") and not unconnected.token_state

    page.goto(f"{live_server.url}/admin/connections/connection/{unconnected.pk}/change/")
    page.click("text=Connect to QuickBooks Online")
    expect(page.locator("h1")).to_contain_text("Connect")  # Intuit's consent page
    assert "/quickbooks-appcenter/connect/oauth2" in page.url
    page.select_option("#realmId", qbo_demo.REALM)
    page.click("#connect")
    expect(page.locator(".messagelist")).to_contain_text("Connected to QuickBooks company Keystone Builders LLC")
    assert page.url.startswith(f"{live_server.url}/admin/connections/connection/{unconnected.pk}/change/")

    unconnected.refresh_from_db()
    assert unconnected.settings["realm_id"] == qbo_demo.REALM
    assert unconnected.status == ConnectionStatus.ACTIVE
    assert unconnected.token_state.get("access_token") and unconnected.token_state.get("refresh_token")
    assert qbo_sim.calls().get(TOKEN_CALL, 0) == 1

    # The same answer replayed (the state is single use) is refused and changes nothing.
    tokens = dict(unconnected.token_state)
    page.go_back()
    page.goto(f"{live_server.url}/quickbooks/callback/?code=again&state=forged-too&realmId={qbo_demo.OTHER_REALM}")
    expect(page.locator("body")).to_contain_text("does not belong to a connection attempt started here")
    unconnected.refresh_from_db()
    assert unconnected.token_state == tokens and unconnected.settings["realm_id"] == qbo_demo.REALM
