"""One look for every page: views outside the admin's own (the mapping grid, the connect flow's pages) render in the
admin's frame, so they need the context the admin gives its own pages (header, navigation sidebar, user links)."""

from django.contrib import admin


def admin_site_context(request) -> dict:
    """The admin's per-page context for signed-in staff on pages the admin site does not render itself."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or match.namespace == admin.site.name or not getattr(user, "is_staff", False):
        return {}  # the admin's views pass it themselves; anonymous visitors get no navigation
    return admin.site.each_context(request)
