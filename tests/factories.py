"""Builders for a tenant's worth of objects, one of every tenant-owned model."""

from connections.models import ApiUsage, Connection, Membership, Role
from mappings.models import (
    AccountRule,
    CostCodeMap,
    MapChange,
    MappingWorkspace,
    ProjectMap,
    ReferenceRecord,
    VendorMap,
)
from syncs.models import (
    ApprovalQueue,
    AuditEvent,
    BillReconciliation,
    Cursor,
    Integration,
    ReconcileLine,
    ReconcileReport,
    SyncRecord,
    SyncRun,
    WebhookEvent,
)


def build_tenant_world(tenant, make_user, secret="client-secret-value"):
    """One object of each tenant-owned model, for isolation tests. Returns them by model."""
    procore = Connection.objects.create(
        tenant=tenant,
        system="procore",
        name=f"Procore {tenant.slug}",
        settings={"company_id": "7"},
        secrets={"client_id": f"id-{tenant.slug}", "client_secret": secret},
    )
    acumatica = Connection.objects.create(
        tenant=tenant,
        system="acumatica",
        name=f"Acumatica {tenant.slug}",
        settings={
            "instance_url": "https://erp.example.com",
            "endpoint_version": "23.200.001",
            "tenant_name": "T",
        },
        secrets={"client_id": "G", "client_secret": secret, "username": "u", "password": "p"},
    )
    integration = Integration.objects.create(
        tenant=tenant, name=f"Integration {tenant.slug}", source=procore, destination=acumatica, flows=["ap_bills"]
    )
    record = SyncRecord.objects.create(
        integration=integration,
        flow="procore_requisitions_to_bills",
        source_id=f"req-{tenant.slug}",
        label=f"Invoice of {tenant.slug}",
        idempotency_key=f"key-{tenant.slug}",
    )
    run = SyncRun.objects.create(integration=integration, flow="procore_requisitions_to_bills")
    member = make_user(f"member-{tenant.slug}", tenant=tenant, role=Role.VIEWER)
    vendor_src = ReferenceRecord.objects.create(
        connection=procore, kind="vendor", native_id="1", code="V1", name=f"Vendor of {tenant.slug}"
    )
    vendor_dst = ReferenceRecord.objects.create(
        connection=acumatica, kind="vendor", native_id="VEND", code="VEND", name=f"ERP vendor of {tenant.slug}"
    )
    account = ReferenceRecord.objects.create(
        connection=acumatica, kind="account", native_id="50000", code="50000", name="Subcontract Costs"
    )
    project_src = ReferenceRecord.objects.create(
        connection=procore, kind="project", native_id="P1", code="P-1", name=f"Project of {tenant.slug}"
    )
    project_dst = ReferenceRecord.objects.create(
        connection=acumatica, kind="project", native_id="PRJ1", code="PRJ1", name=f"ERP project of {tenant.slug}"
    )
    report = ReconcileReport.objects.create(
        integration=integration, flow="commitments_reconcile", scope=f"Project of {tenant.slug}"
    )
    return {
        "ReconcileReport": report,
        "ReconcileLine": ReconcileLine.objects.create(
            report=report, state="amount_differs", number=f"SC-{tenant.slug}", vendor=f"Vendor of {tenant.slug}"
        ),
        "ReferenceRecord": vendor_src,
        "VendorMap": VendorMap.objects.create(integration=integration, source=vendor_src, destination=vendor_dst),
        "ProjectMap": ProjectMap.objects.create(integration=integration, source=project_src, destination=project_dst),
        "CostCodeMap": CostCodeMap.objects.create(
            integration=integration, cost_code="03-310", cost_type="S", account=account
        ),
        "AccountRule": AccountRule.objects.create(integration=integration, account_code="6100", cost_code="03-310"),
        "MapChange": MapChange.objects.create(
            integration=integration, map_kind="vendor", row_id=1, action="create", via="admin"
        ),
        "MappingWorkspace": MappingWorkspace.objects.get(pk=integration.pk),
        "Tenant": tenant,
        "Connection": procore,
        "Membership": Membership.objects.get(user=member),
        "Integration": integration,
        "SyncRecord": record,
        "ApprovalQueue": ApprovalQueue.objects.create(
            integration=integration,
            flow="ap_bills",
            source_id=f"wait-{tenant.slug}",
            label=f"Invoice of {tenant.slug} awaiting approval",
            idempotency_key=f"wait-key-{tenant.slug}",
            state="awaiting_approval",
        ),
        "BillReconciliation": BillReconciliation.objects.get(pk=integration.pk),
        "SyncRun": run,
        "AuditEvent": AuditEvent.objects.create(integration=integration, record=record, kind="read", message="r"),
        "Cursor": Cursor.objects.create(integration=integration, flow="procore_requisitions_to_bills"),
        "WebhookEvent": WebhookEvent.objects.create(connection=procore, event_id=f"ev-{tenant.slug}", body="{}"),
        "ApiUsage": ApiUsage.objects.create(connection=procore, calls=3),
    }
