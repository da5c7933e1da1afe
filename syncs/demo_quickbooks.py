"""The demo's QuickBooks Online -> Procore integration: Keystone Builders keeps its books in QuickBooks, its jobs in
Procore.

QuickBooks side: the QuickBooks simulator's demo company (sandbox/quickbooks/demo.py), connected with the demo app's
credentials and the refresh token its demo consent issued. Procore side: the company's own Procore account (a
company of its own in the Procore simulator, set up through the simulator's control API as a Procore admin would):
three projects with their cost codes and cost types, and the two subcontractors with their approved commitments, so
their bills on those projects become requisitions and every other bill a direct cost of type invoice.

Lookup table: the jobs (customers and sub-customers) route to their Procore projects; account rules code lines by
account and description, except equipment rental (account 5200), left without a rule so its bill waits in "needs
mapping" for a finance user. The fuel bill names no job and waits too. Vendors are mirrored into Procore's directory.
"""

from __future__ import annotations

from sandbox.quickbooks import demo as qbo_demo

from .demo_connections import save_connection, sibling_procore

NAME = "QuickBooks Online -> Procore (demo)"
QUICKBOOKS_NAME = "QuickBooks Online (simulator)"
PROCORE_NAME = "Procore - Keystone Builders (simulator)"
FLOWS = ["vendors_forward", "bills_to_project_costs", "bill_payments_forward"]

#: The Procore account of Keystone Builders (ids clear of the other demo companies').
COMPANY_ID = 4_320_001
COMPANY_NAME = "Keystone Builders LLC"
#: Procore project id -> (project number, name)
PROJECTS = {
    6_200_000_001: ("KB-101", "Pier 7 Lofts"),
    6_200_000_002: ("KB-102", "Cedar Ridge Elementary Gym"),
    6_200_000_003: ("KB-103", "Maple Street Lots 14-15"),
}
#: QuickBooks job (customer display name) -> Procore project number
JOBS = {
    "Pier 7 Lofts": "KB-101",
    "Phase 2 Interiors": "KB-101",
    "Cedar Ridge Elementary Gym": "KB-102",
    "Lot 14 Custom Home": "KB-103",
    "Lot 15 Custom Home": "KB-103",
}
COST_CODES = {
    "01-300": "Permits and fees",
    "01-500": "Temporary facilities and equipment",
    "03-300": "Cast-in-place concrete",
    "06-100": "Rough carpentry",
    "22-100": "Plumbing",
    "26-100": "Electrical",
}
COST_TYPES = {6_410_000_001: ("S", "Subcontract"), 6_410_000_002: ("M", "Material"), 6_410_000_003: ("O", "Other")}
#: (order, account, description pattern, syntax, cost code, cost type)
RULES = [
    (10, "5000", "", "glob", "03-300", "M"),
    (20, "5010", "", "glob", "06-100", "M"),
    (30, "5100", "*plumbing*", "glob", "22-100", "S"),
    (40, "5100", "electric|power", "regex", "26-100", "S"),
    (50, "6100", "", "glob", "01-300", "O"),
    (60, "6200", "", "glob", "01-300", "O"),
]
#: Left without a rule on purpose: equipment rental.
UNMAPPED_ACCOUNT = "5200"
#: Subcontractors holding an approved commitment: vendor name -> (Procore vendor id, project id, cost code, value)
COMMITMENTS = {
    "Brightline Electric LLC": (6_500_000_001, 6_200_000_001, "26-100", "60000.00"),
    "Summit Plumbing & Heating": (6_500_000_002, 6_200_000_002, "22-100", "25000.00"),
}


def cost_code_id(project_id: int, full_code: str) -> int:
    return 6_300_100_000 + (project_id - 6_200_000_000) * 100 + list(COST_CODES).index(full_code) + 1


