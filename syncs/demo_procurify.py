"""The demo's Procurify -> Acumatica integration: Cascade Ridge Builders' purchasing into the demo Acumatica tenant.

Procurify's purchase orders and approved bills post to Acumatica; vendors go both ways (a Procurify vendor the ERP
does not know yet is created there before its first document posts, and the ERP's vendors appear in Procurify);
the ERP's GL accounts are mirrored into Procurify's account codes; purchase order status and bill payments come
back. Every Procurify account code is mapped to an Acumatica GL account and subaccount except one, so the mapping
grid opens with a code to map and the documents it holds.
"""

from __future__ import annotations

from sandbox.acumatica import demo as acumatica_demo
from sandbox.procurify import demo_data as procurify_demo

NAME = "Procurify -> Acumatica (demo)"

#: Every flow of the Procurify + Acumatica product, in the order a first run should take them.
FLOWS = [
    "vendors_forward",
    "vendors_back",
    "accounts_back",
    "commitments",
    "ap_bills",
    "commitment_status_back",
    "payments_back",
]

#: Procurify account code -> Acumatica GL account its lines post to (on the default subaccount)
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
    "6000": "60000",
    "6100": "60000",
    "6110": "60000",
    "6200": "60000",
    "6300": "54000",
    "6400": "54000",
    "6500": "54000",
    "6900": "60000",
}
#: Left unmapped on purpose, so the demo has something for the mapping grid.
UNMAPPED_ACCOUNT_CODE = "5400"
SUBACCOUNT = acumatica_demo.SUBACCOUNT
#: The simulator's demo domain suspends nobody; a faster pace than the production default keeps `make run` short.
DEMO_REQUESTS_PER_MINUTE = "600"


def connection_spec(sandbox_url: str) -> dict:
    """The Procurify connection of the demo tenant, with the credentials the simulator's demo preset accepts."""
    return {
        "system": "procurify",
        "name": "Procurify (simulator)",
        "settings": {
            "subdomain": procurify_demo.DOMAIN,
            "base_url": f"{sandbox_url}/procurify/{procurify_demo.DOMAIN}",
            "requests_per_minute": DEMO_REQUESTS_PER_MINUTE,
        },
        "secrets": {"client_id": procurify_demo.CLIENT_ID, "client_secret": procurify_demo.CLIENT_SECRET},
    }


def seed_integration(tenant, connections) -> None:
    from .models import Integration

    if "procurify" not in connections or "acumatica" not in connections:
        return
    Integration.objects.update_or_create(
        tenant=tenant,
        name=NAME,
        defaults={
            "source": connections["procurify"],
            "destination": connections["acumatica"],
            "flows": FLOWS,
            "poll_interval_minutes": 5,
        },
    )


def seed_maps(integration) -> dict[str, int]:
    """Map Procurify vendors that already name their ERP vendor, and every account code but one.

    Reference data must have been pulled from both sides (syncs.demo.seed_maps does it first)."""
    from mappings.models import ChangeSource, CostCodeMap, ReferenceRecord, VendorMap
    from mappings.services import save_map

    source_refs = ReferenceRecord.objects.filter(connection=integration.source)
    dest_refs = ReferenceRecord.objects.usable().filter(connection=integration.destination)
    vendors = 0
    for vendor in source_refs.filter(kind="vendor").exclude(code=""):
        target = dest_refs.filter(kind="vendor", code=vendor.code).first()
        if target and not VendorMap.objects.filter(integration=integration, source=vendor).exists():
            save_map(VendorMap(integration=integration, source=vendor, destination=target), None, ChangeSource.ADMIN)
            vendors += 1
    subaccount = dest_refs.filter(kind="subaccount", code=SUBACCOUNT).first()
    codes = 0
    for code in source_refs.filter(kind="cost_code").exclude(code=UNMAPPED_ACCOUNT_CODE):
        account = dest_refs.filter(kind="account", code=ACCOUNTS.get(code.code, "")).first()
        if account is None or CostCodeMap.objects.filter(integration=integration, cost_code=code.code).exists():
            continue
        row = CostCodeMap(
            integration=integration,
            cost_code=code.code,
            cost_type="",
            account=account,
            dimensions={"subaccount": subaccount.pk} if subaccount else {},
        )
        save_map(row, None, ChangeSource.ADMIN)
        codes += 1
    return {"vendors": vendors, "cost_codes": codes}
