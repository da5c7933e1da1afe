"""The entities the simulator knows, as in the Default/2x.200.001 contracts.

Records are stored flat ({"VendorID": "V1", ...}); linked entities (MainContact) are nested dicts and
detail entities (Details) lists of dicts. The API wraps every value as {"value": ...} on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entity:
    name: str
    keys: tuple[str, ...]
    fields: tuple[str, ...]
    detail: str | None = None
    detail_fields: tuple[str, ...] = ()
    linked: tuple[str, ...] = ()
    tracked: bool = True  # has LastModifiedDateTime
    numbered: str | None = None  # key the server assigns on insert
    actions: tuple[str, ...] = ()
    screen: str = ""

    def all_fields(self) -> tuple[str, ...]:
        return self.fields + (("LastModifiedDateTime",) if self.tracked else ())


BILL_DETAIL = (
    "Branch",
    "InventoryID",
    "TransactionDescription",
    "Qty",
    "UOM",
    "UnitCost",
    "Amount",
    "Account",
    "Subaccount",
    "Project",
    "ProjectTask",
    "CostCode",
    "TaxCategory",
    "POOrderNbr",
    "POLine",
)

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "Vendor",
            ("VendorID",),
            (
                "VendorID",
                "VendorName",
                "LegalName",
                "Status",
                "VendorClass",
                "Terms",
                "CurrencyID",
                "PaymentMethod",
                "APAccount",
                "APSubaccount",
                "TaxZone",
                "F1099Vendor",
            ),
            linked=("MainContact",),
            screen="AP303000",
        ),
        Entity(
            "Account",
            ("AccountCD",),
            ("AccountCD", "AccountID", "Description", "Type", "Active", "AccountClass"),
            screen="GL202500",
        ),
        Entity(
            "Subaccount", ("SubaccountCD",), ("SubaccountCD", "Description", "Active"), tracked=False, screen="GL203000"
        ),
        Entity("Branch", ("BranchID",), ("BranchID", "BranchName", "Active"), screen="CS102000"),
        Entity(
            "Project", ("ProjectID",), ("ProjectID", "Description", "Status", "Customer", "Hold"), screen="PM301000"
        ),
        Entity(
            "ProjectTask",
            ("ProjectID", "ProjectTaskID"),
            ("ProjectID", "ProjectTaskID", "Description", "Status"),
            screen="PM302000",
        ),
        Entity("CostCode", ("CostCodeID",), ("CostCodeID", "Description"), screen="PM209500"),
        Entity(
            "Bill",
            ("Type", "ReferenceNbr"),
            (
                "Type",
                "ReferenceNbr",
                "Vendor",
                "VendorRef",
                "LocationID",
                "BranchID",
                "Date",
                "DueDate",
                "PostPeriod",
                "Description",
                "Status",
                "Hold",
                "Amount",
                "Balance",
                "TaxTotal",
                "Terms",
                "CurrencyID",
                "Project",
            ),
            detail="Details",
            detail_fields=BILL_DETAIL,
            numbered="ReferenceNbr",
            actions=("ReleaseBill", "ReleaseRetainage", "ReverseBill"),
            screen="AP301000",
        ),
        Entity(
            "Check",
            ("Type", "ReferenceNbr"),
            (
                "Type",
                "ReferenceNbr",
                "Vendor",
                "PaymentMethod",
                "CashAccount",
                "PaymentAmount",
                "PaymentRef",
                "ApplicationDate",
                "Description",
                "Status",
                "Hold",
            ),
            detail="Details",
            detail_fields=("DocType", "ReferenceNbr", "AmountPaid"),
            numbered="ReferenceNbr",
            actions=("ReleaseCheck", "VoidCheck"),
            screen="AP302000",
        ),
    )
}

#: default key values filled in on insert (Acumatica's forms default the document type)
KEY_DEFAULTS = {"Bill": {"Type": "Bill"}, "Check": {"Type": "Payment"}}
DATE_FIELDS = {"Date", "DueDate", "ApplicationDate"}
