"""The one outbound HTTP choke point. Every client calls through `HttpClient`; none imports requests.

It sets connect and read timeouts on every call; retries only where safe (reads, and writes the caller marks
idempotent), with capped exponential back-off and full jitter; honours Retry-After (seconds or HTTP date) and
Procore's X-Rate-Limit-Reset; never sleeps long inside a worker (a 429 or a long wait raises a typed error carrying
`retry_at`, and the task is rescheduled); paces calls by the rate-limit budgets each server announces in its
headers (`X-Rate-Limit-*`, or the windows the system's registry entry names), so a budget runs dry here instead of
in a 429; counts calls per connection; logs method, path, status and duration with secrets redacted; and maps
failures to the typed errors of connections/errors.py.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone

from . import errors
from .redaction import redact
from .registry import SYSTEMS, RateHeaders
from .usage import count_call

log = logging.getLogger("connections.http")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_ATTEMPTS = 3
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
#: Calls left unspent in a rate-limit window, for other workers sharing the connection's budget.
RATE_LIMIT_RESERVE = 1


def backoff_delay(attempt: int) -> float:
    """Full jitter: a random delay between 0 and the capped exponential step for this attempt (1-based)."""
    return random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)))


def retry_at_from_headers(headers, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the server says we may call again: Retry-After (seconds or HTTP date), else X-Rate-Limit-Reset."""
    now = now or timezone.now()
    value = headers.get("Retry-After")
    if value:
        value = value.strip()
        if value.isdigit():
            return now + dt.timedelta(seconds=int(value))
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    reset = headers.get("X-Rate-Limit-Reset")
    if reset and reset.strip().isdigit():
        return dt.datetime.fromtimestamp(int(reset.strip()), tz=dt.UTC)
    return None


def exact_json(body) -> bytes:
    """JSON in which Decimal values are written as exact JSON numbers: money never passes through a float."""
    numbers: dict[str, str] = {}

    def mark(node):
        if isinstance(node, Decimal):
            placeholder = f"\x00number{len(numbers)}\x00"
            numbers[json.dumps(placeholder)] = format(node, "f")
            return placeholder
        if isinstance(node, dict):
            return {name: mark(item) for name, item in node.items()}
        if isinstance(node, list | tuple):
            return [mark(item) for item in node]
        return node

    text = json.dumps(mark(body))
    for placeholder, number in numbers.items():
        text = text.replace(placeholder, number)
    return text.encode()


