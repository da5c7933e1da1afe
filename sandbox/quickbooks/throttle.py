"""QuickBooks' per-company throttles on the simulator clock.

Two sliding windows: requests per minute per company (500), and requests per second per company and app
(10; a 2016 note described it as concurrent requests, later pages as a rate). A request over either is refused
with ThrottleExceeded (3001) and does not count.
"""

from __future__ import annotations

from collections import defaultdict, deque


class Throttle:
    def __init__(self, clock):
        self.clock = clock
        self.minute: dict[str, deque] = defaultdict(deque)
        self.second: dict[tuple[str, str], deque] = defaultdict(deque)

    @staticmethod
    def _full(window: deque, now: float, span: float, limit: int | None) -> bool:
        while window and window[0] <= now - span:
            window.popleft()
        return limit is not None and len(window) >= limit

    def hit(self, realm: str, app: str, per_minute: int | None, per_second: int | None) -> bool:
        """Count one request; False when it is over a limit."""
        now = self.clock.time()
        minute, second = self.minute[realm], self.second[(realm, app)]
        if self._full(minute, now, 60, per_minute) or self._full(second, now, 1, per_second):
            return False
        minute.append(now)
        second.append(now)
        return True
