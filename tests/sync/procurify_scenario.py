"""Cascade Ridge Builders' Procurify (the simulator's demo domain: three offices, eight departments, 40 purchase
orders, approved bills most of them bought on a purchase order) wired to an Acumatica tenant, as a customer would:
two connections, an integration running every flow of the pair, reference data pulled from both sides, and each
Procurify account code mapped to an Acumatica GL account on the default subaccount, except one.
"""

from __future__ import annotations

from mappings.models import ChangeSource, CostCodeMap, ReferenceRecord
from mappings.pull import pull_reference
from mappings.services import save_map
from sandbox.procurify import demo_data as procurify_demo
from syncs.models import Integration

DOMAIN = procurify_demo.DOMAIN
FLOWS = [
    "vendors_forward",
    "vendors_back",
    "accounts_back",
    "commitments",
    "ap_bills",
    "commitment_status_back",
    "payments_back",
]
#: Procurify account code -> Acumatica GL account (Acumatica's reference preset chart)
ACCOUNTS = {
    "1500": "53000",
    "5000": "51000",
    "5010": "51000",
    "5020": "51000",
    "5030": "51000",
    "5040": "51000",
    "5050": "51000",
    "5100": "50000",
    "5200": "53000",
    "5300": "54000",
    "5400": "54000",
    "6000": "60000",
    "6100": "60000",
    "6110": "60000",
    "6200": "60000",
    "6300": "54000",
    "6400": "54000",
    "6500": "54000",
    "6900": "60000",
}
UNMAPPED = "5200"  # equipment rental: bought by three departments, on purchase orders and bills
SUBACCOUNT = "000-000"
#: What Procurify answers per page here, so every list of the demo domain takes several pages.
PROCURIFY_PAGE = 10
POSTABLE_BILL = {2, 4, 6, 7, 8}
CANCELLED_PO = 1


def wire(tenant, sandbox_url: str, flows=None) -> Integration:
    from tests.contract.systems import SYSTEMS

    procurify = SYSTEMS["procurify"].connection(tenant, sandbox_url)
    acumatica = SYSTEMS["acumatica"].connection(tenant, sandbox_url)
    integration = Integration.objects.create(
        tenant=tenant,
        name="Procurify -> Acumatica",
        source=procurify,
        destination=acumatica,
        flows=flows or FLOWS,
    )
    pull_reference(procurify)
    pull_reference(acumatica)
    for code in ACCOUNTS:
        if code != UNMAPPED:
            map_account_code(integration, code)
    return integration


def map_account_code(integration, code: str):
    """As a finance user would in the grid: the Procurify account code -> GL account + default subaccount."""
    destination = ReferenceRecord.objects.filter(connection=integration.destination)
    row = CostCodeMap(
        integration=integration,
        cost_code=code,
        cost_type="",
        account=destination.get(kind="account", code=ACCOUNTS[code]),
        dimensions={"subaccount": destination.get(kind="subaccount", code=SUBACCOUNT).pk},
    )
    return save_map(row, None, ChangeSource.ADMIN)


def plain(value):
    return value.get("value") if isinstance(value, dict) else value


def committed_orders(procurify_sim) -> dict[str, dict]:
    """Procurify purchase orders that are commitments (not cancelled), by PO number."""
    return {str(po["id"]): po for po in procurify_sim.records("purchase_orders") if po["state"] != CANCELLED_PO}


def postable_bills(procurify_sim) -> dict[str, dict]:
    return {bill["uuid"]: bill for bill in procurify_sim.records("bills") if bill["status"] in POSTABLE_BILL}


def acumatica_orders(acumatica_sim) -> dict[str, dict]:
    """Acumatica purchase orders by VendorRef (the Procurify PO number); fails on a duplicate."""
    found = {}
    for po in acumatica_sim.records("PurchaseOrder"):
        ref = plain(po.get("VendorRef"))
        assert ref not in found, f"purchase order {ref} was posted twice"
        found[ref] = po
    return found


def acumatica_bills(acumatica_sim) -> dict[tuple, dict]:
    """Acumatica bills by (vendor, VendorRef); fails on a duplicate."""
    found = {}
    for bill in acumatica_sim.records("Bill"):
        key = (plain(bill.get("Vendor")), plain(bill.get("VendorRef")))
        assert key not in found, f"bill {key} was posted twice"
        found[key] = bill
    return found


def writes(sim) -> int:
    """Calls that can change something on a simulator."""
    changing = ("POST", "PUT", "PATCH", "DELETE")
    tokens = ("/oauth/", "/identity/")
    return sum(
        n
        for call, n in sim.calls().items()
        if call.split(" ")[0] in changing and not any(path in call for path in tokens)
    )
