"""Webhook subscriptions and key-only notifications, delivered from a background thread.

A notification is compact JSON ``{"Content":{Topic,ClientId,Division,Action,Key,ExactOnlineEndpoint,
EventCreatedOn},"HashCode":...}``; HashCode is the upper-case hex HMAC-SHA256 of the raw ``Content`` text
under the app's webhook secret. Creating a subscription first POSTs an empty body to the callback; a
non-2xx answer makes the creation fail. Retries and duplicates are switches (Exact's policy is not
published).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from dataclasses import dataclass

import requests

from ..core.clock import Clock


def sign(content: str, secret: str) -> str:
    return hmac.new(secret.encode(), content.encode(), hashlib.sha256).hexdigest().upper()


def notification_body(content: dict, secret: str) -> bytes:
    raw = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return f'{{"Content":{raw},"HashCode":"{sign(raw, secret)}"}}'.encode()


def handshake(url: str, timeout: float) -> int | None:
    """The empty POST Exact sends on subscribe; the status, or None when the callback is unreachable."""
    try:
        return requests.post(url, data=b"", timeout=timeout).status_code
    except requests.RequestException:
        return None


@dataclass
class Job:
    url: str
    body: bytes
    attempts: int  # 1 + retries
    retry_delay: float
    copies: int  # 2 when duplicates are switched on
    timeout: float
    generation: int


class Dispatcher:
    """Posts queued notifications in order, off the request threads; keeps a log of every attempt."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.queue: queue.Queue[Job] = queue.Queue()
        self.log: list[dict] = []
        self.lock = threading.Lock()
        self.generation = 0
        self.thread: threading.Thread | None = None

    def clear(self) -> None:
        """Forget the log; jobs queued before this call are dropped (their generation is gone)."""
        with self.lock:
            self.generation += 1
            self.log = []

    def enqueue(self, job: Job) -> None:
        with self.lock:
            job.generation = self.generation
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="exact-webhooks", daemon=True)
                self.thread.start()
        self.queue.put(job)

    def entries(self) -> list[dict]:
        with self.lock:
            return [dict(entry) for entry in self.log]

    def pending(self) -> int:
        return self.queue.unfinished_tasks

    def _run(self) -> None:
        while True:
            job = self.queue.get()
            try:
                for _ in range(job.copies):
                    self._deliver(job)
            finally:
                self.queue.task_done()

    def _deliver(self, job: Job) -> None:
        for attempt in range(1, job.attempts + 1):
            if job.generation != self.generation:
                return
            status = self._post(job)
            with self.lock:
                if job.generation == self.generation:
                    self.log.append({"url": job.url, "body": job.body.decode(), "status": status, "attempt": attempt})
            if status is not None and 200 <= status < 300:
                return
            time.sleep(job.retry_delay)

    @staticmethod
    def _post(job: Job) -> int | None:
        try:
            headers = {"Content-Type": "application/json"}
            return requests.post(job.url, data=job.body, headers=headers, timeout=job.timeout).status_code
        except requests.RequestException:
            return None
