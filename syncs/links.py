"""Addresses of the pages that show or fix something, shared by the dashboard, the timeline and the alerts."""

from urllib.parse import urlencode

from django.urls import reverse


def ledger_url(**params) -> str:
    """The ledger list filtered by `params` (its changelist query parameters)."""
    return f"{reverse('admin:syncs_syncrecord_changelist')}?{urlencode(params)}"


def grid_url(integration_id: int, tab: str = "", query: str = "") -> str:
    """The mapping grid of an integration, on a tab and filtered to the rows matching `query` when given."""
    params = {key: value for key, value in (("tab", tab), ("q", query)) if value}
    return reverse("mappings:grid", args=[integration_id]) + (f"?{urlencode(params)}" if params else "")
