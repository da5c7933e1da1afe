"""Builders for a tenant's worth of objects, one of every tenant-owned model."""

from connections.models import ApiUsage, Connection, Membership, Role
from syncs.models import AuditEvent, Cursor, Integration, SyncRecord, SyncRun, WebhookEvent


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
        tenant=tenant, name=f"Integration {tenant.slug}", source=procore, destination=acumatica
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
    return {
        "Tenant": tenant,
        "Connection": procore,
        "Membership": Membership.objects.get(user=member),
        "Integration": integration,
        "SyncRecord": record,
        "SyncRun": run,
        "AuditEvent": AuditEvent.objects.create(
            integration=integration, record=record, kind="read", message="r"
        ),
        "Cursor": Cursor.objects.create(integration=integration, flow="procore_requisitions_to_bills"),
        "WebhookEvent": WebhookEvent.objects.create(
            connection=procore, event_id=f"ev-{tenant.slug}", body="{}"
        ),
        "ApiUsage": ApiUsage.objects.create(connection=procore, calls=3),
    }
