"""Load: calls counted per minute, the overload switch and the temporary suspension.

Procurify publishes no rate limit and no rate-limit headers; it warns that requests which are too
large or time out may get a customer's API access suspended. The simulator therefore offers:

- a count of calls per domain and per minute of the simulator clock, so a test can assert that a
  client kept its request budget (``GET /_sandbox/procurify/records/calls_per_minute``);
- an ``overload`` switch: API calls time out (``overload_status``) until the switch is turned off or,
  after ``suspend_after_errors`` such errors, the domain is suspended;
- a suspension (``suspension_status``) lasting ``suspension_seconds`` on the simulator clock, also
  triggered by more than ``suspend_over_per_minute`` calls in one minute when that is set.
None of these statuses is published: each is a switch.
"""

from __future__ import annotations

import threading
from collections import Counter

from ..core.clock import Clock
from ..core.counters import CallCounter
from ..core.http import Response

SUSPENDED = "API access for this domain has been suspended because of excessive requests."


def minute_of(clock: Clock) -> str:
    return clock.now().strftime("%Y-%m-%dT%H:%M")


class MinuteCounter(CallCounter):
    """The shared endpoint counters plus calls per (domain, minute); cleared with them."""

    def __init__(self, clock: Clock):
        super().__init__()
        self.clock = clock
        self._minutes: Counter[tuple[str, str]] = Counter()
        self._minute_lock = threading.Lock()

    def count(self, method: str, path: str) -> None:
        super().count(method, path)
        domain = path.lstrip("/").partition("/")[0]
        with self._minute_lock:
            self._minutes[(domain, minute_of(self.clock))] += 1

    def in_minute(self, domain: str, minute: str) -> int:
        with self._minute_lock:
            return self._minutes[(domain, minute)]

    def per_minute(self) -> list[dict]:
        with self._minute_lock:
            rows = sorted(self._minutes.items())
        return [{"domain": domain, "minute": minute, "calls": calls} for (domain, minute), calls in rows]

    def reset(self) -> None:
        super().reset()
        with self._minute_lock:
            self._minutes.clear()


class LoadGuard:
    """Overload errors and suspensions, per domain."""

    def __init__(self, clock: Clock, counter: MinuteCounter):
        self.clock = clock
        self.counter = counter
        self.suspended_until: dict[str, float] = {}
        self.errors: Counter[str] = Counter()

    def suspended(self, domain: str, config: dict) -> Response | None:
        """The suspension answer while a domain is suspended (token endpoint included)."""
        until = self.suspended_until.get(domain)
        if until is None:
            return None
        if self.clock.time() >= until:
            del self.suspended_until[domain]
            self.errors[domain] = 0
            return None
        return self._suspension(config, until)

    def refuse(self, domain: str, config: dict) -> Response | None:
        """The answer to an API call refused for load, or None to serve it."""
        answer = self.suspended(domain, config)
        if answer is not None:
            return answer
        limit = config["suspend_over_per_minute"]
        if limit and self.counter.in_minute(domain, minute_of(self.clock)) > limit:
            return self.suspend(domain, config)
        if not config["overload"]:
            self.errors[domain] = 0
            return None
        self.errors[domain] += 1
        threshold = config["suspend_after_errors"]
        if threshold and self.errors[domain] > threshold:
            return self.suspend(domain, config)
        # A timed-out request comes back from the edge, not from the API: plain text, no JSON.
        return Response.text("upstream request timeout", config["overload_status"])

    def suspend(self, domain: str, config: dict) -> Response:
        until = self.clock.time() + float(config["suspension_seconds"])
        self.suspended_until[domain] = until
        return self._suspension(config, until)

    def _suspension(self, config: dict, until: float) -> Response:
        headers = []
        if config["suspension_retry_after"]:
            headers.append(("Retry-After", str(max(1, int(until - self.clock.time())))))
        return Response.json({"detail": SUSPENDED}, config["suspension_status"], headers)

    def describe(self) -> list[dict]:
        now = self.clock.time()
        return [
            {"domain": domain, "suspended_for_seconds": round(until - now, 3)}
            for domain, until in sorted(self.suspended_until.items())
            if until > now
        ]
