"""Which endpoints are served, and how each maps onto stored records.

Normal endpoints read one store collection. Sync endpoints read the same collection ordered by the global
``Timestamp`` (a row version bumped on every write), bulk endpoints read it with 1000-row pages.
``sync/PurchaseOrder/PurchaseOrders`` has one row per order line with the header flattened in, and
``sync/Deleted`` reads the deletion log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .contract import Endpoint, endpoint


@dataclass(frozen=True)
class Served:
    key: str  # path after /api/v1/{division}/
    collection: str  # store collection
    kind: str = "normal"  # normal | sync | bulk | lines-view
    type_name: str = ""  # __metadata.type
    lines: dict = field(default_factory=dict)  # navigation property -> (line endpoint key, foreign key)
    parent: tuple | None = None  # for line endpoints: (header endpoint key, foreign key)
    topic: str | None = None  # webhook topic of changes
    deleted_type: int | None = None  # sync/Deleted EntityType (published list)

    @property
    def contract(self) -> Endpoint:
        return endpoint(self.key)

    @property
    def page_size_key(self) -> str:
        return "sync_page_size" if self.kind in ("sync", "bulk", "lines-view") else "page_size"


MODELS = "Exact.Web.Api.Models."
PO_LINES = {"PurchaseOrderLines": ("purchaseorder/PurchaseOrderLines", "PurchaseOrderID")}
PE_LINES = {"PurchaseEntryLines": ("purchaseentry/PurchaseEntryLines", "EntryID")}

SERVED: dict[str, Served] = {
    s.key: s
    for s in (
        Served("current/Me", "users", kind="me", type_name=MODELS + "System.Me"),
        Served("system/Divisions", "Divisions", type_name=MODELS + "HRM.Division"),
        Served("system/AllDivisions", "Divisions", type_name=MODELS + "HRM.Division"),
        Served("financial/GLAccounts", "GLAccounts", type_name=MODELS + "GLAccount", deleted_type=7),
        Served("hrm/Costcenters", "Costcenters", type_name=MODELS + "HRM.Costcenter"),
        Served("hrm/Costunits", "Costunits", type_name=MODELS + "HRM.Costunit"),
        Served("project/Projects", "Projects", type_name=MODELS + "Project.Project", deleted_type=21),
        Served("crm/Accounts", "Accounts", type_name=MODELS + "Account", topic="Accounts", deleted_type=2),
        Served(
            "purchaseorder/PurchaseOrders",
            "PurchaseOrders",
            type_name=MODELS + "PurchaseOrder.PurchaseOrder",
            lines=PO_LINES,
            topic="PurchaseOrders",
            deleted_type=22,
        ),
        Served(
            "purchaseorder/PurchaseOrderLines",
            "PurchaseOrderLines",
            type_name=MODELS + "PurchaseOrder.PurchaseOrderLine",
            parent=("purchaseorder/PurchaseOrders", "PurchaseOrderID"),
        ),
        Served(
            "purchaseentry/PurchaseEntries",
            "PurchaseEntries",
            type_name=MODELS + "PurchaseEntry.PurchaseEntry",
            lines=PE_LINES,
            topic="PurchaseEntries",
        ),
        Served(
            "purchaseentry/PurchaseEntryLines",
            "PurchaseEntryLines",
            type_name=MODELS + "PurchaseEntry.PurchaseEntryLine",
            parent=("purchaseentry/PurchaseEntries", "EntryID"),
        ),
        Served("webhooks/WebhookSubscriptions", "WebhookSubscriptions", type_name=MODELS + "Webhooks.Subscription"),
        Served("sync/Deleted", "Deleted", kind="sync", type_name=MODELS + "Sync.Deleted"),
        Served("sync/CRM/Accounts", "Accounts", kind="sync", type_name=MODELS + "Sync.CRM.Account"),
        Served("sync/Financial/GLAccounts", "GLAccounts", kind="sync", type_name=MODELS + "Sync.Financial.GLAccount"),
        Served("sync/Project/Projects", "Projects", kind="sync", type_name=MODELS + "Sync.Project.Project"),
        Served(
            "sync/PurchaseOrder/PurchaseOrders",
            "PurchaseOrderLines",
            kind="lines-view",
            type_name=MODELS + "Sync.PurchaseOrder.PurchaseOrder",
            parent=("purchaseorder/PurchaseOrders", "PurchaseOrderID"),
        ),
        Served("bulk/Financial/GLAccounts", "GLAccounts", kind="bulk", type_name=MODELS + "Bulk.Financial.GLAccount"),
        Served("bulk/CRM/Accounts", "Accounts", kind="bulk", type_name=MODELS + "Bulk.CRM.Account"),
    )
}

#: store collection -> the normal endpoint that owns it (control API and webhooks name records this way)
OWNERS: dict[str, Served] = {
    s.collection: s for s in SERVED.values() if s.kind == "normal" and s.key != "system/AllDivisions"
}
