"""The ledger's record page as a read-only timeline, and the ledger list's search by what finance users know.

A mixin for the ledger's ModelAdmin: the change page renders the timeline (syncs/timeline.py) instead of a form, and
a POST to it saves nothing (its only action, Replay, has its own URL). Search is `search_filter`: what the term
starts with, over the columns finance users know.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect

from . import timeline


def as_amount(term: str) -> Decimal | None:
    """A search term read as an amount, or None when it is not one."""
    cleaned = term.strip().replace(",", "").lstrip("$€£")
    if not cleaned or not any(char.isdigit() for char in cleaned):
        return None
    try:
        return Decimal(cleaned).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


#: The ledger columns a search term is matched against. Each has a case-insensitive index for a prefix match
#: (migration 0010_admin_speed): COLLATE NOCASE on SQLite, UPPER(column) text_pattern_ops on PostgreSQL. The amount
#: has its own (ledger_amount_set), so every alternative of a search is an index read.
SEARCH_PREFIX_FIELDS = ["document_number", "vendor_name", "project_name", "source_id", "destination_id"]
SEARCH_HELP = (
    "Finds records whose document number, vendor, project, source id or destination id starts with what you type "
    "(any case), or whose amount is the number typed."
)


def search_filter(term: str, path: str = "") -> Q | None:
    """The ledger rows a search term finds (None for a blank term): those whose document number, vendor, project,
    source id or destination id starts with the whole term, ignoring case ("inv-2024" finds INV-2024-88, "Apex Con"
    finds Apex Concrete), and those whose amount equals the term read as a number ("1,250.00", "$1250"). The term is
    one phrase, not words matched separately. A prefix, not a match anywhere in the text: each column is an index
    range read, where "contains" reads every row of a ledger of millions. `path` leads from another model to the
    ledger row ("record__" for audit events)."""
    term = term.strip()
    if not term:
        return None
    found = Q()
    for field in SEARCH_PREFIX_FIELDS:
        found |= Q(**{f"{path}{field}__istartswith": term})
    amount = as_amount(term)
    if amount is not None:
        found |= Q(**{f"{path}amount": amount})
    return found


class RecordTimelineAdmin:
    change_form_template = "admin/syncs/syncrecord/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        if request.method == "POST":
            # Nothing on this page is edited (replay and fixes have their own pages): refused or missing as for a
            # save, otherwise answered with the page again and nothing written.
            if record is None:
                raise Http404("No ledger record with this id.")
            if not self.has_change_permission(request, record):
                raise PermissionDenied
            return redirect(request.path)
        if record is not None and self.has_view_permission(request, record):
            extra_context = {**(extra_context or {}), **timeline.context(record)}
            extra_context["title"] = "Ledger record"  # the record's own name is the page's subtitle
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        # `queryset` is already narrowed by the list's filters and the user's tenants; no join, so no duplicates.
        found = search_filter(search_term)
        return (queryset if found is None else queryset.filter(found)), False
