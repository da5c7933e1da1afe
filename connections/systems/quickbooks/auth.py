"""QuickBooks Online OAuth 2.0 (authorization code): what the connect flow and the token cache need.

- `authorize_url`: Intuit's consent page for our client id, scope, redirect URI and state.
- `exchange_code`: the code from the callback -> tokens (HTTP Basic client authentication); the callback's
  `realmId` (the company) is recorded on the connection's settings.
- `fetch_token`: the refresher `connections.tokens` calls. Refresh tokens rotate: every refresh may return a new one,
  which the token cache stores, and a superseded one answers `invalid_grant`, which moves the connection to
  reauth_required instead of being retried.
- `revoke`: revoke the connection's refresh token at Intuit (disconnect) and forget the cached tokens.

Endpoints are Intuit's (the same for production and its sandbox) unless the connection names an OpenID discovery
document (`discovery_url`), as the simulator publishes one.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import threading
from urllib.parse import urlencode

from django.utils import timezone

from connections import errors
from connections.http import HttpClient
from connections.tokens import InvalidGrant, TokenGrant

from .consts import ACCESS_TOKEN_SECONDS, ACCOUNTING_SCOPE, OAUTH_ENDPOINTS, SIMULATOR_DISCOVERY

log = logging.getLogger("connections.quickbooks")

_discovered: dict[str, dict] = {}
_discovery_lock = threading.Lock()


def endpoints(connection) -> dict[str, str]:
    """authorization_endpoint, token_endpoint and revocation_endpoint for this connection."""
    url = connection.settings.get("discovery_url") or (
        SIMULATOR_DISCOVERY if connection.environment == "simulator" else ""
    )
    if not url:
        return dict(OAUTH_ENDPOINTS)
    with _discovery_lock:
        known = _discovered.get(url)
    if known is None:
        document = HttpClient(connection, url).request("GET", url).json()
        known = {name: document[name] for name in OAUTH_ENDPOINTS if document.get(name)}
        with _discovery_lock:
            _discovered[url] = known
    return {**OAUTH_ENDPOINTS, **known}


def authorize_url(connection, redirect_uri: str, state: str, scope: str = ACCOUNTING_SCOPE) -> str:
    """Where to send the person who connects the company: Intuit's consent page.

    `scope` is space separated (the accounting scope by default, which makes the callback carry `realmId`).
    """
    query = {
        "client_id": connection.secrets.get("client_id", ""),
        "response_type": "code",
        "scope": scope,
        "redirect_uri": redirect_uri,
        "state": state,
    }
    return f"{endpoints(connection)['authorization_endpoint']}?{urlencode(query)}"


def _basic(connection) -> dict[str, str]:
    pair = f"{connection.secrets.get('client_id', '')}:{connection.secrets.get('client_secret', '')}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode(), "Accept": "application/json"}


def _token_call(connection, form: dict) -> dict:
    """POST the token endpoint once. A refused grant or client raises InvalidGrant (never retried)."""
    url = endpoints(connection)["token_endpoint"]
    http = HttpClient(connection, url)
    try:
        # Not idempotent: a refresh token used once may be superseded, so a lost answer is not repeated blindly.
        response = http.request("POST", url, data=form, headers=_basic(connection), idempotent=False)
    except (errors.ValidationFailed, errors.AuthExpired, errors.Permanent, errors.NotFound) as exc:
        reason = f"{exc.status}: {_oauth_error(exc)}"
        raise InvalidGrant(f"Intuit refused the {form['grant_type']} grant ({reason})") from exc
    return response.json()


def _oauth_error(exc: errors.ApiError) -> str:
    """The OAuth error name (`invalid_grant`, `invalid_client`...) from a refusal, never the request itself."""
    try:
        body = json.loads(exc.body)
    except ValueError:
        return "refused"
    return str(body.get("error") or "refused") if isinstance(body, dict) else "refused"


def _grant(body: dict) -> TokenGrant:
    extra = {}
    if body.get("x_refresh_token_expires_in"):
        expires = timezone.now() + dt.timedelta(seconds=int(body["x_refresh_token_expires_in"]))
        extra["refresh_token_expires_at"] = expires.isoformat()
    return TokenGrant(
        access_token=body["access_token"],
        expires_in=int(body.get("expires_in") or ACCESS_TOKEN_SECONDS),
        refresh_token=body.get("refresh_token"),
        extra=extra or None,
    )


def exchange_code(connection, code: str, redirect_uri: str, realm_id: str | None = None) -> TokenGrant:
    """Trade the callback's authorization code for tokens; record the company (`realmId`) when given.

    The caller stores the returned grant on the connection (its refresh token is the one to keep).
    """
    if realm_id:
        known = str((connection.settings or {}).get("realm_id") or "")
        if known and known != str(realm_id):
            record_realm(connection, realm_id)  # refuses before the code is spent
    body = _token_call(connection, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
    if realm_id:
        record_realm(connection, realm_id)
    return _grant(body)


def record_realm(connection, realm_id: str) -> None:
    """Remember which QuickBooks company the connection was authorised for.

    A connection that already reads one company is never switched to another by a new consent: its ledger, cursors
    and maps belong to the first. InvalidGrant says so (and the new tokens are not kept).
    """
    known = str((connection.settings or {}).get("realm_id") or "")
    if known and known != str(realm_id):
        raise InvalidGrant(
            f"this connection reads QuickBooks company {known}, but consent was given for company {realm_id}; "
            "choose the same company, or create another connection for the other one"
        )
    connection.settings = {**(connection.settings or {}), "realm_id": str(realm_id)}
    if connection.pk:
        connection.save(update_fields=["settings", "updated_at"])


LOST_ANSWER = (
    "Intuit's answer to a token refresh was lost in transit and Intuit no longer accepts the previous refresh token "
    "({detail}); the new one never reached us"
)


def fetch_token(connection, token_state: dict) -> TokenGrant:
    """Refresh the access token with the latest refresh token (rotated ones are kept in the token state).

    A refresh whose answer is lost may have rotated the token at Intuit: the same token is tried exactly once more
    (Intuit still takes it if the first never arrived, or if it kept the value); a refusal then moves the connection
    to reauth_required saying what happened, instead of a retry each run.
    """
    refresh_token = token_state.get("refresh_token") or connection.secrets.get("refresh_token")
    if not refresh_token:
        raise InvalidGrant("no refresh token: connect the QuickBooks company again")
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    try:
        return _grant(_token_call(connection, form))
    except errors.OutcomeUnknown:
        log.warning("Connection %s: the answer to a token refresh was lost; trying the same token once", connection.pk)
    try:
        return _grant(_token_call(connection, form))
    except (InvalidGrant, errors.OutcomeUnknown) as exc:
        raise InvalidGrant(LOST_ANSWER.format(detail=exc)) from exc


def revoke(connection) -> None:
    """Revoke the connection's refresh token (or access token) at Intuit and forget the cached tokens."""
    state = connection.token_state or {}
    token = state.get("refresh_token") or connection.secrets.get("refresh_token") or state.get("access_token")
    if token:
        url = endpoints(connection)["revocation_endpoint"]
        HttpClient(connection, url).request(
            "POST", url, json={"token": token}, headers=_basic(connection), idempotent=True
        )
    connection.token_state = {}
    connection.token_expires_at = None
    if connection.pk:
        connection.save(update_fields=["token_state", "token_expires_at", "updated_at"])


class QuickBooksOAuth:
    """QuickBooks' part of the authorization-code connect flow (connections/oauth.py)."""

    def authorize_url(self, connection, redirect_uri: str, state: str) -> str:
        return authorize_url(connection, redirect_uri, state)

    def exchange_code(self, connection, code: str, redirect_uri: str, params: dict) -> TokenGrant:
        """The code for the first token pair; the callback's `realmId` names the company that was connected."""
        return exchange_code(connection, code, redirect_uri, params.get("realmId"))

    def connected(self, connection, params: dict) -> str:
        """Read the company's name, which also proves the new tokens work."""
        from .client import QuickBooksClient

        if not (connection.settings or {}).get("realm_id"):
            return "Connected, but QuickBooks named no company: connect again and choose one."
        company = QuickBooksClient(connection).company_info()
        name = company.get("CompanyName") or "the company"
        return f"Connected to QuickBooks company {name} (realm {connection.settings['realm_id']})."
