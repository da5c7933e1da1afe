"""An admin in a real browser connects Exact Online: "Connect to Exact Online" on the connection's page, the
simulator's consent page, and back to the connection, now active with encrypted tokens and its division read from
/current/Me. A callback carrying a forged state is refused, and nothing is exchanged for it."""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from connections.models import Connection, ConnectionStatus, Environment, Role
from sandbox.exact import demo
from sandbox.testing import SandboxControl
from tests.contract.systems import SYSTEMS

TOKEN = "POST /api/oauth2/token"


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context()  # no cookie or session carried from one test to the next
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def exact_sim(sandbox, live_server):
    control = SandboxControl(sandbox.base_url, "exact")
    control.reset()
    control.seed(preset="demo")
    control.config(minutely_limit=10_000, daily_limit=100_000)
    callback = f"{live_server.url}/exact/callback/"
    control.upsert("clients", {"id": demo.CLIENT_ID, "redirect_uris": [*demo.REDIRECT_URIS, callback]})
    return control


def signed_in(page, live_server, tenant, make_user):
    make_user("olga", tenant, Role.ADMIN)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", "pw-olga")
    page.click("input[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_connects_exact_through_the_consent_page(
    live_server, browser_page, exact_sim, sandbox, tenant_a, make_user
):
    connection = Connection.objects.create(
        tenant=tenant_a, system="exact", name="Exact - Van der Meer", environment=Environment.SIMULATOR,
        settings={"region": "nl", "division": "", "base_url": f"{sandbox.base_url}/exact-nl"},
        secrets={"client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET},
    )  # fmt: skip
    page = browser_page
    signed_in(page, live_server, tenant_a, make_user)
    page.goto(f"{live_server.url}/admin/connections/connection/{connection.pk}/change/")
    page.click("text=Connect to Exact Online")

    expect(page).to_have_title("Exact Online - Authorize ml-connector (demo)")
    assert page.url.startswith(f"{sandbox.base_url}/exact-nl/api/oauth2/auth?")
    page.fill("#username", demo.USERNAME)
    page.fill("#password", demo.PASSWORD)
    page.click("#allow")

    expect(page.locator(".messagelist")).to_contain_text(f"every call uses division {demo.MAIN}")
    assert page.url.endswith(f"/admin/connections/connection/{connection.pk}/change/")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE and connection.settings["division"] == str(demo.MAIN)
    assert connection.token_state["refresh_token"] and exact_sim.calls()[TOKEN] == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_callback_with_a_forged_state_is_refused(live_server, browser_page, exact_sim, sandbox, tenant_a, make_user):
    connection = Connection.objects.create(
        tenant=tenant_a, system="exact", name="Exact - Van der Meer", environment=Environment.SIMULATOR,
        settings={"region": "nl", "division": "", "base_url": f"{sandbox.base_url}/exact-nl"},
        secrets={"client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET},
    )  # fmt: skip
    page = browser_page
    signed_in(page, live_server, tenant_a, make_user)
    page.goto(f"{live_server.url}/admin/connections/connection/{connection.pk}/change/")
    page.click("text=Connect to Exact Online")
    # The consent is given outside this browser (its answer is not followed), and the browser brings back the
    # genuine code with a state that was tampered with.
    query = SYSTEMS["exact"].consent(page.url, f"{live_server.url}/exact/callback/")
    assert query["code"] and query["state"]
    page.goto(f"{live_server.url}/exact/callback/?{urlencode({**query, 'state': query['state'][:-4] + 'AAAA'})}")

    expect(page.locator("body")).to_contain_text("does not belong to a connection attempt started here")
    assert TOKEN not in exact_sim.calls()
    connection.refresh_from_db()
    assert "access_token" not in connection.token_state and "refresh_token" not in connection.token_state
