"""Per-request context handed to Procurify endpoint handlers.

Every customer has its own host (``https://{domain}.procurify.com``); in the sandbox the domain is the
first path segment below ``/procurify``. All records carry their ``domain`` and a handler only ever
sees the records of the domain it was called on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..core.http import HttpError, Request, Response
from ..core.store import Store


def stamp(moment: datetime) -> str:
    """Django REST framework's default datetime form: ISO 8601 in UTC with microseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error(status: int, detail: str) -> HttpError:
    """An error in Django REST framework's shape (the published spec documents no error bodies)."""
    return HttpError(Response.json({"detail": detail}, status))


def field_errors(errors: dict[str, list[str]]) -> HttpError:
    """A 400 listing the invalid fields, as a DRF serializer reports them."""
    return HttpError(Response.json(errors, 400))


@dataclass
class Ctx:
    request: Request
    store: Store
    config: dict
    domain: str
    now: str  # timestamp of this request on the simulator clock
    params: dict = field(default_factory=dict)
    #: per-request memo of domain lists and indexes (a list page renders many related records)
    cache: dict = field(default_factory=dict)

    def all(self, collection: str) -> list[dict]:
        """Every record of this domain in a collection, by id."""
        if collection not in self.cache:
            rows = [r for r in self.store.all(collection) if r.get("domain") == self.domain]
            self.cache[collection] = sorted(rows, key=lambda r: r["id"])
        return list(self.cache[collection])

    def children(self, collection: str, key: str, value) -> list[dict]:
        """The records of a collection whose ``key`` equals ``value`` (an index built once per request)."""
        name = (collection, key)
        if name not in self.cache:
            index: dict = {}
            for row in self.all(collection):
                index.setdefault(row.get(key), []).append(row)
            self.cache[name] = index
        return list(self.cache[name].get(value, []))

    def get(self, collection: str, record_id) -> dict | None:
        record = self.store.get(collection, record_id)
        return record if record is not None and record.get("domain") == self.domain else None

    def record(self, collection: str, record_id) -> dict:
        """A record of this domain, or DRF's 404."""
        try:
            record = self.get(collection, int(record_id))
        except (TypeError, ValueError):
            record = None
        if record is None:
            raise error(404, "Not found.")
        return record

    def body(self) -> dict:
        body = self.request.json()
        if not isinstance(body, dict):
            raise error(400, "JSON parse error - expected an object")
        return body

    def insert(self, collection: str, record: dict) -> dict:
        record["domain"] = self.domain
        self.cache.clear()
        return self.store.insert(collection, record)
