"""The benchmark's world: a Procore company with N approved requisitions across 12 projects, an Acumatica tenant
with the matching vendors and accounts, and the integration between them with every map in place, so every
requisition posts.

Built through the simulators' control API (as a vendor's user would enter the data), then wired the way a customer
would: two connections, an integration, reference data pulled from both sides, vendor and cost code maps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sandbox.procore import demo as procore_demo
from sandbox.testing import SandboxControl

COMPANY = procore_demo.COMPANY_ID
PROJECTS = 12
PROJECT_BASE = 9_100_000_001
VENDORS = {  # Procore id -> (name, Acumatica VendorID of the reference preset)
    9_200_000_001: ("Star Framing, LLC", "STARFRAME"),
    9_200_000_002: ("Apex Concrete Inc.", "APEXCONC"),
    9_200_000_003: ("Bright Line Electric Co.", "BRIGHTLINE"),
}
COST_CODES = ["03-310", "06-100"]
TYPES = {9_400_000_001: ("S", "Subcontract"), 9_400_000_002: ("M", "Material")}
ACCOUNT_BY_TYPE = {"S": "50000", "M": "51000"}
REQUISITION_BASE = 9_600_000_000


def project_id(index: int) -> int:
    return PROJECT_BASE + index


def cost_code_id(project_index: int, code: str) -> int:
    return 9_300_000_000 + project_index * 100 + COST_CODES.index(code)


def contract_id(project_index: int, vendor_index: int) -> int:
    return 9_500_000_000 + project_index * 10 + vendor_index


def reference_data() -> dict:
    """Company, projects, vendors, cost codes, cost types and one subcontract per project and vendor."""
    data = {
        "clients": [{"id": procore_demo.CLIENT_ID, "secret": procore_demo.CLIENT_SECRET, "name": "bench"}],
        "companies": [{"id": COMPANY, "name": "Summit Builders", "is_active": True, "app_installed": True}],
        "projects": [
            {"id": project_id(i), "company_id": COMPANY, "project_number": f"P-{i}", "name": f"Project {i}",
             "active": True}
            for i in range(PROJECTS)
        ],
        "vendors": [{"id": vid, "company_id": COMPANY, "name": name, "is_active": True}
                    for vid, (name, _) in VENDORS.items()],
        "line_item_types": [{"id": tid, "company_id": COMPANY, "code": code, "name": name, "base_type": name}
                            for tid, (code, name) in TYPES.items()],
        "cost_codes": [
            {"id": cost_code_id(i, code), "project_id": project_id(i), "code": code[-3:], "full_code": code,
             "name": f"Cost code {code}"}
            for i in range(PROJECTS) for code in COST_CODES
        ],
        "work_order_contracts": [],
    }  # fmt: skip
    for p in range(PROJECTS):
        for v, vid in enumerate(VENDORS):
            cid = contract_id(p, v)
            data["work_order_contracts"].append(
                {
                    "id": cid,
                    "project_id": project_id(p),
                    "number": f"SC-{p}-{v}",
                    "title": "Subcontract",
                    "status": "Approved",
                    "executed": True,
                    "vendor_id": vid,
                    "line_items": [
                        _line(cid * 10 + 1, p, "03-310", 9_400_000_001, "9000000.00"),
                        _line(cid * 10 + 2, p, "06-100", 9_400_000_002, "9000000.00"),
                    ],
                }
            )
    return data


def _line(line_id, project_index, code, type_id, amount) -> dict:
    return {
        "id": line_id,
        "description": f"{code} work",
        "amount": amount,
        "quantity": "1.0",
        "unit_cost": amount,
        "cost_code_id": cost_code_id(project_index, code),
        "line_item_type_id": type_id,
        "origin_id": None,
    }


def _item(item_id, line: dict, amount: Decimal) -> dict:
    return {
        "id": item_id,
        "item_type": "contract_item",
        "line_item_id": line["id"],
        "cost_code_id": line["cost_code_id"],
        "line_item_type_id": line["line_item_type_id"],
        "description_of_work": "Work this period",
        "scheduled_value": line["amount"],
        "work_completed_from_previous_application": "0.00",
        "work_completed_this_period": str(amount),
        "materials_presently_stored": "0.00",
        "work_completed_retainage_retained_this_period": "0.00",
        "materials_stored_retainage_currently_retained": "0.00",
    }


def requisitions(first: int, count: int, today: dt.date, modified) -> list[dict]:
    """`count` approved pay apps numbered from `first`, spread round-robin over projects and vendors, each last
    modified at `modified(n)`."""
    rows = []
    for n in range(first, first + count):
        stamp = modified(n).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        p, v = n % PROJECTS, (n // PROJECTS) % len(VENDORS)
        cid = contract_id(p, v)
        lines = [
            _line(cid * 10 + 1, p, "03-310", 9_400_000_001, "9000000.00"),
            _line(cid * 10 + 2, p, "06-100", 9_400_000_002, "9000000.00"),
        ]
        rid = REQUISITION_BASE + n
        rows.append(
            {
                "id": rid,
                "project_id": project_id(p),
                "commitment_id": cid,
                "number": n + 1,
                "invoice_number": f"INV-{rid}",
                "billing_date": today.isoformat(),
                "requisition_start": (today - dt.timedelta(days=30)).isoformat(),
                "requisition_end": today.isoformat(),
                "status": "approved",
                "created_at": stamp,
                "updated_at": stamp,
                "items": [
                    _item(rid * 10 + 1, lines[0], Decimal(1000 + n % 500)),
                    _item(rid * 10 + 2, lines[1], Decimal(200 + n % 50) + Decimal("0.25")),
                ],
            }
        )
    return rows


def seed_simulators(sandbox_url: str, records: int, *, first: int = 0, reset: bool = True) -> None:
    """Reset both simulators and load the world (in chunks: one control call per 2,000 requisitions)."""
    procore, acumatica = SandboxControl(sandbox_url, "procore"), SandboxControl(sandbox_url, "acumatica")
    if reset:
        procore.reset()
        acumatica.reset()
        acumatica.seed(preset="reference")
        procore.seed(reference_data())
    add_requisitions(sandbox_url, first, records, age=dt.timedelta(days=1), spread=dt.timedelta(days=1))


def add_requisitions(
    sandbox_url: str, first: int, count: int, *, age: dt.timedelta = dt.timedelta(0), spread=dt.timedelta(0)
) -> None:
    """Approved requisitions last modified between `age + spread` and `age` ago, evenly. The first load is spread
    over the day before yesterday, so a later poll (whose cursor looks back a few minutes past the newest stamp it
    saw) reads again only the few edited in those minutes, besides what arrived since: the steady state of a
    connector polling every few minutes."""
    procore = SandboxControl(sandbox_url, "procore")
    today = dt.date.today()
    newest = dt.datetime.now(dt.UTC) - age

    def modified(n: int) -> dt.datetime:
        return newest - spread * (first + count - 1 - n) / max(count, 1)

    for start in range(first, first + count, 2000):
        procore.seed({"requisitions": requisitions(start, min(2000, first + count - start), today, modified)})


def wire(sandbox_url: str, name: str = "bench"):
    """Tenant, connections, integration (only `ap_bills`), reference data from both sides, every map."""
    from connections.models import Connection, Environment, Tenant
    from mappings.models import ChangeSource, CostCodeMap, ReferenceRecord, VendorMap
    from mappings.pull import pull_reference
    from mappings.services import save_map
    from sandbox.acumatica import demo as acumatica_demo
    from syncs.models import Integration

    tenant, _ = Tenant.objects.get_or_create(name=f"Bench {name}", defaults={"slug": f"bench-{name}"})
    procore = Connection.objects.create(
        tenant=tenant, system="procore", name=f"Procore {name}", environment=Environment.SIMULATOR,
        settings={"company_id": str(COMPANY), "base_url": f"{sandbox_url}/procore",
                  "login_url": f"{sandbox_url}/procore-login"},
        secrets={"client_id": procore_demo.CLIENT_ID, "client_secret": procore_demo.CLIENT_SECRET,
                 "webhook_secret": "bench-hook-secret"},
    )  # fmt: skip
    acumatica = Connection.objects.create(
        tenant=tenant, system="acumatica", name=f"Acumatica {name}", environment=Environment.SIMULATOR,
        settings={"instance_url": f"{sandbox_url}/acumatica", "endpoint_version": "23.200.001",
                  "tenant_name": acumatica_demo.TENANT},
        secrets={"client_id": acumatica_demo.CLIENT_GUID, "client_secret": acumatica_demo.CLIENT_SECRET,
                 "username": acumatica_demo.USERNAME, "password": acumatica_demo.PASSWORD},
    )  # fmt: skip
    integration = Integration.objects.create(
        tenant=tenant, name=f"Procore -> Acumatica ({name})", source=procore, destination=acumatica,
        flows=["ap_bills"], enabled=True,
    )  # fmt: skip
    pull_reference(procore)
    pull_reference(acumatica)
    for vid, (_name, code) in VENDORS.items():
        VendorMap.objects.create(
            integration=integration,
            source=ReferenceRecord.objects.get(connection=procore, kind="vendor", native_id=str(vid)),
            destination=ReferenceRecord.objects.get(connection=acumatica, kind="vendor", code=code),
        )
    subaccount = ReferenceRecord.objects.get(connection=acumatica, kind="subaccount", code="000-000")
    for code in COST_CODES:
        for type_code, account in ACCOUNT_BY_TYPE.items():
            row = CostCodeMap(
                integration=integration, cost_code=code, cost_type=type_code,
                account=ReferenceRecord.objects.get(connection=acumatica, kind="account", code=account),
                dimensions={"subaccount": subaccount.pk},
            )  # fmt: skip
            save_map(row, None, ChangeSource.ADMIN)
    return integration


def quiet_polls() -> None:
    """Remove every integration's poll schedule: each pass runs its flow itself, once. Left in place, a new
    integration's poll fires as the cluster starts (a second reader of the same flow), and the integrations of
    earlier passes poll the freshly seeded simulators, so the calls counted would not be this pass's alone."""
    from django_q.models import Schedule

    from syncs.tasks import POLL_SCHEDULE

    Schedule.objects.filter(name__startswith=POLL_SCHEDULE.format("")).delete()
