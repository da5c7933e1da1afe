"""Admin pages for integrations, the ledger, runs, cursors, webhooks and the audit trail."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django_q.tasks import async_task

from connections.models import Role
from connections.tenancy import ReadOnlyTenantAdmin, TenantScopedAdmin, has_role

from .admin_filters import FlowFilter, IntegrationFilter
from .admin_fix import fix_urls
from .admin_ledger import SEARCH_HELP, SEARCH_PREFIX_FIELDS, RecordTimelineAdmin
from .engine import replay
from .models import Cursor, Integration, RecordState, SyncRecord, SyncRun, WebhookEvent
from .paging import CappedCountPaginator
from .progress import run_progress


@admin.register(Integration)
class IntegrationAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant", "source", "destination", "enabled", "poll_interval_minutes", "blocked"]
    list_filter = ["enabled", "tenant"]
    search_fields = ["name"]
    list_select_related = ["tenant", "source", "destination"]
    actions = ["run_now"]
    edit_role = Role.ADMIN

    def get_queryset(self, request):
        """The count of records waiting for a mapping comes with each row (one subquery on the (integration, state)
        index), not one query per row of the list."""
        waiting = (
            SyncRecord.objects.filter(integration=OuterRef("pk"), state=RecordState.NEEDS_MAPPING)
            .order_by()
            .values("integration")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(blocked_count=Coalesce(Subquery(waiting), 0))

    @admin.display(description="Waiting for a mapping", ordering="blocked_count")
    def blocked(self, obj):
        if hasattr(obj, "blocked_count"):
            return obj.blocked_count
        return obj.records.filter(state=RecordState.NEEDS_MAPPING).count()

    @admin.action(description="Run the selected integrations now")
    def run_now(self, request, queryset):
        if not has_role(request.user, Role.FINANCE):
            raise PermissionDenied
        started = 0
        for integration in queryset:
            if has_role(request.user, Role.FINANCE, integration):
                for flow_key in integration.flows:
                    async_task("syncs.tasks.run_flow_task", integration.pk, flow_key, "manual", group="manual-run")
                    started += 1
        self.message_user(request, f"Started {started} flow runs; results appear under Sync runs.", messages.SUCCESS)


@admin.register(SyncRecord)
class SyncRecordAdmin(RecordTimelineAdmin, TenantScopedAdmin):
    list_display = [
        "__str__", "integration", "flow", "state_badge", "amount", "attempts", "destination_id", "updated_at"
    ]
    list_filter = ["state", FlowFilter, ("integration", IntegrationFilter), "posted_at"]
    search_fields = SEARCH_PREFIX_FIELDS  # shows the search box; what a term matches is admin_ledger.search_filter
    search_help_text = SEARCH_HELP
    list_select_related = ["integration"]
    # A ledger of millions of rows: count pages up to a cap, and skip the second, unfiltered count.
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["replay_records"]
    readonly_fields = [f.name for f in SyncRecord._meta.fields] + ["errors_display"]
    fields = [
        "integration",
        "flow",
        "label",
        "source_id",
        "state",
        "errors_display",
        "last_error",
        "attempts",
        "next_attempt_at",
        "destination_id",
        "source_version",
        "posted_version",
        "posted_at",
        "idempotency_key",
        "canonical",
        "sent_payload",
        "created_at",
        "updated_at",
    ]
    inlines = []  # the timeline shows the record's audit events

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="State", ordering="state")
    def state_badge(self, obj):
        return format_html('<strong class="state state-{}">{}</strong>', obj.state, obj.get_state_display())

    @admin.display(description="What is missing")
    def errors_display(self, obj):
        if not obj.mapping_errors:
            return "-"
        return format_html_join("", "<div>{}</div>", ((error.get("message", ""),) for error in obj.mapping_errors))

    @admin.action(description="Replay selected records (new attempt, same destination key)")
    def replay_records(self, request, queryset):
        if not has_role(request.user, Role.FINANCE):
            raise PermissionDenied
        allowed = [r.pk for r in queryset if has_role(request.user, Role.FINANCE, r)]
        counts = replay(allowed, request.user)
        self.message_user(
            request,
            f"Replayed {counts['replayed']}; {counts['already_posted']} already posted (nothing sent); "
            f"{counts['busy']} busy.",
            messages.SUCCESS,
        )

    def get_urls(self):
        urls = super().get_urls()
        replay_url = path(
            "<path:object_id>/replay/", self.admin_site.admin_view(self.replay_view), name="syncs_syncrecord_replay"
        )
        return [replay_url, *fix_urls(self), *urls]

    def replay_view(self, request, object_id):
        record = self.get_object(request, object_id)
        if record is None:
            raise Http404
        if request.method != "POST" or not self.has_change_permission(request, record):
            raise PermissionDenied
        counts = replay([record.pk], request.user)
        if counts["already_posted"]:
            self.message_user(request, "Already posted: nothing was sent.", messages.INFO)
        else:
            self.message_user(request, "A new attempt was started.", messages.SUCCESS)
        return redirect(reverse("admin:syncs_syncrecord_change", args=[record.pk]))


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyTenantAdmin):
    list_display = ["integration", "flow", "trigger", "status", "progress", "started_at", "finished_at"]
    list_filter = ["status", "integration"]
    class Media:
        js = ["syncs/progress.js"]

    @admin.display(description="Records done")
    def progress(self, obj):
        return run_progress(obj)


@admin.register(Cursor)
class CursorAdmin(TenantScopedAdmin):
    list_display = ["integration", "flow", "position", "updated_at"]
    edit_role = Role.ADMIN


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyTenantAdmin):
    list_display = ["event_id", "connection", "status", "duplicates", "received_at"]
    list_filter = ["status", "connection"]


from . import admin_approval, admin_audit, admin_bills_reconcile, admin_dashboard, admin_reconcile  # noqa: E402, F401, I001
