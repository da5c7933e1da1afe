"""A contractor's books in QuickBooks Online (the simulator's `demo` company) and its Procore company: three projects.

QuickBooks holds eleven bills of the company on five jobs (customers and sub-customers), one with no job at all,
some paid, some partly paid. Procore holds three projects with their cost codes and cost types; vendors arrive
through the vendor mirror, and two subcontractors then hold a commitment each (Brightline on the Pier 7 project,
Summit on the gym), so their bills on those projects become requisitions and every other bill a direct cost.

The lookup table: each job maps to a Procore project; account rules code lines by account and description, except
equipment rental (account 5200), left without a rule so its bill waits with the reason. Queries are read three rows
a page, so every list spans several pages.
"""

from __future__ import annotations

from decimal import Decimal

from mappings.models import AccountRule, PatternSyntax, ProjectMap, ReferenceRecord
from mappings.pull import pull_reference
from sandbox.procore import demo as procore_demo
from sandbox.quickbooks import demo as qbo_demo
from syncs import engine
from syncs.models import Integration

COMPANY = procore_demo.COMPANY_ID
PROJECTS = {9_130_000_001: "QB-PIER", 9_130_000_002: "QB-GYM", 9_130_000_003: "QB-LOTS"}  # id -> project number
JOBS = {  # QuickBooks customer (job) display name -> Procore project number
    "Pier 7 Lofts": "QB-PIER",
    "Phase 2 Interiors": "QB-PIER",
    "Cedar Ridge Elementary Gym": "QB-GYM",
    "Lot 14 Custom Home": "QB-LOTS",
    "Lot 15 Custom Home": "QB-LOTS",
}
TYPES = {9_430_000_001: ("S", "Subcontract"), 9_430_000_002: ("M", "Material"), 9_430_000_003: ("O", "Other")}
COST_CODES = ["01-300", "01-500", "03-300", "06-100", "22-100", "26-100"]
#: (order, account, description pattern, syntax, cost code, cost type); account 5200 (rental) has none
RULES = [
    (10, "5000", "", PatternSyntax.GLOB, "03-300", "M"),
    (20, "5010", "", PatternSyntax.GLOB, "06-100", "M"),
    (30, "5100", "*plumbing*", PatternSyntax.GLOB, "22-100", "S"),
    (40, "5100", "electric|power", PatternSyntax.REGEX, "26-100", "S"),
    (50, "6100", "", PatternSyntax.GLOB, "01-300", "O"),
    (60, "6200", "", PatternSyntax.GLOB, "01-300", "O"),
]
UNMATCHED_ACCOUNT = "5200"
#: commitments: vendor display name -> (project number, cost code of its one line, scheduled value)
COMMITMENTS = {
    "Brightline Electric LLC": ("QB-PIER", "26-100", "50000.00"),
    "Summit Plumbing & Heating": ("QB-GYM", "22-100", "20000.00"),
}
FLOWS = ["vendors_forward", "bills_to_project_costs", "bill_payments_forward"]
PAGE_SIZE = 3

#: What each bill of the demo company becomes (DocNumber -> (document kind, project number)); None: held.
EXPECTED = {
    "AC-20417": ("direct_cost", "QB-PIER"),
    "SPH-3301": ("direct_cost", "QB-LOTS"),  # Summit's commitment is on the gym, not on the lots
    "NL-88412": ("direct_cost", "QB-LOTS"),  # two jobs, one project
    "BE-1107": ("requisition", "QB-PIER"),
    "SPH-3398": ("requisition", "QB-GYM"),
    "RER-99120": None,  # equipment rental: no account rule
    "BP-2291": ("direct_cost", "QB-LOTS"),
    "SF-2024-11": None,  # fuel on no job: no project
    "NL-88650": ("direct_cost", "QB-LOTS"),
    "AC-20566": ("direct_cost", "QB-GYM"),
    "BE-1131": ("direct_cost", "QB-LOTS"),  # Brightline's commitment is on Pier 7, not on the lots
}


def cost_code_id(project_index: int, code: str) -> int:
    return 9_330_000_000 + project_index * 100 + COST_CODES.index(code)


def procore_records() -> dict:
    return {
        "clients": [{"id": procore_demo.CLIENT_ID, "secret": procore_demo.CLIENT_SECRET, "name": "tests"}],
        "companies": [{"id": COMPANY, "name": "Keystone Builders", "is_active": True, "app_installed": True}],
        "projects": [
            {"id": pid, "company_id": COMPANY, "project_number": number, "name": f"Project {number}", "active": True}
            for pid, number in PROJECTS.items()
        ],
        "vendors": [],
        "line_item_types": [
            {"id": tid, "company_id": COMPANY, "code": code, "name": name, "base_type": name}
            for tid, (code, name) in TYPES.items()
        ],
        "cost_codes": [
            {"id": cost_code_id(p, code), "project_id": pid, "code": code[-3:], "full_code": code, "name": code}
            for p, pid in enumerate(PROJECTS)
            for code in COST_CODES
        ],
        "work_order_contracts": [],
        "requisitions": [],
        "direct_costs": [],
    }


