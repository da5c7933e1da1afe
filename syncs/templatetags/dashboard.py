"""`{% dashboard_for request as board %}`: the dashboard's figures for the signed-in user (syncs/dashboard.py)."""

from django import template

from syncs import dashboard

register = template.Library()


@register.simple_tag
def dashboard_for(request):
    return dashboard.build(request.user)
