"""Exact's OAuth 2.0 server: authorization codes, 600-second access tokens, rotating refresh tokens.

Everything runs on the simulator clock and is bound to the regional host that issued it. Refresh tokens
form a chain: each refresh answers a new pair and kills the refresh token it used, so a spent one answers
``invalid_grant``. A refresh asked for less than 570 s after the chain's last access token is refused
("Access Token not expired"), and a refresh token left unused for 30 days dies.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from ..core.clock import Clock
from ..core.http import HttpError, Request, Response
from ..core.store import Store
from .values import error_body, json_response

REUSED = "Token is not allowed, because of invalid or empty chainId"
IDLE = "Refresh token expired"


@dataclass
class Chain:
    """One authorization: the refresh tokens it issued, newest first."""

    id: str
    client_id: str
    user_id: str
    region: str
    current_rt: str
    rt_issued: float
    access_issued: float
    previous_rt: str | None = None
    fresh_unused: bool = True  # the newest pair has not been used yet


def grant_error(error: str, description: str, status: int = 400) -> HttpError:
    body = {"error": error, "error_description": description}
    return HttpError(json_response(body, status, [("Reason", f"Unknown: {description}")]))


class OAuth:
    def __init__(self, store: Store, clock: Clock, config: dict):
        self.store, self.clock, self.config = store, clock, config
        self.codes: dict[str, dict] = {}
        self.access: dict[str, dict] = {}
        self.refresh: dict[str, str] = {}  # refresh token -> chain id
        self.chains: dict[str, Chain] = {}

    # -- codes (issued by the consent page) -------------------------------------------------------------

    def issue_code(self, region: str, client_id: str, user_id: str, redirect_uri: str) -> str:
        code = f"stamp{region.upper()}001.{secrets.token_urlsafe(24)}!{secrets.token_urlsafe(48)}"
        self.codes[code] = {
            "region": region,
            "client_id": client_id,
            "user_id": user_id,
            "redirect_uri": redirect_uri,
            "expires_at": self.clock.time() + self.config["code_lifetime"],
            "used": False,
        }
        return code

    # -- token endpoint -----------------------------------------------------------------------------------

    def token_endpoint(self, region: str, request: Request) -> Response:
        """POST /api/oauth2/token with a form body (client credentials in the form)."""
        try:
            form = request.form()
            client = self._client(form)
            grant = form.get("grant_type")
            if grant == "authorization_code":
                return self._from_code(region, client, form)
            if grant == "refresh_token":
                return self._from_refresh(region, client, form)
            raise grant_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        except HttpError as exc:
            return exc.response

    def _client(self, form: dict) -> dict:
        client = self.store.get("clients", form.get("client_id", ""))
        if client is None or not hmac.compare_digest(client["secret"], form.get("client_secret", "")):
            raise grant_error("invalid_client", "Client authentication failed")
        return client

    def _from_code(self, region: str, client: dict, form: dict) -> Response:
        entry = self.codes.get(form.get("code", ""))
        if (
            entry is None
            or entry["used"]
            or entry["region"] != region
            or entry["client_id"] != client["id"]
            or entry["expires_at"] <= self.clock.time()
        ):
            raise grant_error("invalid_grant", "The authorization code is invalid, expired or already used")
        if form.get("redirect_uri") != entry["redirect_uri"]:
            raise grant_error("invalid_grant", "redirect_uri does not match the authorization request")
        entry["used"] = True
        now = self.clock.time()
        chain = Chain(secrets.token_hex(16), client["id"], entry["user_id"], region, "", now, now)
        self.chains[chain.id] = chain
        return self._issue(chain, now)

    def _from_refresh(self, region: str, client: dict, form: dict) -> Response:
        token = form.get("refresh_token", "")
        chain = self.chains.get(self.refresh.get(token, ""))
        if chain is None or chain.client_id != client["id"] or chain.region != region:
            raise grant_error("invalid_grant", REUSED)
        grace = self.config["old_refresh_token_grace"] and token == chain.previous_rt and chain.fresh_unused
        if token != chain.current_rt and not grace:
            raise grant_error("invalid_grant", REUSED)
        now = self.clock.time()
        if now - chain.rt_issued > self.config["refresh_idle_days"] * 86400:
            raise grant_error("invalid_grant", IDLE)
        if now - chain.access_issued < self.config["early_refresh_seconds"]:
            return self._too_early()
        return self._issue(chain, now)

    def _too_early(self) -> Response:
        status = self.config["early_refresh_status"]
        headers = [("Reason", "Access Token not expired")]
        style = self.config["early_refresh_body"]
        if style == "json":
            body = {"error": "invalid_request", "error_description": "Access Token not expired"}
            return json_response(body, status, headers)
        if style == "odata":
            return json_response(error_body("Access Token not expired"), status, headers)
        return Response.empty(status, headers)

    def _issue(self, chain: Chain, now: float) -> Response:
        if chain.current_rt:
            self.refresh.pop(chain.previous_rt or "", None)
            chain.previous_rt = chain.current_rt
            if not self.config["old_refresh_token_grace"]:
                self.refresh.pop(chain.current_rt, None)
        refresh = secrets.token_urlsafe(40)
        access = secrets.token_urlsafe(48)
        lifetime = self.config["access_token_lifetime"]
        self.refresh[refresh] = chain.id
        chain.current_rt, chain.rt_issued, chain.access_issued, chain.fresh_unused = refresh, now, now, True
        self.access[access] = {"chain": chain.id, "issued": now, "expires_at": now + lifetime}
        body = {"access_token": access, "token_type": "bearer", "expires_in": str(lifetime), "refresh_token": refresh}
        return json_response(body, 200, [("Cache-Control", "no-store")])

    # -- bearer checks ------------------------------------------------------------------------------------

    def check(self, region: str, request: Request) -> Chain:
        """The chain behind the request's bearer token; 401 when missing, unknown, foreign or expired."""
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        entry = self.access.get(token.strip()) if scheme.lower() == "bearer" else None
        chain = self.chains.get(entry["chain"]) if entry else None
        if chain is None or chain.region != region:
            raise _unauthorized('Bearer error="invalid_token"', "Unauthorized")
        if entry["expires_at"] <= self.clock.time():
            challenge = 'Bearer error="invalid_token", error_description="The access token expired"'
            raise _unauthorized(challenge, "The access token expired")
        if entry["issued"] == chain.access_issued:
            chain.fresh_unused = False  # the newest pair is in use: its predecessor's grace (if any) ends
        return chain


def _unauthorized(challenge: str, message: str) -> HttpError:
    return HttpError(json_response(error_body(message), 401, [("WWW-Authenticate", challenge)]))
