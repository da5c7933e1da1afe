"""Admin pages for reference data, maps, their history, and the entry point to each integration's mapping grid."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from connections.models import Role
from connections.tenancy import ReadOnlyTenantAdmin, TenantScopedAdmin, has_role

from .models import (
    PROJECT_SOURCE_KINDS,
    AccountRule,
    ChangeSource,
    CostCodeMap,
    MapChange,
    MappingWorkspace,
    ProjectMap,
    ReferenceRecord,
    VendorMap,
)
from .pull import enqueue_pull
from .services import delete_map, save_map

#: (map model, autocomplete field) -> the kinds of reference item it may offer
AUTOCOMPLETE_KINDS = {
    ("vendormap", "source"): {"vendor"},
    ("vendormap", "destination"): {"vendor"},
    ("costcodemap", "account"): {"account"},
    ("projectmap", "source"): set(PROJECT_SOURCE_KINDS),
    ("projectmap", "destination"): {"project"},
}


@admin.register(ReferenceRecord)
class ReferenceRecordAdmin(ReadOnlyTenantAdmin):
    list_display = ["code", "name", "kind", "connection", "active", "missing_since", "last_seen_at"]
    list_filter = ["kind", "active", "connection"]
    search_fields = ["code", "name", "native_id"]
    list_select_related = ["connection"]
    actions = ["pull_now"]

    def get_search_results(self, request, queryset, search_term):
        """Map forms' autocompletes offer only active items of the kind the field takes."""
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        kinds = AUTOCOMPLETE_KINDS.get((request.GET.get("model_name", ""), request.GET.get("field_name", "")))
        if kinds:
            queryset = queryset.filter(kind__in=kinds).usable()
        return queryset, distinct

    @admin.action(description="Pull reference data now from the connections of the selected items")
    def pull_now(self, request, queryset):
        connections = {ref.connection for ref in queryset.select_related("connection")}
        if not all(has_role(request.user, Role.FINANCE, connection) for connection in connections):
            raise PermissionDenied("Pulling reference data needs the finance role.")
        for connection in connections:
            enqueue_pull(connection.pk)
        self.message_user(request, f"Pull queued for {len(connections)} connection(s).", messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not has_role(request.user, Role.FINANCE):
            actions.pop("pull_now", None)
        return actions


class MapAdmin(TenantScopedAdmin):
    """Saving and deleting go through the services, so history and re-queue happen as for the grid."""

    edit_role = Role.FINANCE
    list_select_related = True

    def save_model(self, request, obj, form, change):
        if not has_role(request.user, self.edit_role, obj):
            raise PermissionDenied("You cannot save records for this tenant.")
        save_map(obj, request.user, ChangeSource.ADMIN, validate=False)  # the form has validated it

    def delete_model(self, request, obj):
        delete_map(obj, request.user, ChangeSource.ADMIN)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_map(obj, request.user, ChangeSource.ADMIN)


@admin.register(VendorMap)
class VendorMapAdmin(MapAdmin):
    list_display = ["source", "destination", "integration", "updated_at"]
    list_filter = ["integration"]
    search_fields = ["source__name", "source__code", "destination__name", "destination__code"]
    list_select_related = ["source", "destination", "integration"]
    autocomplete_fields = ["integration", "source", "destination"]


@admin.register(CostCodeMap)
class CostCodeMapAdmin(MapAdmin):
    list_display = ["cost_code", "cost_type", "account", "dimensions", "integration", "updated_at"]
    list_filter = ["integration"]
    search_fields = ["cost_code", "cost_type", "account__code", "account__name"]
    list_select_related = ["account", "integration"]
    autocomplete_fields = ["integration", "account"]


@admin.register(ProjectMap)
class ProjectMapAdmin(MapAdmin):
    list_display = ["source", "destination", "integration", "updated_at"]
    list_filter = ["integration"]
    search_fields = ["source__name", "source__code", "destination__name", "destination__code"]
    list_select_related = ["source", "destination", "integration"]
    autocomplete_fields = ["integration", "source", "destination"]


@admin.register(AccountRule)
class AccountRuleAdmin(MapAdmin):
    list_display = ["order", "account_code", "cost_center", "description_pattern", "pattern_syntax", "cost_code",
                    "cost_type", "is_default", "integration"]
    list_filter = ["integration", "is_default"]
    search_fields = ["account_code", "cost_center", "description_pattern", "cost_code"]
    list_select_related = ["integration"]
    autocomplete_fields = ["integration"]
    ordering = ["integration", "is_default", "order", "id"]


@admin.register(MapChange)
class MapChangeAdmin(ReadOnlyTenantAdmin):
    list_display = ["at", "action", "map_kind", "row_id", "via", "actor", "integration"]
    list_filter = ["map_kind", "action", "via", "integration"]
    list_select_related = ["actor", "integration"]
    readonly_fields = ["integration", "map_kind", "row_id", "action", "via", "actor", "before", "after", "at"]


@admin.register(MappingWorkspace)
class MappingWorkspaceAdmin(ReadOnlyTenantAdmin):
    """One line per integration, linking to its mapping grid."""

    list_display = ["name", "source", "destination", "grid_link"]
    list_select_related = ["source", "destination"]
    search_fields = ["name"]
    list_display_links = None

    @admin.display(description="Mapping grid")
    def grid_link(self, obj):
        return format_html('<a href="{}">Open the mapping grid</a>', reverse("mappings:grid", args=[obj.pk]))