def project_id(number: str) -> int:
    return next(pid for pid, n in PROJECTS.items() if n == number)


def wire(tenant, sandbox_url: str, procore_sim) -> Integration:
    """Connections, the integration, reference data, project maps, account rules; vendors mirrored into Procore
    and the two commitments entered there."""
    from tests.contract.systems import SYSTEMS

    procore = SYSTEMS["procore"].connection(tenant, sandbox_url)
    books = SYSTEMS["quickbooks"].connection(tenant, sandbox_url)
    books.settings = {**books.settings, "page_size": PAGE_SIZE}
    books.save()
    integration = Integration.objects.create(
        tenant=tenant, name="QuickBooks -> Procore", source=books, destination=procore, flows=list(FLOWS)
    )
    pull_reference(books)
    pull_reference(procore)
    for job, number in JOBS.items():
        ProjectMap.objects.create(
            integration=integration,
            source=ReferenceRecord.objects.get(connection=books, kind="customer", name=job),
            destination=ReferenceRecord.objects.get(connection=procore, kind="project", code=number),
        )
    for order, account, pattern, syntax, code, cost_type in RULES:
        AccountRule.objects.create(
            integration=integration,
            order=order,
            account_code=account,
            description_pattern=pattern,
            pattern_syntax=syntax,
            cost_code=code,
            cost_type=cost_type,
        )
    run = engine.run_flow(integration.pk, "vendors_forward", "manual")
    assert run is not None and run.status == "succeeded", run and run.error
    add_commitments(procore_sim)
    return integration


def procore_vendor(procore_sim, name: str) -> dict:
    return next(v for v in procore_sim.records("vendors") if v["name"] == name)


def add_commitments(procore_sim) -> None:
    """Each subcontractor's approved work order contract, entered in Procore once its vendor exists there."""
    for n, (vendor, (number, code, amount)) in enumerate(COMMITMENTS.items()):
        pid = project_id(number)
        index = list(PROJECTS).index(pid)
        contract_id = 9_530_000_000 + n
        procore_sim.upsert(
            "work_order_contracts",
            {
                "id": contract_id,
                "project_id": pid,
                "number": f"SC-{number}",
                "title": f"{vendor} subcontract",
                "status": "Approved",
                "executed": True,
                "vendor_id": procore_vendor(procore_sim, vendor)["id"],
                "line_items": [
                    {
                        "id": contract_id * 10 + 1,
                        "description": f"{code} scope",
                        "amount": amount,
                        "quantity": "1.0",
                        "unit_cost": amount,
                        "cost_code_id": cost_code_id(index, code),
                        "line_item_type_id": 9_430_000_001,
                    }
                ],
            },
        )


def our_documents(procore_sim) -> dict[str, list[dict]]:
    """Documents in Procore that carry an origin_id (ours), by invoice number."""
    found: dict[str, list[dict]] = {}
    for collection in ("direct_costs", "requisitions"):
        for row in procore_sim.records(collection):
            if row.get("origin_id"):
                found.setdefault(row["invoice_number"], []).append({**row, "kind": collection.removesuffix("s")})
    return found


def document_total(row: dict) -> Decimal:
    if row["kind"] == "direct_cost":
        return sum((Decimal(str(line["amount"])) for line in row.get("line_items") or []), Decimal("0"))
    return sum((Decimal(str(item["work_completed_this_period"])) for item in row.get("items") or []), Decimal("0"))


def qbo_bills(qbo_sim) -> dict[str, dict]:
    """The demo company's bills by DocNumber."""
    return {b["DocNumber"]: b for b in qbo_sim.records("Bill") if str(b.get("_realm")) == qbo_demo.REALM}


def pay(qbo_sim, bill: dict, amount: str, number: str) -> dict:
    """A bill payment by check in QuickBooks, as a bookkeeper enters it."""
    accounts = {a["Name"]: a for a in qbo_sim.records("Account") if str(a.get("_realm")) == qbo_demo.REALM}
    return qbo_sim.upsert(
        "BillPayment",
        {
            "VendorRef": bill["VendorRef"],
            "PayType": "Check",
            "TotalAmt": amount,
            "DocNumber": number,
            "CheckPayment": {"BankAccountRef": {"value": accounts["Checking"]["Id"]}, "PrintStatus": "NotSet"},
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}],
        },
    )
