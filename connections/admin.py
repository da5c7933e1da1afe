"""Admin pages for tenants, memberships and connections."""

import logging

import django_q.admin  # noqa: F401  (register django-q2's admins first, so they can be restricted below)
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.html import format_html

from .forms import ConnectionForm
from .models import ApiUsage, Connection, Membership, Role, Tenant
from .registry import SYSTEMS, get_system
from .tenancy import (
    ReadOnlyTenantAdmin,
    TenantScopedAdmin,
    TenantScopedInline,
    has_role,
    restrict_app_to_superusers,
)

log = logging.getLogger(__name__)


def exc_summary(exc) -> str:
    """What a failed test says without any of the answer's body: the first clause of our own message."""
    text = str(exc)
    for marker in (" -> ", ": {", ": <"):
        text = text.split(marker)[0]
    return text[:200]

admin.site.site_header = "ml-connector"
admin.site.site_title = "ml-connector"
admin.site.index_title = "Integrations"

# A schedule's function path is code the worker will execute: only superusers may see or edit django-q2's pages.
restrict_app_to_superusers(admin.site, "django_q")


class MembershipInline(TenantScopedInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    edit_role = Role.ADMIN


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    edit_role = Role.ADMIN

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "tenant", "role"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username", "user__email", "tenant__name"]
    autocomplete_fields = ["user", "tenant"]
    edit_role = Role.ADMIN


@admin.register(Connection)
class ConnectionAdmin(TenantScopedAdmin):
    list_display = [
        "name",
        "tenant",
        "system",
        "environment",
        "status_badge",
        "token_expires_at",
        "updated_at",
    ]
    list_filter = ["system", "status", "environment", "tenant"]
    search_fields = ["name", "tenant__name"]
    list_select_related = ["tenant"]
    readonly_fields = ["system", "uuid", "webhook_path", "token_expires_at", "created_at", "updated_at"]
    actions = ["test_connection", "register_webhooks"]
    edit_role = Role.ADMIN

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from .consent_origin import allow_consent_page

        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method != "GET" or not hasattr(response, "headers"):
            return response
        return allow_consent_page(response, self.get_object(request, object_id))

    @admin.action(description="Create the webhook (and its triggers) in the vendor's system")
    def register_webhooks(self, request, queryset):
        """Set up each connection's webhooks as its registry entry's scheme says (syncs/webhook_setup.py): a new
        secret of ours where the vendor sends one back, a subscription only where the vendor signs with the app's."""
        from django.urls import reverse

        from syncs.webhook_setup import WebhooksNotSupported, set_up

        from .errors import ApiError

        for connection in queryset:
            if not has_role(request.user, Role.ADMIN, connection):
                self.message_user(request, f"{connection}: webhooks cannot be created from here.", messages.WARNING)
                continue
            url = request.build_absolute_uri(reverse("webhook", args=[connection.uuid]))
            try:
                done = set_up(connection, url)
            except WebhooksNotSupported as exc:
                self.message_user(request, f"{connection}: {exc}; they cannot be created from here.", messages.WARNING)
                continue
            except ApiError as exc:
                self.message_user(request, f"{connection}: {exc}", messages.ERROR)
                continue
            self.message_user(request, f"{connection}: webhook ready at {url} ({done.summary}).", messages.SUCCESS)

    @admin.action(description="Test the selected connections (sign in and one cheap read)")
    def test_connection(self, request, queryset):
        from syncs.engine import adapter_for

        from .errors import ApiError

        for connection in queryset:
            if not has_role(request.user, Role.ADMIN, connection):
                continue
            try:
                result = adapter_for(connection).check()
                level = messages.SUCCESS if result.ok else messages.ERROR
                self.message_user(request, f"{connection}: {result.message}", level)
            except ApiError as exc:
                # The status and kind only: an answer's body is never echoed (the address might not be the vendor's).
                status = f" (HTTP {exc.status})" if exc.status else ""
                self.message_user(
                    request, f"{connection}: {type(exc).__name__}{status}: {exc_summary(exc)}", messages.ERROR
                )
            except (ValueError, KeyError, TypeError) as exc:  # an answer that is not what the vendor sends
                log.warning("Test of connection %s: unreadable answer (%s)", connection.pk, type(exc).__name__)
                self.message_user(
                    request,
                    f"{connection}: the server answered with something that is not a {connection.spec.label} API "
                    "answer (check the URLs of the connection).",
                    messages.ERROR,
                )

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        # Coloured by the admin's theme variables (syncs/static/syncs/finance.css), so dark mode reads as well.
        return format_html('<strong class="status status-{}">{}</strong>', obj.status, obj.get_status_display())

    @admin.display(description="Webhook URL path")
    def webhook_path(self, obj):
        if not obj.pk or not obj.spec.webhook:
            return "-"
        return f"/webhooks/{obj.uuid}/"

    def _system_for(self, request, obj):
        return obj.system if obj is not None else request.GET.get("system") or request.POST.get("_system")

    def get_form(self, request, obj=None, change=False, **kwargs):
        system = self._system_for(request, obj)

        class BoundConnectionForm(ConnectionForm):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, system=system, user=request.user, **form_kwargs)

        kwargs["form"] = BoundConnectionForm
        kwargs["fields"] = ConnectionForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        system = get_system(self._system_for(request, obj))
        config = ["config__" + spec.name for spec in system.config_fields]
        secrets = ["secret__" + spec.name for spec in system.secret_fields]
        main = ["tenant", "name", "environment"]
        if obj is not None:
            main = ["system", "uuid", *main, "status", "status_reason", "webhook_path", "token_expires_at"]
        return [
            (None, {"fields": main}),
            (f"{system.label} configuration", {"fields": config}),
            ("Credentials (write-only)", {"fields": secrets}),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        # The system chooser is the first step of adding: it needs the add right like the form itself.
        if not self.has_add_permission(request):
            raise PermissionDenied
        if self._system_for(request, None) not in SYSTEMS:
            return render(
                request,
                "admin/connections/connection/choose_system.html",
                {
                    **self.admin_site.each_context(request),
                    "systems": SYSTEMS.values(),
                    "opts": self.model._meta,
                },
            )
        return super().add_view(request, form_url, extra_context)


@admin.register(ApiUsage)
class ApiUsageAdmin(ReadOnlyTenantAdmin):
    list_display = ["connection", "calls", "errors", "rate_limited", "last_call_at"]
    list_select_related = ["connection"]
