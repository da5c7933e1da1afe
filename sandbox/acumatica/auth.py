"""Acumatica sign-in: OAuth 2.0 at /identity/connect/token and cookie sessions at /entity/auth/*.

OAuth clients are registered per tenant and named ``GUID@Tenant``; the suffix picks the tenant. Only
the password and refresh-token grants are simulated (client_credentials does not exist in Acumatica).
Refresh tokens rotate: each use returns a new one and burns the old, so a client that keeps using a
stale refresh token gets ``invalid_grant``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from ..core.http import HttpError, Request, Response
from ..core.store import Store
from .values import PX_EXCEPTION, http_error

DAY = 86400


def oauth_error(error: str, description: str = "") -> Response:
    body = {"error": error, **({"error_description": description} if description else {})}
    return Response.json(body, 400, [("Cache-Control", "no-store")])


@dataclass
class AuthState:
    access: dict[str, dict] = field(default_factory=dict)
    refresh: dict[str, dict] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)


class Auth:
    def __init__(self, store: Store, config: dict, clock, calls):
        self.store, self.config, self.clock, self.calls = store, config, clock, calls
        self.state = AuthState()

    # -- OAuth ----------------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        form = request.form()
        client = self._client(form.get("client_id", ""), form.get("client_secret", ""))
        if client is None:
            return oauth_error("invalid_client")
        grant = form.get("grant_type")
        # Counted per grant too, e.g. "POST /identity/connect/token grant_type=refresh_token".
        self.calls.count("POST", f"/identity/connect/token grant_type={grant}")
        if grant == "password":
            return self._password(client, form)
        if grant == "refresh_token":
            return self._refresh(client, form.get("refresh_token", ""))
        return oauth_error("unsupported_grant_type")

    def _client(self, client_id: str, secret: str) -> dict | None:
        guid, _, tenant = client_id.partition("@")
        client = self.store.get("oauth_clients", guid.upper())
        if client is None or not tenant or client.get("tenant", "").lower() != tenant.lower():
            return None
        return client if hmac.compare_digest(client.get("secret", ""), secret) else None

    def user(self, tenant: str, name: str, password: str) -> dict | None:
        for user in self.store.find("users", name=name):
            if user["tenant"].lower() == tenant.lower() and hmac.compare_digest(user["password"], password):
                return user
        return None

    def _password(self, client: dict, form: dict) -> Response:
        user = self.user(client["tenant"], form.get("username", ""), form.get("password", ""))
        if user is None:
            return oauth_error("invalid_grant", "invalid_username_or_password")
        scopes = set(form.get("scope", "api").split())
        if "api" not in scopes and "api:concurrent_access" not in scopes:
            return oauth_error("invalid_scope")
        self._check_licence()
        return self._issue(client, user, scopes)

    def _refresh(self, client: dict, token: str) -> Response:
        entry = self.state.refresh.get(token)
        now = self.clock.time()
        if entry is None or entry["used"] or entry["expires_at"] <= now or entry["client"] != client["id"]:
            return oauth_error("invalid_grant")
        entry["used"] = True
        user = self.store.get("users", entry["user"])
        return self._issue(client, user, entry["scopes"])

    def _issue(self, client: dict, user: dict, scopes: set[str]) -> Response:
        now, lifetime = self.clock.time(), int(self.config["token_lifetime"])
        access = secrets.token_hex(32)
        self.state.access[access] = {"user": user["id"], "tenant": user["tenant"], "expires_at": now + lifetime}
        body = {
            "access_token": access,
            "expires_in": lifetime,
            "token_type": "Bearer",
            "scope": " ".join(sorted(scopes)),
        }
        if "offline_access" in scopes:
            refresh = secrets.token_hex(32)
            self.state.refresh[refresh] = {
                "client": client["id"],
                "user": user["id"],
                "scopes": scopes,
                "used": False,
                "expires_at": now + DAY * self.config["refresh_lifetime_days"],
            }
            body["refresh_token"] = refresh
        return Response.json(body, headers=[("Cache-Control", "no-store")])

    # -- cookie sessions ------------------------------------------------------------------------------

    def login(self, request: Request) -> Response:
        body = request.json() or {}
        tenant = body.get("tenant") or body.get("company") or self._only_tenant()
        user = self.user(tenant or "", body.get("name", ""), body.get("password", ""))
        if user is None:
            status = self.config["login_failure_status"]
            raise http_error(
                status, "An error has occurred.", PX_EXCEPTION, "Error: Invalid credentials. Please try again."
            )
        self._check_licence()
        session = secrets.token_hex(12)
        self.state.sessions[session] = {"user": user["id"], "seen": self.clock.time()}
        cookies = [
            ("Set-Cookie", f"ASP.NET_SessionId={session}; path=/; HttpOnly; SameSite=Lax"),
            ("Set-Cookie", f".ASPXAUTH={secrets.token_hex(24)}; path=/; HttpOnly"),
            ("Set-Cookie", f"CompanyID={user['tenant']}; path=/"),
        ]
        return Response.empty(204, cookies)

    def logout(self, request: Request) -> Response:
        self.state.sessions.pop(request.cookies().get("ASP.NET_SessionId", ""), None)
        return Response.empty(
            204, [("Set-Cookie", "ASP.NET_SessionId=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT")]
        )

    def _only_tenant(self) -> str | None:
        tenants = {user["tenant"] for user in self.store.all("users")}
        return tenants.pop() if len(tenants) == 1 else None

    def _live_sessions(self) -> int:
        now = self.clock.time()
        idle = self.config["session_idle_timeout"]
        cookies = sum(1 for s in self.state.sessions.values() if now - s["seen"] < idle)
        return cookies + sum(1 for a in self.state.access.values() if a["expires_at"] > now)

    def _check_licence(self) -> None:
        cap = self.config["max_api_sessions"]
        if cap is not None and self._live_sessions() >= cap:
            raise http_error(429, "API Login Limit", PX_EXCEPTION, "API Login Limit")

    # -- per request ----------------------------------------------------------------------------------

    def check(self, request: Request) -> dict:
        """The signed-in user for an API call (bearer token or session cookie); 401 otherwise."""
        now = self.clock.time()
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        if scheme.lower() == "bearer":
            entry = self.state.access.get(token.strip())
            if entry and entry["expires_at"] > now:
                return entry
            raise self._unauthorised('Bearer error="invalid_token"')
        session = self.state.sessions.get(request.cookies().get("ASP.NET_SessionId", ""))
        if session and now - session["seen"] < self.config["session_idle_timeout"]:
            session["seen"] = now
            return session
        raise self._unauthorised("Bearer")

    @staticmethod
    def _unauthorised(challenge: str) -> HttpError:
        body = {"message": "You are not logged in."}
        return HttpError(Response.json(body, 401, [("WWW-Authenticate", challenge)]))
