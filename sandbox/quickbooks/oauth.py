"""Intuit OAuth 2.0: the consent page, the token endpoint, revocation, and bearer checks on the API.

Hosts (each under its own prefix, as Intuit spreads them over three domains): the consent page on the
"appcenter" host at ``/connect/oauth2``, the token endpoint on the "oauth" host at ``/oauth2/v1/tokens/bearer``
(plus the discovery document), revocation on the "developer" host at ``/v2/oauth2/tokens/revoke``.
Access tokens live an hour; refresh tokens roll (each use gives a fresh lifetime) up to a hard limit of five years
from consent, and rotate: the one a refresh replaced answers ``invalid_grant`` from then on.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode

from ..core.http import HttpError, Request, Response
from . import consent, faults
from .jsonio import respond

ACCOUNTING = "com.intuit.quickbooks.accounting"


def oauth_error(error: str, status: int = 400, description: str | None = None) -> Response:
    body = {"error": error, **({"error_description": description} if description else {})}
    return respond(body, status)


@dataclass
class Grant:
    client_id: str
    realm: str
    scope: str
    hard_expires_at: float
    revoked: bool = False


@dataclass
class OAuthState:
    codes: dict[str, dict] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    refresh: dict[str, dict] = field(default_factory=dict)
    access: dict[str, dict] = field(default_factory=dict)


def access_token() -> str:
    # Intuit's access tokens are long encrypted JWTs (~1 KB): a client that stores them in a short column fails here.
    return "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0.." + secrets.token_urlsafe(720)


def refresh_token() -> str:
    return "AB11" + secrets.token_hex(23)


class OAuth:
    def __init__(self, sim):
        self.sim = sim
        self.state = OAuthState()

    @property
    def config(self) -> dict:
        return self.sim.config

    def now(self) -> float:
        return self.sim.clock.time()

    # -- consent --------------------------------------------------------------------------------------

    def authorize(self, request: Request) -> Response:
        """GET shows the consent page; POST is the user's answer, redirected back to the app."""
        params = request.form() if request.method == "POST" else {k: v[0] for k, v in request.query.items()}
        app = self.sim.store.get("apps", params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        if app is None:
            return consent.error_page("The app (client_id) is not known to Intuit.", 400)
        if redirect_uri not in app.get("redirect_uris", []):
            return consent.error_page("The redirect_uri is not registered for this app.", 400)
        error = self._request_error(params)
        if error:
            return self._back(redirect_uri, {"error": error, "state": params.get("state", "")})
        if request.method == "GET":
            return consent.page(app, params, self._companies(), request.base_url + "/connect/oauth2")
        if params.get("decision") != "allow":
            return self._back(redirect_uri, {"error": "access_denied", "state": params.get("state", "")})
        return self._grant_code(app, params, redirect_uri)

    def _request_error(self, params: dict) -> str | None:
        if params.get("response_type") != "code":
            return "unsupported_response_type"
        if not params.get("scope", "").split():
            return "invalid_scope"
        return None

    def _companies(self) -> list[dict]:
        return sorted(self.sim.store.all("companies"), key=lambda c: c["CompanyName"])

    def _grant_code(self, app: dict, params: dict, redirect_uri: str) -> Response:
        realm = params.get("realmId", "")
        if self.sim.store.get("companies", realm) is None:
            return consent.error_page("Choose a company to connect.", 400)
        code = "AB11" + secrets.token_hex(18)
        expires_at = self.now() + self.config["auth_code_lifetime"]
        self.state.codes[code] = {
            "client_id": app["id"],
            "realm": realm,
            "redirect_uri": redirect_uri,
            "scope": params["scope"],
            "expires_at": expires_at,
        }
        answer = {"code": code, "state": params.get("state", "")}
        if ACCOUNTING in params["scope"].split() or "com.intuit.quickbooks.payment" in params["scope"].split():
            answer["realmId"] = realm  # only the accounting and payments scopes name a company
        return self._back(redirect_uri, answer)

    @staticmethod
    def _back(redirect_uri: str, params: dict) -> Response:
        joiner = "&" if "?" in redirect_uri else "?"
        return Response(302, b"", [("Location", f"{redirect_uri}{joiner}{urlencode(params)}")])

    # -- token endpoint -------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        form = request.form()
        app = self._client(request, form)
        if app is None:
            return oauth_error("invalid_client", 401)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = self._redeem_code(app, form)
            return self._issue(grant, None, request)
        if grant_type == "refresh_token":
            entry = self._current_refresh(app, form.get("refresh_token", ""))
            return self._issue(entry["grant"], entry, request)
        return oauth_error("unsupported_grant_type")

    def _client(self, request: Request, form: dict) -> dict | None:
        """client_secret_basic (Authorization: Basic) or client_secret_post, both listed by Intuit's discovery."""
        scheme, _, encoded = (request.header("authorization") or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
            except ValueError:
                return None
            client_id, secret = unquote(client_id), unquote(secret)
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        app = self.sim.store.get("apps", client_id)
        if app is None or not hmac.compare_digest(app["client_secret"].encode(), secret.encode()):
            return None
        return app

    def _redeem_code(self, app: dict, form: dict) -> Grant:
        entry = self.state.codes.pop(form.get("code", ""), None)  # single use: gone on first redemption
        if (
            entry is None
            or entry["client_id"] != app["id"]
            or entry["expires_at"] <= self.now()
            or entry["redirect_uri"] != form.get("redirect_uri")
        ):
            raise HttpError(oauth_error("invalid_grant"))
        hard_expiry = self.now() + self.config["refresh_token_hard_lifetime"]
        grant = Grant(app["id"], entry["realm"], entry["scope"], hard_expiry)
        self.state.grants.append(grant)
        self.sim.connect(app["id"], entry["realm"])
        return grant

    def _current_refresh(self, app: dict, token: str) -> dict:
        entry = self.state.refresh.get(token)
        if (
            entry is None
            or entry["superseded"]
            or entry["grant"].revoked
            or entry["grant"].client_id != app["id"]
            or entry["expires_at"] <= self.now()
            or entry["grant"].hard_expires_at <= self.now()
        ):
            raise HttpError(oauth_error("invalid_grant"))
        return entry

    def _issue(self, grant: Grant, used: dict | None, request: Request) -> Response:
        now = self.now()
        lifetime = min(self.config["refresh_token_lifetime"], grant.hard_expires_at - now)
        keep = used is not None and self.config["refresh_token_rotation"] == "daily" and now - used["issued_at"] < 86400
        if keep:
            used["expires_at"] = now + lifetime
            value = used["value"]
        else:
            if used is not None:
                used["superseded"] = True
            value = refresh_token()
            self.state.refresh[value] = {
                "value": value,
                "grant": grant,
                "issued_at": now,
                "expires_at": now + lifetime,
                "superseded": False,
            }
        token = access_token()
        self.state.access[token] = {"grant": grant, "expires_at": now + self.config["access_token_lifetime"]}
        body = {
            "token_type": "bearer",
            "access_token": token,
            "refresh_token": value,
            "expires_in": self.config["access_token_lifetime"],
            "x_refresh_token_expires_in": int(lifetime),
        }
        if (request.header("x-include-refresh-token-hard-expires-in") or "").lower() == "true":
            body["x_refresh_token_hard_expires_in"] = int(grant.hard_expires_at - now)
        return respond(body)

    def seed_refresh(self, client_id: str, realm: str, value: str) -> None:
        """A refresh token as if the consent had been given earlier (demo data)."""
        now = self.now()
        grant = Grant(client_id, realm, ACCOUNTING, now + self.config["refresh_token_hard_lifetime"])
        self.state.grants.append(grant)
        self.state.refresh[value] = {
            "value": value,
            "grant": grant,
            "issued_at": now,
            "expires_at": now + self.config["refresh_token_lifetime"],
            "superseded": False,
        }

    # -- revocation -----------------------------------------------------------------------------------

    def revoke(self, request: Request) -> Response:
        """Revoking either token ends the whole grant: every token of it dies and the app is disconnected."""
        app = self._client(request, {})
        if app is None:
            return oauth_error("invalid_client", 401)
        body = request.json() or {}
        token = body.get("token", "") if isinstance(body, dict) else ""
        entry = self.state.refresh.get(token) or self.state.access.get(token)
        if entry is not None and entry["grant"].client_id == app["id"]:
            entry["grant"].revoked = True
            self.sim.disconnect(app["id"], entry["grant"].realm)
        return Response(200, b"", [])

    # -- API access -----------------------------------------------------------------------------------

    def check(self, request: Request) -> Grant:
        """The grant behind the request's bearer token; 401 in Intuit's (non-standard) shape otherwise."""
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        entry = self.state.access.get(token.strip()) if scheme.lower() == "bearer" else None
        as_xml = self.config["auth_fault_format"] == "xml"
        if entry is None or entry["grant"].revoked:
            raise HttpError(faults.authentication("Token invalid", as_xml))
        if entry["expires_at"] <= self.now():
            raise HttpError(faults.authentication(f"Token expired: {token.strip()[:50]}", as_xml))
        return entry["grant"]
