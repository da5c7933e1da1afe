"""The Acumatica side of the "Summit Builders" demo data set.

Fixed credentials, documented for the demo tenant and the tests:

- tenant ``Summit``; user ``admin`` / ``demo``;
- OAuth client ``5C0B2F3E-7A1D-4E8B-9C3F-2D6A8B1E4F70@Summit``, secret ``demo-acumatica-secret``.

Projects, vendors, cost codes and commitments come from ``sandbox/demo_story.py``, shared with the Procore demo:
project 2024-001 is RIVERSIDE here (ExternalRefNbr 2024-001), "Star Framing, LLC" is STARFRAME, cost code
"03-310" is CostCodeID "03-310" on task "03". Subcontracts and purchase orders carry the Procore commitment number
as VendorRef; the story says which match, which differ and which are missing. Branches are rows of the
CompaniesStructure inquiry; four bills entered before the connector are released, three of them paid (one partly)
by checks.
"""

from __future__ import annotations

from decimal import Decimal

from .. import demo_story as story
from . import bills, payments
from .bills import Context
from .demo_data import ACCOUNTS_EXTRA, BILLS, COMPANIES, SUBACCOUNTS_EXTRA, VENDOR_CLASSES

TENANT = "Summit"
USERNAME = "admin"
PASSWORD = "demo"
CLIENT_GUID = "5C0B2F3E-7A1D-4E8B-9C3F-2D6A8B1E4F70"
CLIENT_ID = f"{CLIENT_GUID}@{TENANT}"
CLIENT_SECRET = "demo-acumatica-secret"

#: (VendorID, name, e-mail) of every Acumatica vendor; Keystone Roofing is not here (Procore only)
VENDORS = [(v.acumatica_id, v.name, v.email) for v in story.VENDORS if v.acumatica_id]
INACTIVE_VENDORS = {v.acumatica_id for v in story.VENDORS if v.acumatica_id and not v.active}
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
#: ProjectID, description, status, Procore project number (ExternalRefNbr)
PROJECTS = [(p.acumatica_id, p.name, "Active" if p.active else "Completed", p.number) for p in story.PROJECTS]
TASKS = story.DIVISIONS  # every project has one task per cost code division
COST_CODES = [(c.code, c.name) for c in story.COST_CODES]
#: Procore cost type -> the account a commitment line of that type sits on
LINE_ACCOUNTS = {"S": "50000", "M": "51000"}
SUBACCOUNT = "000-000"


def _vendor(vid: str, name: str, email: str) -> dict:
    klass = VENDOR_CLASSES.get(vid, "SUBCON")
    status = "Inactive" if vid in INACTIVE_VENDORS else "Active"
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
    projects = PROJECTS
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
        "Vendor": [_vendor(*row) for row in VENDORS],
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
            for task, name in TASKS
        ],
        "CostCode": [{"CostCodeID": cd, "Description": name} for cd, name in COST_CODES],
    }


def _acumatica_lines(item: story.Commitment) -> list[story.Line]:
    """The lines Acumatica holds for a story commitment (see the rules in ``demo_story``)."""
    lines = list(item.lines)
    if item.acumatica == story.DIFFERS:  # entered from the bid: the last line makes up the stated total
        short = Decimal(item.acumatica_total) - sum(Decimal(line.amount) for line in lines)
        last = lines[-1]
        return [*lines[:-1], last._replace(amount=f"{Decimal(last.amount) + short:.2f}")]
    first = lines[0]
    for order in item.change_orders:
        if order.status == "approved":
            text = f"CO {order.number}: {order.title}"
            lines.append(story.Line(first.cost_code, first.cost_type, order.amount, text))
    return lines


def _detail(line: story.Line, project_id: str, task_field: str) -> dict:
    return {
        "Project": project_id,
        task_field: story.cost_code(line.cost_code).division,
        "CostCode": line.cost_code,
        "Account": LINE_ACCOUNTS[line.cost_type],
        "Subaccount": SUBACCOUNT,
        "OrderQty": "1",
        "UnitCost": line.amount,
        "LineDescription": line.description,
    }


def _document(kind: str, vendor_ref: str, project_number: str, vendor_name: str, title: str, lines) -> tuple:
    """(entity, record) of a subcontract or a purchase order; the project sits on the lines, and on a purchase
    order's header too."""
    project_id = story.project(project_number).acumatica_id
    head = {"VendorID": story.vendor(vendor_name).acumatica_id, "VendorRef": vendor_ref, "Description": title}
    if kind == story.SUBCONTRACT:
        details = [_detail(line, project_id, "Task") for line in lines]
        return "Subcontract", {**head, "Status": "Open", "Details": details}  # released from hold when signed
    details = [_detail(line, project_id, "ProjectTask") for line in lines]
    return "PurchaseOrder", {**head, "Project": project_id, "Hold": False, "Details": details}


def _commitments() -> dict[str, list[dict]]:
    documents: dict[str, list[dict]] = {"Subcontract": [], "PurchaseOrder": []}
    for item in story.COMMITMENTS:
        if item.acumatica != story.MISSING:
            lines = _acumatica_lines(item)
            entity, record = _document(item.kind, item.number, item.project, item.vendor, item.title, lines)
            documents[entity].append(record)
    for order in story.ACUMATICA_ONLY_ORDERS:
        entity, record = _document(order.kind, order.vendor_ref, order.project, order.vendor, order.title, order.lines)
        documents[entity].append(record)
    return documents


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
