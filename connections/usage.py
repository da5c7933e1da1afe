"""API usage counters per connection (calls, errors, 429s, last call), shared by every process through ApiUsage.

Counted in memory and written as one UPDATE per connection at most once a second, after every worker task and at
the end of every web request: one committed write per outbound call used to cost more than the call itself. The
counters are for people (the usage page, /metrics), so a second of lag is fine; the rate-limit budgets that pace
calls live in connections/http.py and never wait for these.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections import Counter

from django.db.models import F
from django.utils import timezone

FLUSH_INTERVAL_SECONDS = 1.0

_lock = threading.Lock()
_pending: dict[int, Counter] = {}
_last_call_at: dict[int, object] = {}
_flushed_at = 0.0


def count_call(connection_id: int, status: int | None) -> None:
    """Count one call; written now and then by the thread that owns the database connection (the main one)."""
    with _lock:
        counts = _pending.setdefault(connection_id, Counter())
        counts["calls"] += 1
        if status is None or status >= 400:
            counts["errors"] += 1
        if status == 429:
            counts["rate_limited"] += 1
        _last_call_at[connection_id] = timezone.now()
    owner = threading.current_thread() is threading.main_thread()
    if owner and time.monotonic() - _flushed_at >= FLUSH_INTERVAL_SECONDS:
        flush()


def flush(**_signal_kwargs) -> None:
    """Write what was counted since the last flush (a receiver of the end-of-request and end-of-task signals)."""
    global _flushed_at
    from .models import ApiUsage

    with _lock:
        pending, stamps = dict(_pending), dict(_last_call_at)
        _pending.clear()
        _last_call_at.clear()
        _flushed_at = time.monotonic()
    for connection_id, counts in pending.items():
        changes = {name: F(name) + amount for name, amount in counts.items()}
        changes["last_call_at"] = stamps[connection_id]
        if not ApiUsage.objects.filter(connection_id=connection_id).update(**changes):
            ApiUsage.objects.get_or_create(connection_id=connection_id)
            ApiUsage.objects.filter(connection_id=connection_id).update(**changes)


def discard() -> None:
    """Drop what was counted and not written (between tests, whose databases do not outlive them)."""
    with _lock:
        _pending.clear()
        _last_call_at.clear()


def connect_flushes() -> None:
    from django.core.signals import request_finished
    from django_q.signals import post_execute_in_worker

    request_finished.connect(flush, dispatch_uid="api-usage-flush-request")
    post_execute_in_worker.connect(flush, dispatch_uid="api-usage-flush-task")
    atexit.register(_flush_at_exit)


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # noqa: BLE001 - the process is ending; a lost counter must not hide its real exit status
        pass
