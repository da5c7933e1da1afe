"""The Exact side of the demo: "Van der Meer Bouw", a Dutch contractor, on the Dutch host (/exact-nl).

Fixed ids (uuid5 of readable names) and credentials, so the demo tenant and the tests can name them:
app ``CLIENT_ID`` / ``CLIENT_SECRET`` (webhook secret ``WEBHOOK_SECRET``), user ``USERNAME`` / ``PASSWORD``
with divisions ``MAIN`` and ``INSTALL``; ``FOREIGN`` belongs to another company and is not theirs.
Amounts are in EUR without VAT on lines; VAT is 21 %.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1b7c52-3f0e-4f51-9a57-0d7f3c1e9b20")


def gid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


CLIENT_ID = gid("client:ml-connector")
CLIENT_SECRET = "demo-exact-secret"
WEBHOOK_SECRET = "demo-exact-webhook-secret"
REDIRECT_URIS = [
    "http://127.0.0.1:8000/exact/callback/",
    "http://localhost:8000/exact/callback/",
]
USER_ID = gid("user:jan")
USERNAME = "jan@vandermeerbouw.nl"
PASSWORD = "exact-demo"
MAIN, INSTALL, FOREIGN = 1459012, 1459013, 2210555
CUSTOMER = gid("customer:vandermeer")

DIVISIONS = [
    # code, description, customer, main
    (MAIN, "Van der Meer Bouw B.V.", CUSTOMER, True),
    (INSTALL, "Van der Meer Installatietechniek B.V.", CUSTOMER, False),
    (FOREIGN, "Bakker Vastgoed B.V.", gid("customer:bakker"), True),
]
GL_ACCOUNTS = [
    # code, description, type (Exact GL type), balance type
    ("1600", "Crediteuren", 22, "B"),
    ("1520", "Te vorderen BTW", 60, "B"),
    ("4000", "Inkoop bouwmaterialen", 110, "W"),
    ("4010", "Kosten onderaanneming", 110, "W"),
    ("4020", "Huur materieel en steigers", 110, "W"),
    ("4030", "Grondverzet en transport", 110, "W"),
    ("4040", "Installatiematerialen", 110, "W"),
    ("4300", "Huisvestingskosten", 120, "W"),
    ("4500", "Autokosten", 120, "W"),
    ("4800", "Algemene kosten", 120, "W"),
]
COST_CENTERS = [("100", "Woningbouw"), ("200", "Utiliteitsbouw"), ("300", "Onderhoud"), ("900", "Algemeen")]
COST_UNITS = [("RB", "Ruwbouw"), ("AB", "Afbouw"), ("INST", "Installaties"), ("GW", "Grondwerk")]
SUPPLIERS = [
    # code, name, city
    ("2001", "Bouwmaterialenhandel De Vries B.V.", "Amersfoort"),
    ("2002", "Betonmortelcentrale Midden B.V.", "Nieuwegein"),
    ("2003", "Steigerbouw Jansen B.V.", "Utrecht"),
    ("2004", "Grondverzet Visser B.V.", "Barneveld"),
    ("2005", "Elektrotechniek Smit B.V.", "Houten"),
    ("2006", "Installatiebedrijf Bakker & Zn.", "Zeist"),
]
CUSTOMERS = [("1001", "Woningstichting Eemland", "Amersfoort"), ("1002", "Gemeente Utrecht", "Utrecht")]
PROJECTS = [
    # code, description, customer code, start, end, cost center
    ("P24001", "Nieuwbouw 24 woningen Vathorst", "1001", "2024-02-01", None, "100"),
    ("P24002", "Renovatie kantoorpand Papendorp", "1002", "2024-04-15", None, "200"),
    ("P23017", "Onderhoud scholen Utrecht-Oost", "1002", "2023-06-01", "2024-03-31", "300"),
]
# fmt: off
#: purchase orders: (number, supplier code, project, date, description, status, lines)
#: lines: (description, quantity, unit price, cost center, cost unit)
PURCHASE_ORDERS = [
    (1, "2001", "P24001", "2024-03-04", "Kalkzandsteen en lijm fase 1", 10, [
        ("Kalkzandsteen CS12 blokken", "1200", "4.85", "100", "RB"),
        ("Lijmmortel 25 kg", "180", "11.40", "100", "RB"),
    ]),
    (2, "2002", "P24001", "2024-03-11", "Betonmortel funderingen", 20, [
        ("Betonmortel C30/37 per m3", "86", "128.50", "100", "RB"),
        ("Pomptoeslag", "4", "395.00", "100", "RB"),
    ]),
    (3, "2003", "P24002", "2024-04-22", "Steigerhuur gevelrenovatie", 10, [
        ("Gevelsteiger huur per week", "12", "1450.00", "200", "AB"),
        ("Op- en afbouw steiger", "1", "3200.00", "200", "AB"),
    ]),
    (4, "2004", "P24001", "2024-02-19", "Grondwerk bouwrijp maken", 30, [
        ("Ontgraven en afvoeren grond per m3", "640", "18.75", "100", "GW"),
        ("Zandaanvulling per m3", "310", "24.10", "100", "GW"),
        ("Mobilisatie graafmachine", "1", "850.00", "100", "GW"),
    ]),
    (5, "2005", "P24002", "2024-05-06", "Elektra installatie kantoorvleugel B", 10, [
        ("Groepenkasten en bekabeling", "1", "18400.00", "200", "INST"),
        ("LED armaturen", "148", "96.00", "200", "INST"),
    ]),
    (6, "2006", "P23017", "2023-09-12", "Vervanging cv-ketels (geannuleerd)", 40, [
        ("HR-ketel 35 kW incl. montage", "6", "3150.00", "300", "INST"),
    ]),
]
#: purchase entries: (supplier code, invoice number, supplier ref, date, description, lines)
#: lines: (GL code, description, amount, cost center, cost unit, project)
PURCHASE_ENTRIES = [
    ("2001", 240311, "F2024-0311", "2024-03-18", "Kalkzandsteen levering 1", [
        ("4000", "Kalkzandsteen CS12 blokken", "5820.00", "100", "RB", "P24001"),
        ("4000", "Lijmmortel 25 kg", "2052.00", "100", "RB", "P24001"),
    ]),
    ("2002", 88112, "BMC-88112", "2024-03-29", "Betonmortel funderingen", [
        ("4000", "Betonmortel C30/37", "11051.00", "100", "RB", "P24001"),
        ("4020", "Pomptoeslag", "1580.00", "100", "RB", "P24001"),
    ]),
    ("2003", 5531, "SJ-5531", "2024-05-31", "Steigerhuur mei", [
        ("4020", "Gevelsteiger huur mei", "5800.00", "200", "AB", "P24002"),
        ("4020", "Opbouw steiger", "3200.00", "200", "AB", "P24002"),
    ]),
    ("2004", 20240077, "GV-2024-077", "2024-03-08", "Grondwerk termijn 1", [
        ("4030", "Ontgraven en afvoeren", "12000.00", "100", "GW", "P24001"),
    ]),
    ("2005", 1187, "ES-1187", "2024-06-14", "Elektra termijn 1", [
        ("4040", "Groepenkasten", "9200.00", "200", "INST", "P24002"),
        ("4800", "Keuringskosten", "450.00", "900", None, None),
    ]),
]
# fmt: on


def load_demo(sim) -> dict[str, list]:
    """Seed the demo company on ``sim`` (an ExactSimulator); returns the ids created per collection."""
    sim.configure({"main_division": MAIN, "consent_prefill": USER_ID})
    created: dict[str, list] = {}

    def put(collection: str, record: dict) -> dict:
        saved = sim.seed_record(collection, record)
        created.setdefault(collection, []).append(saved["id"])
        return saved

    _identity(put)
    _master_data(put)
    _orders(put)
    _entries(put)
    return created


def _identity(put) -> None:
    put("clients", {"id": CLIENT_ID, "secret": CLIENT_SECRET, "name": "ml-connector (demo)",
                    "redirect_uris": list(REDIRECT_URIS), "webhook_secret": WEBHOOK_SECRET})  # fmt: skip
    for code, description, customer, main in DIVISIONS:
        put("Divisions", {
            "Code": code, "Division": code, "Description": description, "Customer": customer,
            "CustomerName": description if main else "Van der Meer Bouw B.V.", "Country": "NL", "Currency": "EUR",
            "IsMainDivision": main, "Status": 1, "StartDate": "2019-01-01T00:00:00.000", "Hid": code % 1000,
            "VATNumber": f"NL{code:09d}B01", "region": "nl",
        })  # fmt: skip
    put("users", {
        "id": USER_ID, "UserName": USERNAME, "password": PASSWORD, "FullName": "Jan van der Meer",
        "FirstName": "Jan", "MiddleName": "van der", "LastName": "Meer", "Initials": "J.", "Gender": "M",
        "Email": USERNAME, "LanguageCode": "nl-NL", "Language": "NL", "Legislation": 1, "Title": "DHR",
        "CurrentDivision": MAIN, "AccountingDivision": MAIN, "divisions": [MAIN, INSTALL], "region": "nl",
    })  # fmt: skip


def _master_data(put) -> None:
    for code, description, gl_type, balance in GL_ACCOUNTS:
        put("GLAccounts", {"ID": gid(f"gl:{code}"), "Code": code, "Description": description, "Type": gl_type,
                           "BalanceType": balance, "BalanceSide": "C" if code == "1600" else "D"})  # fmt: skip
    for code, description in COST_CENTERS:
        put("Costcenters", {"ID": gid(f"cc:{code}"), "Code": code, "Description": description})
    for code, description in COST_UNITS:
        put("Costunits", {"ID": gid(f"cu:{code}"), "Code": code, "Description": description})
    for code, name, city in SUPPLIERS:
        put("Accounts", {"ID": gid(f"acc:{code}"), "Code": code, "Name": name, "City": city, "Country": "NL",
                         "IsSupplier": True, "IsPurchase": True, "Status": "A"})  # fmt: skip
    for code, name, city in CUSTOMERS:
        put("Accounts", {"ID": gid(f"acc:{code}"), "Code": code, "Name": name, "City": city, "Country": "NL",
                         "IsSales": True, "Status": "C"})  # fmt: skip
    for code, description, customer, start, end, _center in PROJECTS:
        put("Projects", {"ID": gid(f"prj:{code}"), "Code": code, "Description": description, "Type": 2,
                         "Account": gid(f"acc:{customer}"), "StartDate": f"{start}T00:00:00.000",
                         "EndDate": f"{end}T00:00:00.000" if end else None, "Manager": USER_ID})  # fmt: skip


def _orders(put) -> None:
    for number, supplier, project, date, description, status, lines in PURCHASE_ORDERS:
        put("PurchaseOrders", {
            "PurchaseOrderID": gid(f"po:{number}"), "OrderNumber": number, "Supplier": gid(f"acc:{supplier}"),
            "OrderDate": f"{date}T00:00:00.000", "Description": description, "OrderStatus": status,
            "ReceiptStatus": 30 if status == 30 else 10, "YourRef": f"VDM-{number:04d}",
            "PurchaseOrderLines": [
                {"ID": gid(f"pol:{number}:{i}"), "Description": text, "QuantityInPurchaseUnits": qty,
                 "UnitPrice": price, "CostCenter": center, "CostUnit": unit, "Project": gid(f"prj:{project}"),
                 "VATCode": "2", "VATPercentage": "0.21", "Item": gid(f"item:{text}"), "ItemDescription": text}
                for i, (text, qty, price, center, unit) in enumerate(lines, start=1)
            ],
        })  # fmt: skip


def _entries(put) -> None:
    for supplier, invoice, ref, date, description, lines in PURCHASE_ENTRIES:
        put("PurchaseEntries", {
            "EntryID": gid(f"pe:{invoice}"), "Supplier": gid(f"acc:{supplier}"), "InvoiceNumber": invoice,
            "YourRef": ref, "EntryDate": f"{date}T00:00:00.000", "DueDate": f"{date}T00:00:00.000",
            "Description": description,
            "PurchaseEntryLines": [
                {"ID": gid(f"pel:{invoice}:{i}"), "GLAccount": gid(f"gl:{gl}"), "Description": text, "AmountDC": amount,
                 "CostCenter": center, "CostUnit": unit, "Project": gid(f"prj:{project}") if project else None,
                 "VATCode": "2", "VATPercentage": "0.21"}
                for i, (gl, text, amount, center, unit, project) in enumerate(lines, start=1)
            ],
        })  # fmt: skip
