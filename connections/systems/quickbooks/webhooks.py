"""QuickBooks webhooks: verified, then read as hints (the record is always re-read).

Intuit signs the raw body: header `intuit-signature` = base64(HMAC-SHA256(key = the app's verifier token, message =
the body bytes)); the same scheme signs both payload formats. The legacy format is an object
`{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [{"name", "id", "operation", "lastUpdated"}]}}]}`;
the CloudEvents format is an array of `{"specversion", "id", "type": "qbo.<entity>.<verb>.v1", "intuitentityid",
"intuitaccountid", ...}`. Events of other companies and of entities we do not read are left out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from connections.systems.base import WebhookHint

from .consts import WEBHOOK_ACTIONS, WEBHOOK_ENTITIES

SIGNATURE_HEADER = "intuit-signature"


def header(headers: dict, name: str) -> str:
    """A header by name, whatever its case (WSGI and test clients spell them differently)."""
    wanted = name.lower().replace("_", "-")
    for key, value in (headers or {}).items():
        normalised = key.lower().replace("_", "-").removeprefix("http-")
        if normalised == wanted:
            return str(value)
    return ""


def signature(verifier_token: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()).decode()


def verify(verifier_token: str, headers: dict, body: bytes) -> bool:
    """Whether the body was signed with our verifier token; a constant-time comparison."""
    given = header(headers, SIGNATURE_HEADER).strip()
    if not verifier_token or not given:
        return False
    return hmac.compare_digest(given.encode(), signature(verifier_token, body).encode())


def _payload(body: bytes):
    payload = json.loads(body)  # ValueError on anything that is not JSON
    if isinstance(payload, dict) and isinstance(payload.get("eventNotifications"), list):
        return "legacy", payload["eventNotifications"]
    if isinstance(payload, list) and payload and all(isinstance(e, dict) and e.get("specversion") for e in payload):
        return "cloudevents", payload
    raise ValueError("not a QuickBooks webhook: neither eventNotifications nor a list of CloudEvents")


def event_id(body: bytes) -> str:
    """The delivery's id, for dropping duplicates: the CloudEvents ids, or for the legacy format (which has none)
    a digest of the body, which Intuit sends unchanged when it retries."""
    kind, events = _payload(body)
    if kind == "cloudevents":
        ids = sorted(str(e.get("id") or "") for e in events)
        if not all(ids):
            raise ValueError("a CloudEvent without an id")
        joined = ",".join(ids)
        return joined if len(joined) <= 200 else "ce:" + hashlib.sha256(joined.encode()).hexdigest()
    return "legacy:" + hashlib.sha256(body).hexdigest()


def hints(body: bytes, realm_id: str) -> list[WebhookHint]:
    """One hint per event about a bill or a vendor of our company; ValueError on a malformed payload."""
    kind, events = _payload(body)
    found = _legacy(events, realm_id) if kind == "legacy" else _cloudevents(events, realm_id)
    return [hint for hint in found if hint is not None]


def _hint(event_id: str, name: str, native_id, operation: str) -> WebhookHint | None:
    entity = WEBHOOK_ENTITIES.get(str(name).lower())
    if entity is None:
        return None
    if native_id in (None, ""):
        raise ValueError(f"a {name} event without an id")
    return WebhookHint(event_id, entity, str(native_id), WEBHOOK_ACTIONS.get(str(operation).lower(), "update"))


def _legacy(notifications: list, realm_id: str) -> list:
    found = []
    for notice in notifications:
        if not isinstance(notice, dict) or not isinstance(notice.get("dataChangeEvent"), dict):
            raise ValueError("an event notification without dataChangeEvent")
        realm = str(notice.get("realmId") or "")
        entities = notice["dataChangeEvent"].get("entities")
        if not isinstance(entities, list):
            raise ValueError("a dataChangeEvent without entities")
        if realm_id and realm != str(realm_id):
            continue
        for change in entities:
            name, native_id, op = change.get("name"), change.get("id"), change.get("operation") or ""
            stamp = change.get("lastUpdated") or ""
            found.append(_hint(f"{realm}:{name}:{native_id}:{op}:{stamp}", name, native_id, op))
    return found


def _cloudevents(events: list, realm_id: str) -> list:
    found = []
    for event in events:
        parts = str(event.get("type") or "").split(".")
        if len(parts) < 3 or parts[0] != "qbo" or not event.get("id"):
            raise ValueError(f"a CloudEvent with type {event.get('type')!r}")
        if realm_id and str(event.get("intuitaccountid") or "") != str(realm_id):
            continue
        found.append(_hint(str(event["id"]), parts[1], event.get("intuitentityid"), parts[2]))
    return found
