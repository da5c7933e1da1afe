"""Staying welcome at Procurify: an even request pace per connection, and a pause when Procurify pushes back.

Procurify publishes no rate limit, no rate-limit headers and no 429; it warns instead that it may suspend API access
of a customer whose requests are excessive or time out. So each connection spends a budget of its own
(`requests_per_minute`, the connection setting): calls are spaced evenly over the minute (a large backfill becomes a
steady trickle, never a burst), and connections/http.py's RateBudget counts the same minute as a hard stop.

When Procurify pushes back, the connection's work pauses: a gateway timeout (504, Procurify overloaded) or a
suspension (403 or 429 that says so, or carries Retry-After) raises `errors.RateLimited` with a `retry_at` far enough
ahead, and every later call of the connection in this process is refused here, unsent, until then. The engine
reschedules the run at `retry_at` and shows why. The pace and the pause are per worker process: set the budget to
what the whole deployment may spend divided by the number of worker processes.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from urllib.parse import urlsplit

import requests
from django.db.models import F
from django.utils import timezone

from connections import errors
from connections.http import HttpClient, retry_at_from_headers
from connections.redaction import redact

from .consts import DEFAULT_REQUESTS_PER_MINUTE, OVERLOAD_PAUSE, SUSPENSION_PAUSE

log = logging.getLogger("connections.procurify")

# Looked up at call time, so a test can run the pace on a simulated clock.
monotonic = time.monotonic
sleep = time.sleep

SUSPENSION_WORDS = ("suspend", "excessive", "too many", "throttl")


class Pace:
    """The request pace and any pause of one connection at one host, shared by every client in the process."""

    _all: dict[tuple, Pace] = {}
    _lock = threading.Lock()

    def __init__(self):
        self.lock = threading.Lock()
        self.next_slot = 0.0
        self.paused_until: dt.datetime | None = None
        self.pause_reason = ""

    @classmethod
    def of(cls, connection, base_url: str) -> Pace:
        identity = getattr(connection, "uuid", None) or getattr(connection, "pk", None) or id(connection)
        with cls._lock:
            return cls._all.setdefault((str(identity), base_url.rstrip("/")), cls())

    def wait_turn(self, per_minute: int) -> None:
        """Take the next free slot (one every 60/per_minute seconds) and sleep until it comes."""
        interval = 60.0 / max(per_minute, 1)
        with self.lock:
            now = monotonic()
            slot = max(self.next_slot, now)
            self.next_slot = slot + interval
        if slot > now:
            sleep(slot - now)

    def pause(self, until: dt.datetime, reason: str) -> None:
        with self.lock:
            if self.paused_until is None or until > self.paused_until:
                self.paused_until, self.pause_reason = until, reason
        log.warning("Procurify calls paused until %s: %s", f"{until:%Y-%m-%d %H:%M:%S} UTC", reason)

    def refuse_if_paused(self, method: str, url: str) -> None:
        until = self.paused_until
        if until is not None and until > timezone.now():
            raise errors.RateLimited(
                f"{method} {urlsplit(url).path}: not sent; this connection's calls to Procurify are paused until "
                f"{until:%Y-%m-%d %H:%M:%S} UTC ({self.pause_reason})",
                retry_at=until,
            )


def requests_per_minute(connection) -> int:
    value = (getattr(connection, "settings", None) or {}).get("requests_per_minute")
    return int(value) if value and str(value).isdigit() and int(value) > 0 else DEFAULT_REQUESTS_PER_MINUTE


class PacedHttpClient(HttpClient):
    """HttpClient that sends every request of the connection (retries and token requests included) at the pace,
    maps Procurify's push-back to RateLimited, and refuses to send while the connection is paused."""

    def __init__(self, connection, base_url: str, auth=None, session=None):
        super().__init__(connection, base_url, auth=auth, session=session)
        self.pace = Pace.of(connection, self.base_url)
        self.per_minute = requests_per_minute(connection)

    def request(self, method: str, path: str, *, error_mapper=None, **kwargs) -> requests.Response:
        def mapped(response):
            return (error_mapper and error_mapper(response)) or push_back(response)

        try:
            return super().request(method, path, error_mapper=mapped, **kwargs)
        except errors.RateLimited as exc:
            if exc.status is not None and exc.retry_at is not None:  # an answer from Procurify, not our own refusal
                self.pace.pause(exc.retry_at, getattr(exc, "pause_reason", f"Procurify answered {exc.status}"))
                if exc.status != 429:  # a 429 is counted by connections/http.py already
                    count_push_back(self.connection)
            raise

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        self.pace.refuse_if_paused(method, url)
        self.pace.wait_turn(self.per_minute)
        return super()._send(method, url, **kwargs)


def count_push_back(connection) -> None:
    """Count Procurify's push-back with the connection's rate-limited calls (connections/http.py counts only 429s),
    so the dashboard's connection health and /metrics show it next to the calls: a 504 or a suspension here is
    Procurify's way of saying "too much"."""
    from connections.models import ApiUsage

    if getattr(connection, "pk", None) is not None:
        ApiUsage.objects.filter(connection_id=connection.pk).update(rate_limited=F("rate_limited") + 1)


def push_back(response: requests.Response) -> errors.ApiError | None:
    """Procurify's refusals that mean "slow down": a suspension or an overload, as RateLimited; else None.

    Neither is published: a suspension is taken to be a 403 or 429 that says so (or names a Retry-After), an overload
    a gateway timeout. A plain 403 stays a permission error.
    """
    status = response.status_code
    body = redact(response.text or "")
    now = timezone.now()
    told = retry_at_from_headers(response.headers, now)
    told = told if told is not None and told > now else None
    suspended = any(word in body.lower() for word in SUSPENSION_WORDS)
    if status in (403, 429) and (suspended or told is not None):
        if suspended or status == 403:
            # A suspension's length is not published: without Retry-After, hold off long enough not to prolong it.
            until = told or now + SUSPENSION_PAUSE
            return paused(response, "Procurify suspended API access for this domain", body, until)
        return paused(response, "Procurify refused the call as one too many", body, told)
    if status == 504:
        until = max(told or now, now + OVERLOAD_PAUSE)
        return paused(response, "Procurify is overloaded (gateway timeout)", body, until)
    return None


def paused(response: requests.Response, reason: str, body: str, retry_at: dt.datetime) -> errors.RateLimited:
    where = f"{response.request.method} {urlsplit(response.url).path}"
    exc = errors.RateLimited(
        f"{where} -> {response.status_code}: {reason} ({body[:200]}); this connection's work pauses until "
        f"{retry_at:%Y-%m-%d %H:%M:%S} UTC",
        status=response.status_code,
        body=body,
        retry_at=retry_at,
    )
    exc.pause_reason = reason
    return exc
