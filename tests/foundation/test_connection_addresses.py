"""A tenant admin cannot send a connection's credentials somewhere else, nor scan the network with "Test connection"."""

import pytest
from django.test import override_settings

from connections.forms import CONFIG_PREFIX, SECRET_PREFIX, ConnectionForm
from connections.models import Connection, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def procore(tenant_a):
    return Connection.objects.create(
        tenant=tenant_a,
        system="procore",
        name="Procore",
        environment="production",
        settings={"company_id": "42"},
        secrets={"client_id": "cid", "client_secret": "the-stored-secret"},
        token_state={"access_token": "a-cached-token"},
    )


def edit(connection, user, secrets=None, environment=None, **config):
    data = {
        "tenant": connection.tenant_id,
        "name": connection.name,
        "environment": environment or connection.environment,
        "status": connection.status,
        "status_reason": "",
        CONFIG_PREFIX + "company_id": "42",
    }
    data.update({CONFIG_PREFIX + name: value for name, value in config.items()})
    data.update({SECRET_PREFIX + name: value for name, value in (secrets or {}).items()})
    return ConnectionForm(data, instance=Connection.objects.get(pk=connection.pk), system="procore", user=user)


@override_settings(DEBUG=False)
def test_a_tenant_admin_may_not_point_a_connection_at_another_host(procore, make_user, tenant_a):
    admin_user = make_user("tenant-admin", tenant=tenant_a, role=Role.ADMIN)
    form = edit(procore, admin_user, base_url="https://collector.example.net")
    assert not form.is_valid()
    assert "Must be a Procore host" in str(form.errors)
    form = edit(procore, admin_user, environment="simulator")
    assert not form.is_valid() and "development only" in str(form.errors)


@override_settings(DEBUG=False)
def test_internal_addresses_are_refused_even_for_a_superuser(procore, make_user):
    root = make_user("root", superuser=True)
    for url in ("http://127.0.0.1:8000", "http://10.0.0.5", "http://169.254.169.254", "http://localhost"):
        form = edit(procore, root, base_url=url, secrets={"client_id": "cid", "client_secret": "x"})
        assert not form.is_valid(), url
        assert "Private, loopback" in str(form.errors), url


@override_settings(DEBUG=False)
def test_a_new_address_drops_the_tokens_and_needs_the_credentials_again(procore, make_user):
    root = make_user("root", superuser=True)
    form = edit(procore, root, base_url="https://sandbox.procore.com")
    assert not form.is_valid()
    assert "address changed: enter its credentials again" in str(form.errors)

    form = edit(procore, root, base_url="https://sandbox.procore.com",
                secrets={"client_id": "cid", "client_secret": "typed-again"})  # fmt: skip
    assert form.is_valid(), form.errors
    form.save()
    saved = Connection.objects.get(pk=procore.pk)
    assert saved.token_state == {} and saved.secrets["client_secret"] == "typed-again"


@override_settings(DEBUG=False)
def test_a_superuser_may_set_a_proxy_on_a_public_host(procore, make_user):
    root = make_user("root", superuser=True)
    form = edit(procore, root, base_url="https://proxy.example.com",
                secrets={"client_id": "cid", "client_secret": "typed-again"})  # fmt: skip
    assert form.is_valid(), form.errors


def test_test_connection_never_echoes_what_the_server_answered(client, make_user, tenant_a, sandbox, procore_sim):
    from django.urls import reverse

    from tests.contract.systems import SYSTEMS

    procore_sim.seed(preset="demo")
    connection = SYSTEMS["procore"].connection(tenant_a, sandbox.base_url)
    procore_sim.fault("status", method="GET", path="/projects", times=None, status=500, message="internal-detail-42")
    client.force_login(make_user("root", superuser=True))
    response = client.post(
        reverse("admin:connections_connection_changelist"),
        {"action": "test_connection", "_selected_action": [connection.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "HTTP 500" in text and "internal-detail-42" not in text
