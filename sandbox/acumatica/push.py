"""Push notifications (SM302000) to a webhook destination, as Acumatica sends them.

A destination is configured through switches: ``push_url`` and one optional static header
(``push_header_name`` / ``push_header_value``: Acumatica's only webhook security; there is no signing).
Each request that changes rows of a pushed entity (Bill, Check, Vendor, PurchaseOrder) produces one
message per inquiry: ``{"Inserted", "Deleted", "Query", "CompanyId", "Id", "TimeStamp", "AdditionalInfo"}``
with flat rows (no value wrappers); an update is the old row in Deleted plus the new row in Inserted.
Messages are posted in order from a background thread; a non-2xx answer or a network error is retried,
at most ``push_max_attempts`` (5) attempts with the same ``Id``. ``push_duplicate_next`` /
``push_drop_next`` deliver the next messages twice / not at all, for tests of idempotent receivers.
Every delivery is logged in the ``push_deliveries`` collection (``GET /_sandbox/acumatica/records/...``).
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid

from .values import money

COLUMNS = {
    "Bill": ("Type", "ReferenceNbr", "Vendor", "VendorRef", "Status", "Hold", "Amount", "Balance", "Date", "DueDate"),
    "Check": ("Type", "ReferenceNbr", "Vendor", "Status", "PaymentAmount", "UnappliedBalance", "ApplicationDate"),
    "Vendor": ("VendorID", "VendorName", "Status", "VendorClass", "Terms"),
    "PurchaseOrder": ("Type", "OrderNbr", "VendorID", "Status", "Hold", "OrderTotal", "Project", "Date"),
}
MONEY = {"Amount", "Balance", "PaymentAmount", "UnappliedBalance", "OrderTotal"}


def flat_row(entity: str, record: dict) -> dict:
    """A generic-inquiry row: plain values, money as numbers, plus NoteID and LastModifiedDateTime."""
    row = {"NoteID": record["id"]}
    for column in COLUMNS[entity]:
        value = record.get(column)
        row[column] = float(money(value)) if column in MONEY and value is not None else value
    row["LastModifiedDateTime"] = record.get("LastModifiedDateTime")
    return row


class Pusher:
    """Turns row changes into messages and delivers them from its own thread."""

    def __init__(self, sim):
        self.sim, self.store, self.config = sim, sim.store, sim.config
        self.queue: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.last_stamp = 0

    @property
    def active(self) -> bool:
        return bool(self.config.get("push_url"))

    def snapshot(self, entities=COLUMNS) -> dict[str, dict[str, dict]]:
        """Flat rows of the pushed entities, by id (empty when no destination is set)."""
        if not self.active:
            return {}
        return {e: {r["id"]: flat_row(e, r) for r in self.store.all(e)} for e in entities if e in COLUMNS}

    def publish(self, before: dict) -> None:
        """Queue one message per entity whose rows changed since ``before``."""
        if not self.active or not before:
            return
        after = self.snapshot(before.keys())
        for entity in before:
            old, new = before[entity], after[entity]
            changed = [i for i in new.keys() | old.keys() if old.get(i) != new.get(i)]
            if changed:
                self._queue(entity, [old[i] for i in changed if i in old], [new[i] for i in changed if i in new])

    def _queue(self, entity: str, deleted: list[dict], inserted: list[dict]) -> None:
        if self.config["push_null_unchanged"]:
            deleted = [_null_unchanged(row, inserted) for row in deleted]
        message = {
            "Inserted": inserted,
            "Deleted": deleted,
            "Query": self.config["push_queries"].get(entity, entity),
            "CompanyId": self.config["push_company_id"] or self._tenant(),
            "Id": str(uuid.uuid4()),
            "TimeStamp": self._stamp(),
            "AdditionalInfo": {},
        }
        copies = 1
        if self.config["push_drop_next"]:
            self.config["push_drop_next"] -= 1
            copies = 0
            self._log(message, [], dropped=True)
        elif self.config["push_duplicate_next"]:
            self.config["push_duplicate_next"] -= 1
            copies = 2
        target = (self.config["push_url"], self.config["push_header_name"], self.config["push_header_value"])
        for _ in range(copies):
            self.queue.put((message, target))
        self._start()

    def _tenant(self) -> str:
        tenants = sorted({user.get("tenant", "") for user in self.store.all("users")})
        return tenants[0] if tenants else "Company"

    def _stamp(self) -> int:
        """Increasing ticks, as Acumatica's database timestamps order messages."""
        self.last_stamp = max(self.last_stamp + 1, int(self.sim.clock.time() * 1000))
        return self.last_stamp

    def _start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._work, name="acumatica-push", daemon=True)
            self.thread.start()

    def stop(self) -> None:
        self.queue.put(None)

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            message, target = item
            self._log(message, self._deliver(message, *target))

    def _deliver(self, message: dict, url: str, header: str | None, value: str | None) -> list:
        statuses: list = []
        body = json.dumps(message).encode()
        for attempt in range(int(self.config["push_max_attempts"])):
            if attempt:
                time.sleep(float(self.config["push_retry_delay"]))
            request = urllib.request.Request(url, data=body, method="POST")
            request.add_header("Content-Type", "application/json")
            if header:
                request.add_header(header, value or "")
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - configured test URL
                    statuses.append(answer.status)
                    return statuses
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
            except OSError as exc:
                statuses.append(f"error: {exc}")
        return statuses

    def _log(self, message: dict, statuses: list, dropped: bool = False) -> None:
        delivered = bool(statuses) and isinstance(statuses[-1], int) and 200 <= statuses[-1] < 300
        entry = {"message_id": message["Id"], "query": message["Query"], "attempts": len(statuses)}
        entry.update(statuses=statuses, delivered=delivered, dropped=dropped, message=message)
        with self.sim.lock:
            self.store.insert("push_deliveries", entry)


def _null_unchanged(old: dict, inserted: list[dict]) -> dict:
    """One reading of "unchanged tracked attributes come back null": the old row keeps only what changed."""
    new = next((row for row in inserted if row["NoteID"] == old["NoteID"]), None)
    if new is None:
        return old
    return {k: (v if k == "NoteID" or new.get(k) != v else None) for k, v in old.items()}
