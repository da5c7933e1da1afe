"""The tables behind the Acumatica demo set ("Summit Builders"); ``demo.py`` turns them into records.

Commitments for the reconciliation demo (the Procore commitment number is the VendorRef):

- SC-001 (2024-001, STARFRAME): Subcontract 420,000.00, matches.
- SC-002 (2024-001, APEXCONC): Subcontract 350,000.00, differs (Procore 360,000.00 after a change order).
- SC-101 (2024-002, BRIGHTLINE): nothing here, missing in Acumatica.
- PO-001 (2024-001, GRANITESUP): PurchaseOrder 48,500.00, matches.
- SC-701 (2024-007, PACGLASS): Subcontract 251,000.00, differs (Procore 263,550.00).
- SC-301 .. SC-1201 (2024-003 .. 2024-012) and PO-301, PO-702: as listed below, match.

Vendors, projects and cost codes match the Procore demo set by name, number and code; SIERRALAND exists
only here (a vendor new in Acumatica) and OLDTOWNSUP is inactive.
"""

from __future__ import annotations

VENDORS_EXTRA = [
    # VendorID, name, e-mail, status, class
    ("SUMMITSTL", "Summit Steel Erectors", "ap@summitsteel.example", "Active", "SUBCON"),
    ("KEYSTONE", "Keystone Roofing Co.", "billing@keystoneroofing.example", "Active", "SUBCON"),
    ("PACGLASS", "Pacific Glass & Glazing", "ar@pacificglass.example", "Active", "SUBCON"),
    ("METROHVAC", "Metro HVAC Services", "invoices@metrohvac.example", "Active", "SUBCON"),
    ("REDROCK", "Red Rock Excavation", "office@redrockexcavation.example", "Active", "SUBCON"),
    ("DRYWALLPRO", "Drywall Pros Inc.", "ap@drywallpros.example", "Active", "SUBCON"),
    ("SIERRALAND", "Sierra Landscaping", "billing@sierralandscaping.example", "Active", "SUBCON"),
    ("CITYPERMIT", "City of Riverside Permits", "permits@riverside.example", "Active", "GOVT"),
    ("OLDTOWNSUP", "Old Town Supply (closed)", "closed@oldtownsupply.example", "Inactive", "SUPPLIER"),
]
ACCOUNTS_EXTRA = [
    ("10100", "Petty Cash", "Asset"),
    ("12000", "Accounts Receivable", "Asset"),
    ("21000", "Accrued Liabilities", "Liability"),
    ("40000", "Contract Revenue", "Income"),
    ("55000", "Permits and Fees", "Expense"),
    ("60000", "General and Administrative", "Expense"),
]
SUBACCOUNTS_EXTRA = [("300-000", "Public Works"), ("900-000", "Overhead")]
COMPANIES = [
    # CompanyID, name, type, [(BranchID, name, country)]
    (
        "SUMMIT",
        "Summit Builders",
        "With Branches Requiring Balancing",
        [
            ("HEADOFFICE", "Summit Builders - Head Office", "US"),
            ("NORTH", "Summit Builders - North Region", "US"),
            ("SOUTH", "Summit Builders - South Region", "US"),
        ],
    ),
    ("SUMMITRES", "Summit Residential LLC", "With Branches Not Requiring Balancing", [("RESI", "Residential", "US")]),
]
PROJECTS_EXTRA = [
    # ProjectID, description, status, Procore project number
    ("LAKESIDE", "Lakeside Community Center", "Active", "2024-003"),
    ("OAKPARK", "Oak Park Townhomes", "Active", "2024-004"),
    ("TRANSIT", "Downtown Transit Hub", "Active", "2024-005"),
    ("CEDARGYM", "Cedar High School Gym Addition", "Active", "2024-006"),
    ("BAYPLAZA", "Bay Bridge Retail Plaza", "Active", "2024-007"),
    ("HILLCREST", "Hillcrest Senior Living", "Active", "2024-008"),
    ("FIRESTN12", "Pinewood Fire Station 12", "Active", "2024-009"),
    ("SUNSETLOFT", "Sunset Boulevard Lofts", "Active", "2024-010"),
    ("MILLRACE", "Mill Race Office Park", "Active", "2024-011"),
    ("QUARRYWH", "Quarry Road Warehouse", "Active", "2024-012"),
]
TASKS_EXTRA = [("09", "Finishes"), ("22", "Plumbing"), ("23", "HVAC")]
COST_CODES_EXTRA = [
    ("02300", "Earthwork"),
    ("05100", "Structural Steel"),
    ("07500", "Membrane Roofing"),
    ("08800", "Glazing"),
    ("09200", "Gypsum Board"),
    ("22100", "Plumbing Piping"),
    ("23000", "HVAC"),
    ("32900", "Planting"),
]
SUBCONTRACTS = [
    # commitment number, project, vendor, cost code, task, amount, description
    ("SC-001", "RIVERSIDE", "STARFRAME", "06100", "06", "420000.00", "Framing and rough carpentry"),
    ("SC-002", "RIVERSIDE", "APEXCONC", "03300", "03", "350000.00", "Concrete foundations"),
    ("SC-301", "LAKESIDE", "SUMMITSTL", "05100", "03", "612000.00", "Structural steel"),
    ("SC-401", "OAKPARK", "STARFRAME", "06100", "06", "288500.00", "Townhome framing"),
    ("SC-501", "TRANSIT", "REDROCK", "02300", "01", "905000.00", "Mass excavation"),
    ("SC-601", "CEDARGYM", "KEYSTONE", "07500", "06", "143250.00", "Roofing"),
    ("SC-701", "BAYPLAZA", "PACGLASS", "08800", "09", "251000.00", "Storefront glazing"),
    ("SC-801", "HILLCREST", "METROHVAC", "23000", "23", "734400.00", "HVAC"),
    ("SC-901", "FIRESTN12", "CASCADEPM", "22100", "22", "318750.00", "Plumbing"),
    ("SC-1001", "SUNSETLOFT", "DRYWALLPRO", "09200", "09", "199900.00", "Drywall and taping"),
    ("SC-1101", "MILLRACE", "BRIGHTLINE", "26100", "26", "455000.00", "Electrical"),
    ("SC-1201", "QUARRYWH", "APEXCONC", "03300", "03", "530000.00", "Slab on grade"),
]
PURCHASE_ORDERS = [
    # commitment number, project, vendor, cost code, task, qty, unit cost, description
    ("PO-001", "RIVERSIDE", "GRANITESUP", "03300", "03", "1", "48500.00", "Rebar and embeds"),
    ("PO-301", "LAKESIDE", "GRANITESUP", "05100", "03", "120", "412.50", "Steel deck"),
    ("PO-702", "BAYPLAZA", "GRANITESUP", "08800", "09", "1", "18750.00", "Glazing hardware"),
]
#: Bills entered and paid in Acumatica before the connector (payment history for the status flow)
BILLS = [
    # vendor, vendor ref, project, task, cost code, account, amount, paid
    ("STARFRAME", "SF-2024-0117", "RIVERSIDE", "06", "06100", "50000", "42000.00", "42000.00"),
    ("APEXCONC", "AC-88120", "RIVERSIDE", "03", "03300", "50000", "36000.00", "20000.00"),
    ("GRANITESUP", "GS-INV-4471", "RIVERSIDE", "03", "03300", "51000", "4850.00", "0"),
    ("REDROCK", "RR-5501", "TRANSIT", "01", "02300", "50000", "90500.00", "90500.00"),
]
