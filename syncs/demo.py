"""The demo tenant's connections and integrations, wired to the simulators' demo data (see sandbox/).

The credentials are the simulators' published demo constants. Procore -> Acumatica has its vendor and cost code
maps seeded for all but one cost code, so the demo shows bills posting and one waiting in "needs mapping" until a
finance user maps it. Procore -> Sage Intacct has about half of its maps done: the vendors whose names match on
both sides, and the cost codes Intacct knows as project tasks (each coded to a GL account, a location, a department
and a class; project, task and cost type follow from the Procore project, cost code and cost type where Intacct has
them); the rest waits in the mapping grid. Procurify -> Acumatica lives in demo_procurify.py,
Exact Online -> Procore in demo_exact.py, QuickBooks Online -> Procore in demo_quickbooks.py.
"""

from dataclasses import dataclass, field

from sandbox.acumatica import demo as acumatica_demo
from sandbox.intacct import demo as intacct_demo
from sandbox.procore import demo as procore_demo

from . import demo_exact, demo_procurify, demo_quickbooks

#: Procore demo vendor name -> Acumatica demo VendorID
DEMO_VENDORS = {name: vendor_id for vendor_id, name, _email in acumatica_demo.VENDORS}
#: Procore cost type code -> Acumatica GL account
DEMO_ACCOUNTS = {"S": "50000", "M": "51000", "L": "52000", "E": "53000", "O": "54000"}
#: Left unmapped on purpose, so the demo has something for the mapping grid.
DEMO_UNMAPPED_COST_CODE = "01-500"
#: Procore cost type code -> Intacct GL account
INTACCT_ACCOUNTS = {"S": "5000", "M": "5100", "L": "5200", "E": "5300", "O": "5400"}
#: Intacct dimensions every seeded cost code row sets
INTACCT_DIMENSIONS = {"location": "100", "department": "OPS", "class": "COMM"}


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
                # The push notification destination `manage.py demo_webhooks` sets up (syncs/demo_webhooks.py),
                # over the simulator's inquiries of bills and vendors.
                "push_header_name": "X-Push-Secret",
                "push_queries": "APBills=payment_status, Vendors=vendor",
            },
            "secrets": {
                "client_id": acumatica_demo.CLIENT_GUID,
                "client_secret": acumatica_demo.CLIENT_SECRET,
                "username": acumatica_demo.USERNAME,
                "password": acumatica_demo.PASSWORD,
                "push_header_value": "demo-push-secret",
            },
        },
        {
            "system": "intacct",
            "name": "Sage Intacct (simulator)",
            "settings": {
                "company_id": intacct_demo.COMPANY_ID,
                "sender_id": intacct_demo.SENDER_ID,
                "po_item": "SUBCONTRACT",
                "base_url": f"{sandbox_url}/intacct",
            },
            "secrets": {
                "sender_password": intacct_demo.SENDER_PASSWORD,
                "user_id": intacct_demo.USER_ID,
                "user_password": intacct_demo.USER_PASSWORD,
            },
        },
        demo_procurify.connection_spec(sandbox_url),
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


#: The flows of the Procore + Sage Intacct product (purchase orders are posted, not reconciled).
INTACCT_FLOWS = [
    "vendors_forward",
    "vendors_back",
    "cost_codes_back",
    "cost_types_back",
    "ap_bills",
    "commitments",
    "payments_back",
]


@dataclass(frozen=True)
class DemoIntegration:
    """One demo integration: its connections, its flows, and how much of its maps the demo starts with."""

    source: str  # system of the source connection
    destination: str  # system of the destination connection
    flows: list[str]
    accounts: dict[str, str]  # Procore cost type code -> destination GL account
    dimensions: dict[str, str] = field(default_factory=dict)  # dimension kind -> destination code
    vendors_by_name: bool = False  # map vendors whose names match (else through DEMO_VENDORS)
    task_codes_only: bool = False  # map only the cost codes the destination lists as project tasks
    payment: str = "check"  # how the demo pays one bill in the ERP (see PAYERS)


DEMO_INTEGRATIONS = {
    "Procore -> Acumatica (demo)": DemoIntegration("procore", "acumatica", DEMO_FLOWS, DEMO_ACCOUNTS),
    "Procore -> Sage Intacct (demo)": DemoIntegration(
        "procore", "intacct", INTACCT_FLOWS, INTACCT_ACCOUNTS, INTACCT_DIMENSIONS, True, True, "appymt"
    ),
}


def seed_integrations(tenant, connections) -> None:
    """The demo integrations with their flows; maps are seeded once reference data is in.

    The Acumatica commitments flow itself is not scheduled: the reconciliation report shows what differs, and a
    finance user creates or updates purchase orders from it.
    """
    from .models import Integration

    for name, plan in DEMO_INTEGRATIONS.items():
        Integration.objects.update_or_create(
            tenant=tenant,
            name=name,
            defaults={
                "source": connections[plan.source],
                "destination": connections[plan.destination],
                "flows": plan.flows,
                "poll_interval_minutes": 5,
            },
        )
    demo_procurify.seed_integration(tenant, connections)
    demo_exact.seed_integration(tenant, connections)
    demo_quickbooks.seed_integration(tenant, connections)


