"""Admin pages for integrations, the ledger, runs, cursors, webhooks and the audit trail."""

from django.contrib import admin

from connections.models import Role
from connections.tenancy import ReadOnlyTenantAdmin, TenantScopedAdmin

from .models import AuditEvent, Cursor, Integration, SyncRecord, SyncRun, WebhookEvent


@admin.register(Integration)
class IntegrationAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant", "source", "destination", "enabled", "poll_interval_minutes"]
    list_filter = ["enabled", "tenant"]
    search_fields = ["name"]
    list_select_related = ["tenant", "source", "destination"]
    edit_role = Role.ADMIN


@admin.register(SyncRecord)
class SyncRecordAdmin(TenantScopedAdmin):
    list_display = ["__str__", "integration", "flow", "state", "attempts", "destination_id", "updated_at"]
    list_filter = ["state", "flow", "integration"]
    search_fields = ["label", "source_id", "destination_id"]
    list_select_related = ["integration"]


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyTenantAdmin):
    list_display = ["integration", "flow", "trigger", "status", "started_at", "finished_at"]
    list_filter = ["status", "integration"]


@admin.register(Cursor)
class CursorAdmin(TenantScopedAdmin):
    list_display = ["integration", "flow", "position", "updated_at"]
    edit_role = Role.ADMIN


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyTenantAdmin):
    list_display = ["event_id", "connection", "status", "duplicates", "received_at"]
    list_filter = ["status", "connection"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "kind", "integration", "record", "actor", "message"]
    list_filter = ["kind", "integration"]
    search_fields = ["message"]
