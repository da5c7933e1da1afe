"""Fixtures of the screens' tests: two tenants' integrations, ledger rows in any state, and people in each role."""

import datetime as dt
import itertools
import uuid

import pytest
from django.utils import timezone

from connections.models import Connection, Role
from syncs.models import Integration, SyncRecord
from tests.sync import scenario

from .approval_world import small_world

_numbers = itertools.count(1)


def bill(number: str, amount: str = "100.00") -> dict:
    """A canonical bill as the ledger stores it."""
    return {
        "type": "Bill",
        "native_id": f"direct_cost:1:{number}",
        "vendor": {"native_id": "1", "code": "", "name": "Star Framing, LLC", "destination_id": None},
        "number": number,
        "date": "2024-05-01",
        "currency": "USD",
        "lines": [{"amount": amount, "description": "Framing", "native_id": "1", "dimensions": {}}],
    }


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def integration_of(db):
    def make(tenant, flows=("ap_bills",)):
        slug = tenant.slug
        procore = Connection.objects.create(
            tenant=tenant, system="procore", name=f"Procore {slug}", settings={"company_id": "7"},
            secrets={"client_id": f"id-{slug}", "client_secret": "client-secret-value"},
        )  # fmt: skip
        acumatica = Connection.objects.create(
            tenant=tenant, system="acumatica", name=f"Acumatica {slug}",
            settings={"instance_url": "https://erp.example.com", "endpoint_version": "23.200.001", "tenant_name": "T"},
            secrets={"client_id": "G", "client_secret": "client-secret-value", "username": "u", "password": "p"},
        )  # fmt: skip
        return Integration.objects.create(
            tenant=tenant, name=f"Integration {slug}", source=procore, destination=acumatica, flows=list(flows)
        )

    return make


@pytest.fixture
def record(db):
    def make(integration, state, flow="ap_bills", **fields):
        number = next(_numbers)
        fields.setdefault("label", f"Invoice {number}")
        fields["canonical"] = fields.get("canonical") or {}
        return SyncRecord.objects.create(
            integration=integration, flow=flow, source_id=f"src-{number}", idempotency_key=uuid.uuid4().hex,
            state=state, **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def people(make_user, tenant_a, tenant_b):
    return {
        "viewer_a": make_user("viewer-a", tenant=tenant_a, role=Role.VIEWER),
        "finance_a": make_user("finance-a", tenant=tenant_a, role=Role.FINANCE),
        "admin_a": make_user("admin-a", tenant=tenant_a, role=Role.ADMIN),
        "admin_b": make_user("admin-b", tenant=tenant_b, role=Role.ADMIN),
    }


from .ledger_world import ledger_row, members  # noqa: E402, F401  (fixtures of the dashboard, timeline and alert tests)


@pytest.fixture
def wired(tenant_a, sandbox, procore_sim, acumatica_sim):
    """The integration, before any run. Its options are set by each test (approval, overrides)."""
    data, _expected = scenario.procore_records(dt.date.today())
    procore_sim.seed(small_world(data))
    acumatica_sim.seed(preset="reference")
    return scenario.wire(tenant_a, sandbox.base_url)


@pytest.fixture
def finance(make_user, tenant_a):
    return make_user("fiona", tenant=tenant_a, role=Role.FINANCE)


@pytest.fixture
def viewer(make_user, tenant_a):
    return make_user("victor", tenant=tenant_a, role=Role.VIEWER)