def seed_maps(integration) -> dict[str, int]:
    """Pull reference data from both simulators and map the demo vendors and cost codes the plan names."""
    from mappings.models import ReferenceRecord
    from mappings.pull import pull_reference

    if integration.name == demo_exact.NAME:
        return demo_exact.seed_maps(integration)  # it connects to Exact before anything is pulled
    if integration.name == demo_quickbooks.NAME:
        return demo_quickbooks.seed_maps(integration)  # it sets up its own Procore company first
    pull_reference(integration.source)
    pull_reference(integration.destination)
    if integration.name == demo_procurify.NAME:
        return demo_procurify.seed_maps(integration)
    plan = DEMO_INTEGRATIONS.get(integration.name)
    if plan is None:
        return {"vendors": 0, "cost_codes": 0}
    source_refs = ReferenceRecord.objects.filter(connection=integration.source)
    dest_refs = ReferenceRecord.objects.usable().filter(connection=integration.destination)
    return {
        "vendors": _seed_vendor_maps(integration, plan, source_refs, dest_refs),
        "cost_codes": _seed_cost_code_maps(integration, plan, source_refs, dest_refs),
    }


def _seed_vendor_maps(integration, plan: DemoIntegration, source_refs, dest_refs) -> int:
    from mappings.models import ChangeSource, VendorMap
    from mappings.services import save_map

    count = 0
    for vendor in source_refs.filter(kind="vendor"):
        if plan.vendors_by_name:
            target = dest_refs.filter(kind="vendor", name=vendor.name).first() if vendor.name else None
        else:
            target = dest_refs.filter(kind="vendor", code=DEMO_VENDORS.get(vendor.name, "")).first()
        if target and not VendorMap.objects.filter(integration=integration, source=vendor).exists():
            save_map(VendorMap(integration=integration, source=vendor, destination=target), None, ChangeSource.ADMIN)
            count += 1
    return count


def _seed_cost_code_maps(integration, plan: DemoIntegration, source_refs, dest_refs) -> int:
    from mappings.models import ChangeSource, CostCodeMap
    from mappings.services import save_map

    codes = source_refs.filter(kind="cost_code").exclude(code=DEMO_UNMAPPED_COST_CODE)
    if plan.task_codes_only:
        codes = source_refs.filter(kind="cost_code", code__in=dest_refs.filter(kind="task").values("code"))
    dimensions = {kind: dest_refs.get(kind=kind, code=code).pk for kind, code in plan.dimensions.items()}
    count = 0
    for code in codes:
        for type_code, account_code in plan.accounts.items():
            if CostCodeMap.objects.filter(integration=integration, cost_code=code.code, cost_type=type_code).exists():
                continue
            row = CostCodeMap(
                integration=integration,
                cost_code=code.code,
                cost_type=type_code,
                account=dest_refs.get(kind="account", code=account_code),
                dimensions=dict(dimensions),
            )
            save_map(row, None, ChangeSource.ADMIN)
            count += 1
    return count


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
    """As a user of the ERP would: pay one posted bill there, so its status reaches Procore.

    Returns the bill's id in the ERP (None when no bill was posted).
    """
    from .engine import adapter_for
    from .models import RecordState, SyncRecord

    record = (
        SyncRecord.objects.filter(integration=integration, flow="ap_bills", state=RecordState.POSTED)
        .order_by("source_id")
        .first()
    )
    if record is None:
        return None
    plan = DEMO_INTEGRATIONS.get(integration.name)
    pay = PAYERS[plan.payment if plan else "check"]
    pay(adapter_for(integration.destination).client, record.destination_id)
    return record.destination_id


def _pay_by_check(client, reference: str) -> None:
    """Acumatica: release the bill, then a check for its amount, released."""
    from decimal import Decimal

    keys = {"Type": {"value": "Bill"}, "ReferenceNbr": {"value": reference}}
    client.request("POST", "Bill/ReleaseBill", json={"entity": keys}, idempotent=False)
    bill = client.get_bill("Bill", reference, expand="")
    check = client.put(
        "Check",
        {
            "Vendor": bill["Vendor"],
            "PaymentMethod": {"value": "CHECK"},
            "CashAccount": {"value": "10200"},
            "PaymentRef": {"value": f"CHK-{reference}"},
            "Details": [
                {
                    "DocType": {"value": "Bill"},
                    "ReferenceNbr": {"value": reference},
                    "AmountPaid": {"value": Decimal(str(bill["Amount"]["value"]))},
                }
            ],
        },
        insert_only=True,
    )
    check_keys = {"Type": check["Type"], "ReferenceNbr": check["ReferenceNbr"]}
    client.request("POST", "Check/ReleaseCheck", json={"entity": check_keys}, idempotent=False)


def _pay_by_appymt(client, recordno: str) -> None:
    """Sage Intacct: an AP payment (APPYMT) from the demo bank account applied to the whole bill."""
    import datetime as dt

    from lxml import etree

    from connections.systems.intacct import xml
    from connections.systems.intacct.client import function, new_controlid

    bill = next(iter(client.query("APBILL", ["RECORDNO", "VENDORID", "TOTALDUE", "CURRENCY"],
                                  ("equalto", "RECORDNO", recordno))))  # fmt: skip
    payment = {
        "FINANCIALENTITY": intacct_demo.BANK,
        "PAYMENTMETHOD": "Printed Check",
        "VENDORID": bill["VENDORID"],
        "CURRENCY": bill.get("CURRENCY") or "USD",
        "PAYMENTDATE": dt.date.today().strftime(intacct_demo.DATE),
        "APPYMTDETAILS": {"APPYMTDETAIL": [{"RECORDKEY": recordno, "TRX_PAYMENTAMOUNT": bill["TOTALDUE"]}]},
    }
    create = etree.Element("create")
    create.append(xml.Builder().element("APPYMT", payment))
    result = client.execute([function(new_controlid("pay"), create)], idempotent=False)[0]
    if not result.ok:
        raise result.error(f"the payment of bill {recordno}")


#: how a demo integration's ERP pays a bill
PAYERS = {"check": _pay_by_check, "appymt": _pay_by_appymt}
