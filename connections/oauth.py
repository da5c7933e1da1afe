"""The authorization-code connect flow, the same for every system whose registry entry declares auth "oauth_code".

"Connect to <system>" on a connection's page posts to `connect`, which sends the admin to the vendor's consent
page with a `state` that is signed (Django's signing, SECRET_KEY), names the connection, the user and a random
nonce, and expires after STATE_MAX_AGE seconds. The nonce is kept server-side, hashed, with the user and its
expiry, in the connection's encrypted token state, and is removed (under the row lock) by the first callback that
presents it: a forged, expired, replayed or someone else's state is refused before any code is exchanged.

The vendor redirects to `callback` (`/<system>/callback/`, the redirect URI registered with the vendor) with
`code` and `state` (QuickBooks adds `realmId`). The system's `OAuthCodeFlow` (SystemSpec.oauth) exchanges the code;
the tokens replace the connection's token state, encrypted, and the connection becomes active; then the flow reads
what the connection needs once connected (Exact: the division from /current/Me; QuickBooks: the realm id).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import Protocol

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import errors
from .models import Connection, ConnectionStatus, Role
from .registry import get_system
from .tenancy import has_role, scope_queryset
from .tokens import InvalidGrant, TokenGrant

log = logging.getLogger("connections.oauth")

STATE_SALT = "connections.oauth.state"
STATE_MAX_AGE = 600  # seconds between leaving for the consent page and coming back
PENDING = "oauth_pending"  # token_state key: sha256(nonce) -> {"user": id, "expires": epoch seconds}


class OAuthCodeFlow(Protocol):
    """What a system supplies to the connect flow (named by SystemSpec.oauth)."""

    def authorize_url(self, connection: Connection, redirect_uri: str, state: str) -> str:
        """The vendor's consent page for this connection's app."""

    def exchange_code(self, connection: Connection, code: str, redirect_uri: str, params: dict) -> TokenGrant:
        """The first token pair for an authorization code; InvalidGrant when the vendor refuses it."""

    def connected(self, connection: Connection, params: dict) -> str:
        """Once the tokens are stored: read and save what the connection needs; a sentence for the admin."""


class StateRefused(Exception):
    """The callback's state is not one we issued to this user, unused and in time."""


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def redirect_uri(request, system: str) -> str:
    return request.build_absolute_uri(reverse("oauth_callback", kwargs={"system": system}))


def issue_state(connection: Connection, user) -> str:
    """A signed, single-use state for this connection and user; its nonce is remembered under the row lock."""
    nonce = secrets.token_urlsafe(24)
    now = timezone.now().timestamp()
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        state = dict(row.token_state or {})
        pending = {key: entry for key, entry in (state.get(PENDING) or {}).items() if entry["expires"] > now}
        pending[_digest(nonce)] = {"user": user.pk, "expires": now + STATE_MAX_AGE}
        row.token_state = {**state, PENDING: pending}
        row.save(update_fields=["token_state", "updated_at"])
    return signing.dumps({"c": connection.pk, "u": user.pk, "n": nonce}, salt=STATE_SALT, compress=True)


def consume_state(state: str, user) -> Connection:
    """The connection a state was issued for, spending its nonce; StateRefused when it is not ours to accept."""
    try:
        payload = signing.loads(state or "", salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.SignatureExpired:
        raise StateRefused("The consent took longer than 10 minutes; start again.") from None
    except signing.BadSignature:
        raise StateRefused("The answer does not belong to a connection attempt started here.") from None
    if not isinstance(payload, dict) or payload.get("u") != user.pk:
        raise StateRefused("This connection attempt was started by another user.")
    with transaction.atomic():
        row = Connection.objects.select_for_update().filter(pk=payload.get("c")).first()
        pending = dict((row.token_state or {}).get(PENDING) or {}) if row else {}
        entry = pending.pop(_digest(str(payload.get("n"))), None)
        if entry is not None:
            row.token_state = {**row.token_state, PENDING: pending}
            row.save(update_fields=["token_state", "updated_at"])
    if entry is None or entry.get("user") != user.pk:
        raise StateRefused("This answer was already used, or its connection attempt was replaced; start again.")
    if entry["expires"] <= timezone.now().timestamp():
        raise StateRefused("The consent took longer than 10 minutes; start again.")
    return row


def store_grant(connection: Connection, grant: TokenGrant) -> None:
    """The first tokens of a new chain replace whatever the connection held; it is active again."""
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        state = {"access_token": grant.access_token, **(grant.extra or {})}
        if grant.refresh_token:
            state["refresh_token"] = grant.refresh_token
        row.token_state = state
        row.token_expires_at = timezone.now() + dt.timedelta(seconds=grant.expires_in)
        row.status, row.status_reason = ConnectionStatus.ACTIVE, ""
        row.save(update_fields=["token_state", "token_expires_at", "status", "status_reason", "updated_at"])
    connection.refresh_from_db()


def _refused(request, message: str, connection: Connection | None = None, status: int = 400):
    return render(
        request,
        "admin/connections/oauth_refused.html",
        {"title": "Connection not made", "message": message, "connection": connection},
        status=status,
    )


def _change_page(connection: Connection) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:connections_connection_change", args=[connection.pk]))


@staff_member_required
@require_POST
def connect(request, connection_uuid):
    """Leave for the vendor's consent page."""
    # Another tenant's connection is answered as a missing one: its existence is not theirs to learn.
    connection = get_object_or_404(scope_queryset(Connection.objects.all(), request.user), uuid=connection_uuid)
    if not has_role(request.user, Role.ADMIN, connection):
        return _refused(request, "Only an admin of this tenant may connect it.", status=403)
    try:
        flow = connection.spec.oauth_flow()
    except ValidationError as exc:
        return _refused(request, " ".join(exc.messages), connection)
    state = issue_state(connection, request.user)
    return HttpResponseRedirect(flow.authorize_url(connection, redirect_uri(request, connection.system), state))


@staff_member_required
@require_GET
def callback(request, system: str):
    """Back from the consent page: check the state, exchange the code, store the tokens."""
    try:
        connection = consume_state(request.GET.get("state", ""), request.user)
    except StateRefused as exc:
        log.warning("Refused an OAuth callback for %s by user %s: %s", system, request.user.pk, exc)
        return _refused(request, str(exc))
    if connection.system != system or not has_role(request.user, Role.ADMIN, connection):
        return _refused(request, "This answer does not belong to this connection.", status=403)
    if request.GET.get("error") or not request.GET.get("code"):
        reason = request.GET.get("error_description") or request.GET.get("error") or "no authorization code"
        return _refused(request, f"{connection.spec.label} did not grant access: {reason}.", connection)
    flow = get_system(system).oauth_flow()
    params = {key: value for key, value in request.GET.items() if key not in ("code", "state")}
    try:
        grant = flow.exchange_code(connection, request.GET["code"], redirect_uri(request, system), params)
    except (InvalidGrant, errors.ApiError) as exc:
        return _refused(request, f"{connection.spec.label} refused the authorization: {exc}", connection)
    store_grant(connection, grant)
    try:
        note = flow.connected(connection, params)
    except errors.ApiError as exc:
        messages.warning(request, f"{connection}: connected, but reading its settings failed: {exc}")
    else:
        messages.success(request, f"{connection}: {note}")
    log.info("Connection %s connected through the consent page by user %s", connection.pk, request.user.pk)
    return _change_page(connection)
