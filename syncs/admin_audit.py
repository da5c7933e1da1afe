"""The audit log: every audit event of the user's tenants, filtered by integration, flow, kind, actor and date,
searched by its ledger record (the ledger's search, syncs/admin_ledger.search_filter), exported as CSV (the rows the
filters select, streamed). Read-only: audit events are append-only.

Built for millions of events: the filters list their choices without reading the events, the count stops at a cap,
and search reads the ledger's indexes, never every message.
"""

import csv

from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, StreamingHttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from connections.models import Membership
from connections.tenancy import ReadOnlyTenantAdmin, scope_queryset

from .admin_filters import IntegrationFilter
from .admin_ledger import SEARCH_HELP, SEARCH_PREFIX_FIELDS, search_filter
from .flows import FLOWS
from .models import AuditEvent
from .paging import CappedCountPaginator

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


class ActorFilter(RelatedFieldListFilter):
    """The people of the user's tenants (not the distinct actors of millions of events, read on every view)."""

    def field_choices(self, field, request, model_admin):
        tenants = scope_queryset(Membership.objects.all(), request.user).values("tenant_id")
        people = get_user_model().objects.filter(memberships__tenant_id__in=tenants).distinct().order_by("username")
        return [(person.pk, str(person)) for person in people]


class _Echo:
    """A file-like sink for csv.writer that hands each row back instead of storing it."""

    def write(self, value):
        return value


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "kind", "integration", "record_link", "flow", "actor", "message"]
    list_filter = ["kind", ("integration", IntegrationFilter), FlowFilter, ("actor", ActorFilter), "created_at"]
    search_fields = [f"record__{name}" for name in SEARCH_PREFIX_FIELDS]  # shows the box; see get_search_results
    search_help_text = SEARCH_HELP
    # The actor is prefetched (get_queryset), not joined: with a LEFT JOIN of the users SQLite's planner sorts every
    # event instead of reading the newest from the created_at index.
    list_select_related = ["integration", "record", "run"]
    actions = ["export_csv"]
    change_list_template = "admin/syncs/auditevent/change_list.html"
    paginator = CappedCountPaginator
    show_full_result_count = False  # a count of millions of rows per page view is not worth its query

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actor")

    def get_search_results(self, request, queryset, search_term):
        """The events of the ledger records the ledger's search finds (document number, vendor, project, source or
        destination id by prefix, or amount). Messages are not searched: matching text inside millions of messages
        reads every one of them."""
        found = search_filter(search_term, path="record__")
        return (queryset if found is None else queryset.filter(found)), False

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
