"""Scheduled care of Exact connections (to be scheduled by the deployment, e.g. daily).

A refresh token left unused for 30 days dies, and with it the connection. Connections in use refresh every
ten minutes; the keep-alive refreshes any connection whose last token was issued long ago (an integration paused
over a holiday), under the same single-flight lock as any refresh, so it never races a worker.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from connections import errors
from connections.models import Connection, ConnectionStatus
from connections.tokens import get_access_token

from .auth import refresh_token_grant
from .consts import KEEP_ALIVE_AFTER_DAYS, REFRESH_MARGIN_SECONDS

log = logging.getLogger("connections.exact")


def idle_since(connection: Connection) -> dt.datetime | None:
    """When the connection's current refresh token was issued (None: never connected)."""
    issued = (connection.token_state or {}).get("issued_at")
    return dt.datetime.fromisoformat(issued) if issued else None


def keep_alive(older_than_days: int = KEEP_ALIVE_AFTER_DAYS) -> dict:
    """Refresh every active Exact connection whose refresh token has sat unused for `older_than_days` days.

    Returns counts: refreshed, skipped (recently used or never connected), failed (the reason is on the connection
    when Exact refused the token; other failures are logged and retried on the next run).
    """
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    counts = {"refreshed": 0, "skipped": 0, "failed": 0}
    for connection in Connection.objects.filter(system="exact", status=ConnectionStatus.ACTIVE):
        issued = idle_since(connection)
        if issued is None or issued > cutoff:
            counts["skipped"] += 1
            continue
        current = (connection.token_state or {}).get("access_token")
        try:
            # Naming the current token as rejected makes the refresh happen now, unless a worker just did one.
            get_access_token(
                connection.pk, refresh_token_grant, rejected=current, margin_seconds=REFRESH_MARGIN_SECONDS
            )
        except errors.ApiError as exc:
            counts["failed"] += 1
            log.warning("Keep-alive of connection %s failed: %s", connection.pk, exc)
            continue
        counts["refreshed"] += 1
    return counts
