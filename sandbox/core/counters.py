"""Thread-safe call counters grouped by endpoint.

Tests assert things like "exactly one token request under 20 concurrent clients" or "the bill was
looked up before it was written", so every request is counted by method and path template.
"""

from __future__ import annotations

import re
import threading
from collections import Counter

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def endpoint_key(method: str, path: str) -> str:
    """'GET /rest/v1.0/projects/123/direct_costs' -> 'GET /rest/v1.0/projects/{id}/direct_costs'."""
    segments = ["{id}" if segment.isdigit() or _GUID.match(segment) else segment for segment in path.split("/")]
    return f"{method.upper()} {'/'.join(segments)}"


class CallCounter:
    def __init__(self):
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, method: str, path: str) -> None:
        key = endpoint_key(method, path)
        with self._lock:
            self._counts[key] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
