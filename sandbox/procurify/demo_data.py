"""Fixed facts of the Procurify demo tenant: "Cascade Ridge Builders", 300 people in three offices.

Credentials: client ``demo-procurify-client`` / ``demo-procurify-secret`` on domain ``cascaderidge``
(``/procurify/cascaderidge/...`` in the sandbox).
"""

from __future__ import annotations

DOMAIN = "cascaderidge"
CLIENT_ID = "demo-procurify-client"
CLIENT_SECRET = "demo-procurify-secret"
API_USER_EMAIL = "integrations@cascaderidge.example"
HEADCOUNT = 300

OFFICES = [
    # name, headquarter, address line, city, postal code, state, timezone
    ("Portland HQ", True, "1200 NW Naito Pkwy", "Portland", "97209", "OR", "America/Los_Angeles"),
    ("Seattle Office", False, "411 1st Ave S", "Seattle", "98104", "WA", "America/Los_Angeles"),
    ("Boise Office", False, "250 S 5th St", "Boise", "83702", "ID", "America/Boise"),
]
#: department name -> offices that have one (0 HQ, 1 Seattle, 2 Boise), external id prefix
DEPARTMENTS = [
    ("Operations", (0, 1, 2), "OPS"),
    ("Project Management", (0, 1, 2), "PM"),
    ("Field Services", (0, 1, 2), "FLD"),
    ("Estimating", (0, 1), "EST"),
    ("Safety", (0, 2), "SAF"),
    ("Finance", (0,), "FIN"),
    ("Information Technology", (0,), "IT"),
    ("Human Resources", (0,), "HR"),
]
ROLES = [
    # id, name, type, share of headcount (per 300)
    (1, "Administrator", 1, 4),
    (2, "Approver", 2, 30),
    (4, "Purchaser", 4, 16),
    (3, "Requester", 3, 250),
]
FIRST_NAMES = (
    "Avery Blake Carmen Dana Eli Farah Gabe Hana Ines Jonah Kira Liam Maya Noah Omar Priya Quinn Rosa Sam "
    "Tara Uma Vik Wren Xena Yusuf Zoe Aaron Bea Cal Dev"
).split()
LAST_NAMES = (
    "Nguyen Patel Garcia Smith Johnson Lee Brown Martinez Davis Clark Lewis Walker Young Allen King Wright Scott "
    "Hill Green Adams"
).split()
VENDORS = [
    # name, type (3 preferred, 4 regular), city, state, ERP vendor id or None, 1099 eligible
    ("Pacific Lumber & Supply", 3, "Portland", "OR", "V10001", False),
    ("Columbia Ready-Mix Concrete", 3, "Vancouver", "WA", "V10002", False),
    ("Northwest Rebar Fabricators", 3, "Tacoma", "WA", "V10003", False),
    ("Cascade Equipment Rentals", 3, "Portland", "OR", "V10004", False),
    ("Summit Safety Supply", 3, "Boise", "ID", "V10005", False),
    ("Evergreen Electrical Wholesale", 3, "Seattle", "WA", "V10006", False),
    ("Rainier Plumbing Distributors", 4, "Seattle", "WA", "V10007", False),
    ("Willamette Fuel Services", 4, "Salem", "OR", "V10008", False),
    ("Snake River Aggregates", 4, "Nampa", "ID", "V10009", False),
    ("Bridgetown Office Products", 4, "Portland", "OR", "V10010", False),
    ("Puget Sound IT Solutions", 4, "Bellevue", "WA", "V10011", False),
    ("Treasure Valley Surveying", 4, "Meridian", "ID", None, True),
    ("Hood River Drywall Co.", 4, "Hood River", "OR", None, True),
    ("Olympic Crane Services", 4, "Everett", "WA", None, False),
    ("Gem State Trucking", 4, "Twin Falls", "ID", None, True),
]
ACCOUNT_CODES = [
    # code, description, account type (0 assets, 1 liability, 2 expense, 3 income, 4 equity, 5 other), active
    ("1500", "Equipment - Fixed Assets", 0, True),
    ("5000", "Construction Materials", 2, True),
    ("5010", "Concrete & Aggregates", 2, True),
    ("5020", "Lumber & Framing", 2, True),
    ("5030", "Rebar & Structural Steel", 2, True),
    ("5040", "Electrical Materials", 2, True),
    ("5050", "Plumbing Materials", 2, True),
    ("5100", "Subcontractor Costs", 2, True),
    ("5200", "Equipment Rental", 2, True),
    ("5300", "Hauling & Freight", 2, True),
    ("5400", "Surveying & Testing", 2, True),
    ("6000", "Office Supplies", 2, True),
    ("6100", "Computer Hardware", 2, True),
    ("6110", "Software Subscriptions", 2, True),
    ("6200", "Travel & Lodging", 2, True),
    ("6300", "Safety Equipment & PPE", 2, True),
    ("6400", "Vehicle Fuel", 2, True),
    ("6500", "Repairs & Maintenance", 2, True),
    ("6900", "Miscellaneous Expense (retired)", 2, False),
]
#: department name -> account codes it may spend on
SPEND = {
    "Operations": ("5000", "5200", "5300", "6400", "6500", "1500"),
    "Project Management": ("5000", "5010", "5020", "5030", "5040", "5050", "5100"),
    "Field Services": ("5000", "5010", "5020", "5200", "6300", "6400"),
    "Estimating": ("5400", "6000", "6110"),
    "Safety": ("6300", "6000"),
    "Finance": ("6000", "6110"),
    "Information Technology": ("6100", "6110", "1500"),
    "Human Resources": ("6000", "6200"),
}
#: (item name, sku, unit, unit price, account code, vendor index)
CATALOGUE = [
    ("2x4x8 SPF stud", "LUM-248", "ea", "4.85", "5020", 0),
    ("3/4in CDX plywood sheet", "LUM-PLY34", "ea", "52.40", "5020", 0),
    ("4000 PSI ready-mix concrete", "RMX-4000", "yd3", "168.00", "5010", 1),
    ("#5 rebar, 20ft", "RB-5-20", "ea", "18.75", "5030", 2),
    ("Excavator rental, 20t, weekly", "RENT-EX20", "wk", "3450.00", "5200", 3),
    ("Hard hats, class E (box of 12)", "PPE-HH12", "box", "189.00", "6300", 4),
    ("12/2 Romex, 250ft", "EL-122-250", "roll", "96.50", "5040", 5),
    ("3/4in PEX tubing, 100ft", "PL-PEX34", "roll", "61.20", "5050", 6),
    ("Diesel, site delivery", "FUEL-DSL", "gal", "4.12", "6400", 7),
    ("3/4in crushed rock", "AGG-CR34", "ton", "27.00", "5010", 8),
    ("Copy paper, case", "OFF-PAPER", "case", "48.99", "6000", 9),
    ("Laptop, 14in, field spec", "IT-LT14", "ea", "1649.00", "6100", 10),
    ("Boundary survey", "SRV-BND", "ea", "2800.00", "5400", 11),
    ("Drywall hang & finish, level 4", "SUB-DW4", "sf", "2.35", "5100", 12),
    ("Crane service, 4-hour minimum", "CRN-4H", "ea", "1980.00", "5200", 13),
    ("Haul-off, 10-wheel dump", "HAUL-10W", "load", "425.00", "5300", 14),
]
