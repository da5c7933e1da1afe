"""The audit log: every audit event of the user's tenants, filtered by integration, flow, kind, actor and date,
exported as CSV (the rows the filters select, streamed). Read-only: audit events are append-only."""

import csv

from django.contrib import admin
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, StreamingHttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from connections.tenancy import ReadOnlyTenantAdmin

from .flows import FLOWS
from .models import AuditEvent

CSV_COLUMNS = ["created_at", "integration", "flow", "record", "kind", "actor", "message"]


class FlowFilter(admin.SimpleListFilter):
    """The flow of the record (or the run) an event belongs to."""

    title = "flow"
    parameter_name = "flow"

    def lookups(self, request, model_admin):
        return [(key, flow.label) for key, flow in FLOWS.items()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(record__flow=self.value()) | queryset.filter(record=None, run__flow=self.value())
        return queryset


class _Echo:
    """A file-like sink for csv.writer that hands each row back instead of storing it."""

    def write(self, value):
        return value


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "kind", "integration", "record_link", "flow", "actor", "message"]
    list_filter = ["kind", "integration", FlowFilter, ("actor", RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["message", "record__label", "record__document_number"]
    list_select_related = ["integration", "record", "run", "actor"]
    actions = ["export_csv"]
    change_list_template = "admin/syncs/auditevent/change_list.html"
    show_full_result_count = False  # a count of millions of rows per page view is not worth its query

    @admin.display(description="Record")
    def record_link(self, obj):
        if obj.record_id is None:
            return "-"
        url = reverse("admin:syncs_syncrecord_change", args=[obj.record_id])
        return format_html('<a href="{}">{}</a>', url, obj.record)

    @admin.display(description="Flow")
    def flow(self, obj):
        return (obj.record and obj.record.flow) or (obj.run and obj.run.flow) or "-"

    @admin.action(description="Export the selected events as CSV")
    def export_csv(self, request, queryset):
        return self.csv_response(queryset)

    def get_urls(self):
        export = path("export.csv", self.admin_site.admin_view(self.export_view), name="syncs_auditevent_export")
        return [export, *super().get_urls()]

    def export_view(self, request):
        """Every event the list's current filters and search select, as CSV."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("These filters are not valid for the audit log.")
        return self.csv_response(changelist.get_queryset(request))

    def csv_response(self, queryset):
        writer = csv.writer(_Echo())
        rows = queryset.select_related(*self.list_select_related).order_by("created_at", "id").iterator(2000)

        def lines():
            yield writer.writerow(CSV_COLUMNS)
            for event in rows:
                actor = event.actor.get_username() if event.actor else "system"
                yield writer.writerow([
                    event.created_at.isoformat(), event.integration, self.flow(event), event.record or "",
                    event.get_kind_display(), actor, event.message,
                ])  # fmt: skip

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response
