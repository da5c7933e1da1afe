"""A Procore company with 3 projects and 40 approved supplier invoices, and an Acumatica tenant to post them to.

Built through the simulators' control API (as a Procore user would enter them), then wired together the way a
customer would: two connections, an integration, reference data pulled from both sides, vendor and cost code maps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from mappings.models import ChangeSource, CostCodeMap, ReferenceRecord, VendorMap
from mappings.pull import pull_reference
from mappings.services import save_map
from sandbox.procore import demo as procore_demo
from syncs.models import Integration

COMPANY = procore_demo.COMPANY_ID
PROJECT_IDS = [9_100_000_001, 9_100_000_002, 9_100_000_003]
VENDORS = {  # Procore id -> (name, Acumatica VendorID)
    9_200_000_001: ("Star Framing, LLC", "STARFRAME"),
    9_200_000_002: ("Apex Concrete Inc.", "APEXCONC"),
    9_200_000_003: ("Bright Line Electric Co.", "BRIGHTLINE"),
}
COST_CODES = ["03-300", "03-310", "06-100", "99-999"]  # 99-999 has no map at first
TYPES = {9_400_000_001: ("S", "Subcontract"), 9_400_000_002: ("M", "Material"), 9_400_000_003: ("L", "Labor")}
ACCOUNT_BY_TYPE = {"S": "50000", "M": "51000", "L": "52000"}
UNMAPPED = "99-999"


def cost_code_id(project_index: int, code: str) -> int:
    return 9_300_000_000 + project_index * 100 + COST_CODES.index(code)


@dataclass
class Expected:
    """What each approved invoice must become in Acumatica."""

    bills: dict[str, dict] = field(default_factory=dict)  # invoice number -> {vendor, amount, accounts}
    blocked: set[str] = field(default_factory=set)  # invoice numbers held for the unmapped cost code


def _line(line_id, project_index, code, type_id, amount):
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


def procore_records(today: dt.date) -> tuple[dict, Expected]:
    """30 approved requisitions and 10 approved invoice direct costs (2 on the unmapped code), plus noise."""
    expected = Expected()
    data = {
        "clients": [{"id": procore_demo.CLIENT_ID, "secret": procore_demo.CLIENT_SECRET, "name": "tests"}],
        "companies": [{"id": COMPANY, "name": "Summit Builders", "is_active": True, "app_installed": True}],
        "projects": [
            {"id": pid, "company_id": COMPANY, "project_number": f"P-{i}", "name": f"Project {i}", "active": True}
            for i, pid in enumerate(PROJECT_IDS)
        ],
        "vendors": [
            {"id": vid, "company_id": COMPANY, "name": name, "is_active": True} for vid, (name, _) in VENDORS.items()
        ],
        "line_item_types": [
            {"id": tid, "company_id": COMPANY, "code": code, "name": name, "base_type": name}
            for tid, (code, name) in TYPES.items()
        ],
        "cost_codes": [
            {
                "id": cost_code_id(i, code),
                "project_id": pid,
                "code": code[-3:],
                "full_code": code,
                "name": f"Cost code {code}",
            }
            for i, pid in enumerate(PROJECT_IDS)
            for code in COST_CODES
        ],
        "work_order_contracts": [],
        "requisitions": [],
        "direct_costs": [],
    }
    subcontract, material = 9_400_000_001, 9_400_000_002
    vendor_ids = list(VENDORS)
    for p, pid in enumerate(PROJECT_IDS):
        for v, vid in enumerate(vendor_ids[:2]):
            contract_id = 9_500_000_000 + p * 10 + v
            lines = [
                _line(contract_id * 10 + 1, p, "03-310", subcontract, "100000.00"),
                _line(contract_id * 10 + 2, p, "06-100", material, "50000.00"),
                _line(contract_id * 10 + 3, p, UNMAPPED, subcontract, "10000.00"),
            ]
            data["work_order_contracts"].append(
                {
                    "id": contract_id,
                    "project_id": pid,
                    "number": f"SC-{p}{v}",
                    "title": "Subcontract",
                    "status": "Approved",
                    "executed": True,
                    "vendor_id": vid,
                    "line_items": lines,
                }
            )
            for n in range(5):
                rid = 9_600_000_000 + p * 100 + v * 10 + n
                unmapped = (p, v, n) == (0, 0, 4)
                number = f"INV-{rid}"
                items = [
                    _req_item(rid * 10 + 1, lines[0], Decimal(1000 + 10 * n)),
                    _req_item(rid * 10 + 2, lines[1], Decimal(500 + n)),
                ]
                if unmapped:
                    items.append(_req_item(rid * 10 + 3, lines[2], Decimal("250.00")))
                data["requisitions"].append(
                    {
                        "id": rid,
                        "project_id": pid,
                        "commitment_id": contract_id,
                        "number": n + 1,
                        "invoice_number": number,
                        "billing_date": (today - dt.timedelta(days=n)).isoformat(),
                        "requisition_start": (today - dt.timedelta(days=30 + n)).isoformat(),
                        "requisition_end": (today - dt.timedelta(days=n)).isoformat(),
                        "status": "approved" if n % 2 == 0 else "approved_as_noted",
                        "items": items,
                    }
                )
                _expect(expected, number, VENDORS[vid][1], items, unmapped)
        for n in range(3 if p < 2 else 4):  # 3 + 3 + 4 = 10 direct costs
            did = 9_700_000_000 + p * 100 + n
            unmapped = (p, n) == (2, 3)
            number = f"DC-INV-{did}"
            lines = [_line(did * 10 + 1, p, "03-300", material, f"{200 + n}.50")]
            if unmapped:
                lines.append(_line(did * 10 + 2, p, UNMAPPED, material, "75.25"))
            data["direct_costs"].append(
                {
                    "id": did,
                    "project_id": pid,
                    "direct_cost_type": "invoice",
                    "status": "approved",
                    "invoice_number": number,
                    "vendor_id": vendor_ids[2],
                    "received_date": today.isoformat(),
                    "direct_cost_date": today.isoformat(),
                    "line_items": lines,
                }
            )
            expected.bills[number] = {
                "vendor": VENDORS[vendor_ids[2]][1],
                "amount": sum(Decimal(line["amount"]) for line in lines),
                "accounts": sorted(ACCOUNT_BY_TYPE[TYPES[line["line_item_type_id"]][0]] for line in lines),
            }
            if unmapped:
                expected.blocked.add(number)
    _add_noise(data, today)
    return data, expected


def _req_item(item_id, contract_line, amount: Decimal) -> dict:
    return {
        "id": item_id,
        "item_type": "contract_item",
        "line_item_id": contract_line["id"],
        "cost_code_id": contract_line["cost_code_id"],
        "line_item_type_id": contract_line["line_item_type_id"],
        "description_of_work": "Work this period",
        "scheduled_value": contract_line["amount"],
        "work_completed_from_previous_application": "0.00",
        "work_completed_this_period": str(amount),
        "materials_presently_stored": "0.00",
        "work_completed_retainage_retained_this_period": "0.00",
        "materials_stored_retainage_currently_retained": "0.00",
    }


def _expect(expected: Expected, number, vendor, items, unmapped):
    expected.bills[number] = {
        "vendor": vendor,
        "amount": sum(Decimal(item["work_completed_this_period"]) for item in items),
        "accounts": sorted(ACCOUNT_BY_TYPE[TYPES[item["line_item_type_id"]][0]] for item in items),
    }
    if unmapped:
        expected.blocked.add(number)


def _add_noise(data, today):
    """Records that must not move: drafts, invoices under review, expenses."""
    contract = data["work_order_contracts"][0]
    data["requisitions"].append(
        {
            "id": 9_600_009_999,
            "project_id": contract["project_id"],
            "commitment_id": contract["id"],
            "number": 99,
            "invoice_number": "INV-UNDER-REVIEW",
            "billing_date": today.isoformat(),
            "requisition_end": today.isoformat(),
            "status": "under_review",
            "items": [_req_item(96_000_099_991, contract["line_items"][0], Decimal("5"))],
        }
    )
    data["direct_costs"].append(
        {
            "id": 9_700_009_999,
            "project_id": PROJECT_IDS[0],
            "direct_cost_type": "expense",
            "status": "approved",
            "invoice_number": None,
            "vendor_id": None,
            "received_date": today.isoformat(),
            "line_items": [_line(97_000_099_991, 0, "03-300", 9_400_000_002, "12.00")],
        }
    )


def new_requisition(procore_sim, rid: int, amount: str = "777.00") -> str:
    """An extra approved requisition entered in Procore; returns its invoice number."""
    contract = next(c for c in procore_sim.records("work_order_contracts") if c["project_id"] == PROJECT_IDS[1])
    line = contract["line_items"][0]
    number = f"INV-{rid}"
    procore_sim.upsert(
        "requisitions",
        {
            "id": rid,
            "project_id": PROJECT_IDS[1],
            "commitment_id": contract["id"],
            "number": 50 + rid % 100,
            "invoice_number": number,
            "billing_date": dt.date.today().isoformat(),
            "requisition_end": dt.date.today().isoformat(),
            "status": "approved",
            "items": [_req_item(rid * 10 + 1, line, Decimal(amount))],
        },
    )
    return number


def wire(tenant, sandbox_url: str, *, map_unmapped: bool = False) -> Integration:
    """Connections, integration, reference data pulled from both simulators, and the maps."""
    from tests.contract.systems import SYSTEMS

    procore = SYSTEMS["procore"].connection(tenant, sandbox_url, webhook_secret="hook-secret-123")
    acumatica = SYSTEMS["acumatica"].connection(tenant, sandbox_url)
    integration = Integration.objects.create(
        tenant=tenant, name="Procore -> Acumatica", source=procore, destination=acumatica, flows=["ap_bills"]
    )
    pull_reference(procore)
    pull_reference(acumatica)
    for vid, (_name, acu_id) in VENDORS.items():
        VendorMap.objects.create(
            integration=integration,
            source=ReferenceRecord.objects.get(connection=procore, kind="vendor", native_id=str(vid)),
            destination=ReferenceRecord.objects.get(connection=acumatica, kind="vendor", code=acu_id),
        )
    for code in COST_CODES:
        if code == UNMAPPED and not map_unmapped:
            continue
        for type_code, account in ACCOUNT_BY_TYPE.items():
            map_cost_code(integration, code, type_code, account)
    return integration


def map_cost_code(integration, code, type_code, account_code):
    account = ReferenceRecord.objects.get(connection=integration.destination, kind="account", code=account_code)
    subaccount = ReferenceRecord.objects.get(connection=integration.destination, kind="subaccount", code="000-000")
    row = CostCodeMap(
        integration=integration,
        cost_code=code,
        cost_type=type_code,
        account=account,
        dimensions={"subaccount": subaccount.pk},
    )
    return save_map(row, None, ChangeSource.ADMIN)  # as a finance user would: validated, audited, re-queues
