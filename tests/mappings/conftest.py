"""Fixtures for the mapping tests: an integration between two connections and its reference data."""

import pytest
from django.utils import timezone
from django_q.conf import Conf

from connections.models import Role
from mappings.models import ReferenceRecord
from syncs.models import Integration, RecordState, SyncRecord


@pytest.fixture(autouse=True)
def run_tasks_inline(monkeypatch):
    """Run django-q2 tasks in-process, so a saved map row re-queues its blocked records at once."""
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def requeued(monkeypatch):
    """Integration ids passed to the re-queue task, recorded instead of running the engine."""
    calls = []
    monkeypatch.setattr("syncs.tasks.requeue_needs_mapping", lambda integration_id: calls.append(integration_id))
    return calls


@pytest.fixture
def make_integration(make_connection):
    def make(tenant, name=None):
        source = make_connection(tenant, "procore", name=f"Procore {tenant.slug}")
        destination = make_connection(tenant, "acumatica", name=f"Acumatica {tenant.slug}")
        return Integration.objects.create(
            tenant=tenant, name=name or f"Procore -> Acumatica ({tenant.name})", source=source, destination=destination
        )

    return make


@pytest.fixture
def integration(tenant_a, make_integration):
    return make_integration(tenant_a)


@pytest.fixture
def ref():
    """Create a reference record: ref(connection, kind, native_id, code, name, active=True)."""

    def make(connection, kind, native_id, code="", name="", active=True, **extra):
        return ReferenceRecord.objects.create(
            connection=connection,
            kind=kind,
            native_id=str(native_id),
            code=code,
            name=name,
            active=active,
            last_seen_at=timezone.now(),
            **extra,
        )

    return make


@pytest.fixture
def finance(tenant_a, make_user):
    return make_user("fiona", tenant_a, Role.FINANCE)


@pytest.fixture
def viewer(tenant_a, make_user):
    return make_user("victor", tenant_a, Role.VIEWER)


@pytest.fixture
def blocked_record():
    """A ledger row held in needs_mapping by the given errors (dicts with at least `key`)."""
    counter = iter(range(1, 100000))

    def make(integration, *errors, canonical=None):
        number = next(counter)
        return SyncRecord.objects.create(
            integration=integration,
            flow="bills",
            source_id=f"src-{number}",
            label=f"Invoice {number}",
            state=RecordState.NEEDS_MAPPING,
            idempotency_key=f"key-{integration.pk}-{number}",
            mapping_errors=list(errors),
            canonical=canonical or {},
        )

    return make
