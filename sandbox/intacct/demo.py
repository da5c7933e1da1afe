"""The Sage Intacct side of the "Summit Builders" demo data set.

Fixed credentials, documented for the demo tenant and the tests:

- Web Services sender ``mlconnector`` / ``demo-intacct-sender`` (authorised for company ``summit-builders``);
- company ``summit-builders``, user ``xml_gateway`` / ``demo-intacct-user``;
- a second sender ``othersender`` / ``demo-other-sender``, authorised only for another company.

Projects are the Procore project numbers, tasks the Procore cost codes and cost types the Procore cost
type codes, so the mapping screens have something to match; vendors carry the Procore vendor names.
"""

from __future__ import annotations

from datetime import timedelta

from .records import DATE

SENDER_ID = "mlconnector"
SENDER_PASSWORD = "demo-intacct-sender"
OTHER_SENDER_ID = "othersender"
OTHER_SENDER_PASSWORD = "demo-other-sender"
COMPANY_ID = "summit-builders"
USER_ID = "xml_gateway"
USER_PASSWORD = "demo-intacct-user"
BANK = "BOA-OPER"

ACCOUNTS = [
    # number, title, type, normal balance, status
    ("1000", "Operating Cash", "balancesheet", "debit", "active"),
    ("2000", "Accounts Payable", "balancesheet", "credit", "active"),
    ("2050", "Retainage Payable", "balancesheet", "credit", "active"),
    ("5000", "Subcontract Costs", "incomestatement", "debit", "active"),
    ("5100", "Material Costs", "incomestatement", "debit", "active"),
    ("5200", "Direct Labor", "incomestatement", "debit", "active"),
    ("5300", "Equipment Costs", "incomestatement", "debit", "active"),
    ("5400", "Other Job Costs", "incomestatement", "debit", "active"),
    ("5900", "Job Costs - Legacy (do not use)", "incomestatement", "debit", "inactive"),
]
LOCATIONS = [("100", "Summit Builders - Head Office"), ("200", "Summit Builders - North Region")]
DEPARTMENTS = [("OPS", "Field Operations", "active"), ("PM", "Project Management", "active"),
               ("EST", "Estimating (closed)", "inactive")]  # fmt: skip
CLASSES = [("COMM", "Commercial", "active"), ("RES", "Residential", "active"), ("LEGACY", "Legacy work", "inactive")]
PROJECTS = [
    ("2024-001", "Riverside Medical Office Building", "In Progress"),
    ("2024-002", "Harbor View Apartments", "In Progress"),
    ("2021-014", "Maple Street Elementary Renovation", "Completed"),
]
TASKS = [
    ("01-500", "Temporary Facilities"),
    ("03-300", "Cast-in-Place Concrete"),
    ("03-310", "Concrete Formwork"),
    ("06-100", "Rough Carpentry"),
    ("26-100", "Electrical Distribution"),
]
COST_TYPES = [("L", "Labor"), ("M", "Material"), ("S", "Subcontract"), ("E", "Equipment"), ("O", "Other")]
VENDORS = [
    ("V100", "Star Framing, LLC", "accounts@starframing.example", "active"),
    ("V101", "Apex Concrete Inc.", "ar@apexconcrete.example", "active"),
    ("V102", "Bright Line Electric Co.", "billing@brightline.example", "active"),
    ("V103", "Cascade Plumbing & Mechanical", "ap@cascadepm.example", "active"),
    ("V104", "Granite Supply Co.", "invoices@granitesupply.example", "active"),
    ("V105", "Old Town Hauling", "office@oldtownhauling.example", "inactive"),
]
ITEMS = [
    ("SUBCONTRACT", "Subcontract work"),
    ("MATERIALS", "Construction materials"),
    ("EQUIPMENT", "Equipment rental"),
]


def _reference() -> dict[str, list[dict]]:
    active = "active"
    return {
        "senders": [
            {"id": SENDER_ID, "password": SENDER_PASSWORD, "companies": [COMPANY_ID]},
            {"id": OTHER_SENDER_ID, "password": OTHER_SENDER_PASSWORD, "companies": ["other-company"]},
        ],
        "users": [{"id": f"{USER_ID}@{COMPANY_ID}", "password": USER_PASSWORD, "status": active}],
        "GLACCOUNT": [
            {"ACCOUNTNO": no, "TITLE": title, "ACCOUNTTYPE": kind, "NORMALBALANCE": normal,
             "CLOSINGTYPE": "non-closing account", "STATUS": status}
            for no, title, kind, normal, status in ACCOUNTS
        ],  # fmt: skip
        "LOCATION": [{"LOCATIONID": lid, "NAME": name, "STATUS": active} for lid, name in LOCATIONS],
        "DEPARTMENT": [{"DEPARTMENTID": d, "TITLE": t, "STATUS": s} for d, t, s in DEPARTMENTS],
        "CLASS": [{"CLASSID": c, "NAME": n, "STATUS": s} for c, n, s in CLASSES],
        "PROJECT": [
            {"PROJECTID": pid, "NAME": name, "PROJECTCATEGORY": "Contract", "PROJECTSTATUS": status,
             "LOCATIONID": "100", "STATUS": active}
            for pid, name, status in PROJECTS
        ],  # fmt: skip
        "TASK": [
            {"TASKID": tid, "NAME": name, "PROJECTID": pid, "TASKSTATUS": "In Progress", "STATUS": active}
            for pid, _n, _s in PROJECTS
            for tid, name in TASKS
        ],
        "COSTTYPE": [
            {"COSTTYPEID": cid, "NAME": name, "PROJECTID": pid, "TASKID": tid, "STANDARDCOSTTYPEID": cid,
             "STATUS": active}
            for pid, _n, _s in PROJECTS
            for tid, _t in TASKS
            for cid, name in COST_TYPES
        ],  # fmt: skip
        "VENDOR": [
            {"VENDORID": vid, "NAME": name, "STATUS": status, "TERMNAME": "Net 30", "ONHOLD": "false",
             "DISPLAYCONTACT": {"PRINTAS": name, "EMAIL1": email}}
            for vid, name, email, status in VENDORS
        ],  # fmt: skip
        "ITEM": [{"ITEMID": i, "NAME": n, "ITEMTYPE": "Non-Inventory", "STATUS": active} for i, n in ITEMS],
        "CHECKINGACCOUNT": [{"BANKACCOUNTID": BANK, "BANKNAME": "Bank of America - Operating", "STATUS": active}],
    }


