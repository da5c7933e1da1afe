"""The Acumatica side of the "Summit Builders" demo data set.

Fixed credentials, documented for the demo tenant and the tests:

- tenant ``Summit``; user ``admin`` / ``demo``;
- OAuth client ``5C0B2F3E-7A1D-4E8B-9C3F-2D6A8B1E4F70@Summit``, secret ``demo-acumatica-secret``.

Vendors, projects and cost codes match the Procore demo set, so the mapping screens have something to
match: "Star Framing, LLC" is STARFRAME here, project 2024-001 is RIVERSIDE, cost code 03-310 is 03310.
Branches are rows of the CompaniesStructure inquiry. Subcontracts and purchase orders carry the Procore
commitment number as VendorRef (see ``demo_data.py`` for which match); four bills entered before the
connector are released, three of them paid (one partly) by checks.
"""

from __future__ import annotations

from . import bills, payments
from .bills import Context
from .demo_data import (
    ACCOUNTS_EXTRA,
    BILLS,
    COMPANIES,
    COST_CODES_EXTRA,
    PROJECTS_EXTRA,
    PURCHASE_ORDERS,
    SUBACCOUNTS_EXTRA,
    SUBCONTRACTS,
    TASKS_EXTRA,
    VENDORS_EXTRA,
)

TENANT = "Summit"
USERNAME = "admin"
PASSWORD = "demo"
CLIENT_GUID = "5C0B2F3E-7A1D-4E8B-9C3F-2D6A8B1E4F70"
CLIENT_ID = f"{CLIENT_GUID}@{TENANT}"
CLIENT_SECRET = "demo-acumatica-secret"

VENDORS = [
    ("STARFRAME", "Star Framing, LLC", "accounts@starframing.example"),
    ("APEXCONC", "Apex Concrete Inc.", "ar@apexconcrete.example"),
    ("BRIGHTLINE", "Bright Line Electric Co.", "billing@brightline.example"),
    ("CASCADEPM", "Cascade Plumbing & Mechanical", "ap@cascadepm.example"),
    ("GRANITESUP", "Granite Supply Co.", "invoices@granitesupply.example"),
]
ACCOUNTS = [
    ("10200", "Company Checking Account", "Asset"),
    ("20000", "Accounts Payable", "Liability"),
    ("20500", "Retainage Payable", "Liability"),
    ("50000", "Subcontract Costs", "Expense"),
    ("51000", "Material Costs", "Expense"),
    ("52000", "Direct Labor", "Expense"),
    ("53000", "Equipment Costs", "Expense"),
    ("54000", "Other Job Costs", "Expense"),
]
SUBACCOUNTS = [("000-000", "Default"), ("100-000", "Commercial"), ("200-000", "Residential")]
PROJECTS = [
    ("RIVERSIDE", "Riverside Medical Office Building", "Active", "2024-001"),
    ("HARBORVIEW", "Harbor View Apartments", "Active", "2024-002"),
    ("MAPLEST", "Maple Street Elementary Renovation", "Completed", "2021-014"),
]
TASKS = [("01", "General Conditions"), ("03", "Concrete"), ("06", "Wood and Plastics"), ("26", "Electrical")]
COST_CODES = [
    ("01500", "Temporary Facilities"),
    ("03300", "Cast-in-Place Concrete"),
    ("03310", "Concrete Formwork"),
    ("06100", "Rough Carpentry"),
    ("26100", "Electrical Distribution"),
]


def _vendor(vid: str, name: str, email: str, status: str = "Active", klass: str = "SUBCON") -> dict:
    return {
        "VendorID": vid,
        "VendorName": name,
        "LegalName": name,
        "Status": status,
        "VendorClass": klass,
        "Terms": "30D",
        "CurrencyID": "USD",
        "PaymentMethod": "CHECK",
        "CashAccount": "10200",
        "APAccount": "20000",
        "APSubaccount": "000-000",
        "F1099Vendor": klass == "SUBCON",
        "MainContact": {"Email": email, "DisplayName": name, "CompanyName": name},
    }