def procore_company() -> dict:
    """The Procore records of the company, as the simulator's control API takes them."""
    contracts = []
    for n, (vendor, (_vendor_id, project_id, code, amount)) in enumerate(COMMITMENTS.items()):
        contract_id = 6_600_000_001 + n
        line = {"id": contract_id * 10 + 1, "description": f"{COST_CODES[code]} scope", "amount": amount,
                "quantity": "1.0", "unit_cost": amount, "cost_code_id": cost_code_id(project_id, code),
                "line_item_type_id": 6_410_000_001}  # fmt: skip
        contracts.append({"id": contract_id, "project_id": project_id, "number": f"SC-{101 + n}",
                          "title": f"{vendor} subcontract", "status": "Approved", "executed": True,
                          "vendor_id": _vendor_id, "line_items": [line]})  # fmt: skip
    return {
        "companies": [{"id": COMPANY_ID, "name": COMPANY_NAME, "is_active": True, "app_installed": True}],
        "projects": [
            {"id": pid, "company_id": COMPANY_ID, "project_number": number, "name": name, "active": True}
            for pid, (number, name) in PROJECTS.items()
        ],
        # The subcontractors are in the directory already (no origin_id): the vendor mirror links them by name.
        "vendors": [
            {"id": vendor_id, "company_id": COMPANY_ID, "name": name, "is_active": True}
            for name, (vendor_id, *_rest) in COMMITMENTS.items()
        ],
        "line_item_types": [
            {"id": tid, "company_id": COMPANY_ID, "code": code, "name": name, "base_type": name}
            for tid, (code, name) in COST_TYPES.items()
        ],
        "cost_codes": [
            {"id": cost_code_id(pid, full), "project_id": pid, "code": full[-3:], "full_code": full, "name": name}
            for pid in PROJECTS
            for full, name in COST_CODES.items()
        ],
        "work_order_contracts": contracts,
    }


def connection_values(sandbox_url: str, procore_settings: dict, procore_secrets: dict) -> dict[str, dict]:
    return {
        QUICKBOOKS_NAME: {
            "system": "quickbooks",
            "settings": {
                "realm_id": qbo_demo.REALM,
                "base_url": f"{sandbox_url}/quickbooks",
                "discovery_url": f"{sandbox_url}/quickbooks-oauth/.well-known/openid-configuration",
            },
            "secrets": {
                "client_id": qbo_demo.CLIENT_ID,
                "client_secret": qbo_demo.CLIENT_SECRET,
                "refresh_token": qbo_demo.REFRESH_TOKEN,
                "webhook_verifier_token": qbo_demo.VERIFIER_TOKEN,
            },
        },
        PROCORE_NAME: sibling_procore(procore_settings, procore_secrets, COMPANY_ID),
    }


def seed_integration(tenant, connections: dict) -> None:
    """The integration and its two connections (the Procore one a sibling of the demo's own Procore connection)."""

    from .models import Integration

    procore = connections["procore"]
    sandbox_url = procore.settings["base_url"].rsplit("/procore", 1)[0]
    made = {}
    for name, values in connection_values(sandbox_url, procore.settings, procore.secrets).items():
        made[values["system"]] = save_connection(tenant, name, values)
    Integration.objects.update_or_create(
        tenant=tenant,
        name=NAME,
        defaults={
            "source": made["quickbooks"],
            "destination": made["procore"],
            "flows": FLOWS,
            "poll_interval_minutes": 5,
        },
    )


def seed_maps(integration) -> dict[str, int]:
    """Set up the Procore company, pull reference data from both sides, then the project maps and account rules."""
    from mappings.pull import pull_reference
    from sandbox.testing import SandboxControl

    from .demo_exact import _call_simulator

    sandbox_url = integration.destination.settings["base_url"].rsplit("/procore", 1)[0]
    _call_simulator(lambda: SandboxControl(sandbox_url, "procore").seed(procore_company()))
    pull_reference(integration.source)
    pull_reference(integration.destination)
    projects, rules = _seed_project_maps(integration), _seed_rules(integration)
    return {"vendors": 0, "cost_codes": 0, "projects": projects, "rules": rules}


def _seed_project_maps(integration) -> int:
    from mappings.models import ChangeSource, ProjectMap, ReferenceRecord
    from mappings.services import save_map

    count = 0
    for job, number in JOBS.items():
        source = ReferenceRecord.objects.filter(connection=integration.source, kind="customer", name=job).first()
        if source is None or ProjectMap.objects.filter(integration=integration, source=source).exists():
            continue
        target = ReferenceRecord.objects.get(connection=integration.destination, kind="project", code=number)
        save_map(ProjectMap(integration=integration, source=source, destination=target), None, ChangeSource.ADMIN)
        count += 1
    return count


def _seed_rules(integration) -> int:
    from mappings.models import AccountRule, ChangeSource
    from mappings.services import save_map

    count = 0
    for order, account, pattern, syntax, cost_code, cost_type in RULES:
        values = {"account_code": account, "description_pattern": pattern}
        if AccountRule.objects.filter(integration=integration, **values).exists():
            continue
        rule = AccountRule(integration=integration, order=order, pattern_syntax=syntax, cost_code=cost_code,
                           cost_type=cost_type, **values)  # fmt: skip
        save_map(rule, None, ChangeSource.ADMIN)
        count += 1
    return count
