"""The fix page of a ledger record that failed, waits for a mapping, or was rejected: fix, see the new preview, replay.

A missing mapping links straight to its row of the mapping grid; a field the flow allows to override (e.g. the
posting date, when the period is closed in the ERP) can be set here; the page then shows the payload the record
would send now, and "Replay" starts a new attempt. Every change and every replay needs a reason, which goes into
the audit trail with the person's name. Viewers see the page without its forms.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import approval, overrides, screens
from .engine import replay
from .flows import FLOWS, POST, flow_options
from .models import RecordState

#: states a person may fix and replay from this page
FIXABLE = (
    RecordState.FAILED,
    RecordState.DEAD,
    RecordState.NEEDS_MAPPING,
    RecordState.CONFLICT,
    RecordState.REJECTED,
    RecordState.AWAITING_APPROVAL,
)


def fix_urls(model_admin) -> list:
    """The fix page's URL, served by the ledger's admin (so it is scoped and permissioned like the record)."""
    view = model_admin.admin_site.admin_view(lambda request, object_id: fix_view(model_admin, request, object_id))
    return [path("<path:object_id>/fix/", view, name="syncs_syncrecord_fix")]


def fix_view(model_admin, request, object_id):
    record = model_admin.get_object(request, object_id)
    if record is None:
        raise Http404("No such record.")
    if not model_admin.has_view_permission(request, record):
        raise PermissionDenied
    if request.method == "POST":
        if not model_admin.has_change_permission(request, record):
            raise PermissionDenied
        return _act(model_admin, request, record)
    return _page(model_admin, request, record)


def _act(model_admin, request, record):
    here = reverse("admin:syncs_syncrecord_fix", args=[record.pk])
    reason = request.POST.get("reason", "").strip()
    if record.state not in FIXABLE or record.flow not in FLOWS:
        model_admin.message_user(request, f"A {record.get_state_display().lower()} record is not fixed here.",
                                 messages.ERROR)  # fmt: skip
        return redirect(here)
    options = flow_options(record.integration, FLOWS[record.flow])
    values = {name: request.POST.get(f"override_{name}", "") for name in overrides.allowed(options)}
    try:
        if values and values != _current(record, options):
            approval.set_overrides(record, values, request.user, reason)
            model_admin.message_user(request, "Overrides saved; the preview below is what would be sent now.",
                                     messages.SUCCESS)  # fmt: skip
    except ValidationError as exc:
        model_admin.message_user(request, " ".join(exc.messages), messages.ERROR)
        return _page(model_admin, request, record, typed=values, reason=reason)
    if request.POST.get("do") == "replay":
        if not reason:
            model_admin.message_user(request, "Give the reason for the replay.", messages.ERROR)
            return _page(model_admin, request, record, typed=values)
        counts = replay([record.pk], request.user, reason)
        said = "A new attempt was started." if counts["replayed"] else "Nothing was started (busy or already posted)."
        model_admin.message_user(request, said, messages.SUCCESS if counts["replayed"] else messages.WARNING)
        return redirect(reverse("admin:syncs_syncrecord_change", args=[record.pk]))
    return redirect(here)


def _current(record, options) -> dict:
    return {name: (record.overrides or {}).get(name, "") for name in overrides.allowed(options)}


def _page(model_admin, request, record, typed: dict | None = None, reason: str = ""):
    flow = FLOWS.get(record.flow)
    options = flow_options(record.integration, flow) if flow else {}
    source = screens.document(record.canonical)
    current = typed if typed is not None else _current(record, options)
    fields = [
        {"name": name, "label": overrides.FIELDS[name][0], "help": overrides.FIELDS[name][1],
         "source": getattr(source, name, ""), "value": current.get(name, ""),
         "type": "date" if overrides.FIELDS[name][2] == "date" else "text"}
        for name in overrides.allowed(options)
    ]  # fmt: skip
    preview, missing = (None, record.mapping_errors) if not flow or flow.kind != POST else approval.preview_now(record)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Fix and replay: {record.label or record.source_id}",
        "opts": model_admin.model._meta,
        "original": record,
        "document": screens.document(record.canonical, record.overrides),
        "fixes": screens.mapping_fixes(record.integration, missing),
        "fields": fields,
        "preview_text": screens.payload_text(preview),
        "preview_error": (preview or {}).get("error", "") if isinstance(preview, dict) else "",
        "can_edit": model_admin.has_change_permission(request, record) and record.state in FIXABLE,
        "fixable": record.state in FIXABLE,
        "reason": reason,
        "needs_approval": approval.required(options),
    }
    return TemplateResponse(request, "admin/syncs/syncrecord/fix.html", context)
