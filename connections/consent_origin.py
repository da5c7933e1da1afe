"""Let a connection's page send the admin on to the vendor's consent page.

"Connect to <system>" is a form posted to our own connect view, which answers with a redirect to the vendor's
consent page. Browsers hold a form's redirects to the page's Content-Security-Policy `form-action` too, and ours is
'self': the redirect would be blocked. So the page of a connection that connects through a consent page adds the
origin of its authorization endpoint (the vendor's, or the one its discovery document names) to `form-action`, and
nothing else.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from config.security import CONTENT_SECURITY_POLICY

from . import errors

log = logging.getLogger("connections.consent_origin")
FORM_ACTION = "form-action 'self'"


def consent_origin(connection) -> str:
    """scheme://host[:port] of the connection's consent page; "" when it has none or it cannot be told."""
    if connection is None or connection.spec.auth != "oauth_code":
        return ""
    try:
        url = connection.spec.oauth_flow().authorize_url(connection, "", "")
    except (ValidationError, errors.ApiError, KeyError, ValueError) as exc:
        log.info("No consent page origin for connection %s: %s", connection.pk, type(exc).__name__)
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def allow_consent_page(response, connection):
    """The page's policy with the consent page's origin added to form-action (HTML pages only)."""
    origin = consent_origin(connection) if response.status_code == 200 else ""
    if origin:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            FORM_ACTION, f"{FORM_ACTION} {origin}"
        )
    return response
