"""The "Approval queue" admin page: documents of flows with approval, waiting with the payload they would send.

Finance users (and admins) approve or reject one by one (buttons on each row and on the preview page) or in bulk
(list actions); a rejection asks for a reason. Viewers see the queue and the previews, and no buttons. Rejected
documents stay listed under "Rejected" until they are fixed and sent again from their fix page.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from connections.models import Role
from connections.tenancy import TenantScopedAdmin, has_role, scope_queryset

from . import approval, screens
from .flows import FLOWS
from .models import ApprovalQueue, RecordState


class QueueStateFilter(admin.SimpleListFilter):
    """Waiting (the default) or rejected."""

    title = "state"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("waiting", "Awaiting approval"), ("rejected", "Rejected")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:  # no "All": the default is the queue itself
            yield {
                "selected": (self.value() or "waiting") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        state = RecordState.REJECTED if self.value() == "rejected" else RecordState.AWAITING_APPROVAL
        return queryset.filter(state=state)


def _summary(obj) -> screens.Document:
    cached = getattr(obj, "_document", None)
    if cached is None:
        cached = obj._document = screens.document(obj.canonical, obj.overrides)
    return cached


@admin.register(ApprovalQueue)
class ApprovalQueueAdmin(TenantScopedAdmin):
    list_display = ["document_link", "vendor", "amount", "document_date", "integration", "flow_label", "waiting"]
    list_display_links = None  # the document column carries its own link to the preview
    list_filter = [QueueStateFilter, "integration", "flow"]
    search_fields = ["label", "source_id"]
    list_select_related = ["integration"]
    actions = ["approve_selected", "reject_selected"]
    list_per_page = 50
    ordering = ["updated_at"]
    change_form_template = "admin/syncs/approvalqueue/preview.html"

    def get_queryset(self, request):
        states = [RecordState.AWAITING_APPROVAL, RecordState.REJECTED]
        return super().get_queryset(request).filter(state__in=states)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        decides = has_role(request.user, Role.FINANCE)
        return [*self.list_display, "decide"] if decides else self.list_display

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not has_role(request.user, Role.FINANCE):
            actions.pop("approve_selected", None)
            actions.pop("reject_selected", None)
        return actions

    # --- columns --------------------------------------------------------------------------------------------
    @admin.display(description="Document", ordering="label")
    def document_link(self, obj):
        url = reverse("admin:syncs_approvalqueue_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.label or obj.source_id)

    @admin.display(description="Vendor")
    def vendor(self, obj):
        return _summary(obj).vendor

    @admin.display(description="Amount")
    def amount(self, obj):
        doc = _summary(obj)
        return format_html('<span class="amount">{} {}</span>', f"{doc.total:,.2f}", doc.currency)

    @admin.display(description="Date")
    def document_date(self, obj):
        doc = _summary(obj)
        return format_html("{}{}", doc.date, " (override)" if "date" in doc.overridden else "")

    @admin.display(description="Flow", ordering="flow")
    def flow_label(self, obj):
        return FLOWS[obj.flow].label if obj.flow in FLOWS else obj.flow

    @admin.display(description="Waiting since", ordering="updated_at")
    def waiting(self, obj):
        return obj.updated_at

    @admin.display(description="Decide")
    def decide(self, obj):
        if obj.state != RecordState.AWAITING_APPROVAL:
            fix = reverse("admin:syncs_syncrecord_fix", args=[obj.pk])
            return format_html('<span class="muted">{}</span> <a href="{}">Fix and send again</a>', obj.last_error, fix)
        approve = reverse("admin:syncs_approvalqueue_approve", args=[obj.pk])
        reject = reverse("admin:syncs_approvalqueue_reject", args=[obj.pk])
        return format_html(
            '<button type="submit" class="button approve-one" formaction="{}" name="record" value="{}">Approve'
            '</button> <a class="button reject-one" href="{}">Reject&hellip;</a>',
            approve, obj.pk, reject,
        )  # fmt: skip

    # --- actions ----------------------------------------------------------------------------------------------
    def _allowed(self, request, queryset) -> list[int]:
        if not has_role(request.user, Role.FINANCE):
            raise PermissionDenied
        return [record.pk for record in queryset if has_role(request.user, Role.FINANCE, record)]

    @admin.action(description="Approve the selected documents (they are posted)")
    def approve_selected(self, request, queryset):
        counts = approval.approve(self._allowed(request, queryset), request.user)
        self._report(request, counts)

    @admin.action(description="Reject the selected documents (with a reason)")
    def reject_selected(self, request, queryset):
        ids = self._allowed(request, queryset)
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") and reason:
            self._report(request, approval.reject(ids, request.user, reason))
            return None
        if request.POST.get("confirm"):
            self.message_user(request, "Give the reason for the rejection.", messages.ERROR)
        records = self.get_queryset(request).filter(pk__in=ids, state=RecordState.AWAITING_APPROVAL)
        return self._reason_page(request, records, action="reject_selected")

    def _reason_page(self, request, records, action: str = "", form_url: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject documents",
            "opts": self.model._meta,
            "records": records,
            "action": action,
            "form_url": form_url,
            "reason": request.POST.get("reason", ""),
        }
        return TemplateResponse(request, "admin/syncs/approvalqueue/reject.html", context)

    def _report(self, request, counts: dict) -> None:
        done = counts.get("approved", 0) + counts.get("rejected", 0)
        verb = "Approved" if "approved" in counts else "Rejected"
        skipped = counts.get("not_waiting", 0)
        note = f"; {skipped} no longer waiting (decided already, or changed meanwhile)" if skipped else ""
        self.message_user(request, f"{verb} {done} document{'s' if done != 1 else ''}{note}.", messages.SUCCESS)

    # --- one by one -------------------------------------------------------------------------------------------
    def get_urls(self):
        def view(name, func):
            route = f"<path:object_id>/{name}/"
            return path(route, self.admin_site.admin_view(func), name=f"syncs_approvalqueue_{name}")

        return [view("approve", self.approve_view), view("reject", self.reject_view), *super().get_urls()]

    def _record_for_decision(self, request, object_id):
        # Any record of the user's tenants, not only those still waiting: a second click on a decided record is
        # answered "no longer waiting", not "not found".
        found = scope_queryset(ApprovalQueue.objects.select_related("integration"), request.user)
        record = found.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if record is None:
            raise Http404("No such record awaiting approval.")
        if not self.has_change_permission(request, record):
            raise PermissionDenied
        return record

    def approve_view(self, request, object_id):
        if request.method != "POST":
            raise PermissionDenied  # a link followed by accident never approves anything
        record = self._record_for_decision(request, object_id)
        self._report(request, approval.approve([record.pk], request.user))
        return redirect(self._next(request))

    def reject_view(self, request, object_id):
        record = self._record_for_decision(request, object_id)
        reason = request.POST.get("reason", "").strip()
        if request.method == "POST" and reason:
            self._report(request, approval.reject([record.pk], request.user, reason))
            return redirect(self._next(request))
        if request.method == "POST":
            self.message_user(request, "Give the reason for the rejection.", messages.ERROR)
        form_url = reverse("admin:syncs_approvalqueue_reject", args=[record.pk])
        return self._reason_page(request, [record], form_url=form_url)

    @staticmethod
    def _next(request) -> str:
        return reverse("admin:syncs_approvalqueue_changelist")

    # --- the preview page -------------------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        if record is None:
            raise Http404("No such record awaiting approval.")
        if not self.has_view_permission(request, record):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, record):
            raise PermissionDenied  # the page has no form: a viewer's POST changes nothing and is refused
        context = {
            **self.admin_site.each_context(request),
            "title": f"Approve {record.label or record.source_id}?",
            "opts": self.model._meta,
            "original": record,
            "document": _summary(record),
            "preview_text": screens.payload_text(record.preview),
            "preview_error": (record.preview or {}).get("error") if isinstance(record.preview, dict) else "",
            "flow": FLOWS.get(record.flow),
            "can_decide": has_role(request.user, Role.FINANCE, record),
            "waiting": record.state == RecordState.AWAITING_APPROVAL,
        }
        return TemplateResponse(request, self.change_form_template, context)
