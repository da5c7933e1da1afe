"""Admin pages for reconciliations: one report per integration, flow and project, its lines, CSV, and fixes."""

import csv
import logging
from collections import Counter

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.html import format_html

from connections.errors import ApiError
from connections.models import Role
from connections.tenancy import ReadOnlyTenantAdmin, TenantScopedInline, has_role

from .models import ReconcileLine, ReconcileReport, ReconcileState
from .reconcile import FIXABLE, fix

log = logging.getLogger(__name__)

STATE_COLOURS = {
    ReconcileState.MATCHED: "#1a7f37",
    ReconcileState.AMOUNT_DIFFERS: "#b42318",
    ReconcileState.LINES_DIFFER: "#9a6700",
    ReconcileState.MISSING_IN_DESTINATION: "#b42318",
    ReconcileState.MISSING_IN_SOURCE: "#9a6700",
}
CSV_COLUMNS = [
    "scope",
    "state",
    "number",
    "vendor",
    "source_id",
    "destination_id",
    "source_total",
    "destination_total",
    "difference",
]


def lines_csv(lines, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow([line.report.scope, line.get_state_display()] + [getattr(line, c) for c in CSV_COLUMNS[2:]])
    return response


def fix_lines(modeladmin, request, lines) -> None:
    if not has_role(request.user, Role.FINANCE):
        raise PermissionDenied
    allowed = [line for line in lines if has_role(request.user, Role.FINANCE, line) and line.state in FIXABLE]
    counts = Counter()
    for line in allowed:
        # One line at a time: a source that cannot be read (down, or an id it no longer understands) is reported
        # on its line, and the other lines are still sent.
        try:
            counts.update(fix([line.pk], request.user))
        except (ApiError, ValueError, KeyError, TypeError) as exc:
            log.warning("Fixing reconciliation line %s failed: %s", line.pk, type(exc).__name__)
            counts["failed"] += 1
            modeladmin.message_user(
                request, f"{line.number or line.source_id}: the source document could not be read again.",
                messages.ERROR,
            )  # fmt: skip
    sent = len(allowed) - counts["failed"]
    modeladmin.message_user(request, f"Sent {sent} documents to the destination: {dict(counts)}.", messages.SUCCESS)


class ReconcileLineInline(TenantScopedInline, admin.TabularInline):
    model = ReconcileLine
    fields = ["state_badge", "number", "vendor", "source_total", "destination_total", "difference"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="State")
    def state_badge(self, obj):
        return format_html('<strong style="color:{}">{}</strong>', STATE_COLOURS[obj.state], obj.get_state_display())


@admin.register(ReconcileReport)
class ReconcileReportAdmin(ReadOnlyTenantAdmin):
    list_display = ["scope", "integration", "flow", "matched", "differing", "missing", "totals", "created_at"]
    list_filter = ["integration", "flow"]
    search_fields = ["scope"]
    list_select_related = ["integration"]
    inlines = [ReconcileLineInline]
    actions = ["export_csv", "fix_all"]
    exclude = ["run"]

    @admin.display(description="Matched")
    def matched(self, obj):
        return obj.counts.get(ReconcileState.MATCHED, 0)

    @admin.display(description="Differ")
    def differing(self, obj):
        return obj.counts.get(ReconcileState.AMOUNT_DIFFERS, 0) + obj.counts.get(ReconcileState.LINES_DIFFER, 0)

    @admin.display(description="Missing (here / there)")
    def missing(self, obj):
        here = obj.counts.get(ReconcileState.MISSING_IN_DESTINATION, 0)
        return f"{here} / {obj.counts.get(ReconcileState.MISSING_IN_SOURCE, 0)}"

    @admin.display(description="Committed: source / destination")
    def totals(self, obj):
        return f"{obj.source_total:,.2f} / {obj.destination_total:,.2f}"

    @admin.action(description="Export the selected reports' lines as CSV")
    def export_csv(self, request, queryset):
        lines = ReconcileLine.objects.filter(report__in=queryset).select_related("report").order_by("report", "state")
        return lines_csv(lines, "reconciliation.csv")

    @admin.action(description="Create or update in the destination every difference of the selected reports")
    def fix_all(self, request, queryset):
        fix_lines(self, request, ReconcileLine.objects.filter(report__in=queryset, state__in=FIXABLE))


@admin.register(ReconcileLine)
class ReconcileLineAdmin(ReadOnlyTenantAdmin):
    list_display = ["number", "state_badge", "vendor", "report", "source_total", "destination_total", "difference"]
    list_filter = ["state", "report__integration"]
    search_fields = ["number", "vendor", "source_id", "destination_id"]
    list_select_related = ["report__integration"]
    actions = ["create_or_update", "export_csv"]
    exclude = ["source_record"]

    @admin.display(description="State", ordering="state")
    def state_badge(self, obj):
        return format_html('<strong style="color:{}">{}</strong>', STATE_COLOURS[obj.state], obj.get_state_display())

    @admin.action(description="Create or update in the destination")
    def create_or_update(self, request, queryset):
        fix_lines(self, request, queryset.select_related("report"))

    @admin.action(description="Export as CSV")
    def export_csv(self, request, queryset):
        return lines_csv(queryset.select_related("report"), "reconciliation-lines.csv")
