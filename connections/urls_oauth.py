"""URLs of the connect flow: leaving for a consent page, and each oauth_code system's registered redirect URI."""

import re

from django.urls import path, re_path

from . import oauth
from .registry import SYSTEMS

_CODE_SYSTEMS = "|".join(re.escape(key) for key, spec in SYSTEMS.items() if spec.auth == "oauth_code")

urlpatterns = [
    path("oauth/connect/<uuid:connection_uuid>/", oauth.connect, name="oauth_connect"),
    re_path(rf"^(?P<system>{_CODE_SYSTEMS})/callback/$", oauth.callback, name="oauth_callback"),
]
