"""A Procore company with 2 projects and 16 approved supplier invoices, and a Sage Intacct company to post them to.

The Procore side is built through its simulator's control API, the Intacct side is the simulator's `demo` company
(GL accounts, locations, departments, classes, projects 2024-001 and 2024-002 with tasks named after cost codes and
cost types under each task). The Procore projects carry the same project numbers, so each line's project, task and
cost type come from its Procore project, cost code and cost type; account, location, department and class (and for
subcontract lines the cost type too) from the cost code map. Wired the way a customer would: two connections, an
integration, reference data pulled from both sides, vendors mapped by name, and a map row per cost code and type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from connections.models import Connection
from mappings.models import ChangeSource, CostCodeMap, ReferenceRecord, VendorMap
from mappings.pull import pull_reference
from mappings.services import save_map
from sandbox.intacct import demo as intacct_demo
from sandbox.procore import demo as procore_demo
from syncs.engine import adapter_for
from syncs.models import Integration

COMPANY = procore_demo.COMPANY_ID
PROJECTS = {9_110_000_001: "2024-001", 9_110_000_002: "2024-002"}  # Procore id -> project number = Intacct PROJECTID
VENDORS = {  # Procore id -> (name, Intacct VENDORID of the same name in the demo company)
    9_210_000_001: ("Star Framing, LLC", "V100"),
    9_210_000_002: ("Apex Concrete Inc.", "V101"),
    9_210_000_003: ("Bright Line Electric Co.", "V102"),
}
TYPES = {9_410_000_001: ("S", "Subcontract"), 9_410_000_002: ("M", "Material"), 9_410_000_003: ("L", "Labor")}
COST_CODES = ["03-300", "03-310", "06-100"]  # each is a task of both Intacct projects
ACCOUNT_BY_TYPE = {"S": "5000", "M": "5100", "L": "5200"}
#: what every cost code map row sets besides the account
DIMENSIONS = {"location": "100", "department": "OPS", "class": "COMM"}
#: cost types whose map rows name Intacct's cost type themselves (the others get it from the line's task)
EXPLICIT_COST_TYPES = {"S"}
FLOWS = ["ap_bills", "commitments", "vendors_forward", "vendors_back", "payments_back"]


def cost_code_id(project_index: int, code: str) -> int:
    return 9_310_000_000 + project_index * 100 + COST_CODES.index(code)


@dataclass
class Expected:
    """What each approved invoice must become in Intacct: vendor, total and its lines as Intacct stores them."""

    bills: dict[str, dict] = field(default_factory=dict)  # invoice number -> {vendor, amount, lines}


def expected_line(project: str, code: str, type_code: str, amount) -> tuple:
    """(ACCOUNTNO, PROJECTID, TASKID, COSTTYPEID, LOCATIONID, DEPARTMENTID, CLASSID, amount)."""
    dims = DIMENSIONS
    account = ACCOUNT_BY_TYPE[type_code]
    return (account, project, code, type_code, dims["location"], dims["department"], dims["class"], Decimal(amount))


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


def procore_records(today: dt.date) -> tuple[dict, Expected]:
    """Per project: two subcontracts with 3 approved requisitions each, and 2 approved invoice direct costs."""
    expected = Expected()
    data = {
        "clients": [{"id": procore_demo.CLIENT_ID, "secret": procore_demo.CLIENT_SECRET, "name": "tests"}],
        "companies": [{"id": COMPANY, "name": "Summit Builders", "is_active": True, "app_installed": True}],
        "projects": [
            {"id": pid, "company_id": COMPANY, "project_number": number, "name": f"Project {number}", "active": True}
            for pid, number in PROJECTS.items()
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
                "id": cost_code_id(p, code),
                "project_id": pid,
                "code": code[-3:],
                "full_code": code,
                "name": f"Cost code {code}",
            }
            for p, pid in enumerate(PROJECTS)
            for code in COST_CODES
        ],
        "work_order_contracts": [],
        "requisitions": [],
        "direct_costs": [],
    }
    for p, pid in enumerate(PROJECTS):
        for v, vid in enumerate(list(VENDORS)[:2]):
            _subcontract(data, expected, today, p, pid, v, vid)
        _direct_costs(data, expected, today, p, pid)
    _add_noise(data, today)
    return data, expected


def _subcontract(data, expected, today, p, pid, v, vid) -> None:
    subcontract, material = 9_410_000_001, 9_410_000_002
    contract_id = 9_510_000_000 + p * 10 + v
    lines = [
        _line(contract_id * 10 + 1, p, "03-310", subcontract, "100000.00"),
        _line(contract_id * 10 + 2, p, "06-100", material, "50000.00"),
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
    for n in range(3):
        rid = 9_610_000_000 + p * 100 + v * 10 + n
        items = [
            _req_item(rid * 10 + 1, lines[0], Decimal(1000 + 10 * n)),
            _req_item(rid * 10 + 2, lines[1], Decimal(500 + n)),
        ]
        number = f"INV-{rid}"
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
                "status": "approved",
                "items": items,
            }
        )
        project = PROJECTS[pid]
        expected.bills[number] = {
            "vendor": VENDORS[vid][1],
            "amount": sum(Decimal(item["work_completed_this_period"]) for item in items),
            "lines": sorted(
                [
                    expected_line(project, "03-310", "S", items[0]["work_completed_this_period"]),
                    expected_line(project, "06-100", "M", items[1]["work_completed_this_period"]),
                ]
            ),
        }


def _direct_costs(data, expected, today, p, pid) -> None:
    material, labor = 9_410_000_002, 9_410_000_003
    vendor = list(VENDORS)[2]
    for n in range(2):
        did = 9_710_000_000 + p * 100 + n
        lines = [
            _line(did * 10 + 1, p, "03-300", material, f"{200 + n}.50"),
            _line(did * 10 + 2, p, "03-300", labor, "80.00"),
        ]
        number = f"DC-INV-{did}"
        data["direct_costs"].append(
            {
                "id": did,
                "project_id": pid,
                "direct_cost_type": "invoice",
                "status": "approved",
                "invoice_number": number,
                "vendor_id": vendor,
                "received_date": today.isoformat(),
                "direct_cost_date": today.isoformat(),
                "line_items": lines,
            }
        )
        expected.bills[number] = {
            "vendor": VENDORS[vendor][1],
            "amount": sum(Decimal(line["amount"]) for line in lines),
            "lines": sorted(
                [
                    expected_line(PROJECTS[pid], "03-300", "M", lines[0]["amount"]),
                    expected_line(PROJECTS[pid], "03-300", "L", lines[1]["amount"]),
                ]
            ),
        }


def _add_noise(data, today):
    """A requisition still under review and an expense: neither may reach Intacct."""
    contract = data["work_order_contracts"][0]
    data["requisitions"].append(
        {
            "id": 9_610_009_999,
            "project_id": contract["project_id"],
            "commitment_id": contract["id"],
            "number": 99,
            "invoice_number": "INV-UNDER-REVIEW",
            "billing_date": today.isoformat(),
            "requisition_end": today.isoformat(),
            "status": "under_review",
            "items": [_req_item(96_100_099_991, contract["line_items"][0], Decimal("5"))],
        }
    )
    data["direct_costs"].append(
        {
            "id": 9_710_009_999,
            "project_id": list(PROJECTS)[0],
            "direct_cost_type": "expense",
            "status": "approved",
            "invoice_number": None,
            "vendor_id": None,
            "received_date": today.isoformat(),
            "line_items": [_line(97_100_099_991, 0, "03-300", 9_410_000_002, "12.00")],
        }
    )


def wire(tenant, sandbox_url: str) -> Integration:
    """Connections, the integration with every flow, reference data pulled from both simulators, and the maps."""
    from tests.contract.systems import SYSTEMS

    procore = SYSTEMS["procore"].connection(tenant, sandbox_url, webhook_secret="hook-secret-123")
    intacct = SYSTEMS["intacct"].connection(tenant, sandbox_url)
    integration = Integration.objects.create(
        tenant=tenant, name="Procore -> Sage Intacct", source=procore, destination=intacct, flows=FLOWS
    )
    pull_reference(procore)
    pull_reference(intacct)
    for vid, (_name, intacct_id) in VENDORS.items():
        save_map(
            VendorMap(
                integration=integration,
                source=ReferenceRecord.objects.get(connection=procore, kind="vendor", native_id=str(vid)),
                destination=ReferenceRecord.objects.get(connection=intacct, kind="vendor", code=intacct_id),
            ),
            None,
            ChangeSource.ADMIN,
        )
    for code in COST_CODES:
        for type_code, account in ACCOUNT_BY_TYPE.items():
            map_cost_code(integration, code, type_code, account)
    return integration


def map_cost_code(integration, code, type_code, account_code):
    """A row as a finance user enters it: the GL account, and Intacct's location, department and class.

    Subcontract rows also name Intacct's cost type themselves; the others leave it to the resolver, which takes the
    cost type of the line's task with the Procore cost type's code. Both must give the same bills.
    """
    refs = ReferenceRecord.objects.usable().filter(connection=integration.destination)
    dimensions = {kind: refs.get(kind=kind, code=value).pk for kind, value in DIMENSIONS.items()}
    if type_code in EXPLICIT_COST_TYPES:
        dimensions["cost_type"] = refs.filter(kind="cost_type", code=type_code).order_by("native_id").first().pk
    row = CostCodeMap(
        integration=integration,
        cost_code=code,
        cost_type=type_code,
        account=refs.get(kind="account", code=account_code),
        dimensions=dimensions,
    )
    return save_map(row, None, ChangeSource.ADMIN)


def intacct_user(integration):
    """The Intacct gateway as a person in Intacct would use it (paying bills)."""
    return adapter_for(Connection.objects.get(pk=integration.destination_id)).client


def pay(integration, vendor: str, recordno: str, amount) -> None:
    """An AP payment (APPYMT) applied to one bill, created in Intacct as an AP clerk would."""
    from lxml import etree

    from connections.systems.intacct import xml
    from connections.systems.intacct.client import function, new_controlid

    payment = {
        "FINANCIALENTITY": intacct_demo.BANK,
        "PAYMENTMETHOD": "Printed Check",
        "VENDORID": vendor,
        "CURRENCY": "USD",
        "PAYMENTDATE": dt.date.today().strftime(intacct_demo.DATE),
        "APPYMTDETAILS": {"APPYMTDETAIL": [{"RECORDKEY": recordno, "TRX_PAYMENTAMOUNT": Decimal(amount)}]},
    }
    create = etree.Element("create")
    create.append(xml.Builder().element("APPYMT", payment))
    result = intacct_user(integration).execute([function(new_controlid("pay"), create)], idempotent=False)[0]
    assert result.ok, result.error("the payment")
