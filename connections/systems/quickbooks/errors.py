"""QuickBooks fault envelopes -> the typed errors of connections/errors.py.

Intuit answers errors as `{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type"}}`; the 401 uses
lower-case keys (`fault.error[]`), and throttling (code 3001, "ThrottleExceeded") arrives as XML despite
`Accept: application/json`, with status 429 (403 in older captures). Each error keeps the fault's `code`, `type`
and message, so callers can tell a stale SyncToken (5010) from any other refusal.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import requests
from django.utils import timezone
from lxml import etree

from connections import errors
from connections.http import retry_at_from_headers
from connections.redaction import redact

from .consts import THROTTLE_WAIT_SECONDS

STALE_OBJECT = "5010"
OBJECT_NOT_FOUND = "610"
THROTTLED = "3001"
DUPLICATES = frozenset({"6140", "6240"})  # Duplicate Doc Num, Duplicate Name


class StaleObject(errors.ValidationFailed):
    """5010: the SyncToken sent is not the record's current one (someone changed it since it was read)."""


@dataclass
class Fault:
    code: str
    message: str
    detail: str
    kind: str  # the fault's type, e.g. ValidationFault, SERVICE, AUTHENTICATION

    def describe(self) -> str:
        text = f"QuickBooks {self.kind or 'fault'} {self.code}: {self.message}"
        return f"{text} ({self.detail})" if self.detail and self.detail != self.message else text


def parse_fault(text: str) -> Fault | None:
    """The first error of a JSON (either case) or XML fault envelope; None when the body is not one."""
    text = (text or "").strip()
    if text.startswith("<"):
        return _xml_fault(text)
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    fault = body.get("Fault") or body.get("fault")
    if not isinstance(fault, dict):
        return None
    items = fault.get("Error") or fault.get("error") or [{}]
    first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    return Fault(
        code=str(first.get("code") or ""),
        message=str(first.get("Message") or first.get("message") or ""),
        detail=str(first.get("Detail") or first.get("detail") or ""),
        kind=str(fault.get("type") or ""),
    )


def _xml_fault(text: str) -> Fault | None:
    try:
        root = etree.fromstring(text.encode(), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    fault = (
        root
        if etree.QName(root).localname == "Fault"
        else next(
            (node for node in root.iter() if isinstance(node.tag, str) and etree.QName(node).localname == "Fault"), None
        )
    )
    if fault is None:
        return None
    error = next((n for n in fault if isinstance(n.tag, str) and etree.QName(n).localname == "Error"), None)
    fields = {}
    if error is not None:
        fields = {etree.QName(n).localname: (n.text or "").strip() for n in error if isinstance(n.tag, str)}
    return Fault(
        code=str(error.get("code") or "") if error is not None else "",
        message=fields.get("Message", ""),
        detail=fields.get("Detail", ""),
        kind=fault.get("type") or "",
    )


def is_throttle(status: int, fault: Fault | None) -> bool:
    if status == 429:
        return True
    return fault is not None and (fault.code == THROTTLED or "ThrottleExceeded" in fault.message)


def fault_error(response: requests.Response) -> errors.ApiError:
    """The typed error for a QuickBooks error answer, carrying the fault's code, type and message."""
    status = response.status_code
    fault = parse_fault(response.text)
    where = f"{response.request.method} {response.request.path_url.split('?')[0]}"
    summary = fault.describe() if fault else redact(response.text or "")[:300]
    message = f"{where} -> {status}: {summary}"
    body = redact(response.text or "")
    retry_at = retry_at_from_headers(response.headers)
    if is_throttle(status, fault):
        retry_at = retry_at or timezone.now() + dt.timedelta(seconds=THROTTLE_WAIT_SECONDS)
        exc = errors.RateLimited(message, status=status, body=body, retry_at=retry_at)
    else:
        exc = _by_status(status, fault, message, body, retry_at)
    exc.code = fault.code if fault else ""
    exc.fault_type = fault.kind if fault else ""
    exc.fault_message = fault.message if fault else ""
    return exc


def _by_status(status: int, fault: Fault | None, message: str, body: str, retry_at) -> errors.ApiError:
    code = fault.code if fault else ""
    if status == 401:
        return errors.AuthExpired(message, status=status, body=body)
    if code == STALE_OBJECT:
        return StaleObject(message, status=status, body=body)
    if status == 404 or code == OBJECT_NOT_FOUND:
        return errors.NotFound(message, status=status, body=body)
    if code in DUPLICATES:
        return errors.Conflict(message, status=status, body=body)
    if status >= 500 or status == 408:
        return errors.Transient(message, status=status, body=body, retry_at=retry_at)
    if status in (400, 409, 412, 422):
        return errors.ValidationFailed(message, status=status, body=body)
    return errors.Permanent(message, status=status, body=body)
