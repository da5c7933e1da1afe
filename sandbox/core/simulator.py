"""The base class every vendor simulator builds on.

A simulator owns its state (a Store of records), its clock, faults, call counters and switches. The
WSGI app routes vendor traffic to ``handle`` and control traffic to the other public methods; both
run under the simulator's lock, so a handler sees a consistent state without further locking.
"""

from __future__ import annotations

import copy
import math
import random
import threading

from .clock import Clock
from .counters import CallCounter
from .faults import Fault, FaultBook
from .http import Request, Response
from .journal import Journal
from .store import Store


class Simulator:
    #: short name used in control URLs: /_sandbox/<name>/...
    name = "base"
    #: URL prefix -> host kind; e.g. {"procore": "api", "procore-login": "login"}
    prefixes: dict[str, str] = {}
    #: switches settable over POST /_sandbox/<name>/config
    default_config: dict = {}
    #: switches every simulator has, on top of its own (read by the shared app for every vendor route)
    common_config: dict = {
        # A vendor's answer time: {"median_ms": 100, "max_ms": 1000} draws each delay from a log-normal
        # distribution with that median whose 99.9th percentile is max_ms (capped there); None answers at once.
        "latency": None,
    }

    def __init__(self):
        self.lock = threading.RLock()
        self.clock = Clock()
        self.faults = FaultBook()
        self.calls = CallCounter()
        self.journal = Journal()
        self.config: dict = {}
        self.store: Store = self.new_store()
        self.reset()

    # -- life cycle -----------------------------------------------------------------------------------

    def new_store(self) -> Store:
        raise NotImplementedError

    def reset(self) -> None:
        """Empty state, real time, no faults, zero counters, empty journal, default switches."""
        with self.lock:
            self.clock.reset()
            self.faults.clear()
            self.calls.reset()
            self.journal.clear()
            self.config = copy.deepcopy({**self.common_config, **self.default_config})
            self.store = self.new_store()
            self.reset_state()

    def reset_state(self) -> None:
        """Hook for state kept outside the store (tokens, sessions...)."""

    def configure(self, updates: dict) -> dict:
        known = {**self.common_config, **self.default_config}
        unknown = sorted(set(updates) - set(known))
        if unknown:
            raise ValueError(f"unknown switches: {', '.join(unknown)}; known: {', '.join(known)}")
        if "latency" in updates:
            latency_spread(updates["latency"])  # refuse a malformed switch now, not on the next vendor call
        with self.lock:
            self.config.update(copy.deepcopy(updates))
            return copy.deepcopy(self.config)

    # -- control API ----------------------------------------------------------------------------------

    def seed(self, body: dict) -> dict:
        """Load a preset and/or records given as {collection: [record, ...]}; returns the ids created."""
        body = dict(body or {})
        created: dict[str, list] = {}
        with self.lock:
            preset = body.pop("preset", None)
            if preset:
                created.update(self.load_preset(preset))
            for collection, records in body.items():
                ids = [self.seed_record(collection, dict(record))["id"] for record in records]
                created.setdefault(collection, []).extend(ids)
        return created

    def load_preset(self, name: str) -> dict[str, list]:
        raise ValueError(f"unknown preset {name!r}")

    def seed_record(self, collection: str, record: dict) -> dict:
        return self.upsert(collection, record)

    def upsert(self, collection: str, record: dict) -> dict:
        """Create or update one record as a user of the vendor UI would, bumping its timestamp."""
        raise NotImplementedError

    def action(self, name: str, body: dict) -> dict:
        """A simulator-specific control action (POST /_sandbox/<name>/action/<action>)."""
        raise ValueError(f"unknown action {name!r}")

    def records(self, collection: str) -> list[dict]:
        with self.lock:
            return self.store.dump(collection)

    # -- vendor traffic -------------------------------------------------------------------------------

    def answer_delay(self) -> float:
        """Seconds to wait before answering one vendor call, drawn from the `latency` switch (0 when it is off)."""
        spread = latency_spread(self.config.get("latency"))
        if spread is None:
            return 0.0
        median, longest, sigma = spread
        return min(longest, median * math.exp(random.gauss(0.0, sigma))) / 1000

    def handle(self, host: str, request: Request) -> Response:
        raise NotImplementedError

    def counter_path(self, host: str, path: str) -> str:
        """The path under which a request is counted (simulators may strip noise such as instance names)."""
        return path

    def fault_status_response(self, status: int, fault: Fault) -> Response:
        headers = []
        if fault.params.get("retry_after") is not None:
            headers.append(("Retry-After", str(fault.params["retry_after"])))
        return Response.json({"error": "injected fault", "status": status}, status, headers)

    def rate_limit_response(self, host: str, fault: Fault) -> Response:
        return self.fault_status_response(429, fault)


#: z-score of the 99.9th percentile of a normal distribution: `max_ms` sits there before the cap.
_Z_999 = 3.09


def latency_spread(switch) -> tuple[float, float, float] | None:
    """(median ms, max ms, sigma of the log-normal) of a `latency` switch; None when it is off."""
    if not switch:
        return None
    if not isinstance(switch, dict) or not isinstance(switch.get("median_ms"), int | float):
        raise ValueError('latency must be null or {"median_ms": number, "max_ms": number}')
    median = float(switch["median_ms"])
    longest = float(switch.get("max_ms") or median)
    if median < 0 or longest < median:
        raise ValueError("latency needs 0 <= median_ms <= max_ms")
    sigma = math.log(longest / median) / _Z_999 if median > 0 and longest > median else 0.0
    return median, longest, sigma
