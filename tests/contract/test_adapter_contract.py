"""The adapter contract, run by every system against its own simulator. Each system supplies only its data."""

import dataclasses
from decimal import Decimal

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
    sim.fault("rate_limit", method=system.read_method, path=system.read_path, retry_after=120)
    with pytest.raises(errors.RateLimited) as caught:
        list(fresh_adapter(connection).reference("vendor"))
    assert caught.value.retry_at is not None


def test_server_errors_on_reads_are_retried_then_typed(connection, sim, system):
    sim.fault("status", method=system.read_method, path=system.read_path, status=503, times=1)
    assert list(fresh_adapter(connection).reference("vendor"))  # one 503, then the retry succeeds
    sim.fault("status", method=system.read_method, path=system.read_path, status=500, times=0)
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
    for forged_headers, forged_body in system.forgeries(headers, body):
        assert not adapter.verify_webhook(forged_headers, forged_body)
    hints = adapter.parse_webhook(headers, body)
    assert len(hints) == 1 and hints[0].event_id and hints[0].entity in adapter.reads
    for malformed in (b"not json", b"[]", b'{"id": 5}'):
        with pytest.raises(ValueError):
            adapter.parse_webhook(headers, malformed)


# --- reference data both ways: vendors and cost codes ------------------------------------------------------------
@pytest.mark.parametrize("entity", ["vendor", "cost_code"])
def test_reference_data_is_created_once_found_again_and_kept_in_step(connection, sim, system, entity):
    adapter = fresh_adapter(connection)
    record = system.other_vendor if entity == "vendor" else system.other_cost_code
    if record is None:  # a system that keeps no such list refuses to write one, before any call
        with pytest.raises(errors.Permanent):
            adapter.write(entity, record, "key-1", None)
        assert not adapter.can(entity, "create")
        return
    assert adapter.can(entity, "create") and adapter.can(entity, "update") and adapter.can(entity, "read")
    assert adapter.find(entity, record, "key-1") is None
    sim.clear_journal()
    sim.clear_calls()
    created = adapter.write(entity, record, "key-1", None)
    assert created.created and created.destination_id
    assert system.creates_made(sim, entity) == 1

    again = fresh_adapter(connection)  # e.g. the next attempt after a lost answer: it looks the record up first
    assert again.find(entity, record, "key-1") == created.destination_id
    item = again.get(entity, created.destination_id)
    assert item.native_id == created.destination_id and item.record.name == record.name

    renamed = dataclasses.replace(record, name=f"{record.name} West")
    if entity == "vendor":
        renamed.active = False
    updated = again.write(entity, renamed, "key-1", created.destination_id)
    assert not updated.created and updated.destination_id == created.destination_id
    now = fresh_adapter(connection).get(entity, created.destination_id).record
    assert now.name == renamed.name and now.active is renamed.active
    listed = {i.native_id: i.record for i in fresh_adapter(connection).changed(entity, None, "")}
    assert listed[created.destination_id].name == renamed.name
    assert system.creates_made(sim, entity) == 1  # created once, however often it was looked up


def test_a_vendor_changed_since_the_cursor_is_read_again_with_its_state(connection, sim, system):
    adapter = fresh_adapter(connection)
    if system.other_vendor is None:  # a source whose vendors are only read (mirrored elsewhere), or reference data
        assert "vendor" in adapter.reference_kinds and not adapter.can("vendor", "create")
        if adapter.can("vendor", "read"):
            listed = list(adapter.changed("vendor", None, ""))
            assert listed and all(item.modified_at is not None and item.record.name for item in listed)
            latest = max(item.modified_at for item in listed)
            assert {i.native_id for i in adapter.changed("vendor", latest, "")} <= {i.native_id for i in listed}
        return
    created = adapter.write("vendor", system.other_vendor, "key-2", None).destination_id
    first = {i.native_id: i for i in adapter.changed("vendor", None, "")}
    assert first[created].record.active and first[created].modified_at is not None
    since = first[created].modified_at
    sim.advance(60)
    off = dataclasses.replace(system.other_vendor, active=False)
    fresh_adapter(connection).write("vendor", off, "key-2", created)
    later = {i.native_id: i for i in fresh_adapter(connection).changed("vendor", since, "")}
    assert later[created].record.active is False and later[created].version != first[created].version


# --- commitments ----------------------------------------------------------------------------------------------
def test_commitments_of_a_project_are_read_as_documents(connection, system):
    adapter = fresh_adapter(connection)
    if not system.reads_commitments:  # a destination that only writes them refuses to list them
        assert not adapter.can("commitment", "read")
        with pytest.raises(errors.Permanent):
            list(adapter.documents("commitment", {"project_code": "2024-001"}))
        return
    assert adapter.can("commitment", "read")
    if not system.commitment_documents:  # a source whose commitments are posted, never reconciled
        with pytest.raises(errors.Permanent):
            list(adapter.documents("commitment", {"project_code": "2024-001"}))
        return
    scopes = adapter.reconcile_scopes("commitment")
    scope = next((s for s in scopes if s.get("project_code") == "2024-001"), {"project_code": "2024-001"})
    docs = {doc.number: doc for doc in adapter.documents("commitment", scope)}
    assert {"SC-001", "SC-002", "PO-001"} <= set(docs)
    assert docs["SC-001"].kind == "subcontract" and docs["PO-001"].kind == "purchase_order"
    assert docs["PO-001"].total == Decimal("48500.00")
    assert docs["SC-001"].total == Decimal("420000.00")
    for doc in docs.values():
        assert doc.vendor.native_id and doc.lines and all(line.cost_code for line in doc.lines)
    assert not any(doc.number.startswith("SC-1") for doc in docs.values())  # other projects stay out
