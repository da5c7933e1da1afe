"""Procore webhooks: the company hook and its triggers, and the hints a delivery gives.

Deliveries are not signed; Procore sends back the `Authorization` header configured on the hook, which carries a
secret of ours. The hook is found by its namespace and reused; its URL and header are set on every registration.
Triggers cover requisitions, direct costs, both contract kinds, commitment change orders, company vendors and standard
cost codes (create, update, delete). Resource names for some tools are not fixed in the documentation, so the names are
taken from Procore's own resource list when it answers, matched by the candidates below.
"""

from __future__ import annotations

import json

from connections.systems.base import WebhookHint

NAMESPACE = "ml-connector"
PAYLOAD_VERSION = "v2.0"
EVENTS = ("create", "update", "delete")
#: resource name (lower case) -> (entity, native id prefix; "" for company-wide records)
RESOURCES = {
    "requisitions": ("bill", "requisition"),
    "subcontractor invoices": ("bill", "requisition"),
    "draw requests": ("bill", "requisition"),
    "direct costs": ("bill", "direct_cost"),
    "work order contracts": ("commitment", "work_order_contract"),
    "purchase order contracts": ("commitment", "purchase_order_contract"),
    "commitment change orders": ("commitment", "commitment_change_order"),
    "company vendors": ("vendor", ""),
    "standard cost codes": ("cost_code", ""),
}
#: Used when the resource list gives nothing: the names the documentation confirms, plus the likeliest others.
DEFAULT_RESOURCES = (
    "Requisitions",
    "Direct Costs",
    "Work Order Contracts",
    "Purchase Order Contracts",
    "Commitment Change Orders",
    "Company Vendors",
    "Standard Cost Codes",
)


def register(client, destination_url: str, secret: str) -> dict:
    """Create or update the company hook, then add the triggers it lacks. Safe to run again."""
    fields = {
        "payload_version": PAYLOAD_VERSION,
        "namespace": NAMESPACE,
        "destination_url": destination_url,
        "destination_headers": {"Authorization": f"Bearer {secret}"},
    }
    hook = next((row for row in client.hooks(NAMESPACE) if row.get("namespace") == NAMESPACE), None)
    created_hook = hook is None
    if created_hook:
        hook = client.create_hook(fields)
    else:
        hook = client.update_hook(hook["id"], {**fields, "status": "active"})
    existing = {
        (str(row.get("resource_name")), str(row.get("event_type")).lower()) for row in client.hook_triggers(hook["id"])
    }
    wanted = [
        {"resource_name": name, "event_type": event}
        for name, events in resource_names(client).items()
        for event in events
        if (name, event.lower()) not in existing
    ]
    made = client.create_triggers(hook["id"], wanted) if wanted else []
    return {
        "hook_id": str(hook["id"]),
        "created_hook": created_hook,
        "triggers_created": len(made),
        "triggers": sorted(f"{row['resource_name']}:{row['event_type']}" for row in wanted)
        + sorted(f"{name}:{event}" for name, event in existing),
    }


def resource_names(client) -> dict[str, tuple[str, ...]]:
    """Resource name -> events, as Procore spells them for this company; the defaults when it lists none."""
    found = {}
    for row in client.webhook_resources(PAYLOAD_VERSION):
        name = str(row.get("name") or "")
        if name.strip().lower() in RESOURCES:
            actions = tuple(str(action) for action in row.get("actions") or () if str(action).lower() in EVENTS)
            found[name] = actions or EVENTS
    return found or {name: EVENTS for name in DEFAULT_RESOURCES}


def event_id(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"the webhook body is not JSON: {exc}") from exc
    found = str(payload.get("ulid") or payload.get("id") or "") if isinstance(payload, dict) else ""
    if not found:
        raise ValueError("the webhook payload has no id")
    return found


def hints(body: bytes) -> list[WebhookHint]:
    """The record a delivery points at (deletions too: the engine re-reads it and flags what is gone)."""
    payload = json.loads(body)
    if not isinstance(payload, dict) or "resource_id" not in payload or "resource_name" not in payload:
        raise ValueError("not a Procore webhook payload (resource_name and resource_id are required)")
    found = event_id(body)
    kind = RESOURCES.get(str(payload["resource_name"]).strip().lower())
    if kind is None:
        return []
    entity, prefix = kind
    action = str(payload.get("event_type") or "")
    if not prefix:
        return [WebhookHint(event_id=found, entity=entity, native_id=str(int(payload["resource_id"])), action=action)]
    project_id = payload.get("project_id") or (payload.get("metadata") or {}).get("source_project_id")
    if not project_id:
        raise ValueError("the webhook payload has no project_id")
    native_id = f"{prefix}:{int(project_id)}:{int(payload['resource_id'])}"
    scope = {"project_id": str(int(project_id))}
    return [WebhookHint(event_id=found, entity=entity, native_id=native_id, action=action, scope=scope)]
