"""Procurify's OAuth 2.0 client-credentials token endpoint and the checks on every API call.

``POST https://{domain}.procurify.com/oauth/token`` takes a JSON body ``{client_id, client_secret,
audience: "https://api.procurify.com/", grant_type: "client_credentials"}`` and answers
``{access_token, scope, expires_in: 86400, token_type: "Bearer"}``. No refresh token is documented.
Every API call then sends ``Authorization: Bearer <token>`` and ``X-Procurify-Client: api``.
"""

from __future__ import annotations

import hmac
import secrets

from ..core.http import HttpError, Request, Response
from ..core.store import Store

AUDIENCE = "https://api.procurify.com/"
NOT_AUTHENTICATED = "Authentication credentials were not provided."
BAD_TOKEN = "Invalid token."


def oauth_error(status: int, code: str, description: str) -> Response:
    return Response.json({"error": code, "error_description": description}, status)


class TokenBook:
    """Tokens issued per domain, each valid for its lifetime on the simulator clock."""

    def __init__(self):
        self.tokens: dict[str, dict] = {}

    def issue(self, client: dict, domain: str, now: float, lifetime: int, email: str) -> dict:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = {
            "client_id": client["id"],
            "domain": domain,
            "user": client.get("user"),
            "expires_at": now + lifetime,
        }
        scope = f"urn:procurify-api:domain:{domain}.procurify.com urn:procurify-api:email:{email}"
        return {"access_token": token, "scope": scope, "expires_in": lifetime, "token_type": "Bearer"}

    def check(self, request: Request, domain: str, now: float) -> dict:
        """The entry of the request's bearer token; 401 if missing, unknown, expired or for another domain."""
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HttpError(Response.json({"detail": NOT_AUTHENTICATED}, 401, [("WWW-Authenticate", "Bearer")]))
        entry = self.tokens.get(token.strip())
        if entry is None or entry["expires_at"] <= now or entry["domain"] != domain:
            raise HttpError(Response.json({"detail": BAD_TOKEN}, 401, [("WWW-Authenticate", "Bearer")]))
        return entry


def _credentials(request: Request, config: dict) -> dict:
    ctype = request.header("content-type") or ""
    if "json" in ctype:
        body = request.json()
        return body if isinstance(body, dict) else {}
    if config["token_accepts_form"]:
        return request.form()
    raise HttpError(oauth_error(400, "invalid_request", "The request body must be JSON."))


def token_endpoint(request: Request, domain: str, store: Store, book: TokenBook, now: float, config: dict) -> Response:
    """POST /oauth/token for one domain."""
    body = _credentials(request, config)
    if body.get("grant_type") != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    if body.get("audience") != AUDIENCE:
        return oauth_error(config["bad_audience_status"], "access_denied", "Service not found: audience is invalid.")
    client = store.get("clients", str(body.get("client_id", "")))
    secret = str(body.get("client_secret", ""))
    if client is None or client.get("domain") != domain or not hmac.compare_digest(client["secret"], secret):
        return oauth_error(401, "invalid_client", "Unauthorized")
    user = store.get("users", client.get("user")) or {}
    issued = book.issue(client, domain, now, config["token_lifetime"], user.get("email", ""))
    return Response.json(issued, headers=[("Cache-Control", "no-store")])


def check_client_header(request: Request, config: dict) -> None:
    """Refuse a call without ``X-Procurify-Client: api`` as configured (the vendor's answer is unpublished)."""
    if (request.header("x-procurify-client") or "").strip().lower() == "api":
        return
    status = config["missing_client_header_status"]
    if status:
        raise HttpError(Response.json({"detail": NOT_AUTHENTICATED}, status))
