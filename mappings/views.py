"""The mapping grid: unmapped and mapped items of one integration, edited where finance staff work.

Server-rendered forms. Every view scopes the integration to the user's tenants (another tenant's id is a 404)
and every change needs the finance role in the integration's tenant (viewers read only).
"""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from connections.models import Role
from connections.tenancy import has_role, scope_queryset
from syncs.models import Integration, JobKind
from syncs.progress import JobTracker

from . import accept, csv_io
from .grid import (
    RowState,
    blocking,
    cost_code_rows,
    destination_items,
    dimension_kinds,
    filter_rows,
    project_rows,
    unmatched_lines,
    vendor_rows,
)
from .models import (
    PROJECT_SOURCE_KINDS,
    AccountRule,
    ChangeSource,
    CostCodeMap,
    MapChange,
    ProjectMap,
    ReferenceRecord,
    RefKind,
    VendorMap,
)
from .pull import enqueue_tracked_pull
from .resolve import Maps
from .services import delete_map

PAGE_SIZE = 50
TABS = {
    "vendors": "Vendors",
    "cost_codes": "Cost codes",
    "projects": "Projects",
    "account_rules": "Account rules",
    "history": "History",
}


def _integration(request, pk: int, edit: bool = False) -> Integration:
    """The integration if the user may see it (404 otherwise), and edit it when `edit` (403 otherwise)."""
    integration = get_object_or_404(
        scope_queryset(Integration.objects.select_related("source", "destination", "tenant"), request.user), pk=pk
    )
    if edit and not has_role(request.user, Role.FINANCE, integration):
        raise PermissionDenied("Editing maps needs the finance role.")
    return integration


def _back(request, integration) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("mappings:grid", args=[integration.pk])


@staff_member_required
@require_GET
def index(request):
    integrations = scope_queryset(Integration.objects.select_related("source", "destination"), request.user)
    return render(request, "mappings/index.html", {"integrations": integrations, "title": "Mapping grids"})


@staff_member_required
@require_GET
def grid(request, pk: int):
    integration = _integration(request, pk)
    tab = request.GET.get("tab", "vendors")
    if tab not in TABS:
        raise Http404("No such tab.")
    state, query = request.GET.get("state", ""), request.GET.get("q", "")
    maps = Maps(integration)
    block = blocking(integration, maps)
    context = {
        "integration": integration,
        "title": f"Mappings: {integration.name}",
        "tab": tab,
        "tabs": TABS,
        "state": state,
        "states": [("", "All"), *RowState.choices],
        "q": query,
        "can_edit": has_role(request.user, Role.FINANCE, integration),
        "blocked_records": block.records,
        "threshold": accept.DEFAULT_THRESHOLD,
    }
    context.update(_tab_context(request, integration, tab, maps, block, state, query))
    return render(request, "mappings/grid.html", context)


