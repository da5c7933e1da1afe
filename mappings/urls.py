"""URLs of the mapping grid, under /mappings/."""

from django.urls import path

from . import views

app_name = "mappings"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.grid, name="grid"),
    path("<int:pk>/vendors/<int:source_id>/", views.save_vendor, name="save_vendor"),
    path("<int:pk>/projects/<int:source_id>/", views.save_project, name="save_project"),
    path("<int:pk>/cost-codes/", views.save_cost_code, name="save_cost_code"),
    path("<int:pk>/accept/", views.accept_all, name="accept_all"),
    path("<int:pk>/pull/", views.pull_now, name="pull_now"),
    path("<int:pk>/export/<str:kind>.csv", views.export_csv, name="export_csv"),
    path("<int:pk>/import/<str:kind>/", views.import_csv, name="import_csv"),
]
