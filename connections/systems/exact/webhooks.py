"""Exact webhook notifications: HashCode verification, event ids and key-only hints.

A notification is `{"Content":{Topic,ClientId,Division,Action,Key,ExactOnlineEndpoint,EventCreatedOn},
"HashCode":"<64 upper-hex>"}`, where HashCode is HMAC-SHA256 (key: the app's webhook secret) of the raw bytes of
the Content value exactly as sent, so the value is cut from the body, never re-serialised. Notifications carry no
data: the record named by Key is always fetched again. When a subscription is created Exact first posts an empty
body, unsigned; it is accepted so the subscription succeeds, and gives no hint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from connections.systems.base import WebhookHint

from .consts import TOPICS

_SIGNED = re.compile(
    rb'\A\s*\{\s*"Content"\s*:\s*(?P<content>\{.*?\})\s*,\s*"HashCode"\s*:\s*"(?P<hash>[0-9A-Fa-f]{64})"\s*\}\s*\Z',
    re.DOTALL,
)
HANDSHAKE = "subscription-handshake"
ACTIONS = {"create": "create", "update": "update", "delete": "delete"}


def is_handshake(body: bytes) -> bool:
    return not body.strip()


def verify(secret: str, body: bytes) -> bool:
    """HashCode == upper hex HMAC-SHA256(secret, raw Content), compared in constant time."""
    if is_handshake(body):
        return True
    match = _SIGNED.match(body)
    if not secret or not match:
        return False
    expected = hmac.new(secret.encode(), match.group("content"), hashlib.sha256).hexdigest().upper()
    return hmac.compare_digest(expected.encode(), match.group("hash").upper())


def content(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"the webhook body is not JSON: {exc}") from exc
    found = payload.get("Content") if isinstance(payload, dict) else None
    if not isinstance(found, dict) or not found.get("Topic") or not found.get("Key"):
        raise ValueError("not an Exact notification (Content with Topic and Key is required)")
    return found


def event_id(body: bytes) -> str:
    """Exact gives no event id: topic, action, key and creation time name one event (retries repeat them)."""
    if is_handshake(body):
        return HANDSHAKE
    found = content(body)
    parts = (found.get("Division"), found["Topic"], found.get("Action"), found["Key"], found.get("EventCreatedOn"))
    return ":".join(str(part or "") for part in parts)


def hints(body: bytes, division: str) -> list[WebhookHint]:
    """The record a notification names, in our division and of a topic we read; nothing for a handshake."""
    if is_handshake(body):
        return []
    found = content(body)
    entity = TOPICS.get(str(found["Topic"]))
    if entity is None or str(found.get("Division") or "") != str(division):
        return []
    action = ACTIONS.get(str(found.get("Action") or "").lower(), "update")
    key = str(found["Key"]).lower()
    return [WebhookHint(event_id=event_id(body), entity=entity, native_id=key, action=action)]


def topics_for(entities) -> list[str]:
    """The topics whose notifications name records of `entities` (None: every topic we read), in a stable order."""
    return sorted(topic for topic, entity in TOPICS.items() if entities is None or entity in entities)


def without_topic(entities) -> list[str]:
    """Entities no topic announces: only the regular poll reads their changes."""
    return sorted(set(entities or ()) - set(TOPICS.values()))


def subscription_report(created: list[str], kept: list[str], refused: dict[str, str], polled: list[str]) -> dict:
    """What subscribing did, with one sentence for the person who asked."""
    parts = [f"subscribed {', '.join(created)}" if created else "no new subscription"]
    if kept:
        parts.append(f"already subscribed: {', '.join(kept)}")
    parts += [f"{topic} refused by Exact ({reason}); the poll reads it" for topic, reason in refused.items()]
    if polled:
        parts.append(f"read by the poll only: {', '.join(entity.replace('_', ' ') for entity in polled)}")
    return {"created": created, "kept": kept, "refused": refused, "polled": polled, "summary": "; ".join(parts)}