def _tab_context(request, integration, tab, maps, block, state, query) -> dict:
    if tab == "account_rules":
        rules = AccountRule.objects.filter(integration=integration).order_by("is_default", "order", "id")
        return {"rules": rules, "unmatched": unmatched_lines(block)}
    if tab == "history":
        changes = MapChange.objects.filter(integration=integration).select_related("actor")
        return {"page": Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))}
    if tab == "vendors":
        rows = vendor_rows(integration, maps, block)
        choices = destination_items(integration, RefKind.VENDOR)
        extra = {}
    elif tab == "projects":
        rows = project_rows(integration, maps, block)
        choices = destination_items(integration, RefKind.PROJECT)
        extra = {}
    else:
        rows = cost_code_rows(integration, maps, block)
        choices = destination_items(integration, RefKind.ACCOUNT)
        kinds = dimension_kinds(integration)
        extra = {"dimension_choices": [(kind, list(destination_items(integration, kind))) for kind in kinds]}
    unknown = [error for key, error in block.details.items() if key.startswith("vendor:")] if tab == "vendors" else []
    known = {f"vendor:{row.source.native_id}" for row in rows} if tab == "vendors" else set()
    page = Paginator(filter_rows(rows, state, query), PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page if tab == "cost_codes" else []:
        chosen = (row.map.dimensions or {}) if row.map else {}
        row.dimension_fields = [(kind, items, chosen.get(kind)) for kind, items in extra["dimension_choices"]]
    return {
        "page": page,
        "choices": list(choices),
        "not_pulled": [error for error in unknown if error["key"] not in known],
        **extra,
    }


def _reference_or_404(pk_text: str, connection_id: int, kind: str) -> ReferenceRecord:
    """A reference item of this side of the integration; anything else (another tenant's id, a typo, a word) is
    answered the same way, so nothing about other tenants' data can be learnt from the answer."""
    if not str(pk_text).isdigit():
        raise Http404("No such item on this side of the integration.")
    ref = ReferenceRecord.objects.filter(pk=int(pk_text), connection_id=connection_id, kind=kind).first()
    if ref is None:
        raise Http404("No such item on this side of the integration.")
    return ref


#: map kind -> (its model, the source kinds it maps, the destination kind, how a change is saved)
REFERENCE_MAPS = {
    "vendor": (VendorMap, {RefKind.VENDOR}, RefKind.VENDOR, accept.map_vendor),
    "project": (ProjectMap, PROJECT_SOURCE_KINDS, RefKind.PROJECT, accept.map_project),
}


def _save_reference_map(request, pk: int, source_id: int, map_kind: str):
    """Map (or unmap, with an empty choice) one source item to a destination item; also how a suggestion is
    accepted."""
    model, source_kinds, destination_kind, save = REFERENCE_MAPS[map_kind]
    integration = _integration(request, pk, edit=True)
    source = get_object_or_404(
        ReferenceRecord, pk=source_id, connection_id=integration.source_id, kind__in=source_kinds
    )
    via = ChangeSource.SUGGESTION if request.POST.get("via") == "suggestion" else ChangeSource.GRID
    destination_id = request.POST.get("destination", "")
    try:
        if destination_id:
            destination = _reference_or_404(destination_id, integration.destination_id, destination_kind)
            save(integration, source, destination, request.user, via)
            messages.success(request, f"{source.label} now maps to {destination.label}.")
        else:
            for row in model.objects.filter(integration=integration, source=source):
                delete_map(row, request.user, ChangeSource.GRID)
            messages.success(request, f"{source.label} is no longer mapped.")
    except ValidationError as exc:
        messages.error(request, f"{source.label}: {' '.join(exc.messages)}")
    return redirect(_back(request, integration))


@staff_member_required
@require_POST
def save_vendor(request, pk: int, source_id: int):
    return _save_reference_map(request, pk, source_id, "vendor")


@staff_member_required
@require_POST
def save_project(request, pk: int, source_id: int):
    """A source project, job, class or cost center -> the destination project its lines post to."""
    return _save_reference_map(request, pk, source_id, "project")


@staff_member_required
@require_POST
def save_cost_code(request, pk: int):
    """Map (or unmap, with an empty account) one source cost code + cost type."""
    integration = _integration(request, pk, edit=True)
    code, cost_type = request.POST.get("cost_code", "").strip(), request.POST.get("cost_type", "").strip()
    if not code:
        raise Http404("No cost code given.")
    label = f"{code} / {cost_type or 'any cost type'}"
    via = ChangeSource.SUGGESTION if request.POST.get("via") == "suggestion" else ChangeSource.GRID
    try:
        account_id = request.POST.get("account", "")
        if not account_id:
            for row in CostCodeMap.objects.filter(integration=integration, cost_code=code, cost_type=cost_type):
                delete_map(row, request.user, ChangeSource.GRID)
            messages.success(request, f"{label} is no longer mapped.")
            return redirect(_back(request, integration))
        account = _reference_or_404(account_id, integration.destination_id, "account")
        dimensions = {
            kind: request.POST[f"dim_{kind}"]
            for kind in dimension_kinds(integration)
            if request.POST.get(f"dim_{kind}")
        }
        accept.map_cost_code(integration, code, cost_type, account, request.user, dimensions, via)
        messages.success(request, f"{label} now posts to {account.label}.")
    except ValidationError as exc:
        messages.error(request, f"{label}: {' '.join(exc.messages)}")
    return redirect(_back(request, integration))


@staff_member_required
@require_POST
def accept_all(request, pk: int):
    integration = _integration(request, pk, edit=True)
    try:
        threshold = min(max(float(request.POST.get("threshold", accept.DEFAULT_THRESHOLD)), 0.5), 1.0)
    except ValueError:
        threshold = accept.DEFAULT_THRESHOLD
    counts = accept.accept_all(integration, request.user, threshold)
    messages.success(
        request,
        f"Accepted {counts['vendor']} vendor, {counts['project']} project and {counts['cost_code']} "
        "cost code suggestions "
        f"scoring {threshold:.0%} or more (ambiguous ones are left for you).",
    )
    return redirect(_back(request, integration))


@staff_member_required
@require_POST
def pull_now(request, pk: int):
    integration = _integration(request, pk, edit=True)
    enqueue_tracked_pull(integration, request.user)  # followed by the progress bar on the grid
    messages.success(request, "Reference data pull queued for both connections.")
    return redirect(_back(request, integration))


@staff_member_required
@require_GET
def export_csv(request, pk: int, kind: str):
    integration = _integration(request, pk)
    if kind not in csv_io.KINDS:
        raise Http404("No such map.")
    response = HttpResponse(csv_io.export_csv(integration, kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="integration-{integration.pk}-{kind}.csv"'
    return response


@staff_member_required
@require_POST
def import_csv(request, pk: int, kind: str):
    integration = _integration(request, pk, edit=True)
    if kind not in csv_io.KINDS:
        raise Http404("No such map.")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a CSV file to import.")
        return redirect(_back(request, integration))
    tracker = JobTracker.begin(integration, JobKind.IMPORT, f"{TABS.get(kind, kind)} from {upload.name}"[:300])
    try:
        result = csv_io.import_csv(integration, kind, upload.read(), request.user, progress=tracker)
    except Exception as exc:
        tracker.fail(f"Failed: {type(exc).__name__}")
        raise
    if result.ok:
        tracker.finish(f"{len(result.changes)} row(s) changed")
        messages.success(request, f"Imported: {len(result.changes)} row(s) changed.")
        return redirect(_back(request, integration))
    tracker.fail(f"Refused: {len(result.errors)} error(s); nothing was imported")
    context = {"integration": integration, "kind": kind, "errors": result.errors, "title": "Import refused"}
    return render(request, "mappings/import_errors.html", context, status=400)
