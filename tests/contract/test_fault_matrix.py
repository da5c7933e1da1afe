"""Upstream faults, every system, through the real clients: each ends in a typed error, never a bare exception, and
a write retried after it leaves exactly one record (looked up before it is created again).

Reads are the reference listing every system serves; writes are vendor creates, on every system that creates
vendors (Exact is never written to). The faults are the simulators' own switches (sandbox/core/faults.py).
"""

from __future__ import annotations

import pytest

from connections import errors
from connections.models import Connection
from sandbox.testing import SandboxControl
from syncs.engine import adapter_for

from .systems import SYSTEMS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WRITERS = sorted(key for key, system in SYSTEMS.items() if system.other_vendor is not None)
READ_TIMEOUT = 0.4


@pytest.fixture
def short_timeouts(settings):
    settings.HTTP_READ_TIMEOUT = READ_TIMEOUT
    settings.HTTP_MAX_INLINE_WAIT_SECONDS = 0.5


def sim_for(sandbox, system) -> SandboxControl:
    control = SandboxControl(sandbox.base_url, system.key)
    control.reset()
    if system.key == "procore":  # its documented windows would make these reads wait (tests/conftest.py)
        control.config(rate_limit_hourly=1_000_000, rate_limit_spike=1_000_000)
    if system.key == "exact":  # several pages of suppliers without seeding thousands
        control.config(sync_page_size=100)
    return control


def fresh(connection):
    return adapter_for(Connection.objects.get(pk=connection.pk))


def create_call(system) -> dict:
    """Method, path and (for a gateway with one URL) the body text that single out a vendor create."""
    method, _, path = system.creates["vendor"].partition(" ")
    if path.startswith("<"):  # Intacct: one gateway URL; the function is in the body
        return {"method": "POST", "path": system.read_path, "contains": "<create>"}
    return {"method": method, "path": "/" + path.rstrip("/").rsplit("/", 1)[-1]}


READ_FAULTS = {
    "status_500": ("status", {"status": 500}),
    "status_502": ("status", {"status": 502}),
    "status_504": ("status", {"status": 504}),
    "html_200": ("html", {}),
    "truncated_body": ("truncate", {}),
    "truncated_document": ("truncate", {"framed": True}),
    "hangs_past_timeout": ("latency", {"ms": int(READ_TIMEOUT * 1000 * 3)}),
}


@pytest.mark.parametrize("fault", sorted(READ_FAULTS))
@pytest.mark.parametrize("key", sorted(SYSTEMS))
def test_a_read_fault_is_a_typed_error(key, fault, sandbox, tenant_a, short_timeouts):
    system = SYSTEMS[key]
    sim = sim_for(sandbox, system)
    system.seed_vendors(sim, 3)
    connection = system.connection(tenant_a, sandbox.base_url)
    list(fresh(connection).reference("vendor"))  # a token or session first, so the fault hits the read itself
    kind, params = READ_FAULTS[fault]
    sim.fault(kind, method=system.read_method, path=system.read_path, times=None, **params)
    with pytest.raises(errors.ApiError) as caught:
        list(fresh(connection).reference("vendor"))
    assert caught.value.retryable, f"{key} {fault}: {type(caught.value).__name__}: {caught.value}"
    sim.clear_faults()
    if not isinstance(caught.value, errors.RateLimited):  # a vendor-paced pause is honoured, not probed
        assert list(fresh(connection).reference("vendor"))  # the next run reads normally


@pytest.mark.parametrize("key", sorted(SYSTEMS))
def test_a_page_failing_midway_is_a_typed_error_and_nothing_is_half_reported(key, sandbox, tenant_a, short_timeouts):
    system = SYSTEMS[key]
    sim = sim_for(sandbox, system)
    system.seed_vendors(sim, 600 if key == "intacct" else 250)  # Intacct reads 500 a page
    connection = system.connection(tenant_a, sandbox.base_url)
    everything = list(fresh(connection).reference("vendor"))
    reads = [e for e in sim.journal() if e["method"] == system.read_method and system.read_path in e["path"]]
    assert len(reads) > 1, f"{key}: 250 vendors fit one page; the test needs several"
    sim.fault("status", method=system.read_method, path=system.read_path, times=None, skip=1, status=500)
    seen = []
    with pytest.raises(errors.Transient):
        for item in fresh(connection).reference("vendor"):
            seen.append(item.native_id)
    assert len(seen) < len(everything)
    sim.clear_faults()
    assert len(list(fresh(connection).reference("vendor"))) == len(everything)


WRITE_FAULTS = {
    "reset_after_write": ("reset_after_write", {}, True),
    "status_500": ("status", {"status": 500}, False),
    "status_502": ("status", {"status": 502}, False),
    "status_504": ("status", {"status": 504}, False),
    "rate_limited": ("rate_limit", {"retry_after": 30}, False),
    "html_200": ("html", {}, False),
    "truncated_document": ("truncate", {"framed": True}, True),
    "hangs_past_timeout": ("hang_after_write", {"ms": int(READ_TIMEOUT * 1000 * 3)}, True),
}


@pytest.mark.parametrize("fault", sorted(WRITE_FAULTS))
@pytest.mark.parametrize("key", WRITERS)
def test_a_write_fault_is_typed_and_the_retry_makes_one_record(key, fault, sandbox, tenant_a, short_timeouts):
    system = SYSTEMS[key]
    sim = sim_for(sandbox, system)
    system.seed_vendors(sim, 3)
    connection = system.connection(tenant_a, sandbox.base_url)
    vendor = system.other_vendor
    adapter = fresh(connection)
    assert adapter.find("vendor", vendor, "key-1") is None  # also takes the token or session
    kind, params, applied = WRITE_FAULTS[fault]
    sim.clear_calls()
    # Until cleared: a write the destination key makes safe to repeat is retried inline, and must fail all the same.
    sim.fault(kind, **create_call(system), times=None, **params)
    try:
        adapter.write("vendor", vendor, "key-1", None)
        error = None  # a client may settle a lost answer itself (Intacct asks about its control id)
    except errors.ApiError as exc:  # typed, or the test fails with the bare exception
        error = exc
    if error is not None:
        assert error.retryable, f"{key} {fault}: {type(error).__name__}: {error}"
    if isinstance(error, errors.RateLimited):
        # Nothing was applied; the connection is paused until `retry_at` and the engine reschedules, so the
        # look-up and the retry belong after it.
        assert error.retry_at is not None
        assert not applied
        return

    # The ledger's next attempt: look up by our key first, create only when truly absent.
    sim.clear_faults()
    again = fresh(connection)
    existing = again.find("vendor", vendor, "key-1")
    if error is not None:
        assert bool(existing) == applied, f"{key} {fault}: found {existing!r}"
        assert again.write("vendor", vendor, "key-1", existing).destination_id
    names = [item.name for item in fresh(connection).reference("vendor")]
    assert names.count(vendor.name) == 1, f"{key} {fault}: {names.count(vendor.name)} vendors named {vendor.name}"
