"""Ledger list filters that cost nothing on a ledger of millions of rows.

Django's default filters ask the rows themselves which values exist (SELECT DISTINCT over the whole ledger, every
time the list is shown). Flows and integrations are known without reading the ledger: the flows come from the flow
table and the integrations the person may see, so the filters list those.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter

from connections.tenancy import scope_queryset

from .flows import FLOWS
from .models import Integration


class FlowFilter(admin.SimpleListFilter):
    title = "flow"
    parameter_name = "flow"  # the same parameter as the field filter it replaces (the dashboard links use it)

    def lookups(self, request, model_admin):
        keys = set(FLOWS)
        for flows in scope_queryset(Integration.objects.all(), request.user).values_list("flows", flat=True):
            keys.update(flows or [])
        return sorted(((key, FLOWS[key].label if key in FLOWS else key) for key in keys), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(flow=self.value()) if self.value() else queryset


class IntegrationFilter(RelatedFieldListFilter):
    """The integrations of the person's own tenants (not the distinct values of every ledger row)."""

    def field_choices(self, field, request, model_admin):
        integrations = scope_queryset(Integration.objects.order_by("name"), request.user)
        return [(integration.pk, str(integration)) for integration in integrations]