def _reference() -> dict[str, list[dict]]:
    projects = PROJECTS + PROJECTS_EXTRA
    accounts = ACCOUNTS + ACCOUNTS_EXTRA
    return {
        "users": [{"id": f"{USERNAME}@{TENANT}", "name": USERNAME, "tenant": TENANT, "password": PASSWORD}],
        "oauth_clients": [{"id": CLIENT_GUID, "tenant": TENANT, "secret": CLIENT_SECRET, "name": "ml-connector demo"}],
        "CompaniesStructure": [
            {
                "CompanyID": company,
                "CompanyName": company_name,
                "CompanyType": kind,
                "CompanyStatus": True,
                "BaseCurrencyID": "USD",
                "BranchID": branch,
                "BranchName": branch_name,
                "BranchCountry": country,
                "BranchStatus": True,
            }
            for company, company_name, kind, branches in COMPANIES
            for branch, branch_name, country in branches
        ],
        "Vendor": [_vendor(*row) for row in VENDORS] + [_vendor(*row) for row in VENDORS_EXTRA],
        "Account": [
            {"AccountCD": cd, "AccountID": 1000 + i, "Description": name, "Type": kind, "Active": True}
            for i, (cd, name, kind) in enumerate(accounts)
        ],
        "Subaccount": [
            {"SubaccountCD": cd, "SubaccountID": 100 + i, "Description": name, "Active": True}
            for i, (cd, name) in enumerate(SUBACCOUNTS + SUBACCOUNTS_EXTRA)
        ],
        "Project": [
            {
                "ProjectID": cd,
                "Description": name,
                "Status": status,
                "Customer": "SUMMITDEV",
                "Hold": False,
                "ExternalRefNbr": number,
            }
            for cd, name, status, number in projects
        ],
        "ProjectTask": [
            {"ProjectID": project[0], "ProjectTaskID": task, "Description": name, "Status": "Active"}
            for project in projects
            for task, name in TASKS + TASKS_EXTRA
        ],
        "CostCode": [{"CostCodeID": cd, "Description": name} for cd, name in COST_CODES + COST_CODES_EXTRA],
    }


def _commitments() -> dict[str, list[dict]]:
    subcontracts = [
        {
            "VendorID": vendor,
            "VendorRef": number,
            "Description": text,
            "Status": "Open",  # released from hold when it was signed
            "Details": [
                {
                    "Project": project,
                    "Task": task,
                    "CostCode": code,
                    "Account": "50000",
                    "Subaccount": "000-000",
                    "OrderQty": "1",
                    "UnitCost": amount,
                    "LineDescription": text,
                }
            ],
        }
        for number, project, vendor, code, task, amount, text in SUBCONTRACTS
    ]
    orders = [
        {
            "VendorID": vendor,
            "VendorRef": number,
            "Description": text,
            "Project": project,
            "Hold": False,
            "Details": [
                {
                    "Project": project,
                    "ProjectTask": task,
                    "CostCode": code,
                    "Account": "51000",
                    "Subaccount": "000-000",
                    "OrderQty": qty,
                    "UnitCost": cost,
                    "LineDescription": text,
                }
            ],
        }
        for number, project, vendor, code, task, qty, cost, text in PURCHASE_ORDERS
    ]
    return {"Subcontract": subcontracts, "PurchaseOrder": orders}


def _bills_and_checks(sim, created: dict[str, list]) -> None:
    """Release each bill, then pay it (fully or partly) with one check per bill."""
    ctx = Context(sim.store, sim.config, sim.now_stamp())
    for vendor, ref, project, task, code, account, amount, paid in BILLS:
        line = {
            "Project": project,
            "ProjectTask": task,
            "CostCode": code,
            "Account": account,
            "Subaccount": "000-000",
            "Amount": amount,
            "TransactionDescription": f"{ref} progress billing",
        }
        bill = sim.upsert(
            "Bill",
            {
                "Vendor": vendor,
                "VendorRef": ref,
                "Project": project,
                "Hold": False,
                "Description": f"{vendor} {ref}",
                "Details": [line],
            },
        )
        bills.release(ctx, bill)
        created.setdefault("Bill", []).append(bill["id"])
        if paid == "0":
            continue
        check = sim.upsert(
            "Check",
            {
                "Vendor": vendor,
                "PaymentMethod": "CHECK",
                "CashAccount": "10200",
                "PaymentRef": f"CHK-{ref}",
                "Details": [{"DocType": "Bill", "ReferenceNbr": bill["ReferenceNbr"], "AmountPaid": paid}],
            },
        )
        payments.release(ctx, check)
        created.setdefault("Check", []).append(check["id"])


def load_reference(sim) -> dict[str, list]:
    """Only the reference data of the demo set (branches, accounts, vendors, projects, cost codes), no documents."""
    created: dict[str, list] = {}
    for collection, rows in _reference().items():
        for row in rows:
            created.setdefault(collection, []).append(sim.upsert(collection, row)["id"])
    return created


def load_demo(sim) -> dict[str, list]:
    """Load the demo set into an Acumatica simulator; returns {collection: [ids]}."""
    created: dict[str, list] = {}
    for table in (_reference(), _commitments()):
        for collection, rows in table.items():
            for row in rows:
                created.setdefault(collection, []).append(sim.upsert(collection, row)["id"])
    _bills_and_checks(sim, created)
    return created
