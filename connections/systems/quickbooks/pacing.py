"""Calls per second per company: Intuit allows 10 requests a second per company and app, and answers 429 past it.

A long read (many query pages, one bill payment per paid bill) easily sends more, so each process keeps a rolling
one-second window per company and waits the fraction of a second left (with some slack) before an eleventh call.
Several processes may still meet the limit together; the 429 then stops the run with a retry time like any other
throttle.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from .consts import REQUESTS_PER_SECOND

#: The window we count in: a second, and some slack for the time a request takes to arrive (the service counts calls
#: when they reach it, we when they leave).
WINDOW_SECONDS = 1.15

_windows: dict[str, deque] = {}
_lock = threading.Lock()


def pace(realm: str, per_second: int = REQUESTS_PER_SECOND) -> None:
    """Return once a call for `realm` stays within `per_second` calls in any one second (sleeps under a second)."""
    while True:
        with _lock:
            window = _windows.setdefault(realm, deque())
            now = time.monotonic()
            while window and now - window[0] >= WINDOW_SECONDS:
                window.popleft()
            if len(window) < per_second:
                window.append(now)
                return
            wait = WINDOW_SECONDS - (now - window[0])
        time.sleep(max(wait, 0.001))
