"""Helpers for the operations tests: ledger rows in given states and a tenant's integration."""

import itertools

import pytest

from syncs.models import SyncRecord
from tests.factories import build_tenant_world

_keys = itertools.count()


@pytest.fixture
def world_a(tenant_a, make_user):
    return build_tenant_world(tenant_a, make_user)


@pytest.fixture
def add_records():
    """add_records(integration, posted=2, failed=1): that many ledger rows in each state."""

    def add(integration, **per_state):
        for state, count in per_state.items():
            for _ in range(count):
                n = next(_keys)
                SyncRecord.objects.create(
                    integration=integration,
                    flow="procore_requisitions_to_bills",
                    source_id=f"src-{n}",
                    idempotency_key=f"ops-{n}",
                    state=state,
                )

    return add