def _bill_line(account, amount, project, task, cost_type, description):
    return {"ACCOUNTNO": account, "TRX_AMOUNT": amount, "ENTRYDESCRIPTION": description, "LOCATIONID": "100",
            "DEPARTMENTID": "OPS", "PROJECTID": project, "TASKID": task, "COSTTYPEID": cost_type,
            "CLASSID": "COMM"}  # fmt: skip


def _documents(day) -> dict[str, list[dict]]:
    """Bills and purchase orders dated relative to the simulator clock (``day(n)``: n days ago)."""
    bills = [
        ("V101", "APX-2024-031", 40, [_bill_line("5000", "48250.00", "2024-001", "03-300", "S", "Foundations")]),
        ("V104", "GS-88213", 25, [_bill_line("5100", "6412.75", "2024-002", "06-100", "M", "Framing lumber"),
                                  _bill_line("5100", "1290.00", "2024-002", "03-310", "M", "Form ties")]),
        ("V102", "BLE-1107", 60, [_bill_line("5000", "22500.00", "2024-001", "26-100", "S", "Rough-in")]),
    ]  # fmt: skip
    return {
        "APBILL": [
            {"VENDORID": vendor, "RECORDID": number, "WHENCREATED": day(ago), "WHENPOSTED": day(ago),
             "WHENDUE": day(ago - 30), "TERMNAME": "Net 30", "CURRENCY": "USD", "BASECURR": "USD",
             "DESCRIPTION": f"Invoice {number}", "APBILLITEMS": lines}
            for vendor, number, ago, lines in bills
        ],  # fmt: skip
        "PODOCUMENT": [
            _po("PO0001", "V100", day(90), "2024-001", "06-100", "185000.00", "Framing subcontract"),
            _po("PO0002", "V103", day(75), "2024-002", "01-500", "12800.00", "Temporary plumbing"),
        ],
    }


def _po(docno, vendor, when, project, task, price, memo):
    line = {"LINE_NO": "1", "ITEMID": "SUBCONTRACT", "ITEMDESC": memo, "QUANTITY": "1", "UNIT": "Each",
            "PRICE": price, "TOTAL": price, "LOCATIONID": "100", "DEPARTMENTID": "OPS", "PROJECTID": project,
            "TASKID": task, "COSTTYPEID": "S", "MEMO": memo}  # fmt: skip
    return {"DOCPARID": "Purchase Order", "DOCNO": docno, "DOCID": f"Purchase Order-{docno}", "VENDORID": vendor,
            "WHENCREATED": when, "STATE": "Pending", "CURRENCY": "USD", "SUBTOTAL": price, "TOTAL": price,
            "PODOCUMENTENTRIES": [line]}  # fmt: skip


def load_demo(sim) -> dict[str, list]:
    """Load the demo set into an Intacct simulator; returns {collection: [ids]}."""
    today = sim.clock.now()

    def day(ago: int) -> str:
        return (today - timedelta(days=ago)).strftime(DATE)

    created: dict[str, list] = {}
    for collection, rows in {**_reference(), **_documents(day)}.items():
        for row in rows:
            record = sim.upsert(collection, row)
            created.setdefault(collection, []).append(record["id"])
    _paid(sim, "BLE-1107", day(20))
    return created


def _paid(sim, number: str, when: str) -> None:
    """One bill already paid in full, with its payment."""
    bill = next(b for b in sim.store.all("APBILL") if b.get("RECORDID") == number)
    bill.update(TOTALPAID=bill["TOTALENTERED"], TOTALDUE="0.00", STATE="Paid", WHENPAID=when)
    sim.upsert(
        "APPYMT",
        {"FINANCIALENTITY": BANK, "PAYMENTMETHOD": "Printed Check", "VENDORID": bill["VENDORID"],
         "PAYMENTDATE": when, "STATE": "Complete", "TOTALENTERED": bill["TOTALENTERED"], "WHENPAID": when,
         "CURRENCY": "USD", "APPYMTDETAILS": [{"RECORDKEY": bill["RECORDNO"],
                                              "TRX_PAYMENTAMOUNT": bill["TOTALENTERED"]}]},
    )  # fmt: skip
