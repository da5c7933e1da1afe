"""Exact's API limits: calls per minute and per day, per app (client id) and company (division).

Windows follow the clock: the minute window resets on the minute boundary, the daily one at 00:00 UTC.
Every authenticated API answer carries the daily ``X-RateLimit-Limit/-Remaining/-Reset`` and the
``X-RateLimit-Minutely-Limit/-Remaining/-Reset`` headers; reset values are epoch milliseconds. A call
over either limit is refused with 429 and does not count.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ..core.clock import Clock

DAY = 86400


class RateLimiter:
    def __init__(self, clock: Clock):
        self.clock = clock
        self.minute: dict[tuple, tuple[int, int]] = defaultdict(lambda: (0, 0))  # key -> (window start, used)
        self.day: dict[tuple, tuple[int, int]] = defaultdict(lambda: (0, 0))

    @staticmethod
    def _used(table: dict, key: tuple, start: int) -> int:
        window, used = table[key]
        return used if window == start else 0

    def hit(self, key: tuple, minutely: int, daily: int) -> tuple[bool, dict[str, str]]:
        """Count one call for (client, division); returns (allowed, the six headers)."""
        now = self.clock.time()
        minute_start = int(now // 60 * 60)
        day_start = int(now // DAY * DAY)
        minute_used = self._used(self.minute, key, minute_start)
        day_used = self._used(self.day, key, day_start)
        allowed = minute_used < minutely and day_used < daily
        if allowed:
            minute_used, day_used = minute_used + 1, day_used + 1
            self.minute[key] = (minute_start, minute_used)
            self.day[key] = (day_start, day_used)
        headers = {
            "X-RateLimit-Limit": str(daily),
            "X-RateLimit-Remaining": str(max(daily - day_used, 0)),
            "X-RateLimit-Reset": str(math.floor((day_start + DAY) * 1000)),
            "X-RateLimit-Minutely-Limit": str(minutely),
            "X-RateLimit-Minutely-Remaining": str(max(minutely - minute_used, 0)),
            "X-RateLimit-Minutely-Reset": str(math.floor((minute_start + 60) * 1000)),
        }
        return allowed, headers


def headers_for_429(headers: dict[str, str], which: str) -> list[tuple[str, str]]:
    """Which limit headers a 429 carries is unconfirmed: all six, only the minutely ones, or none."""
    if which == "none":
        return []
    if which == "minutely":
        return [(k, v) for k, v in headers.items() if "Minutely" in k]
    return list(headers.items())
