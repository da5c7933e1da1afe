"""Rebuild ``endpoints.json`` from the scrape of Exact's REST reference (see SOURCE.md).

    python sandbox/exact/contract/trim.py <ExactOnlineRestApiReference meta-data.json>

Keeps, per served endpoint: uri, supported methods and per property its name, Edm type, primary-key flag and
the per-method flags (which say what a POST/PUT may set). Descriptions are dropped. Three endpoints the 2022
scrape lacks are derived from entries it has, and say so in ``derived_from``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: scrape key -> our endpoint key (path after /api/v1/{division}/ or /api/v1/)
SERVED = {
    "Me": "current/Me",
    "Divisions": "system/Divisions",
    "AllDivisions": "system/AllDivisions",
    "GLAccounts": "financial/GLAccounts",
    "Costcenters": "hrm/Costcenters",
    "Costunits": "hrm/Costunits",
    "Projects": "project/Projects",
    "Accounts": "crm/Accounts",
    "PurchaseOrders": "purchaseorder/PurchaseOrders",
    "PurchaseOrderLines": "purchaseorder/PurchaseOrderLines",
    "PurchaseEntries": "purchaseentry/PurchaseEntries",
    "PurchaseEntryLines": "purchaseentry/PurchaseEntryLines",
    "WebhookSubscriptions": "webhooks/WebhookSubscriptions",
    "Deleted": "sync/Deleted",
    "CRM/Accounts": "sync/CRM/Accounts",
    "Financial/GLAccounts": "sync/Financial/GLAccounts",
    "Project/Projects": "sync/Project/Projects",
}

# Property names of sync/PurchaseOrder/PurchaseOrders (one row per order line, header fields flattened), as a
# public Exact tap selects them; types are taken from the PurchaseOrders / PurchaseOrderLines entries.
SYNC_PO_NAMES = (
    "Timestamp,AmountDC,AmountFC,ApprovalStatus,ApprovalStatusDescription,Approved,Approver,ApproverFullName,"
    "CostCenter,CostCenterCode,CostCenterDescription,CostUnit,CostUnitCode,CostUnitDescription,Created,Creator,"
    "CreatorFullName,Currency,CustomField,DeliveryAccount,DeliveryAccountCode,DeliveryAccountName,DeliveryAddress,"
    "DeliveryContact,DeliveryContactPersonFullName,Description,Discount,Division,Document,DocumentNumber,"
    "DocumentSubject,DropShipment,ExchangeRate,Expense,ExpenseDescription,ID,IncotermAddress,IncotermCode,"
    "IncotermVersion,InvoicedQuantity,InvoiceStatus,IsBatchNumberItem,IsSerialNumberItem,Item,ItemBarcode,ItemCode,"
    "ItemDescription,ItemDivisable,LineNumber,Modified,Modifier,ModifierFullName,NetPrice,Notes,OrderDate,"
    "OrderNumber,OrderStatus,PaymentCondition,PaymentConditionDescription,Project,ProjectCode,ProjectDescription,"
    "PurchaseAgent,PurchaseAgentFullName,PurchaseOrderID,Quantity,QuantityInPurchaseUnits,Rebill,ReceiptDate,"
    "ReceiptStatus,ReceivedQuantity,Remarks,SalesOrder,SalesOrderLine,SalesOrderLineNumber,SalesOrderNumber,"
    "SelectionCode,SelectionCodeCode,SelectionCodeDescription,SendingMethod,ShippingMethod,ShippingMethodCode,"
    "ShippingMethodDescription,Source,Supplier,SupplierCode,SupplierContact,SupplierContactPersonFullName,"
    "SupplierItemCode,SupplierItemCopyRemarks,SupplierName,Unit,UnitDescription,UnitPrice,VATAmount,VATCode,"
    "VATDescription,VATPercentage,Warehouse,WarehouseCode,WarehouseDescription,YourRef"
).split(",")
#: names in that list that neither source entry carries, with the type we assume for them
SYNC_PO_EXTRA_TYPES = {
    "Timestamp": "Edm.Int64",
    "CostCenterCode": "Edm.String",
    "CostUnitCode": "Edm.String",
    "CustomField": "Edm.String",
    "DocumentNumber": "Edm.Int32",
    "SendingMethod": "Edm.Int32",
}
METHODS = ("get", "post", "put", "delete")


def trim(entry: dict, uri: str) -> dict:
    return {
        "uri": uri,
        "methods": [m.upper() for m in METHODS if entry["supportedMethods"].get(m)],
        "properties": [
            {
                "name": prop["name"],
                "type": prop["type"],
                "primaryKey": bool(prop["primaryKey"]),
                **{m: bool(prop["supportedMethods"].get(m)) for m in ("get", "post", "put")},
            }
            for prop in entry["properties"]
        ],
    }


def derived(scrape: dict) -> dict:
    out = {}
    for key, base in (("bulk/Financial/GLAccounts", "GLAccounts"), ("bulk/CRM/Accounts", "Accounts")):
        entry = trim(scrape[base], "/api/v1/{division}/" + key)
        entry["methods"] = ["GET"]
        entry["derived_from"] = f"{base} (bulk variants share the scrape key of the normal endpoint and were lost)"
        out[key] = entry
    known = {}
    for base in ("PurchaseOrderLines", "PurchaseOrders"):
        known.update({p["name"]: p for p in trim(scrape[base], "")["properties"]})
    props = []
    for name in SYNC_PO_NAMES:
        prop = dict(known.get(name) or {"name": name, "type": SYNC_PO_EXTRA_TYPES[name]})
        prop.update({"primaryKey": name == "Timestamp", "get": True, "post": False, "put": False})
        props.append(prop)
    out["sync/PurchaseOrder/PurchaseOrders"] = {
        "uri": "/api/v1/{division}/sync/PurchaseOrder/PurchaseOrders",
        "methods": ["GET"],
        "properties": props,
        "derived_from": "names: public Exact tap $select; types: PurchaseOrders + PurchaseOrderLines entries",
    }
    return out


def main(path: str) -> None:
    scrape = json.loads(Path(path).read_text())
    endpoints = {key: trim(scrape[name], scrape[name]["uri"]) for name, key in SERVED.items()}
    endpoints.update(derived(scrape))
    target = Path(__file__).with_name("endpoints.json")
    target.write_text(json.dumps({"endpoints": endpoints}, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
