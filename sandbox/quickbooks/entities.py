"""The entities the simulator serves and their rules: id sequences, unique names, references, read-only fields.

Name lists (Vendor, Customer, Account, Class, Department, Item) are never deleted: deleting one in QuickBooks
makes it inactive and renames it ``... (deleted)``. Transactions (Bill, BillPayment) are deleted for good and
leave a ``status: "Deleted"`` stub for change data capture.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entity:
    name: str
    kind: str  # "name" or "txn"
    sequence: str  # which per-company id counter hands out its Ids
    label: str | None = None  # the field holding its unique name
    read_only: frozenset[str] = field(default_factory=frozenset)

    @property
    def segment(self) -> str:
        """The URL segment: /v3/company/{realmId}/<segment>."""
        return self.name.lower()

    @property
    def is_txn(self) -> bool:
        return self.kind == "txn"


SYSTEM = frozenset({"Id", "SyncToken", "MetaData", "domain", "sparse", "status"})
NAME_DERIVED = frozenset({"FullyQualifiedName", "Level", "Balance", "BalanceWithJobs"})

ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        Entity("Bill", "txn", "txn", read_only=SYSTEM | {"TotalAmt", "Balance", "LinkedTxn", "HomeBalance"}),
        Entity("BillPayment", "txn", "txn", read_only=SYSTEM),
        # Customers, vendors and employees share one name space and one id counter in a company.
        Entity("Vendor", "name", "names", "DisplayName", SYSTEM | NAME_DERIVED),
        Entity("Customer", "name", "names", "DisplayName", SYSTEM | NAME_DERIVED | {"Job"}),
        Entity(
            "Account",
            "name",
            "accounts",
            "Name",
            SYSTEM | {"FullyQualifiedName", "CurrentBalance", "CurrentBalanceWithSubAccounts", "Classification"},
        ),
        Entity("Class", "name", "classes", "Name", SYSTEM | {"FullyQualifiedName"}),
        Entity("Department", "name", "departments", "Name", SYSTEM | {"FullyQualifiedName"}),
        Entity("Item", "name", "items", "Name", SYSTEM | {"FullyQualifiedName", "Level"}),
    )
}
BY_SEGMENT = {entity.segment: entity for entity in ENTITIES.values()}

#: first Id handed out per sequence; class Ids are as long as QuickBooks' own (18 digits)
SEQUENCE_START = {"names": 1, "txn": 100, "accounts": 1, "classes": 5_000_000_000_000_001, "departments": 1, "items": 1}

#: reference field -> the entity it points to (ParentRef points to the entity's own kind)
REF_TARGETS = {
    "VendorRef": "Vendor",
    "APAccountRef": "Account",
    "AccountRef": "Account",
    "BankAccountRef": "Account",
    "CCAccountRef": "Account",
    "ExpenseAccountRef": "Account",
    "IncomeAccountRef": "Account",
    "CustomerRef": "Customer",
    "ClassRef": "Class",
    "DepartmentRef": "Department",
    "ItemRef": "Item",
}

CLASSIFICATION = {
    "Bank": "Asset",
    "Accounts Receivable": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Other Current Liability": "Liability",
    "Long Term Liability": "Liability",
    "Equity": "Equity",
    "Income": "Revenue",
    "Other Income": "Revenue",
    "Cost of Goods Sold": "Expense",
    "Expense": "Expense",
    "Other Expense": "Expense",
}

USD = {"value": "USD", "name": "United States Dollar"}
BILL_PAYMENT_LINK = {"Check": "BillPaymentCheck", "CreditCard": "BillPaymentCreditCard"}


def lookup(name: str) -> Entity | None:
    """An entity by its name or URL segment, case-insensitively."""
    return BY_SEGMENT.get(name.lower())


def display_name(entity: Entity, body: dict) -> str | None:
    """The unique name of a name-list record; a person's or company's name stands in for a missing DisplayName."""
    if entity.label != "DisplayName":
        return body.get(entity.label) if entity.label else None
    if body.get("DisplayName"):
        return body["DisplayName"]
    person = " ".join(part for part in (body.get("GivenName"), body.get("FamilyName")) if part)
    return body.get("CompanyName") or person or None
