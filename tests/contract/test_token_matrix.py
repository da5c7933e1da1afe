"""Tokens (and Intacct's API sessions) for every system that has one, cell by cell, against each simulator.

The cells, and where each one is proven (files in tests/contract/):

| cell | Procore | Acumatica | Procurify | Exact | QuickBooks | Intacct |
| --- | --- | --- | --- | --- | --- | --- |
| concurrent refresh: one token call | here | here | here | E1 | here | here |
| lost refresh answer | here | here | here | E2, E3 | here | here |
| token endpoint 5xx: transient | here | here | here | here | here | here |
| refused grant (invalid_grant): terminal | C1 | C1 | C1 | C1, E2 | C1, Q1 | C1 |
| proactive refresh, both clocks moved | here | here | here | E4 | here | I1 |
| expired at the server only: 401, one refresh | C2 | C2 | C2 | C2, E1 | C2, Q1 | I2 |

- C1 test_adapter_contract.py::test_rejected_credentials_move_the_connection_to_reauth_required
- C2 test_adapter_contract.py::test_token_is_reused_then_renewed_after_expiry
- E1 test_exact.py::test_twenty_workers_with_an_expired_token_make_one_refresh
- E2 test_exact.py::test_a_refresh_answer_lost_in_flight_ends_in_reauth_required
- E3 test_exact.py::test_a_lost_refresh_is_recovered_by_one_more_try_where_exact_still_takes_the_old_token
- E4 test_exact.py::test_a_long_read_renews_its_token_when_due_instead_of_meeting_a_401
- Q1 test_quickbooks.py::test_refresh_tokens_rotate_and_a_superseded_one_requires_reauthorisation
- I1 test_intacct.py::test_a_session_near_its_timeout_is_renewed_before_it_is_used
- I2 test_intacct.py::test_a_session_expired_mid_run_is_renewed_once

A lost refresh answer is the simulator's `reset_after_write` on the token path: the server applied the grant and the
answer never came. A grant that is only asked again (client credentials: Procore, Procurify; Intacct's session) is
simply requested again. Acumatica's refresh token may have been spent, so it signs in again with the password grant
at once. A rotating refresh token (Exact, QuickBooks) is tried once more and, when the server refuses it, the
connection ends in reauth_required saying the answer was lost: never a retry each run.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from connections import errors
from connections.http import MAX_ATTEMPTS
from connections.models import Connection, ConnectionStatus
from sandbox.testing import SandboxControl
from syncs.engine import adapter_for

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

#: How each system's token (or session) request is singled out for a fault.
TOKEN_REQUESTS = {
    "procore": {"method": "POST", "path": "/oauth/token"},
    "acumatica": {"method": "POST", "path": "/identity/connect/token"},
    "procurify": {"method": "POST", "path": "/oauth/token"},
    "exact": {"method": "POST", "path": "/api/oauth2/token"},
    "quickbooks": {"method": "POST", "path": "/oauth2/v1/tokens/bearer"},
    "intacct": {"method": "POST", "path": "/ia/xml/xmlgw.phtml", "contains": "getAPISession"},
}
#: How many seconds before expiry each system's tokens are renewed (Exact refuses a refresh any earlier).
MARGINS = {"exact": 20}
THREADS = 8


def sim_for(sandbox, key: str) -> SandboxControl:
    control = SandboxControl(sandbox.base_url, key)
    control.reset()
    if key == "procore":  # its documented windows would make twenty reads wait (tests/conftest.py)
        control.config(rate_limit_hourly=1_000_000, rate_limit_spike=1_000_000)
    if key == "quickbooks":  # ten a second per company: concurrent readers would meet 429s, tested elsewhere
        control.config(throttle_per_second=1_000)
    return control


@pytest.fixture
def world(request, sandbox, tenant_a):
    """(system, simulator, connection) with a token already cached, as after the first run of the day."""
    system = SYSTEMS[request.param]
    sim = sim_for(sandbox, system.key)
    system.seed_vendors(sim, 3)
    connection = system.connection(tenant_a, sandbox.base_url)
    assert read(connection)  # the first token (or Exact's, from the consent)
    return system, sim, connection


def cells(*keys):
    return pytest.mark.parametrize("world", keys, indirect=True)


def read(connection) -> list:
    return list(adapter_for(Connection.objects.get(pk=connection.pk)).reference("vendor"))


def token_calls(sim, system) -> int:
    return sim.calls().get(system.token_call, 0)


def status_of(connection) -> Connection:
    return Connection.objects.get(pk=connection.pk)


def expire_everywhere(sim, system, connection) -> None:
    """The token has expired at the server and on our clock: the next call refreshes before it reads."""
    sim.advance(system.token_lifetime + 60)
    Connection.objects.filter(pk=connection.pk).update(token_expires_at=timezone.now() - dt.timedelta(seconds=1))


def in_threads(count: int, target) -> list[Exception]:
    failures: list[Exception] = []
    start = threading.Barrier(count)

    def run():
        try:
            start.wait(timeout=30)  # all at once, so they meet the expired token together
            target()
        except Exception as exc:  # collected and asserted on below
            failures.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


# --- concurrent refresh ----------------------------------------------------------------------------------------
@cells("procore", "acumatica", "procurify", "quickbooks", "intacct")
def test_workers_meeting_an_expired_token_together_make_one_token_call(world):
    system, sim, connection = world
    expire_everywhere(sim, system, connection)
    before = token_calls(sim, system)
    assert in_threads(THREADS, lambda: read(connection)) == []
    assert token_calls(sim, system) == before + 1
    assert status_of(connection).status == ConnectionStatus.ACTIVE


# --- a lost refresh answer -------------------------------------------------------------------------------------
@cells("procore", "procurify", "intacct", "acumatica")
def test_a_lost_token_answer_is_followed_by_one_new_request(world):
    system, sim, connection = world
    expire_everywhere(sim, system, connection)
    before = token_calls(sim, system)
    sim.fault("reset_after_write", **TOKEN_REQUESTS[system.key])
    assert read(connection)  # within the same read: the grant is asked again (Acumatica: a new sign-in)
    assert token_calls(sim, system) == before + 2
    assert status_of(connection).status == ConnectionStatus.ACTIVE
    assert read(connection) and token_calls(sim, system) == before + 2  # the new token is the one kept


@cells("quickbooks")
def test_a_lost_rotating_refresh_ends_in_reauth_required_saying_so(world):
    system, sim, connection = world
    expire_everywhere(sim, system, connection)
    before = token_calls(sim, system)
    sim.fault("reset_after_write", **TOKEN_REQUESTS[system.key])
    with pytest.raises(errors.ReauthRequired):
        read(connection)
    stored = status_of(connection)
    assert stored.status == ConnectionStatus.REAUTH_REQUIRED
    assert "lost in transit" in stored.status_reason and "invalid_grant" in stored.status_reason
    assert "Connect to QuickBooks" in stored.status_reason
    assert token_calls(sim, system) == before + 2  # the lost refresh, one try with the same token: no storm
    for _ in range(3):
        with pytest.raises(errors.ReauthRequired):
            read(connection)
    assert token_calls(sim, system) == before + 2


@cells("quickbooks")
def test_a_lost_refresh_is_recovered_where_intuit_kept_the_same_refresh_token(world):
    system, sim, connection = world
    sim.config(refresh_token_rotation="daily")  # the unconfirmed variant: the value changes about once a day
    expire_everywhere(sim, system, connection)
    sim.fault("reset_after_write", **TOKEN_REQUESTS[system.key])
    assert read(connection)
    assert status_of(connection).status == ConnectionStatus.ACTIVE


# --- a token endpoint failing with 5xx is transient ------------------------------------------------------------
@cells("procore", "acumatica", "procurify", "exact", "quickbooks", "intacct")
def test_a_token_endpoint_5xx_is_transient_and_never_asks_for_new_credentials(world, settings):
    system, sim, connection = world
    settings.HTTP_MAX_INLINE_WAIT_SECONDS = 0.5
    expire_everywhere(sim, system, connection)
    before = token_calls(sim, system)
    sim.fault("status", status=503, times=None, **TOKEN_REQUESTS[system.key])
    with pytest.raises(errors.ApiError) as caught:
        read(connection)
    assert caught.value.retryable and not isinstance(caught.value, errors.ReauthRequired), repr(caught.value)
    assert token_calls(sim, system) - before <= MAX_ATTEMPTS  # a few inline tries at most, never a storm
    stored = status_of(connection)
    assert stored.status == ConnectionStatus.ACTIVE and not stored.status_reason
    sim.clear_faults()
    assert read(connection)  # the next run: the refresh token (or credentials) were not spent by the outage
    assert status_of(connection).status == ConnectionStatus.ACTIVE


# --- proactive refresh with a moved clock ----------------------------------------------------------------------
@cells("procore", "acumatica", "procurify", "quickbooks")
def test_a_token_inside_its_refresh_margin_is_renewed_before_use_with_both_clocks_moved(world, monkeypatch):
    system, sim, connection = world
    margin = MARGINS.get(system.key, settings.TOKEN_REFRESH_MARGIN_SECONDS)
    early = system.token_lifetime - margin // 2  # still valid at the server, but inside our margin
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(seconds=early))
    sim.advance(early)
    sim.clear_journal()
    before = token_calls(sim, system)
    assert read(connection)
    journal = sim.journal()
    assert token_calls(sim, system) == before + 1
    token_path = TOKEN_REQUESTS[system.key]["path"]
    assert token_path in journal[0]["path"], [entry["path"] for entry in journal]  # renewed first
    assert all(entry["status"] != 401 for entry in journal)  # never refused on the way
    renewed = status_of(connection).token_expires_at
    assert renewed > real_now() + dt.timedelta(seconds=early + margin)
