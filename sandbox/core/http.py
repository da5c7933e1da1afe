"""Small request/response types for the WSGI simulators.

The simulators only need a handful of things from a request (method, path, query, headers, body) and
produce a status, headers and bytes. Keeping these plain dataclasses keeps the vendor modules free of
WSGI plumbing and easy to read.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from urllib.parse import parse_qs, urlencode

JSON_TYPE = "application/json; charset=utf-8"


def reason(status: int) -> str:
    """The standard reason phrase for a status code ('Unknown' for odd ones)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(data) -> bytes:
    return json.dumps(data, default=_json_default).encode()


@dataclass
class Request:
    """One incoming HTTP request, with the path made relative to its simulator's prefix."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    base_url: str  # scheme://host:port/<prefix>, without trailing slash
    query_string: str = ""
    environ: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_environ(cls, environ: dict, path: str, base_url: str) -> Request:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        qs = environ.get("QUERY_STRING", "")
        return cls(
            method=environ["REQUEST_METHOD"].upper(),
            path=path or "/",
            query=parse_qs(qs, keep_blank_values=True),
            headers=headers,
            body=body,
            base_url=base_url,
            query_string=qs,
            environ=environ,
        )

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self):
        """The body parsed as JSON; an empty body is None. Bad JSON raises HttpError 400."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise HttpError(Response.json({"error": f"invalid JSON body: {exc}"}, 400)) from exc

    def form(self) -> dict[str, str]:
        """Form fields from an urlencoded or multipart body (first value of each)."""
        ctype = self.header("content-type", "") or ""
        if ctype.startswith("multipart/form-data"):
            return _parse_multipart(ctype, self.body)
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def cookies(self) -> dict[str, str]:
        jar = {}
        for part in (self.header("cookie") or "").split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                jar[name] = value
        return jar

    def url_with(self, **params) -> str:
        """Absolute URL of this request with some query parameters replaced (for Link headers)."""
        pairs = [(key, value) for key, values in self.query.items() for value in values if key not in params]
        pairs += [(key, str(value)) for key, value in params.items()]
        return f"{self.base_url}{self.path}?{urlencode(pairs)}"


def _parse_multipart(content_type: str, body: bytes) -> dict[str, str]:
    raw = f"Content-Type: {content_type}\r\n\r\n".encode() + body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[name] = part.get_payload(decode=True).decode("utf-8", "replace")
    return fields


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, data, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, dump_json(data), [("Content-Type", JSON_TYPE), *(headers or [])])

    @classmethod
    def text(cls, text: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, text.encode(), [("Content-Type", "text/plain; charset=utf-8"), *(headers or [])])

    @classmethod
    def empty(cls, status: int = 204, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, b"", list(headers or []))

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))

    def status_line(self) -> str:
        return f"{self.status} {reason(self.status)}"


class HttpError(Exception):
    """Raised anywhere in a handler to answer with a ready-made response."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


class AbortConnection(Exception):  # noqa: N818 - a control signal, not an error
    """Raised after a request was applied to make the server drop the TCP connection unanswered."""
