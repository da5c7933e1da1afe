"""Tenant isolation for every admin page, in one place.

Each tenant-owned model declares `tenant_path`, the ORM path from the model to its Tenant ("tenant",
"integration__tenant", ...). `TenantScopedAdmin` then filters change lists, search, filters, object pages reached by
a guessed id, foreign-key choices, autocomplete and exports to the tenants of the user, and decides rights by the
user's role in the tenant of the object. Superusers see everything.
"""

from django.contrib import admin
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import Http404

from .models import Membership, Role


def tenant_roles(user) -> dict[int, str]:
    """{tenant id: role} for a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_tenant_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("tenant_id", "role"))
        user._tenant_roles = cached
    return cached


def tenant_ids(user, role: str = Role.VIEWER) -> list[int]:
    """Ids of the tenants in which the user holds at least `role`."""
    allowed = set(Role.at_least(role))
    return [tenant_id for tenant_id, held in tenant_roles(user).items() if held in allowed]


def tenant_id_of(obj) -> int | None:
    """Follow the model's tenant_path from an instance to its tenant id."""
    path = type(obj).tenant_path
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def has_role(user, role: str, obj=None) -> bool:
    """Whether the user holds `role` in the object's tenant (or, without an object, in any tenant)."""
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    allowed = tenant_ids(user, role)
    if obj is None or obj.pk is None and tenant_id_of(obj) is None:
        return bool(allowed)
    return tenant_id_of(obj) in allowed


def scope_queryset(queryset, user, role: str = Role.VIEWER):
    """Restrict a queryset of a tenant-owned model to the tenants in which the user holds `role`."""
    if user.is_superuser:
        return queryset
    path = getattr(queryset.model, "tenant_path", None)
    if path is None:
        return queryset.none()
    lookup = "pk__in" if path == "pk" else f"{path}__in"
    return queryset.filter(**{lookup: tenant_ids(user, role)})


def is_tenant_scoped(model) -> bool:
    return hasattr(model, "tenant_path")


class TenantScopedAdmin(admin.ModelAdmin):
    """ModelAdmin base for every tenant-owned model."""

    #: the least role that may add, change and delete; viewing needs only membership.
    edit_role = Role.FINANCE

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def has_module_permission(self, request):
        return has_role(request.user, Role.VIEWER)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, Role.VIEWER, obj)

    def has_add_permission(self, request):
        return has_role(request.user, self.edit_role)

    def has_change_permission(self, request, obj=None):
        return has_role(request.user, self.edit_role, obj)

    def has_delete_permission(self, request, obj=None):
        return has_role(request.user, self.edit_role, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and is_tenant_scoped(db_field.related_model):
            field.queryset = scope_queryset(field.queryset, request.user, self.edit_role)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and is_tenant_scoped(db_field.related_model):
            field.queryset = scope_queryset(field.queryset, request.user, self.edit_role)
        return field

    def get_list_filter(self, request):
        """Foreign-key filters offer only values present in the user's own rows."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and self._is_relation(item):
                item = (item, RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    def _is_relation(self, name: str) -> bool:
        model = self.model
        for part in name.split("__"):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return False
            if not field.is_relation:
                return False
            model = field.related_model
        return True

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index for a missing object; a plain 404 says nothing about other tenants' ids.
        raise Http404(f"No {opts.verbose_name} with this id.")

    def save_model(self, request, obj, form, change):
        # Defence in depth: the form's choices are already scoped, but never save into a foreign tenant.
        if not has_role(request.user, self.edit_role, obj):
            raise PermissionDenied("You cannot save records for this tenant.")
        super().save_model(request, obj, form, change)


class ReadOnlyTenantAdmin(TenantScopedAdmin):
    """For records the application writes and people only read (audit trail, runs, inbound webhooks)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TenantScopedInline:
    """Mixin for inlines of a tenant-scoped parent: same filtering, rights decided on the parent object."""

    edit_role = Role.FINANCE

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, Role.VIEWER, obj)

    def has_add_permission(self, request, obj=None):
        return has_role(request.user, self.edit_role, obj)

    def has_change_permission(self, request, obj=None):
        return has_role(request.user, self.edit_role, obj)

    def has_delete_permission(self, request, obj=None):
        return has_role(request.user, self.edit_role, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and is_tenant_scoped(db_field.related_model):
            field.queryset = scope_queryset(field.queryset, request.user, self.edit_role)
        return field


class SuperuserOnlyAdmin:
    """Mixin that hides an admin from everyone but superusers."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    # Never more than the wrapped admin allows: django-q2's task lists, for instance, have no "add" page.
    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_delete_permission(request, obj)


def restrict_app_to_superusers(site, app_label: str) -> None:
    """Re-register every admin of an app so that only superusers reach it."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label == app_label:
            site.unregister(model)
            restricted = type(f"SuperuserOnly{type(model_admin).__name__}", (SuperuserOnlyAdmin, type(model_admin)), {})
            site.register(model, restricted)


__all__ = [
    "ReadOnlyTenantAdmin",
    "TenantScopedAdmin",
    "TenantScopedInline",
    "has_role",
    "scope_queryset",
    "tenant_ids",
    "restrict_app_to_superusers",
]
