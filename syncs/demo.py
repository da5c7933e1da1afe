"""The demo tenant's connections and integration, wired to the simulators' demo data (see sandbox/).

The credentials are the simulators' published demo constants. Vendor and cost code maps are seeded for all but
one cost code, so the demo shows bills posting and one waiting in "needs mapping" until a finance user maps it.
"""

from sandbox.acumatica import demo as acumatica_demo
from sandbox.procore import demo as procore_demo

#: Procore demo vendor name -> Acumatica demo VendorID
DEMO_VENDORS = {name: vendor_id for vendor_id, name, _email in acumatica_demo.VENDORS}
#: Procore cost type code -> Acumatica GL account
DEMO_ACCOUNTS = {"S": "50000", "M": "51000", "L": "52000", "E": "53000", "O": "54000"}
#: Left unmapped on purpose, so the demo has something for the mapping grid.
DEMO_UNMAPPED_COST_CODE = "01-500"


def connection_specs(sandbox_url: str) -> list[dict]:
    """Connections of the demo tenant, using the credentials the simulators' demo preset accepts."""
    return [
        {
            "system": "procore",
            "name": "Procore (simulator)",
            "settings": {
                "company_id": str(procore_demo.COMPANY_ID),
                "base_url": f"{sandbox_url}/procore",
                "login_url": f"{sandbox_url}/procore-login",
            },
            "secrets": {
                "client_id": procore_demo.CLIENT_ID,
                "client_secret": procore_demo.CLIENT_SECRET,
                "webhook_secret": "demo-webhook-secret",
            },
        },
        {
            "system": "acumatica",
            "name": "Acumatica (simulator)",
            "settings": {
                "instance_url": f"{sandbox_url}/acumatica",
                "endpoint_version": "23.200.001",
                "tenant_name": acumatica_demo.TENANT,
            },
            "secrets": {
                "client_id": acumatica_demo.CLIENT_GUID,
                "client_secret": acumatica_demo.CLIENT_SECRET,
                "username": acumatica_demo.USERNAME,
                "password": acumatica_demo.PASSWORD,
            },
        },
    ]


#: Every flow of the Procore + Acumatica product, in the order a first run should take them.
DEMO_FLOWS = [
    "vendors_forward",
    "vendors_back",  # after forward: it also marks the vendors forward created as linked in Procore
    "cost_codes_back",
    "cost_codes_forward",
    "ap_bills",
    "commitments_reconcile",
    "payments_back",
]


def seed_integrations(tenant, connections) -> None:
    """The Procore -> Acumatica integration with every flow; maps are seeded once reference data is in.

    The commitments flow itself is not scheduled: the reconciliation report shows what differs, and a finance user
    creates or updates purchase orders from it.
    """
    from .models import Integration

    Integration.objects.update_or_create(
        tenant=tenant,
        name="Procore -> Acumatica (demo)",
        defaults={
            "source": connections["procore"],
            "destination": connections["acumatica"],
            "flows": DEMO_FLOWS,
            "poll_interval_minutes": 5,
        },
    )


def seed_maps(integration) -> dict[str, int]:
    """Pull reference data from both simulators and map the demo vendors and cost codes (all but one)."""
    from mappings.models import ChangeSource, CostCodeMap, ReferenceRecord, VendorMap
    from mappings.pull import pull_reference
    from mappings.services import save_map

    pull_reference(integration.source)
    pull_reference(integration.destination)
    source_refs = ReferenceRecord.objects.filter(connection=integration.source)
    dest_refs = ReferenceRecord.objects.filter(connection=integration.destination)
    counts = {"vendors": 0, "cost_codes": 0}
    for vendor in source_refs.filter(kind="vendor"):
        target = dest_refs.filter(kind="vendor", code=DEMO_VENDORS.get(vendor.name, "")).first()
        if target and not VendorMap.objects.filter(integration=integration, source=vendor).exists():
            save_map(VendorMap(integration=integration, source=vendor, destination=target), None, ChangeSource.ADMIN)
            counts["vendors"] += 1
    for code in source_refs.filter(kind="cost_code").exclude(code=DEMO_UNMAPPED_COST_CODE):
        for type_code, account_code in DEMO_ACCOUNTS.items():
            if CostCodeMap.objects.filter(integration=integration, cost_code=code.code, cost_type=type_code).exists():
                continue
            account = dest_refs.get(kind="account", code=account_code)
            save_map(CostCodeMap(integration=integration, cost_code=code.code, cost_type=type_code, account=account),
                     None, ChangeSource.ADMIN)
            counts["cost_codes"] += 1
    return counts


def first_run(integration) -> dict[str, str]:
    """Run every flow once, now, posting inline, so the demo opens on data; returns each flow's outcome."""
    from . import engine

    def post_now(ids, run_id):
        engine.post_batch(ids, run_id)

    outcomes = {}
    for flow in integration.flows:
        run = engine.run_flow(integration.pk, flow, "manual", enqueue=post_now)
        outcomes[flow] = run.status if run else "not run"
    return outcomes


def pay_one_bill(integration) -> str | None:
    """As an Acumatica user would: release one posted bill and pay it by check, so its status reaches Procore.

    Returns the bill's reference number (None when no bill was posted).
    """
    from decimal import Decimal

    from .engine import adapter_for
    from .models import RecordState, SyncRecord

    record = (
        SyncRecord.objects.filter(integration=integration, flow="ap_bills", state=RecordState.POSTED)
        .order_by("source_id")
        .first()
    )
    if record is None:
        return None
    client = adapter_for(integration.destination).client
    keys = {"Type": {"value": "Bill"}, "ReferenceNbr": {"value": record.destination_id}}
    client.request("POST", "Bill/ReleaseBill", json={"entity": keys}, idempotent=False)
    bill = client.get_bill("Bill", record.destination_id, expand="")
    check = client.put(
        "Check",
        {
            "Vendor": bill["Vendor"],
            "PaymentMethod": {"value": "CHECK"},
            "CashAccount": {"value": "10200"},
            "PaymentRef": {"value": f"CHK-{record.destination_id}"},
            "Details": [
                {
                    "DocType": {"value": "Bill"},
                    "ReferenceNbr": {"value": record.destination_id},
                    "AmountPaid": {"value": Decimal(str(bill["Amount"]["value"]))},
                }
            ],
        },
        insert_only=True,
    )
    check_keys = {"Type": check["Type"], "ReferenceNbr": check["ReferenceNbr"]}
    client.request("POST", "Check/ReleaseCheck", json={"entity": check_keys}, idempotent=False)
    return record.destination_id
