"""A movable clock shared by everything time-based in one simulator.

Token expiry, rate-limit windows and "last modified" stamps all read this clock, so a test can jump
past a 90-minute token lifetime in a millisecond instead of waiting. The clock keeps running in real
time after a move; only its offset changes.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; a value without an offset is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Clock:
    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch on the simulator clock."""
        with self._lock:
            return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += float(seconds)

    def set(self, when: str | datetime) -> None:
        target = parse_iso(when) if isinstance(when, str) else when
        with self._lock:
            self._offset = target.timestamp() - time.time()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def describe(self) -> dict:
        now = self.now()
        return {"now": now.isoformat(), "epoch": now.timestamp(), "offset": self._offset}
