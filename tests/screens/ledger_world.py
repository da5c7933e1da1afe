"""Fixtures for the dashboard, timeline, audit-log and alert tests: ledger rows in any state (with their search
columns and ages) and people in each role, with email addresses for the alerts."""

import datetime as dt
import itertools

import pytest

from connections.models import Role
from syncs import summary
from syncs.models import SyncRecord

_numbers = itertools.count(1)


def canonical_bill(number: str, vendor: str = "Star Framing, LLC", amount: str = "1250.00",
                   project: str = "Tower A") -> dict:  # fmt: skip
    """A canonical bill as the ledger stores it, with a project and one coded line."""
    return {
        "type": "Bill", "native_id": number, "number": number, "date": "2025-03-01", "currency": "USD",
        "vendor": {"native_id": "9", "code": "", "name": vendor, "destination_id": None},
        "project": {"native_id": "7", "code": "P-1", "name": project, "destination_id": None},
        "lines": [
            {"amount": amount, "description": "Framing", "cost_code": {"native_id": "1", "code": "03-310", "name": ""},
             "cost_type": {"native_id": "2", "code": "S", "name": "Subcontract"}, "project": None, "quantity": None,
             "unit_cost": None, "native_id": "1", "account": None, "dimensions": {}},
        ],
        "due_date": None, "description": "", "commitment": None, "status": "approved", "kind": "bill",
        "retainage": "0",
    }  # fmt: skip


@pytest.fixture
def ledger_row(db):
    """ledger_row(integration, state, posted_at=None, updated_at=None, flow="ap_bills", canonical=None, **fields)."""

    def make(integration, state, *, posted_at=None, updated_at=None, flow="ap_bills", canonical=None, **fields):
        n = next(_numbers)
        row = SyncRecord(
            integration=integration, flow=flow, source_id=f"row-{n}", label=f"Invoice {n}", state=state,
            idempotency_key=f"ledger-row-{n}", posted_at=posted_at, canonical=canonical or {}, **fields,
        )  # fmt: skip
        summary.apply(row)
        row.save()
        if updated_at is not None:  # updated_at is set on every save: age the row afterwards, as time would
            SyncRecord.objects.filter(pk=row.pk).update(updated_at=updated_at)
        return row

    return make


@pytest.fixture
def members(tenant_a, tenant_b, make_user):
    def user(name, tenant, role, email=True):
        made = make_user(name, tenant, role)
        if email:
            made.email = f"{name}@example.com"
            made.save(update_fields=["email"])
        return made

    return {
        "admin_a": user("ada", tenant_a, Role.ADMIN),
        "admin_a2": user("abe", tenant_a, Role.ADMIN),
        "admin_a_no_mail": user("ann", tenant_a, Role.ADMIN, email=False),
        "finance_a": user("fay", tenant_a, Role.FINANCE),
        "viewer_a": user("vic", tenant_a, Role.VIEWER),
        "admin_b": user("bob", tenant_b, Role.ADMIN),
    }


def ago(now, **delta):
    return now - dt.timedelta(**delta)
