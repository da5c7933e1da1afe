"""Exact Online OAuth: the consent page, the code exchange, and refreshes that never lose the chain.

Access tokens live 600 s and `expires_in` comes as a string. Every token answer carries a new refresh token and
spends the old one: a refresh token used twice answers `invalid_grant`. A refresh is refused ("Access Token not
expired", 401) until 570 s after the previous token was issued, so refreshes happen inside the last 20 s of a
token's life (REFRESH_MARGIN_SECONDS), and a refusal becomes a RateLimited carrying the time it will be allowed.
Refreshes run under the connection's row lock (connections/tokens.py), so two workers never spend one token.

A refresh whose answer is lost (connection reset after Exact applied it) leaves us holding a spent refresh token:
it is tried exactly once more (it still works if Exact never applied the first); if Exact refuses it, the
connection moves to reauth_required saying so, instead of retrying for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode

from django.utils import timezone

from connections import errors
from connections.http import HttpClient
from connections.tokens import InvalidGrant, TokenGrant

from .consts import EARLIEST_REFRESH_SECONDS, HOSTS

log = logging.getLogger("connections.exact")

LOST_ANSWER = (
    "Exact's answer to a token refresh was lost in transit and Exact no longer accepts the previous refresh token "
    "({detail}); the new one never reached us"
)


def host(connection) -> str:
    """The region's host (or the configured override, e.g. a simulator)."""
    return connection.settings.get("base_url") or HOSTS[connection.settings.get("region") or "nl"]


class TokenRefused(errors.Permanent):
    """The token endpoint refused the grant (invalid_grant, invalid_client, ...)."""


def _token_error(response) -> errors.ApiError | None:
    """Too-early refusals become RateLimited (the refresh token is not spent); other refusals TokenRefused."""
    reason = response.headers.get("Reason") or ""
    try:
        body = response.json()
    except (ValueError, errors.ApiError):  # an empty or non-JSON refusal (the too-early one has no body)
        body = {}
    body = body if isinstance(body, dict) else {}
    detail = body.get("error_description") or body.get("error") or reason or f"HTTP {response.status_code}"
    if "not expired" in f"{reason} {detail}".lower():
        return errors.RateLimited(
            "Exact refuses a new access token this soon after the last one (Access Token not expired)",
            status=response.status_code,
        )
    if response.status_code in (400, 401, 403):
        return TokenRefused(f"{body.get('error') or 'refused'}: {detail}", status=response.status_code)
    return None


def _token_call(connection, form: dict) -> TokenGrant:
    """One POST to the token endpoint; never repeated here (a code and a refresh token are single-use)."""
    secrets = connection.secrets or {}
    client = HttpClient(connection, f"{host(connection)}/api/oauth2")
    body = {**form, "client_id": secrets.get("client_id", ""), "client_secret": secrets.get("client_secret", "")}
    response = client.request(
        "POST", "/token", data=body, headers={"Accept": "application/json"}, error_mapper=_token_error
    )
    answer = response.json()
    issued = timezone.now()
    return TokenGrant(
        access_token=answer["access_token"],
        expires_in=int(str(answer.get("expires_in") or "600")),  # a string in Exact's answers
        refresh_token=answer.get("refresh_token"),
        extra={"issued_at": issued.isoformat()},
    )


def _too_early(exc: errors.RateLimited, state: dict) -> errors.RateLimited:
    issued = state.get("issued_at")
    allowed = dt.datetime.fromisoformat(issued) + dt.timedelta(seconds=EARLIEST_REFRESH_SECONDS) if issued else None
    exc.retry_at = allowed if allowed and allowed > timezone.now() else timezone.now() + dt.timedelta(seconds=60)
    return exc


def refresh_token_grant(connection, state: dict) -> TokenGrant:
    """The fetcher of connections/tokens.py: a new token pair from the stored refresh token."""
    refresh_token = state.get("refresh_token")
    if not refresh_token:
        raise InvalidGrant("not connected yet: no refresh token is stored")
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    try:
        return _token_call(connection, form)
    except errors.RateLimited as exc:
        raise _too_early(exc, state) from None
    except TokenRefused as exc:
        raise InvalidGrant(f"Exact refused the refresh token: {exc}") from exc
    except errors.OutcomeUnknown:
        log.warning("Connection %s: the answer to a token refresh was lost; trying the same token once", connection.pk)
    try:
        return _token_call(connection, form)
    except (TokenRefused, errors.RateLimited, errors.OutcomeUnknown) as exc:
        raise InvalidGrant(LOST_ANSWER.format(detail=exc)) from exc


class ExactOAuth:
    """Exact's part of the authorization-code connect flow (connections/oauth.py)."""

    def authorize_url(self, connection, redirect_uri: str, state: str) -> str:
        query = {
            "client_id": (connection.secrets or {}).get("client_id", ""),
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "state": state,
            "force_login": "0",
        }
        return f"{host(connection)}/api/oauth2/auth?{urlencode(query)}"

    def exchange_code(self, connection, code: str, redirect_uri: str, params: dict) -> TokenGrant:
        """The authorization code (single-use, about 3 minutes) for the first token pair."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        try:
            return _token_call(connection, form)
        except TokenRefused as exc:
            raise InvalidGrant(f"Exact refused the authorization code: {exc}") from exc

    def connected(self, connection, params: dict) -> str:
        """Read the user's current division (/current/Me) and keep the configured one if the user may use it."""
        from .divisions import choose_division

        return choose_division(connection)
