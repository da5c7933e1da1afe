"""The ``demo`` preset: Keystone Builders, a general contractor keeping its books in QuickBooks Online.

Vendors (subcontractors and suppliers), expense and payable accounts, classes (lines of business), locations
(departments), clients with their jobs as sub-customers, and bills on those jobs over the last seven weeks:
some open, some partly paid, some paid by check or credit card. Records are dated in the past by moving the
simulator clock while they are created, so MetaData times and change data capture windows look real.
A second, smaller company shows that data and tokens are per company. No webhooks are sent for this history.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from .entities import ENTITIES

REALM = "9130357992221046"
OTHER_REALM = "9130357992284519"
CLIENT_ID = "ABk7QzX2vL9pW4sN8cT1yR6mH3dF0gJ5bE2aU7iO4eK9nM1qPw"
CLIENT_SECRET = "x3Tq9Lw2Zk7Vb5Np1Rc8Hs4Jd6Fm0Gy2Ae9Uo3Ki"
VERIFIER_TOKEN = "7d2c3f4e-9a1b-4c5d-8e6f-0a1b2c3d4e5f"
REFRESH_TOKEN = "AB11demo0refresh0token0for0keystone0builders00"
REDIRECT_URIS = [
    "http://127.0.0.1:8000/oauth/quickbooks/callback",
    "http://localhost:8000/oauth/quickbooks/callback",
]

ACCOUNTS = [
    # key, Name, AccountType, AccountSubType, AcctNum, parent key
    ("ap", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "2000", None),
    ("checking", "Checking", "Bank", "Checking", "1010", None),
    ("visa", "Company Visa", "Credit Card", "CreditCard", "2100", None),
    ("materials", "Job Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000", None),
    ("lumber", "Lumber", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5010", "materials"),
    ("subs", "Subcontractors", "Cost of Goods Sold", "CostOfLaborCos", "5100", None),
    ("rental", "Equipment Rental", "Cost of Goods Sold", "EquipmentRentalCos", "5200", None),
    ("permits", "Permits and Fees", "Expense", "OtherMiscellaneousServiceCost", "6100", None),
    ("fuel", "Fuel", "Expense", "Auto", "6200", None),
    ("office", "Office Supplies", "Expense", "OfficeGeneralAdministrativeExpenses", "6300", None),
]
CLASSES = [
    ("res", "Residential", None),
    ("com", "Commercial", None),
    ("ti", "Tenant Improvements", "com"),
    ("warranty", "Service and Warranty", None),
]
DEPARTMENTS = [("north", "North Yard", None), ("south", "South Yard", None), ("shop", "Shop", "south")]
CUSTOMERS = [
    # key, DisplayName, parent key, IsProject
    ("harbor", "Harbor View Properties", None, False),
    ("pier7", "Pier 7 Lofts", "harbor", True),
    ("pier7p2", "Phase 2 Interiors", "pier7", False),
    ("cedar", "Cedar Ridge School District", None, False),
    ("gym", "Cedar Ridge Elementary Gym", "cedar", True),
    ("maple", "Maple Street Homes", None, False),
    ("lot14", "Lot 14 Custom Home", "maple", False),
    ("lot15", "Lot 15 Custom Home", "maple", False),
    ("whitfield", "Dana Whitfield", None, False),
]
VENDORS = [
    ("ace", "Ace Concrete Supply", "Ace Concrete Supply Inc.", "ACS-1188", False),
    ("northside", "Northside Lumber Co.", "Northside Lumber Company", "NL-20931", False),
    ("brightline", "Brightline Electric LLC", "Brightline Electric LLC", "BE-0042", True),
    ("summit", "Summit Plumbing & Heating", "Summit Plumbing & Heating", "SPH-771", True),
    ("rapid", "Rapid Equipment Rentals", "Rapid Equipment Rentals", "RER-5512", False),
    ("city", "City of Springfield Permits", "City of Springfield", None, False),
    ("shell", "Shell Fleet Services", "Shell Fleet Services", "SF-88120", False),
]
ITEMS = [
    ("concrete", "Concrete 4000 PSI", "NonInventory", "materials"),
    ("rebar", "Rebar #4", "NonInventory", "materials"),
    ("stud", "Lumber 2x6x8", "NonInventory", "lumber"),
    ("rough", "Electrical Rough-In", "Service", "subs"),
]


def acct(account: str, amount: str, description: str, job: str | None = None, klass: str | None = None) -> tuple:
    return ("account", account, Decimal(amount), description, job, klass)


def item(name: str, qty: str, price: str, description: str, job: str | None = None, klass: str | None = None) -> tuple:
    return ("item", name, (Decimal(qty), Decimal(price)), description, job, klass)


BILLS = [
    # key, vendor, days ago, DocNumber, department, lines
    (
        "b1",
        "ace",
        45,
        "AC-20417",
        None,
        [
            item("concrete", "12", "165.00", "Footings pour", "pier7", "com"),
            item("rebar", "40", "12.50", "Rebar #4, 20 ft", "pier7", "com"),
        ],
    ),
    ("b11", "summit", 35, "SPH-3301", None, [acct("subs", "5400.00", "Underground plumbing", "lot14", "res")]),
    (
        "b2",
        "northside",
        20,
        "NL-88412",
        "south",
        [
            acct("lumber", "2430.00", "Framing package", "lot14", "res"),
            acct("lumber", "1185.50", "Framing package", "lot15", "res"),
        ],
    ),
    (
        "b3",
        "brightline",
        15,
        "BE-1107",
        None,
        [acct("subs", "18500.00", "Rough-in electrical, level 2", "pier7p2", "ti")],
    ),
    ("b4", "summit", 12, "SPH-3398", None, [acct("subs", "7800.00", "Locker room rough plumbing", "gym", "com")]),
    (
        "b5",
        "rapid",
        10,
        "RER-99120",
        "north",
        [
            acct("rental", "1250.00", "Scissor lift, 2 weeks", "gym", "com"),
            acct("rental", "380.00", "Delivery and pickup", "gym", "com"),
        ],
    ),
    ("b6", "city", 8, "BP-2291", None, [acct("permits", "645.00", "Building permit", "lot15", "res")]),
    ("b7", "shell", 6, "SF-2024-11", "north", [acct("fuel", "412.37", "Fleet fuel, week 44")]),
    ("b8", "northside", 4, "NL-88650", "south", [item("stud", "180", "6.85", "2x6x8 studs", "lot14", "res")]),
    (
        "b9",
        "ace",
        2,
        "AC-20566",
        None,
        [
            item("concrete", "8", "168.00", "Slab on grade", "gym", "com"),
            acct("materials", "95.00", "Short load fee", "gym", "com"),
        ],
    ),
    ("b10", "brightline", 1, "BE-1131", None, [acct("subs", "4200.00", "Temporary power", "lot14", "res")]),
]
PAYMENTS = [
    # vendor, days ago, PayType, bill key, amount (None: the whole bill)
    ("ace", 40, "Check", "b1", None),
    ("summit", 30, "Check", "b11", None),
    ("brightline", 5, "Check", "b3", "10000.00"),
    ("rapid", 3, "CreditCard", "b5", None),
    ("summit", 1, "Check", "b4", "3000.00"),
]


class Loader:
    def __init__(self, sim):
        self.sim, self.start = sim, sim.clock.now()
        self.ids: dict[str, str] = {}
        self.created: dict[str, list] = {}

    def make(self, entity: str, realm: str, days_ago: float, body: dict, key: str | None = None) -> dict:
        self.sim.clock.set(self.start - timedelta(days=days_ago))
        record = self.sim.books.create(ENTITIES[entity], realm, body, silent=True)
        self.created.setdefault(entity, []).append(record["Id"])
        if key:
            self.ids[key] = record["Id"]
        return record

    def ref(self, key: str) -> dict:
        return {"value": self.ids[key]}


def _names(load: Loader) -> None:
    for key, name, kind, sub, number, parent in ACCOUNTS:
        body = {"Name": name, "AccountType": kind, "AccountSubType": sub, "AcctNum": number}
        load.make("Account", REALM, 400, {**body, **({"ParentRef": load.ref(parent)} if parent else {})}, key)
    for entity, rows in (("Class", CLASSES), ("Department", DEPARTMENTS)):
        for key, name, parent in rows:
            load.make(entity, REALM, 390, {"Name": name, **({"ParentRef": load.ref(parent)} if parent else {})}, key)
    for key, name, parent, project in CUSTOMERS:
        body = {"DisplayName": name, "CompanyName": name if not parent else None, "IsProject": project or None}
        body = {k: v for k, v in body.items() if v is not None}
        if parent:
            body.update({"ParentRef": load.ref(parent), "BillWithParent": True})
        load.make("Customer", REALM, 300, body, key)
    for key, name, company, number, is_1099 in VENDORS:
        body = {
            "DisplayName": name,
            "CompanyName": company,
            "Vendor1099": is_1099,
            "TermRef": {"value": "3"},
            "PrimaryEmailAddr": {"Address": f"ap@{key}.example.com"},
        }
        if number:
            body["AcctNum"] = number
        load.make("Vendor", REALM, 280, body, key)
    for key, name, kind, account in ITEMS:
        load.make("Item", REALM, 270, {"Name": name, "Type": kind, "ExpenseAccountRef": load.ref(account)}, key)


def _line(load: Loader, spec: tuple) -> dict:
    kind, target, amount, description, job, klass = spec
    detail: dict = {"BillableStatus": "Billable" if job else "NotBillable"}
    if job:
        detail["CustomerRef"] = load.ref(job)
    if klass:
        detail["ClassRef"] = load.ref(klass)
    if kind == "account":
        detail["AccountRef"] = load.ref(target)
        return {
            "Description": description,
            "Amount": amount,
            "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": detail,
        }
    qty, price = amount
    detail.update({"ItemRef": load.ref(target), "Qty": qty, "UnitPrice": price})
    return {
        "Description": description,
        "Amount": qty * price,
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": detail,
    }


def _transactions(load: Loader) -> None:
    bills = {}
    for key, vendor, days, number, department, lines in BILLS:
        body = {
            "VendorRef": load.ref(vendor),
            "DocNumber": number,
            "Line": [_line(load, spec) for spec in lines],
            "TxnDate": (load.start - timedelta(days=days)).date().isoformat(),
            "SalesTermRef": {"value": "3"},
        }
        body["DueDate"] = (load.start - timedelta(days=days - 30)).date().isoformat()
        if department:
            body["DepartmentRef"] = load.ref(department)
        bills[key] = load.make("Bill", REALM, days, body, key)
    for number, (vendor, days, pay_type, bill_key, amount) in enumerate(PAYMENTS, start=1):
        value = Decimal(amount) if amount else bills[bill_key]["TotalAmt"]
        body = {
            "VendorRef": load.ref(vendor),
            "PayType": pay_type,
            "TotalAmt": value,
            "DocNumber": str(1040 + number),
            "TxnDate": (load.start - timedelta(days=days)).date().isoformat(),
            "Line": [{"Amount": value, "LinkedTxn": [{"TxnId": bills[bill_key]["Id"], "TxnType": "Bill"}]}],
        }
        if pay_type == "Check":
            body["CheckPayment"] = {"BankAccountRef": load.ref("checking"), "PrintStatus": "NotSet"}
        else:
            body["CreditCardPayment"] = {"CCAccountRef": load.ref("visa")}
        load.make("BillPayment", REALM, days, body)


def _other_company(load: Loader) -> None:
    load.make("Account", OTHER_REALM, 200, {"Name": "Accounts Payable (A/P)", "AccountType": "Accounts Payable"})
    account = load.make("Account", OTHER_REALM, 200, {"Name": "Materials", "AccountType": "Cost of Goods Sold"})
    vendor = load.make("Vendor", OTHER_REALM, 150, {"DisplayName": "Lakeside Tile"})
    load.make("Customer", OTHER_REALM, 150, {"DisplayName": "Jensen Kitchen Remodel"})
    line = {
        "Amount": Decimal("880.00"),
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account["Id"]}},
    }
    load.make("Bill", OTHER_REALM, 3, {"VendorRef": {"value": vendor["Id"]}, "Line": [line]})


def _setup(sim) -> None:
    store = sim.store
    for realm, name in ((REALM, "Keystone Builders LLC"), (OTHER_REALM, "Summit Remodeling Co.")):
        store.insert(
            "companies",
            {
                "id": realm,
                "CompanyName": name,
                "LegalName": name,
                "Country": "US",
                "FiscalYearStartMonth": "January",
                "DefaultTimeZone": "America/Los_Angeles",
            },
        )
    store.insert(
        "apps",
        {
            "id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "name": "ml-connector",
            "redirect_uris": list(REDIRECT_URIS),
            "verifier_token": VERIFIER_TOKEN,
            "webhook_url": None,
        },
    )
    sim.connect(CLIENT_ID, REALM)
    sim.oauth.seed_refresh(CLIENT_ID, REALM, REFRESH_TOKEN)


def load_demo(sim) -> dict[str, list]:
    """Load the preset; returns the Ids created per entity."""
    offset = sim.clock.describe()["offset"]
    load = Loader(sim)
    sim.quiet = True
    try:
        _setup(sim)
        _names(load)
        _transactions(load)
        _other_company(load)
    finally:
        sim.quiet = False
        sim.clock.advance(offset - sim.clock.describe()["offset"])
    return {"companies": [REALM, OTHER_REALM], **load.created}
