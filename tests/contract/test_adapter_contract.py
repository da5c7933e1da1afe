"""The adapter contract, run by every system against its own simulator. Each system supplies only its data."""

import pytest

from connections import errors
from connections.models import Connection, ConnectionStatus
from sandbox.testing import SandboxControl
from syncs.engine import adapter_for

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=sorted(SYSTEMS))
def system(request):
    return SYSTEMS[request.param]


@pytest.fixture
def sim(sandbox, system):
    control = SandboxControl(sandbox.base_url, system.key)
    control.reset()
    return control


@pytest.fixture
def connection(system, sim, sandbox, tenant_a):
    system.seed_vendors(sim, 250)
    return system.connection(tenant_a, sandbox.base_url)


def fresh_adapter(connection):
    return adapter_for(Connection.objects.get(pk=connection.pk))


def test_paging_returns_every_item_exactly_once(connection):
    vendors = list(fresh_adapter(connection).reference("vendor"))
    names = [v.name for v in vendors]
    assert len([n for n in names if n.startswith("Vendor ")]) == 250
    assert len(set(v.native_id for v in vendors)) == len(vendors)


def test_token_is_reused_then_renewed_after_expiry(connection, sim, system):
    adapter = fresh_adapter(connection)
    list(adapter.reference("vendor"))
    list(fresh_adapter(connection).reference("vendor"))
    assert sim.calls().get(system.token_call, 0) == 1  # cached, encrypted, shared across adapters
    sim.advance(system.token_lifetime + 60)
    list(fresh_adapter(connection).reference("vendor"))
    assert sim.calls().get(system.token_call, 0) == 2


def test_rate_limit_raises_with_a_retry_time_instead_of_sleeping(connection, sim, system):
    sim.fault("rate_limit", method="GET", path=system.read_path, retry_after=120)
    with pytest.raises(errors.RateLimited) as caught:
        list(fresh_adapter(connection).reference("vendor"))
    assert caught.value.retry_at is not None


def test_server_errors_on_reads_are_retried_then_typed(connection, sim, system):
    sim.fault("status", method="GET", path=system.read_path, status=503, times=1)
    assert list(fresh_adapter(connection).reference("vendor"))  # one 503, then the retry succeeds
    sim.fault("status", method="GET", path=system.read_path, status=500, times=0)
    with pytest.raises(errors.Transient):
        list(fresh_adapter(connection).reference("vendor"))


def test_rejected_credentials_move_the_connection_to_reauth_required(system, sim, sandbox, tenant_a):
    system.seed_vendors(sim, 1)
    connection = system.connection(tenant_a, sandbox.base_url, client_secret="wrong")
    with pytest.raises(errors.ReauthRequired):
        list(fresh_adapter(connection).reference("vendor"))
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.REAUTH_REQUIRED
    assert "rejected" in connection.status_reason
    before = sim.calls().get(system.token_call, 0)
    with pytest.raises(errors.ReauthRequired):  # paused: no more calls with bad credentials
        list(fresh_adapter(connection).reference("vendor"))
    assert sim.calls().get(system.token_call, 0) == before


def test_webhooks_verify_in_constant_time_and_parse_or_reject(connection, system):
    adapter = fresh_adapter(connection)
    if system.webhook is None:
        assert adapter.verify_webhook({"Authorization": "Bearer x"}, b"{}") is False
        return
    headers, body = system.webhook(1)
    assert adapter.verify_webhook(headers, body)
    assert not adapter.verify_webhook({"Authorization": "Bearer forged"}, body)
    assert not adapter.verify_webhook({}, body)
    hints = adapter.parse_webhook(headers, body)
    assert len(hints) == 1 and hints[0].event_id and hints[0].entity in adapter.reads
    for malformed in (b"not json", b"[]", b'{"id": 5}'):
        with pytest.raises(ValueError):
            adapter.parse_webhook(headers, malformed)
