"""Webhook notifications to connected apps, sent from a background thread.

Every change becomes an event; events of one app are batched into one notification, in the legacy
``eventNotifications`` format or the CloudEvents array (a switch: Intuit is migrating apps from one to the other),
signed with ``intuit-signature`` = base64(HMAC-SHA256(app verifier token, raw body)). An answer other than 2xx
within ``webhook_timeout`` seconds is retried after 0 s, 10 s, 20 s, 30 s, 5 min, 20 min, 2 h, 4 h, 6 h, then every
6 h, measured on the simulator clock and multiplied by ``webhook_retry_scale``. The queue is ordered: a later
notification waits until the failing one is acknowledged. Tests may drop, duplicate or reorder notifications.
Every attempt is logged in the ``webhook_deliveries`` collection of the control API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import threading
import traceback
import uuid
from dataclasses import dataclass, field

import requests

from .jsonio import utc_z

RETRY_DELAYS = (0, 10, 20, 30, 300, 1200, 7200, 14400, 21600)
CLOUD_VERBS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Merge": "merged",
    "Void": "voided",
    "Emailed": "emailed",
}


def sign(verifier_token: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Notification:
    seq: int
    app: str
    body: bytes
    signature: str
    fmt: str
    attempts: int = 0
    next_at: float = 0.0
    in_flight: bool = False
    copy: int = 0


@dataclass
class Hub:
    """The pending events and delivery queues of one simulator state (replaced on reset)."""

    pending: dict[str, list[dict]] = field(default_factory=dict)
    first_at: dict[str, float] = field(default_factory=dict)
    queues: dict[str, list[Notification]] = field(default_factory=dict)
    seq: int = 0

    def add(self, app: str, event: dict, now: float) -> None:
        self.pending.setdefault(app, []).append(event)
        self.first_at.setdefault(app, now)

    def busy(self) -> bool:
        return bool(self.pending) or any(self.queues.values())


def legacy_body(events: list[dict]) -> dict:
    by_realm: dict[str, list[dict]] = {}
    for event in events:
        entity = {
            "name": event["name"],
            "id": event["id"],
            "operation": event["operation"],
            "lastUpdated": event["lastUpdated"],
        }
        by_realm.setdefault(event["realm"], []).append(entity)
    return {
        "eventNotifications": [
            {"realmId": realm, "dataChangeEvent": {"entities": entities}} for realm, entities in by_realm.items()
        ]
    }


def cloud_body(events: list[dict], app: str) -> list[dict]:
    source = "intuit." + base64.b64encode(hashlib.sha256(app.encode()).digest()).decode()
    return [
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": source,
            "type": f"qbo.{event['name'].lower()}.{CLOUD_VERBS[event['operation']]}.v1",
            "datacontenttype": "application/json",
            "time": event["lastUpdated"],
            "intuitentityid": event["id"],
            "intuitaccountid": event["realm"],
        }
        for event in events
    ]


class Dispatcher:
    """Flushes batches into notifications and delivers due ones; the HTTP call runs outside the simulator lock."""

    def __init__(self, sim):
        self.sim = sim
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._loop, name="quickbooks-webhooks", daemon=True)
            self.thread.start()
        self.wake.set()

    def _loop(self) -> None:
        while True:
            self.wake.wait(timeout=0.05)
            self.wake.clear()
            try:
                self.tick()
            except Exception:  # keep delivering after a bug, but show it
                traceback.print_exc(file=sys.stderr)

    def tick(self) -> None:
        with self.sim.lock:
            hub, now = self.sim.hub, self.sim.clock.time()
            self._flush(hub, now)
            jobs = self._due(hub, now)
            targets = {job.seq: self._target(job.app) for job in jobs}
        for job in jobs:
            status = self._post(job, *targets[job.seq])
            with self.sim.lock:
                self._settle(hub, job, status)

    def _target(self, app_id: str) -> tuple[str | None, float]:
        app = self.sim.store.get("apps", app_id) or {}
        return app.get("webhook_url"), float(self.sim.config["webhook_timeout"])

    def _flush(self, hub: Hub, now: float) -> None:
        config = self.sim.config
        for app in list(hub.pending):
            if now < hub.first_at[app] + float(config["webhook_batch_seconds"]):
                continue
            events = hub.pending.pop(app)
            hub.first_at.pop(app)
            verifier = (self.sim.store.get("apps", app) or {}).get("verifier_token", "")
            cloud = config["webhook_format"] == "cloudevents"
            data = cloud_body(events, app) if cloud else legacy_body(events)
            body = json.dumps(data, separators=(",", ":")).encode()
            hub.seq += 1
            note = Notification(hub.seq, app, body, sign(verifier, body), "cloudevents" if cloud else "legacy")
            if config["webhook_drop"]:
                config["webhook_drop"] -= 1
                self._log(note, "dropped")
                continue
            copies = 2 if config["webhook_duplicate"] else 1
            if copies == 2:
                config["webhook_duplicate"] -= 1
            for copy_number in range(copies):
                hub.queues.setdefault(app, []).append(
                    Notification(note.seq, app, body, note.signature, note.fmt, next_at=now, copy=copy_number)
                )

    def _due(self, hub: Hub, now: float) -> list[Notification]:
        jobs = []
        for queue in hub.queues.values():
            if not queue:
                continue
            if self.sim.config["webhook_ordered"]:
                candidates = [queue[-1] if self.sim.config["webhook_reorder"] else queue[0]]
            else:
                candidates = list(queue)
            for note in candidates:
                if not note.in_flight and note.next_at <= now:
                    note.in_flight = True
                    jobs.append(note)
        return jobs

    @staticmethod
    def _post(note: Notification, url: str | None, timeout: float) -> int | str:
        if not url:
            return "no endpoint"
        headers = {"Content-Type": "application/json", "intuit-signature": note.signature}
        try:
            return requests.post(url, data=note.body, headers=headers, timeout=timeout).status_code
        except requests.RequestException as exc:
            return type(exc).__name__

    def _settle(self, hub: Hub, note: Notification, status: int | str) -> None:
        if hub is not self.sim.hub:
            return  # the simulator was reset while this was in flight
        note.in_flight = False
        note.attempts += 1
        self._log(note, status)
        queue = hub.queues.get(note.app, [])
        delivered = isinstance(status, int) and 200 <= status < 300
        limit = self.sim.config["webhook_max_attempts"]
        if delivered or (limit and note.attempts >= limit):
            queue[:] = [other for other in queue if other is not note]
            return
        delay = RETRY_DELAYS[min(note.attempts - 1, len(RETRY_DELAYS) - 1)]
        note.next_at = self.sim.clock.time() + delay * float(self.sim.config["webhook_retry_scale"])

    def _log(self, note: Notification, status: int | str) -> None:
        self.sim.store.insert(
            "webhook_deliveries",
            {
                "id": len(self.sim.store.all("webhook_deliveries")) + 1,
                "notification": note.seq,
                "app": note.app,
                "attempt": note.attempts,
                "status": status,
                "format": note.fmt,
                "copy": note.copy,
                "body": note.body.decode(),
                "signature": note.signature,
                "at": utc_z(self.sim.clock.now()),
            },
        )
