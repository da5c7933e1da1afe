from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from syncs import progress, webhooks
from syncs.ops import health, metrics

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("mappings/", include("mappings.urls")),
    path("webhooks/<uuid:connection_uuid>/", webhooks.receive, name="webhook"),
    path("", include("connections.urls_oauth")),
    path("progress/<int:pk>.json", progress.integration_progress, name="integration_progress"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
]