class RateBudget:
    """What is left of one connection's rate-limit window at one host, as the server last announced it.

    Fed on every answer, errors included, by the headers the system's registry entry names for the window
    (`RateHeaders`; by default `X-Rate-Limit-Limit/Remaining/Reset`, Reset in Unix seconds). Before a call, an exhausted
    window either waits out a short remainder or raises `RateLimited` carrying the reset time; it never sleeps long.
    A window declared `pace` spreads its second half evenly over the time left, so a long read slows down instead of
    running dry. Budgets live per process: every answer corrects them, so workers converge quickly.
    """

    _all: dict[tuple, RateBudget | RateBudgets] = {}
    _lock = threading.Lock()

    def __init__(self, per_minute: int | None = None, headers: RateHeaders | None = None):
        self.headers = headers or RateHeaders()
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at: dt.datetime | None = None
        # A vendor that announces no window (Acumatica's licence counts requests per minute silently) is paced by
        # the connection's own `requests_per_minute`, counted here per process.
        self.per_minute = per_minute
        self.announced = False

    @classmethod
    def of(cls, connection, base_url: str) -> RateBudget | RateBudgets:
        """The shared budget of this connection at this base URL (one API host; the login host has its own).

        A system announcing several windows (e.g. per minute and per day) gets one budget per window, all honoured.
        """
        identity = getattr(connection, "uuid", None) or getattr(connection, "pk", None) or id(connection)
        key = (str(identity), base_url.rstrip("/"))
        per_minute = (getattr(connection, "settings", None) or {}).get("requests_per_minute") or None
        windows = _rate_windows(connection)
        with cls._lock:
            budget = cls._all.get(key)
            if budget is None:
                budgets = [cls(headers=window) for window in windows]
                budget = budgets[0] if len(budgets) == 1 else RateBudgets(budgets)
                cls._all[key] = budget
            budget.per_minute = int(per_minute) if per_minute else None
            return budget

    def observe(self, headers) -> None:
        """Take the window the server announced; answers without the headers leave the budget as it was."""
        names = self.headers
        remaining, reset = headers.get(names.remaining), headers.get(names.reset)
        if remaining is None or not str(remaining).strip().lstrip("-").isdigit():
            return
        self.announced = True
        limit = headers.get(names.limit)
        self.limit = int(limit) if limit and str(limit).strip().isdigit() else self.limit
        self.remaining = int(remaining)
        reset = str(reset or "").strip()
        self.reset_at = (
            dt.datetime.fromtimestamp(int(reset) / names.reset_per_second, tz=dt.UTC) if reset.isdigit() else None
        )

    def exhausted(self, now: dt.datetime) -> bool:
        """Whether the window is spent (down to the reserve) and has not reset yet."""
        if self.remaining is None or self.remaining > RATE_LIMIT_RESERVE:
            return False
        return self.reset_at is not None and self.reset_at > now

    def spend(self, method: str, url: str) -> None:
        """Account for one call about to be sent: wait briefly for a reset, or raise RateLimited."""
        now = timezone.now()
        if self.per_minute and not self.announced:
            self._open_minute(now)
        if self.exhausted(now):
            self._wait((self.reset_at - now).total_seconds(), method, url)
            self.remaining = None  # a new window: the next answer says how much of it is left
        elif self.remaining is not None:
            if self.headers.pace:
                self._pace(now, method, url)
            self.remaining -= 1

    def _wait(self, seconds: float, method: str, url: str) -> None:
        """Sleep `seconds` when this window allows such a wait inline, else raise RateLimited until its reset."""
        longest = self.headers.max_wait_seconds or settings.HTTP_MAX_INLINE_WAIT_SECONDS
        if seconds > longest:
            raise errors.RateLimited(
                f"{method} {urlsplit(url).path}: not sent, the rate-limit window is spent "
                f"({self.remaining} of {self.limit} left) until {self.reset_at:%H:%M:%S} UTC",
                retry_at=self.reset_at,
            )
        time.sleep(max(seconds, 0))

    def _pace(self, now: dt.datetime, method: str, url: str) -> None:
        """In the second half of a window, leave an even share of the time left between calls."""
        usable = self.remaining - RATE_LIMIT_RESERVE
        if not self.limit or self.reset_at is None or self.reset_at <= now or usable * 2 >= self.limit:
            return
        self._wait((self.reset_at - now).total_seconds() / max(usable, 1), method, url)

    def _open_minute(self, now: dt.datetime) -> None:
        """Start a new local minute when the last one is over (the window is then counted down like an announced
        one)."""
        if self.reset_at is None or self.reset_at <= now or self.remaining is None:
            self.limit, self.remaining = self.per_minute, self.per_minute + RATE_LIMIT_RESERVE
            self.reset_at = now + dt.timedelta(minutes=1)


class RateBudgets:
    """Several windows of one connection at one host (e.g. per minute and per day): a call spends from each."""

    def __init__(self, windows: list[RateBudget]):
        self.windows = windows
        self.per_minute = None

    def observe(self, headers) -> None:
        for window in self.windows:
            window.observe(headers)

    def spend(self, method: str, url: str) -> None:
        # The longest-lived window first: a spent day stops the call before a minute is waited out for nothing.
        now = timezone.now()
        for window in sorted(self.windows, key=lambda w: w.reset_at or now, reverse=True):
            window.spend(method, url)


