"""Access-token lifecycle, shared by every system that uses OAuth.

Tokens are cached encrypted on the Connection row. A token is refreshed before it expires (by
TOKEN_REFRESH_MARGIN_SECONDS) and once after a 401. Refresh is single-flight: it happens under a row lock
(`select_for_update`; on SQLite the write transaction serialises the same way), and whoever waited on the lock
re-reads the row and uses the token just obtained, so twenty workers that find an expired token make one token
request. The new token (and a rotated refresh token) is committed before anyone uses it. A rejected grant moves the
connection to `reauth_required` with the reason, which pauses its syncs, instead of retrying.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import errors
from .http import Auth
from .models import Connection, ConnectionStatus

log = logging.getLogger("connections.tokens")


@dataclass
class TokenGrant:
    access_token: str
    expires_in: int  # seconds
    refresh_token: str | None = None
    extra: dict | None = None


class InvalidGrant(Exception):
    """The token endpoint rejected our credentials or refresh token; retrying will not help."""


# fetch(connection, token_state) -> TokenGrant. token_state holds the previous refresh token, if any.
Fetcher = Callable[[Connection, dict], TokenGrant]


def _usable(connection: Connection, margin: dt.timedelta) -> bool:
    state = connection.token_state or {}
    return bool(
        state.get("access_token")
        and connection.token_expires_at
        and connection.token_expires_at - margin > timezone.now()
    )


def get_access_token(
    connection_id: int, fetch: Fetcher, *, rejected: str | None = None, margin_seconds: int | None = None
) -> str:
    """A valid access token for the connection, refreshing it (once, for everyone) when needed.

    `rejected` is a token the API just answered 401 to: it is replaced even if it has not expired yet,
    unless another worker has replaced it already. `margin_seconds` overrides TOKEN_REFRESH_MARGIN_SECONDS for a
    system that refuses a refresh long before expiry (Exact: not within 570 s of the last one).
    """
    margin = dt.timedelta(
        seconds=settings.TOKEN_REFRESH_MARGIN_SECONDS if margin_seconds is None else margin_seconds
    )
    connection = Connection.objects.get(pk=connection_id)
    _raise_if_paused(connection)
    if _usable(connection, margin) and connection.token_state["access_token"] != rejected:
        return connection.token_state["access_token"]
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection_id)
        _raise_if_paused(connection)
        if _usable(connection, margin) and connection.token_state["access_token"] != rejected:
            return connection.token_state["access_token"]  # someone refreshed while we waited for the lock
        try:
            grant = fetch(connection, dict(connection.token_state or {}))
        except InvalidGrant as exc:
            rejected_grant = exc
            _require_reauth(connection, str(exc))  # committed when the block ends, before we raise
        else:
            rejected_grant = None
            _store(connection, grant)
    if rejected_grant is not None:
        raise errors.ReauthRequired(f"{connection}: {rejected_grant}") from rejected_grant
    log.info("Obtained a new access token for connection %s", connection_id)
    return grant.access_token


def _store(connection: Connection, grant: TokenGrant) -> None:
    state = dict(connection.token_state or {})
    state["access_token"] = grant.access_token
    if grant.refresh_token:
        state["refresh_token"] = grant.refresh_token
    if grant.extra:
        state.update(grant.extra)
    connection.token_state = state
    connection.token_expires_at = timezone.now() + dt.timedelta(seconds=grant.expires_in)
    connection.save(update_fields=["token_state", "token_expires_at", "updated_at"])


def _require_reauth(connection: Connection, reason: str) -> None:
    connection.status = ConnectionStatus.REAUTH_REQUIRED
    remedy = (
        f"Connect to {connection.spec.label} again (button on the connection's page) to resume syncs."
        if connection.spec.auth == "oauth_code"
        else "Re-enter them to resume syncs."
    )
    connection.status_reason = f"The system rejected our credentials ({reason}). {remedy}"
    connection.token_state = {}
    connection.token_expires_at = None
    connection.save(update_fields=["status", "status_reason", "token_state", "token_expires_at", "updated_at"])
    log.warning("Connection %s needs re-authorisation: %s", connection.pk, reason)


def _raise_if_paused(connection: Connection) -> None:
    if connection.status != ConnectionStatus.ACTIVE:
        raise errors.ReauthRequired(
            f"{connection} is {connection.get_status_display().lower()}: {connection.status_reason or 'paused'}"
        )


class BearerTokenAuth(Auth):
    """`Authorization: Bearer` from the token cache; a 401 replaces the rejected token once."""

    def __init__(
        self,
        connection: Connection,
        fetch: Fetcher,
        extra_headers: dict | None = None,
        margin_seconds: int | None = None,
    ):
        self.connection = connection
        self.fetch = fetch
        self.extra_headers = extra_headers or {}
        self.margin_seconds = margin_seconds
        self._token: str | None = None
        self._renew_at: dt.datetime | None = None

    def headers(self) -> dict[str, str]:
        # A long read keeps its token only until it is due: renewing it here avoids a 401 (which some vendors
        # count against the app) every time a token runs out under a long-lived client.
        if self._token is None or (self._renew_at is not None and self._renew_at <= timezone.now()):
            self._token = get_access_token(self.connection.pk, self.fetch, margin_seconds=self.margin_seconds)
            self._note_expiry()
        return {"Authorization": f"Bearer {self._token}", **self.extra_headers}

    def on_unauthorized(self, rejected_headers: dict[str, str]) -> bool:
        rejected = rejected_headers.get("Authorization", "").removeprefix("Bearer ")
        self._token = get_access_token(
            self.connection.pk, self.fetch, rejected=rejected, margin_seconds=self.margin_seconds
        )
        self._note_expiry()
        return True

    def _note_expiry(self) -> None:
        expires = Connection.objects.filter(pk=self.connection.pk).values_list("token_expires_at", flat=True).first()
        margin = settings.TOKEN_REFRESH_MARGIN_SECONDS if self.margin_seconds is None else self.margin_seconds
        self._renew_at = expires - dt.timedelta(seconds=margin) if expires else None
