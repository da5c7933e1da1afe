"""Webhook endpoint latency under a steady load: an open-loop generator on loopback (asyncio, keep-alive HTTP/1.1).

Requests are sent on a fixed schedule (rate per second), each at its own time whatever the answers before it, so a
slow answer does not slow the sender down and hide the queueing it causes; the latency is measured from each
request's planned send time. One event loop with plain sockets and reused connections, because the generator shares
the cores with the server it measures: a thread and an HTTP library per request would take more CPU than the server.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10
IDLE_SECONDS = 1.0  # a connection idle longer is not reused: gunicorn closes idle keep-alive connections after 2 s
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


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


def load(url: str, secret: str, rate: int, seconds: float, progress=None) -> dict:
    return asyncio.run(_load(url, secret, rate, seconds, progress))


async def _load(url: str, secret: str, rate: int, seconds: float, progress) -> dict:
    parts = urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {secret}\r\n"
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n"
    )
    total = int(rate * seconds)
    latencies: list[float] = []
    failures: dict[str, int] = {}
    idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []
    loop = asyncio.get_running_loop()

    async def exchange(request: bytes) -> str:
        while idle:
            used, reader, writer = idle.pop()
            if loop.time() - used < IDLE_SECONDS:
                break
            writer.close()
        else:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            writer.write(request)
            answer = await reader.readuntil(b"\r\n\r\n")
            length = CONTENT_LENGTH.search(answer)
            await reader.readexactly(int(length.group(1)) if length else 0)
        except BaseException:
            writer.close()
            raise
        if b"\r\nconnection: close" in answer.lower():
            writer.close()
        else:
            idle.append((loop.time(), reader, writer))
        return answer.split(b" ", 2)[1].decode()

    async def send(index: int, planned: float) -> None:
        body = json.dumps(event(index)).encode()
        try:
            outcome = await asyncio.wait_for(exchange(head.format(len(body)).encode() + body), TIMEOUT_SECONDS)
        except Exception as exc:  # a refused, reset, cut-short or late answer: each kind is counted as a failure
            outcome = type(exc).__name__
        if outcome in ("200", "202"):
            latencies.append((loop.time() - planned) * 1000)
        else:
            failures[outcome] = failures.get(outcome, 0) + 1
        if progress and len(latencies) % 50 == 0:
            progress.update(len(latencies), total)

    started = loop.time() + 0.2
    tasks = []
    for index in range(total):  # the schedule never waits for an answer
        planned = started + index / rate
        await asyncio.sleep(planned - loop.time())
        tasks.append(asyncio.create_task(send(index, planned)))
    await asyncio.gather(*tasks)
    wall = loop.time() - started
    for _, _, writer in idle:
        writer.close()
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
