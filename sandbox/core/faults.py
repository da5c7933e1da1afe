"""Fault switches that tests arm over the control API.

A fault matches requests by method and path (a substring, or else a regular expression) and fires a
given number of times. Kinds:

- ``latency``: sleep ``ms`` milliseconds before answering (combines with the others);
- ``status``: answer ``status`` (default 503) without touching state, with ``retry_after`` if given;
- ``rate_limit``: answer 429 the way the vendor does (each simulator renders it);
- ``reset_after_write``: apply the request, then drop the TCP connection without any answer;
- ``truncate``: apply the request, then send a body shorter than its Content-Length (with ``framed``: a complete
  HTTP answer whose body is cut, so the framing is right and the JSON or XML inside is not);
- ``hang_after_write``: apply the request, then hold the answer ``ms`` milliseconds (a worker killed meanwhile,
  or a client whose read timeout runs out, never learns the request took effect);
- ``html``: answer 200 with an HTML page (a proxy's or a login page) without touching state.

Any fault may carry ``contains``: it then fires only for requests whose query string or body contains that text
(one record among many sent to the same path).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

KINDS = ("latency", "status", "rate_limit", "reset_after_write", "truncate", "hang_after_write", "html")


@dataclass
class Fault:
    kind: str
    method: str | None = None
    path: str | None = None
    times: int | None = 1  # None or 0: until cleared
    skip: int = 0  # let this many matching requests through first
    params: dict = field(default_factory=dict)
    fired: int = 0

    def matches(self, method: str, path: str, text: str = "") -> bool:
        if self.method and self.method.upper() not in ("*", method.upper()):
            return False
        if self.params.get("contains") and str(self.params["contains"]) not in text:
            return False
        if not self.path or self.path in path:
            return True
        try:
            return re.search(self.path, path) is not None
        except re.error:
            return False

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "times": self.times,
            "skip": self.skip,
            "fired": self.fired,
            **self.params,
        }


class FaultBook:
    """The armed faults of one simulator."""

    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, spec: dict) -> Fault:
        spec = dict(spec)
        kind = spec.pop("kind", None)
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        fault = Fault(
            kind=kind,
            method=spec.pop("method", None),
            path=spec.pop("path", None),
            times=spec.pop("times", 1),
            skip=int(spec.pop("skip", 0) or 0),
            params=spec,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str, text: str = "") -> dict[str, Fault]:
        """The faults firing for this request, by kind; each firing uses up one of its ``times``.

        `text` is what ``contains`` looks in: the query string and the body of the request.
        """
        fired: dict[str, Fault] = {}
        with self._lock:
            for fault in list(self._faults):
                if fault.kind in fired or not fault.matches(method, path, text):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.fired += 1
                fired[fault.kind] = fault
                if fault.times and fault.fired >= fault.times:
                    self._faults.remove(fault)
        return fired

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def describe(self) -> list[dict]:
        with self._lock:
            return [fault.describe() for fault in self._faults]
