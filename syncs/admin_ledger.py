"""The ledger's record page as a read-only timeline, and the ledger list's search by what finance users know.

A mixin for the ledger's ModelAdmin: the change page renders the timeline (syncs/timeline.py) instead of a form, and
a POST to it saves nothing (its only action, Replay, has its own URL). Search matches the document number, vendor,
project, source and destination ids, and an amount typed as a number ("1,250.00" or "1250").
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
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
        filtered = queryset  # already narrowed by the list's filters and the user's tenants
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        amount = as_amount(search_term)
        if amount is not None:
            queryset |= filtered.filter(amount=amount)
        return queryset, may_have_duplicates
