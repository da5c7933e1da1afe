"""Webhook endpoint latency under a steady load: an open-loop generator on loopback (threads + requests).

Requests are sent on a fixed schedule (rate per second), each on its own slot, so a slow answer does not slow the
senders down and hide the queueing it causes; the latency is measured from each request's planned send time.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def event(index: int) -> dict:
    """A Procore webhook delivery (a requisition updated), unique per index."""
    return {
        "id": 7_000_000 + index,
        "ulid": f"01J{index:023d}",
        "resource_name": "Requisitions",
        "resource_id": 9_600_000_000 + index,
        "project_id": 9_100_000_001,
        "event_type": "update",
        "company_id": 4264807,
        "api_version": "v2",
        "timestamp": "2026-11-21T10:00:00Z",
    }


def load(url: str, secret: str, rate: int, seconds: float, progress=None, senders: int = 64) -> dict:
    total = int(rate * seconds)
    local = threading.local()
    latencies: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()
    started = time.monotonic() + 0.2

    def send(index: int) -> None:
        planned = started + index / rate
        delay = planned - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if not hasattr(local, "session"):
            local.session = requests.Session()
        body = json.dumps(event(index))
        try:
            response = local.session.post(url, data=body, timeout=10, headers={
                "Authorization": f"Bearer {secret}", "Content-Type": "application/json"})  # fmt: skip
            outcome = str(response.status_code)
        except requests.RequestException as exc:
            outcome = type(exc).__name__
        elapsed = time.monotonic() - planned
        with lock:
            if outcome in ("200", "202"):
                latencies.append(elapsed * 1000)
            else:
                failures[outcome] = failures.get(outcome, 0) + 1
            if progress and len(latencies) % 50 == 0:
                progress.update(len(latencies), total)

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, range(total)))
    wall = time.monotonic() - started
    return {
        "rate": rate,
        "seconds": seconds,
        "sent": total,
        "ok": len(latencies),
        "failures": failures,
        "achieved_per_second": round(total / wall, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
    }
