"""Admin pages "Invoices vs AP bills vs paid": per integration, per project, drill-down to the invoices, CSV export,
and a replay of what differs (with a reason, for finance users). The commitments reconciliation lives in
admin_reconcile.py; this one is read from the ledger of the bill flows and their status flows."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from connections.models import Role
from connections.tenancy import ReadOnlyTenantAdmin, has_role

from . import bills_reconcile as bills
from .models import BillReconciliation, SyncRecord


@admin.register(BillReconciliation)
class BillReconciliationAdmin(ReadOnlyTenantAdmin):
    list_display = ["name_link", "source", "destination", "invoices", "not_in_books", "differing"]
    list_select_related = ["source", "destination"]
    search_fields = ["name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        with_bills = [integration.pk for integration in queryset if bills.bill_flows(integration)]
        return queryset.filter(pk__in=with_bills)

    def _projects(self, obj):
        cached = getattr(obj, "_projects", None)
        if cached is None:
            cached = obj._projects = bills.reconcile(obj)
        return cached

    @admin.display(description="Integration", ordering="name")
    def name_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:syncs_billreconciliation_change", args=[obj.pk]), obj)

    @admin.display(description="Invoices")
    def invoices(self, obj):
        return sum(len(project.lines) for project in self._projects(obj))

    @admin.display(description="Not in the books")
    def not_in_books(self, obj):
        return sum(project.count(bills.LineState.NOT_POSTED) for project in self._projects(obj))

    @admin.display(description="Other differences")
    def differing(self, obj):
        states = [s for s in bills.LineState if s not in (bills.LineState.MATCHED, bills.LineState.NOT_POSTED)]
        return sum(project.count(*states) for project in self._projects(obj))

    def get_urls(self):
        def view(name, func):
            route = f"<path:object_id>/{name}/"
            return path(route, self.admin_site.admin_view(func), name=f"syncs_billreconciliation_{name}")

        return [view("csv", self.csv_view), view("replay", self.replay_view), *super().get_urls()]

    def _integration(self, request, object_id):
        integration = self.get_object(request, object_id)
        if integration is None:
            raise Http404("No such integration.")
        return integration

    def change_view(self, request, object_id, form_url="", extra_context=None):
        integration = self._integration(request, object_id)
        if request.method == "POST" and not has_role(request.user, Role.FINANCE, integration):
            raise PermissionDenied
        projects = self._projects(integration)
        chosen = request.GET.get("project")
        shown = [project for project in projects if project.key == chosen] if chosen is not None else []
        context = {
            **self.admin_site.each_context(request),
            "title": f"Invoices vs AP bills vs paid: {integration.name}",
            "opts": self.model._meta,
            "original": integration,
            "projects": projects,
            "project": shown[0] if shown else None,
            "counts": bills.counts(projects),
            "states": bills.LineState,
            "replayable": [state.value for state in bills.REPLAYABLE],
            "can_fix": has_role(request.user, Role.FINANCE, integration),
        }
        return TemplateResponse(request, "admin/syncs/billreconciliation/report.html", context)

    def csv_view(self, request, object_id):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        integration = self._integration(request, object_id)
        projects = self._projects(integration)
        if request.GET.get("project") is not None:
            projects = [project for project in projects if project.key == request.GET["project"]]
        response = HttpResponse(bills.to_csv(projects), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="invoices-integration-{integration.pk}.csv"'
        return response

    def replay_view(self, request, object_id):
        """Send again the selected invoices (or their paid status) of this integration, with a reason."""
        integration = self._integration(request, object_id)
        if request.method != "POST" or not has_role(request.user, Role.FINANCE, integration):
            raise PermissionDenied
        back = reverse("admin:syncs_billreconciliation_change", args=[integration.pk])
        if request.POST.get("project") is not None:
            back += f"?project={request.POST['project']}"
        reason = request.POST.get("reason", "").strip()
        ids = [value for value in request.POST.getlist("record") if value.isdigit()]
        # Only this integration's rows: an id of another integration or tenant is ignored, never replayed.
        records = list(SyncRecord.objects.filter(integration=integration, pk__in=ids).values_list("pk", flat=True))
        if not records:
            self.message_user(request, "Select the invoices to send again.", messages.ERROR)
            return redirect(back)
        if not reason:
            self.message_user(request, "Give the reason for sending them again.", messages.ERROR)
            return redirect(back)
        counts = bills.send_again(integration, records, request.user, reason)
        self.message_user(
            request,
            f"Sent again: {counts['replayed']}; already in the books (nothing sent): {counts['already_posted']}; "
            f"busy: {counts['busy']}.",
            messages.SUCCESS,
        )
        return redirect(back)
