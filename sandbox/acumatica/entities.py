"""The entities the simulator serves from the Default endpoint, and how each behaves.

Which fields an entity has, and their types, come from the published contract of the requested version
(``schema.py``); this module only says what the contract cannot: key fields (in form order), the key
the server numbers, the detail list a PUT writes, the actions simulated, and the references checked.
There is no ``Branch`` entity in Default 22/23/24.200.001: branches are the rows of the
``CompaniesStructure`` inquiry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: reference field -> (collection, key field, label used in the error message)
Refs = dict[str, tuple[str, str, str]]

VENDOR_REF = ("Vendor", "VendorID", "Vendor")
BRANCH_REF = ("CompaniesStructure", "BranchID", "Branch")
PROJECT_REF = ("Project", "ProjectID", "Project")
ACCOUNT_REF = ("Account", "AccountCD", "Account")
SUBACCOUNT_REF = ("Subaccount", "SubaccountCD", "Subaccount")
COST_CODE_REF = ("CostCode", "CostCodeID", "Cost Code")
CODING_REFS: Refs = {
    "Account": ACCOUNT_REF,
    "Subaccount": SUBACCOUNT_REF,
    "Project": PROJECT_REF,
    "CostCode": COST_CODE_REF,
}


@dataclass(frozen=True)
class Entity:
    name: str
    keys: tuple[str, ...]
    screen: str
    numbered: str | None = None  # key the server assigns on insert
    detail: str | None = None  # the detail list written by PUT
    actions: tuple[str, ...] = ()
    key_defaults: dict = field(default_factory=dict)  # form defaults of key fields (document types)
    refs: Refs = field(default_factory=dict)  # header references checked on PUT
    line_refs: Refs = field(default_factory=dict)  # detail-line references checked on PUT
    line_task: str | None = None  # the line field naming a project task
    inquiry: bool = False  # read through PUT with $expand of its results (generic-inquiry style)
    computed: tuple[str, ...] = ()  # fields the server computes; a PUT cannot set them


AP_DOCUMENT_TYPES = ("Bill", "Credit Adj.", "Debit Adj.", "Prepayment")
PO_TYPES = ("Normal", "Drop Ship", "Blanket", "Standard", "Project Drop-Ship")

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("Vendor", ("VendorID",), "AP303000"),
        Entity("Account", ("AccountCD",), "GL202500"),
        Entity("Subaccount", ("SubaccountCD",), "GL203000"),
        Entity("Project", ("ProjectID",), "PM301000"),
        Entity("ProjectTask", ("ProjectID", "ProjectTaskID"), "PM302000", refs={"ProjectID": PROJECT_REF}),
        Entity("CostCode", ("CostCodeID",), "PM209500"),
        Entity("CompaniesStructure", (), "CS101500", detail="Results", inquiry=True),
        Entity(
            "Bill",
            ("Type", "ReferenceNbr"),
            "AP301000",
            numbered="ReferenceNbr",
            detail="Details",
            actions=("ReleaseBill",),
            key_defaults={"Type": "Bill"},
            refs={"Vendor": VENDOR_REF, "BranchID": BRANCH_REF, "Project": PROJECT_REF},
            line_refs={**CODING_REFS, "Branch": BRANCH_REF},
            line_task="ProjectTask",
            computed=("Amount", "Balance", "Status", "Applications"),
        ),
        Entity(
            "Check",
            ("Type", "ReferenceNbr"),
            "AP302000",
            numbered="ReferenceNbr",
            detail="Details",
            actions=("ReleaseCheck", "VoidCheck"),
            key_defaults={"Type": "Payment"},
            refs={"Vendor": VENDOR_REF, "CashAccount": ACCOUNT_REF},
            computed=("Status", "UnappliedBalance", "History"),
        ),
        Entity(
            "PurchaseOrder",
            ("Type", "OrderNbr"),
            "PO301000",
            numbered="OrderNbr",
            detail="Details",
            key_defaults={"Type": "Normal"},
            refs={"VendorID": VENDOR_REF, "Branch": BRANCH_REF, "Project": PROJECT_REF},
            line_refs={**CODING_REFS, "BranchID": BRANCH_REF},
            line_task="ProjectTask",
            computed=("Status", "LineTotal", "OrderTotal"),
        ),
        Entity(
            "Subcontract",
            ("SubcontractNbr",),
            "SC301000",
            numbered="SubcontractNbr",
            detail="Details",
            actions=("ReleaseFromHold", "PutOnHold"),
            refs={"VendorID": VENDOR_REF, "Branch": BRANCH_REF},
            line_refs={**CODING_REFS, "BranchID": BRANCH_REF},
            line_task="Task",
            computed=("Status", "LineTotal", "SubcontractTotal"),
        ),
    )
}

#: collections stored as given (sign-in data), not served as entities
PLAIN_COLLECTIONS = ("users", "oauth_clients", "push_deliveries")
