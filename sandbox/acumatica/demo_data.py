"""The Acumatica-only tables of the demo set ("Summit Builders"); ``demo.py`` turns them into records.

Projects, vendors, cost codes and the commitments come from ``sandbox/demo_story.py`` (shared with the Procore
demo); what only Acumatica holds is here: the branches, the rest of the chart of accounts, vendor classes, and
four bills entered and paid before the connector.
"""

from __future__ import annotations

#: VendorID -> vendor class, where not a subcontractor (SUBCON, 1099)
VENDOR_CLASSES = {"GRANITESUP": "SUPPLIER", "OLDTOWNSUP": "SUPPLIER"}

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
#: Bills entered and paid in Acumatica before the connector (payment history for the status flow)
BILLS = [
    # vendor, vendor ref, project, task, cost code, account, amount, paid
    ("STARFRAME", "SF-2024-0117", "RIVERSIDE", "06", "06-100", "50000", "42000.00", "42000.00"),
    ("APEXCONC", "AC-88120", "RIVERSIDE", "03", "03-300", "50000", "36000.00", "20000.00"),
    ("GRANITESUP", "GS-INV-4471", "RIVERSIDE", "03", "03-300", "51000", "4850.00", "0"),
    ("APEXCONC", "AC-88311", "TRANSIT", "03", "03-300", "50000", "90500.00", "90500.00"),
]
