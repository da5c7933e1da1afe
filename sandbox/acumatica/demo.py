"""The Acumatica side of the "Summit Builders" demo data set.

Fixed credentials, documented for the demo tenant and the tests:

- tenant ``Summit``; user ``admin`` / ``demo``;
- OAuth client ``5C0B2F3E-7A1D-4E8B-9C3F-2D6A8B1E4F70@Summit``, secret ``demo-acumatica-secret``.

Vendors, projects and cost codes match the Procore demo set, so the mapping screens have something to
match: "Star Framing, LLC" is STARFRAME here, project 2024-001 is RIVERSIDE, cost code 03-310 is 03310.
"""

from __future__ import annotations

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
BRANCHES = [("HEADOFFICE", "Summit Builders - Head Office"), ("NORTH", "Summit Builders - North Region")]
PROJECTS = [
    ("RIVERSIDE", "Riverside Medical Office Building", "Active"),
    ("HARBORVIEW", "Harbor View Apartments", "Active"),
    ("MAPLEST", "Maple Street Elementary Renovation", "Completed"),
]
TASKS = [("01", "General Conditions"), ("03", "Concrete"), ("06", "Wood and Plastics"), ("26", "Electrical")]
COST_CODES = [
    ("01500", "Temporary Facilities"),
    ("03300", "Cast-in-Place Concrete"),
    ("03310", "Concrete Formwork"),
    ("06100", "Rough Carpentry"),
    ("26100", "Electrical Distribution"),
]


def demo_records() -> dict[str, list[dict]]:
    return {
        "users": [{"id": f"{USERNAME}@{TENANT}", "name": USERNAME, "tenant": TENANT, "password": PASSWORD}],
        "oauth_clients": [{"id": CLIENT_GUID, "tenant": TENANT, "secret": CLIENT_SECRET, "name": "ml-connector demo"}],
        "Vendor": [
            {
                "VendorID": vid,
                "VendorName": name,
                "LegalName": name,
                "Status": "Active",
                "VendorClass": "SUBCON",
                "Terms": "30D",
                "CurrencyID": "USD",
                "PaymentMethod": "CHECK",
                "APAccount": "20000",
                "APSubaccount": "000-000",
                "TaxZone": None,
                "F1099Vendor": False,
                "MainContact": {"Email": email},
            }
            for vid, name, email in VENDORS
        ],
        "Account": [
            {"AccountCD": cd, "AccountID": 1000 + i, "Description": name, "Type": kind, "Active": True}
            for i, (cd, name, kind) in enumerate(ACCOUNTS)
        ],
        "Subaccount": [{"SubaccountCD": cd, "Description": name, "Active": True} for cd, name in SUBACCOUNTS],
        "Branch": [{"BranchID": cd, "BranchName": name, "Active": True} for cd, name in BRANCHES],
        "Project": [
            {"ProjectID": cd, "Description": name, "Status": status, "Customer": "SUMMITDEV", "Hold": False}
            for cd, name, status in PROJECTS
        ],
        "ProjectTask": [
            {"ProjectID": project, "ProjectTaskID": task, "Description": name, "Status": "Active"}
            for project, _name, _status in PROJECTS
            for task, name in TASKS
        ],
        "CostCode": [{"CostCodeID": cd, "Description": name} for cd, name in COST_CODES],
    }


def load_demo(sim) -> dict[str, list]:
    """Load the demo set into an Acumatica simulator; returns {collection: [ids]}."""
    created: dict[str, list] = {}
    for collection, rows in demo_records().items():
        for row in rows:
            created.setdefault(collection, []).append(sim.upsert(collection, row)["id"])
    return created
