"""In-memory record collections.

Records are plain JSON-compatible dicts, so the control API can hand them to tests as they are and
seed files can load them as they are. Callers hold the simulator lock; the store itself does no locking.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator


class Store:
    """Named collections of records keyed by their ``id``."""

    def __init__(self, id_factory: Callable[[str], object]):
        self._collections: dict[str, dict] = {}
        self._id_factory = id_factory

    def collection(self, name: str) -> dict:
        return self._collections.setdefault(name, {})

    def names(self) -> list[str]:
        return sorted(self._collections)

    def all(self, name: str) -> list[dict]:
        return list(self.collection(name).values())

    def get(self, name: str, record_id) -> dict | None:
        return self.collection(name).get(record_id)

    def find(self, name: str, /, **match) -> Iterator[dict]:
        for record in self.collection(name).values():
            if all(record.get(key) == value for key, value in match.items()):
                yield record

    def first(self, name: str, /, **match) -> dict | None:
        return next(self.find(name, **match), None)

    def new_id(self, name: str):
        return self._id_factory(name)

    def insert(self, name: str, record: dict) -> dict:
        if record.get("id") is None:
            record["id"] = self._id_factory(name)
        self.collection(name)[record["id"]] = record
        return record

    def delete(self, name: str, record_id) -> None:
        self.collection(name).pop(record_id, None)

    def dump(self, name: str) -> list[dict]:
        return copy.deepcopy(self.all(name))


class IntIds:
    """Integer ids per collection, each starting from its own base.

    Bases above 2**32 make a client that stores ids in 32-bit integers fail in tests, not in production.
    """

    def __init__(self, bases: dict[str, int], default_base: int):
        self._bases = bases
        self._default = default_base
        self._counters: dict[str, itertools.count] = {}

    def __call__(self, name: str) -> int:
        if name not in self._counters:
            self._counters[name] = itertools.count(self._bases.get(name, self._default))
        return next(self._counters[name])

    def bump_past(self, name: str, used: int) -> None:
        """Make sure ids handed out later do not collide with an explicitly seeded id."""
        current = self(name)
        self._counters[name] = itertools.count(max(current, int(used) + 1))