def _rate_windows(connection) -> tuple[RateHeaders, ...]:
    """The windows the connection's system announces (the default headers for a system the registry lacks)."""
    system = getattr(connection, "system", None)
    spec = SYSTEMS.get(system) if isinstance(system, str) else None
    return spec.rate_limits if spec and spec.rate_limits else (RateHeaders(),)


class Auth:
    """How a client authenticates: headers to add, and what to do after a 401."""

    def headers(self) -> dict[str, str]:
        return {}

    def on_unauthorized(self, rejected_headers: dict[str, str]) -> bool:
        """Called once after a 401. Return True when fresh credentials make a retry worthwhile."""
        return False


class HttpClient:
    """Outbound calls for one connection against one base URL."""

    def __init__(self, connection, base_url: str, auth: Auth | None = None, session: requests.Session | None = None):
        self.connection = connection
        self.base_url = base_url.rstrip("/")
        self.auth = auth or Auth()
        self.session = session or requests.Session()
        self.timeout = (settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT)
        self.budget = RateBudget.of(connection, self.base_url)

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool | None = None,
        error_mapper: Callable[[requests.Response], errors.ApiError | None] | None = None,
        patience: float | None = None,
        **kwargs,
    ) -> requests.Response:
        """Send one request, retrying where safe; return the 2xx response or raise a typed ApiError.

        `idempotent` defaults to True for reads; pass True for a write only when the destination key makes
        repeating it harmless. `error_mapper` lets a client turn a vendor-specific body into a typed error.
        `patience`: seconds to wait for the answer, once, with no retry (a call that only saves others, whose
        callers do the work another way if it fails).
        """
        method = method.upper()
        retry_safe = method in SAFE_METHODS if idempotent is None else idempotent
        url = self.url(path)
        extra_headers = kwargs.pop("headers", None) or {}
        if "json" in kwargs:  # encoded here, so money in a body is an exact number, never a float
            kwargs["data"] = exact_json(kwargs.pop("json"))
            extra_headers = {"Content-Type": "application/json", **extra_headers}
        reauthenticated = False
        attempt = 0
        while True:
            attempt += 1
            headers = {**self.auth.headers(), **extra_headers}
            try:
                response = self._send(method, url, headers=headers, patience=patience, **kwargs)
            except errors.Transient as exc:
                if (isinstance(exc, errors.OutcomeUnknown) and not retry_safe) or patience is not None:
                    raise
                self._wait_or_raise(exc, attempt, retry_safe)
                continue
            if response.status_code == 401 and not reauthenticated:
                reauthenticated = True
                if self.auth.on_unauthorized(headers):
                    attempt -= 1  # a refreshed token is not a retry of a failed call
                    continue
            if response.status_code < 400:
                return response
            exc = (error_mapper and error_mapper(response)) or self.error_for(response)
            # A write that is not idempotent is never repeated here, not even after a 503: a proxy may answer 503
            # for a request the application applied. The ledger's next attempt looks the record up first.
            self._wait_or_raise(exc, attempt, retry_safe)

    def _wait_or_raise(self, exc: errors.ApiError, attempt: int, retry_safe: bool) -> None:
        """Sleep briefly and return (to retry), or raise: never a long sleep inside a worker."""
        if not exc.retryable or not retry_safe or attempt >= MAX_ATTEMPTS or isinstance(exc, errors.RateLimited):
            raise exc
        delay = backoff_delay(attempt)
        if exc.retry_at is not None:
            delay = max(delay, (exc.retry_at - timezone.now()).total_seconds())
        if delay > settings.HTTP_MAX_INLINE_WAIT_SECONDS:
            if exc.retry_at is None:
                exc.retry_at = timezone.now() + dt.timedelta(seconds=delay)
            raise exc
        time.sleep(max(delay, 0))

    def _send(self, method: str, url: str, patience: float | None = None, **kwargs) -> requests.Response:
        self.budget.spend(method, url)
        started = time.monotonic()
        path = urlsplit(url).path
        timeout = self.timeout if patience is None else (self.timeout[0], patience)
        try:
            response = self.session.request(method, url, timeout=timeout, **kwargs)
            response.content  # read the whole body now, so a truncated body fails here  # noqa: B018
        except (requests.ConnectTimeout, requests.exceptions.SSLError) as exc:
            self._record(method, path, None, started)
            raise errors.Transient(f"{method} {path}: could not connect ({type(exc).__name__})") from exc
        except requests.ConnectionError as exc:
            self._record(method, path, None, started)
            if _never_sent(exc):
                raise errors.Transient(f"{method} {path}: could not connect") from exc
            raise errors.OutcomeUnknown(f"{method} {path}: connection lost before the answer arrived") from exc
        except (requests.ReadTimeout, requests.exceptions.ChunkedEncodingError) as exc:
            self._record(method, path, None, started)
            raise errors.OutcomeUnknown(f"{method} {path}: no complete answer ({type(exc).__name__})") from exc
        self._record(method, path, response.status_code, started)
        self.budget.observe(response.headers)
        if response.status_code < 300 and _is_html(response):
            # A captive proxy, a maintenance page or a sign-on gateway answered in place of the API. Whether a
            # write went through it is unknown, so a write is looked up before it is tried again.
            error = errors.Transient if method in SAFE_METHODS else errors.OutcomeUnknown
            raise error(f"{method} {path}: answered {response.status_code} with an HTML page instead of the API")
        _typed_json(response, method, path)
        return response

    def _record(self, method: str, path: str, status: int | None, started: float) -> None:
        duration_ms = (time.monotonic() - started) * 1000
        log.info(
            "%s %s -> %s in %.0f ms (connection %s)",
            method,
            redact(path),
            status or "no response",
            duration_ms,
            getattr(self.connection, "pk", None),
        )
        if getattr(self.connection, "pk", None) is not None:
            count_call(self.connection.pk, status)

    @staticmethod
    def error_for(response: requests.Response) -> errors.ApiError:
        """Map an HTTP error status to a typed error."""
        status = response.status_code
        body = redact(response.text or "")
        where = f"{response.request.method} {urlsplit(response.url).path}"
        message = f"{where} -> {status}: {body[:300]}"
        retry_at = retry_at_from_headers(response.headers)
        if status == 401:
            return errors.AuthExpired(message, status=status, body=body)
        if status == 404:
            return errors.NotFound(message, status=status, body=body)
        if status in (400, 409, 412, 422):
            return errors.ValidationFailed(message, status=status, body=body)
        if status == 429:
            retry_at = retry_at or timezone.now() + dt.timedelta(seconds=60)
            return errors.RateLimited(message, status=status, body=body, retry_at=retry_at)
        if status >= 500 or status == 408:
            return errors.Transient(message, status=status, body=body, retry_at=retry_at)
        return errors.Permanent(message, status=status, body=body)


def _is_html(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower() == "text/html"


def _typed_json(response: requests.Response, method: str, path: str) -> None:
    """Make `response.json()` raise a typed error on a body that is not JSON (cut short, or not JSON at all).

    Clients read answers with `.json()`; without this a garbled answer would escape as a bare ValueError. After a
    write the outcome is unknown (the request arrived), so the next attempt looks the record up first.
    """
    decode = response.json

    def json_or_typed(**kwargs):
        try:
            return decode(**kwargs)
        except ValueError as exc:
            error = errors.Transient if method in SAFE_METHODS else errors.OutcomeUnknown
            raise error(f"{method} {path}: answered {response.status_code} with a body that is not valid JSON") from exc

    response.json = json_or_typed


def _never_sent(exc: requests.ConnectionError) -> bool:
    """Whether the failure happened while connecting, so the request cannot have reached the server."""
    text = repr(exc)
    return any(marker in text for marker in ("NewConnectionError", "Connection refused", "Name or service not known"))
