"""Fixtures shared by the whole suite: tenants, users in each role, connections, a headless browser."""

import os

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import sync_playwright

from connections import usage
from connections.models import Connection, Membership, Role, Tenant


@pytest.fixture(autouse=True)
def _api_usage_of_this_test_only():
    """API usage counted in memory and not yet written belongs to the test that made the calls: its database rows
    are gone after it, and the next test may reuse its connection ids."""
    usage.discard()
    yield
    usage.discard()


@pytest.fixture
def make_user(db):
    def make(username, tenant=None, role=None, superuser=False):
        user = get_user_model().objects.create_user(
            username=username, password="pw-" + username, is_staff=True, is_superuser=superuser
        )
        if tenant is not None:
            Membership.objects.create(user=user, tenant=tenant, role=role or Role.VIEWER)
        return user

    return make


@pytest.fixture
def tenant_a(db):
    return Tenant.objects.create(name="Alpha Construction", slug="alpha")


@pytest.fixture
def tenant_b(db):
    return Tenant.objects.create(name="Bravo Builders", slug="bravo")


@pytest.fixture
def make_connection(db):
    def make(tenant, system="procore", name=None, settings=None, secrets=None):
        defaults = {
            "procore": ({"company_id": "42"}, {"client_id": "cid", "client_secret": "csecret"}),
            "acumatica": (
                {
                    "instance_url": "https://erp.example.com",
                    "endpoint_version": "23.200.001",
                    "tenant_name": "T",
                },
                {"client_id": "G", "client_secret": "S", "username": "u", "password": "p"},
            ),
        }[system]
        return Connection.objects.create(
            tenant=tenant,
            system=system,
            name=name or f"{system} {tenant.slug}",
            settings=settings if settings is not None else defaults[0],
            secrets=secrets if secrets is not None else defaults[1],
        )

    return make


@pytest.fixture(scope="session")
def sandbox():
    """Every simulator, served over real HTTP from a thread on a free loopback port."""
    from sandbox.testing import start_sandbox

    server = start_sandbox()
    yield server
    server.stop()


@pytest.fixture
def procore_sim(sandbox):
    from sandbox.testing import SandboxControl

    control = SandboxControl(sandbox.base_url, "procore")
    control.reset()
    # Procore's documented windows (600 an hour, 25 per 10 s) would make every multi-page scenario wait for
    # minutes; tests that exercise the limits set them back explicitly.
    control.config(rate_limit_hourly=1_000_000, rate_limit_spike=1_000_000)
    return control


@pytest.fixture
def acumatica_sim(sandbox):
    from sandbox.testing import SandboxControl

    control = SandboxControl(sandbox.base_url, "acumatica")
    control.reset()
    return control


#: Debian's chromium package, installed by `make browser` (Playwright's own download needs the internet).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium for a module's browser tests (starting it is the slow part); give each test a context
    of its own (`chromium.new_context()`) so no cookie or session is carried from one test to the next."""
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
