"""Procore's login host: OAuth 2.0 client credentials, and bearer-token checks on the API host.

Tokens live 5400 s on the simulator clock and come without a refresh token; a client asks for a new
one when its token dies. Revocation answers 200 even for an unknown token, as documented.
"""

from __future__ import annotations

import hmac
import secrets

from ..core.http import HttpError, Request, Response
from ..core.store import Store

INVALID_TOKEN = "The access token is invalid"


class TokenBook:
    def __init__(self):
        self.tokens: dict[str, dict] = {}

    def issue(self, client_id: str, now: float, lifetime: int) -> dict:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = {"client_id": client_id, "created_at": int(now), "expires_at": now + lifetime}
        return {"access_token": token, "token_type": "bearer", "expires_in": lifetime, "created_at": int(now)}

    def check(self, request: Request, now: float) -> dict:
        """The token record for the request's bearer token; 401 if missing, unknown or expired."""
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        entry = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if entry is None or entry["expires_at"] <= now:
            raise HttpError(Response.json({"errors": INVALID_TOKEN}, 401, [("WWW-Authenticate", "Bearer")]))
        return entry

    def revoke(self, token: str) -> None:
        self.tokens.pop(token, None)


def token_endpoint(request: Request, store: Store, book: TokenBook, now: float, config: dict) -> Response:
    """POST /oauth/token with grant_type=client_credentials (form or multipart body; JSON by switch)."""
    is_json = (request.header("content-type") or "").startswith("application/json")
    form = (request.json() or {}) if is_json and config["token_accepts_json"] else request.form()
    if form.get("grant_type") != "client_credentials":
        return Response.json({"error": "unsupported_grant_type"}, 400)
    client = store.get("clients", form.get("client_id", ""))
    if client is None or not hmac.compare_digest(client["secret"], form.get("client_secret", "")):
        return Response.json({"error": "invalid_client"}, 401)
    lifetime = config["token_lifetime"]
    return Response.json(book.issue(client["id"], now, lifetime), headers=[("Cache-Control", "no-store")])


def login_host(request: Request, store: Store, book: TokenBook, now: float, config: dict) -> Response:
    if request.method == "POST" and request.path == "/oauth/token":
        return token_endpoint(request, store, book, now, config)
    if request.method == "POST" and request.path == "/oauth/revoke":
        book.revoke(request.form().get("token", ""))
        return Response.json({})
    if request.method == "GET" and request.path == "/oauth/token/info":
        entry = book.check(request, now)
        return Response.json(
            {
                "resource_owner_id": None,
                "application": {"uid": entry["client_id"]},
                "expires_in_seconds": int(entry["expires_at"] - now),
                "created_at": entry["created_at"],
            }
        )
    return Response.json({"errors": "Not Found"}, 404)
