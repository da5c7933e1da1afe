"""Procore's two rate-limit windows: an hourly one and a 10-second "spike" one.

Every request counts, failed ones included. The X-Rate-Limit-* headers describe whichever window will
run out first, and a request over either window is refused with 429.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.clock import Clock

LIMIT_MESSAGE = "You have surpassed the max number of requests for an hour. Please wait until your limit resets."


@dataclass
class Window:
    seconds: int
    started: float = 0.0
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.seconds:
            self.started, self.used = now, 0

    def reset_at(self) -> int:
        return math.ceil(self.started + self.seconds)


class RateLimiter:
    def __init__(self, clock: Clock):
        self.clock = clock
        self.hour = Window(3600)
        self.spike = Window(10)

    def hit(self, hourly: int, spike: int) -> tuple[bool, list[tuple[str, str]], int]:
        """Count one request; returns (allowed, X-Rate-Limit headers, seconds until allowed again)."""
        now = self.clock.time()
        for window in (self.hour, self.spike):
            window.roll(now)
        allowed = self.hour.used < hourly and self.spike.used < spike
        if allowed:
            self.hour.used += 1
            self.spike.used += 1
        left = [(limit - window.used, limit, window) for limit, window in ((spike, self.spike), (hourly, self.hour))]
        remaining, limit, window = min(left, key=lambda item: item[0])
        headers = [
            ("X-Rate-Limit-Limit", str(limit)),
            ("X-Rate-Limit-Remaining", str(max(remaining, 0))),
            ("X-Rate-Limit-Reset", str(window.reset_at())),
        ]
        blocked = [w.reset_at() - now for left_, _, w in left if left_ <= 0]
        return allowed, headers, max(1, math.ceil(max(blocked, default=1)))
