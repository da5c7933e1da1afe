"""Webhook deliveries: events matched to hooks, POSTed from a background thread, retried, logged.

Procore's delivery rules (facts P7): JSON POST carrying the hook's ``destination_headers``, unsigned; a 2xx
within 5 s is success; on failure the hook's queue pauses and retries with exponential backoff from 1 s up
to 1 h; after 12 h the queue is discarded; duplicates can happen. Backoff and discarding run on the
simulator clock, so a test can jump past them. Switches: ``webhook_duplicates`` (each event delivered
twice), ``webhook_drop`` (events are lost: never delivered), ``webhook_timeout``, ``webhook_discard_after``.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import time

import requests

ULID_ALPHABET = string.digits + "ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid() -> str:
    return "".join(secrets.choice(ULID_ALPHABET) for _ in range(26))


def payload(sim, event_id: int, resource_name: str, event_type: str, record: dict, company_id, project_id) -> dict:
    """The legacy "v2.0" payload most hooks receive."""
    return {
        "id": event_id,
        "ulid": new_ulid(),
        "timestamp": sim.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "metadata": {
            "source_user_id": 8_000_000_001,
            "source_company_id": company_id,
            "source_project_id": project_id,
            "source_application_id": None,
            "source_operation_id": None,
        },
        "user_id": 8_000_000_001,
        "company_id": company_id,
        "project_id": project_id,
        "api_version": "v2",
        "event_type": event_type,
        "resource_name": resource_name,
        "resource_id": record.get("id"),
    }


class Dispatcher:
    """One background thread per simulator, started on the first event."""

    def __init__(self, sim):
        self.sim = sim
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.http = requests.Session()

    def kick(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="procore-webhooks", daemon=True)
            self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.wait(0.05)
            self.wake.clear()
            for delivery in self._due():
                self._attempt(delivery)

    def _due(self) -> list[dict]:
        """The head of each hook's queue, when its next attempt is due (a failing head pauses the hook)."""
        with self.sim.lock:
            now, due = self.sim.clock.time(), []
            for hook_id, queue in self.sim.webhook_queues.items():
                if not queue:
                    continue
                head = queue[0]
                if now - head["first_at"] > self.sim.config["webhook_discard_after"]:
                    for dropped in queue:
                        dropped.update(outcome="discarded", status="discarded")
                    queue.clear()
                elif head["next_at"] <= now and not head.get("in_flight"):
                    head["in_flight"] = True
                    due.append(dict(head, hook=dict(self.sim.store.get("webhook_hooks", hook_id) or {})))
            return due

    def _attempt(self, delivery: dict) -> None:
        hook = delivery["hook"]
        started = self.sim.clock.now().isoformat()
        status, error, body = None, None, ""
        try:
            headers = {"Content-Type": "application/json", **(hook.get("destination_headers") or {})}
            answer = self.http.post(
                hook["destination_url"],
                data=json.dumps(delivery["event"]),
                headers=headers,
                timeout=self.sim.config["webhook_timeout"],
            )
            status, body = answer.status_code, answer.text[:1000]
        except (requests.RequestException, KeyError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        self._record(delivery, started, status, error, body)

    def _record(self, delivery: dict, started: str, status, error, body) -> None:
        with self.sim.lock:
            queue = self.sim.webhook_queues.get(delivery["hook_id"], [])
            live = next((d for d in queue if d["id"] == delivery["id"]), None)
            if live is None:
                return
            live.pop("in_flight", None)
            attempt = {
                "started_at": started,
                "completed_at": self.sim.clock.now().isoformat(),
                "response_status": status,
                "response_error": error,
                "response_body": body,
            }
            live["attempts"].append(attempt)
            live.update(
                response_status=status,
                response_error=error,
                response_body=body,
                started_at=started,
                completed_at=attempt["completed_at"],
            )
            if status is not None and 200 <= status < 300:
                live.update(outcome="ok", status="delivered")
                queue.remove(live)
            else:
                tries = len(live["attempts"])
                live.update(outcome="retried", status="retrying")
                live["next_at"] = self.sim.clock.time() + min(2 ** (tries - 1), 3600)
        self.wake.set()


def enqueue(sim, hook: dict, event: dict) -> None:
    """Queue one event for one hook (twice with ``webhook_duplicates``); nothing with ``webhook_drop``."""
    if sim.config["webhook_drop"]:
        sim.webhook_dropped += 1
        return
    copies = 2 if sim.config["webhook_duplicates"] else 1
    for _ in range(copies):
        delivery = {
            "id": sim.store.new_id("webhook_deliveries"),
            "hook_id": hook["id"],
            "event": event,
            "outcome": "enqueued",
            "status": "enqueued",
            "attempts": [],
            "first_at": sim.clock.time(),
            "next_at": sim.clock.time(),
        }
        sim.webhook_log.setdefault(hook["id"], []).append(delivery)
        sim.webhook_queues.setdefault(hook["id"], []).append(delivery)
    sim.dispatcher.kick()


def wait_idle(sim, timeout: float = 5.0) -> bool:
    """Block until no delivery is in flight or due now (for tests and the ``deliver`` control action)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sim.lock:
            now = sim.clock.time()
            busy = any(d.get("in_flight") or d["next_at"] <= now for q in sim.webhook_queues.values() for d in q)
        if not busy:
            return True
        sim.dispatcher.wake.set()
        time.sleep(0.02)
    return False
