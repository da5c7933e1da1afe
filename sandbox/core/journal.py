"""A bounded record of every request a simulator received.

End-to-end tests read it back (``GET /_sandbox/<system>/journal``) to prove that a client only sent
documented requests: documented path and method, documented query parameters, a body that matches the
published request schema. Credentials never enter the journal: the Authorization header, cookies and
any header or body field named like a secret are replaced by a marker, so a journal can be printed in
a failing test's output without leaking anything.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from urllib.parse import parse_qsl, urlencode

#: how many entries one simulator keeps (the oldest are dropped first)
JOURNAL_SIZE = 5000
#: request bodies are kept up to this many bytes
MAX_BODY = 64 * 1024
REDACTED = "[redacted]"

_SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization"}
_SECRET_NAME = re.compile(r"secret|password|passwd|token|api[-_]?key|signature|credential", re.IGNORECASE)
# Some fields are named like secrets but say nothing secret; keep them readable for the checks.
_PUBLIC_NAMES = {"grant_type", "token_type"}


def _is_secret(name: str) -> bool:
    return name.lower() not in _PUBLIC_NAMES and bool(_SECRET_NAME.search(name))


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Headers with the values of credentials replaced (their names stay, so a test sees they were sent)."""
    return {
        name: (REDACTED if name.lower() in _SECRET_HEADERS or _is_secret(name) else value)
        for name, value in headers.items()
    }


def _redact_json(value):
    if isinstance(value, dict):
        return {key: (REDACTED if _is_secret(str(key)) else _redact_json(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_json(item) for item in value]
    return value


#: XML elements that carry a credential (e.g. Intacct's sender and user passwords, session ids)
_SECRET_ELEMENT = re.compile(r"(<(\w*(?:password|secret|sessionid|token)\w*)\b[^>]*>)[^<]*(</\2\s*>)", re.IGNORECASE)


def redact_body(body: bytes, content_type: str) -> str:
    """The body as text, truncated to MAX_BODY, with secret-named JSON, form or XML fields redacted."""
    text = _SECRET_ELEMENT.sub(r"\1" + REDACTED + r"\3", body[:MAX_BODY].decode("utf-8", "replace"))
    if not text.strip() or len(body) > MAX_BODY:
        return text
    if "json" in content_type or text.lstrip()[:1] in ("{", "["):
        try:
            return json.dumps(_redact_json(json.loads(text)))
        except ValueError:
            return text
    if "x-www-form-urlencoded" in content_type:
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(key, REDACTED if _is_secret(key) else value) for key, value in pairs])
    return text


class Journal:
    """The last JOURNAL_SIZE requests of one simulator, oldest first."""

    def __init__(self, size: int = JOURNAL_SIZE):
        self._entries: deque[dict] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._seq = 0

    def record(self, *, method: str, path: str, host: str, query: dict, headers: dict, body: bytes, at: str) -> dict:
        """Append one request; returns the entry so the caller can add the answer's status later."""
        entry = {
            "method": method.upper(),
            "path": path,
            "host": host,
            "query": {key: list(values) for key, values in query.items()},
            "headers": redact_headers(headers),
            "body": redact_body(body, headers.get("content-type", "") or ""),
            "at": at,
            "status": None,
        }
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
        return entry

    def entries(self) -> list[dict]:
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
