"""The admin's index is the dashboard (syncs/dashboard.py, rendered by admin/syncs/dashboard.html)."""

from django.contrib import admin

admin.site.index_template = "admin/syncs/dashboard.html"
admin.site.index_title = "Dashboard"
