"""Setting up a connection's webhooks in the vendor's system, the same way from the admin and from the demo.

How depends on the webhook scheme the registry declares for the system:
- `header_secret`: the vendor sends back a secret we choose (e.g. in an Authorization header). We make one up, create
  or update the hook with it (the adapter's `register_webhooks(url, secret)`), and store it on the connection.
- `hmac_sha256`: the vendor signs each delivery with the app's own secret, entered on the connection by an admin.
  That secret is never replaced here; we only subscribe (the adapter's `subscribe_webhooks(url, entities)`).
Only the entities that an enabled integration's post or mirror flow reads from the connection are asked for: those
are the ones a webhook can start posting (syncs/webhooks.py); status and reconcile flows read in bulk on schedule.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db.models import Q

from .engine import adapter_for, sides
from .flows import FLOWS, MIRROR, POST
from .models import Integration

#: scheme -> the adapter method that sets it up in the vendor's system
METHODS = {"header_secret": "register_webhooks", "hmac_sha256": "subscribe_webhooks"}


class WebhooksNotSupported(Exception):
    """The vendor's webhooks cannot be set up through its API: a person configures them in the vendor's system."""


@dataclass(frozen=True)
class WebhookSetup:
    url: str
    summary: str
    details: dict


def entities_read(connection) -> list[str]:
    """Entities an enabled integration's post or mirror flow reads from `connection`."""
    found = set()
    integrations = Integration.objects.filter(Q(source=connection) | Q(destination=connection), enabled=True)
    for integration in integrations.select_related("source", "destination"):
        for key in integration.flows:
            flow = FLOWS.get(key)
            if flow and flow.kind in (POST, MIRROR) and sides(integration, flow)[0].pk == connection.pk:
                found.add(flow.source_entity)
    return sorted(found)


def can_set_up(connection) -> bool:
    method = METHODS.get(connection.spec.webhook or "")
    return bool(method) and hasattr(connection.spec.adapter_class(), method)


def set_up(connection, callback_url: str, keep_secret: bool = False) -> WebhookSetup:
    """Create or complete the connection's webhooks so they deliver to `callback_url`; safe to run again.

    `keep_secret` reuses a secret of ours already stored (header_secret), so running it again changes nothing."""
    if not can_set_up(connection):
        raise WebhooksNotSupported(f"{connection.spec.label} webhooks are configured in {connection.spec.label} itself")
    entities = entities_read(connection)
    if not entities:
        return WebhookSetup(callback_url, "nothing to subscribe: no enabled integration reads from it", {})
    adapter = adapter_for(connection)
    if connection.spec.webhook == "hmac_sha256":
        details = adapter.subscribe_webhooks(callback_url, entities)
        return WebhookSetup(callback_url, details.get("summary") or str(details), details)
    secret = (connection.secrets or {}).get("webhook_secret") if keep_secret else None
    secret = secret or secrets.token_urlsafe(32)
    details = adapter.register_webhooks(callback_url, secret)
    connection.secrets = {**connection.secrets, "webhook_secret": secret}
    connection.save(update_fields=["secrets", "updated_at"])
    return WebhookSetup(callback_url, _describe(details), details)


def _describe(details) -> str:
    if not isinstance(details, dict):
        return str(details)
    return ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in details.items() if key != "triggers")
