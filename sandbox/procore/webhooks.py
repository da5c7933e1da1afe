"""Webhook hooks, triggers, deliveries and resources: REST v1.0 and the company-scoped v2.0.

One store serves both versions. v1.0 bodies are ``{company_id|project_id, hook: {...}}`` and
``{company_id|project_id, api_version, trigger: {resource_name, event_type}}`` (facts P7); v1.0 trigger
answers spell ``event_type`` upper-case (published enum ``CREATE|UPDATE|DELETE``) while payloads use the
lower-case form. v2.0 wraps answers in ``{"data": ...}`` with string ids, and its bulk bodies are arrays.
The v1.0 bulk bodies are not published: an array (as in v2.0) or ``{"triggers": [...]}`` /
``{"ids": [...]}`` is accepted.
"""

from __future__ import annotations

from ..core.http import Response
from .context import Ctx, error

HOOKS, TRIGGERS = "webhook_hooks", "webhook_triggers"
EVENT_TYPES = ("create", "update", "delete")
#: (category, resource name) the simulator can deliver; clients read them from /webhooks/resources
RESOURCES = [
    ("Construction Financials", "Direct Costs"),
    ("Construction Financials", "Direct Cost Line Items"),
    ("Construction Financials", "Work Order Contracts"),
    ("Construction Financials", "Work Order Contract Line Items"),
    ("Construction Financials", "Purchase Order Contracts"),
    ("Construction Financials", "Purchase Order Contract Line Items"),
    ("Construction Financials", "Commitment Change Orders"),
    ("Construction Financials", "Requisitions"),
    ("Construction Financials", "Contract Payments"),
    ("Company Admin", "Company Vendors"),
    ("Company Admin", "Cost Codes"),
    ("Company Admin", "Line Item Types"),
    ("Company Admin", "Standard Cost Codes"),
]


def _scope(ctx: Ctx) -> dict:
    """{company_id, project_id} of a v1.0 call: one of them is given (query or body), else the company of
    the Procore-Company-Id header (the bulk bodies are bare arrays)."""
    project_id = ctx.arg("project_id")
    if project_id:
        project = ctx.project(int(project_id))
        return {"company_id": project["company_id"], "project_id": project["id"]}
    if not ctx.arg("company_id") and ctx.company_id:
        return {"company_id": ctx.company(ctx.company_id)["id"], "project_id": None}
    return {"company_id": ctx.company()["id"], "project_id": None}


def _v2_company(ctx: Ctx) -> dict:
    return {"company_id": ctx.company(ctx.path_id("company_id"))["id"]}


def _hook(ctx: Ctx, scope: dict, key: str = "id") -> dict:
    """The hook, looked up within the caller's company (a project-scoped call still sees company hooks)."""
    return ctx.record(HOOKS, ctx.path_id(key), company_id=scope["company_id"])


def _hook_v1(record: dict) -> dict:
    return {
        "id": record["id"],
        "api_version": record.get("api_version", "v2"),
        "namespace": record.get("namespace"),
        "destination_url": record.get("destination_url"),
        "destination_headers": record.get("destination_headers") or {},
        "owned_by_company_id": record.get("company_id"),
        "owned_by_project_id": record.get("project_id"),
        "owned_by_user_id": 8_000_000_001,
    }


def _hook_v2(ctx: Ctx, record: dict) -> dict:
    count = sum(1 for _ in ctx.store.find(TRIGGERS, hook_id=record["id"]))
    ids = {k: (str(record[k]) if record.get(k) is not None else None) for k in ("company_id", "project_id")}
    return {
        "id": str(record["id"]),
        "status": record.get("status", "active"),
        "payload_version": record.get("api_version", "v2.0"),
        "namespace": record.get("namespace"),
        "destination_headers": record.get("destination_headers") or {},
        "destination_url": record.get("destination_url"),
        "trigger_count": count,
        **ids,
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at"),
    }


def _trigger_v1(record: dict) -> dict:
    return {
        "id": record["id"],
        "webhook_hook_id": record["hook_id"],
        "resource_name": record["resource_name"],
        "event_type": record["event_type"].upper(),
        "company_id": record.get("company_id"),
        "project_id": record.get("project_id"),
        "user_id": 8_000_000_001,
    }


def _trigger_v2(record: dict) -> dict:
    out = {k: (str(v) if v is not None else None) for k, v in _trigger_v1(record).items() if k != "user_id"}
    out["event_type"] = record["event_type"]
    return out


def _hook_fields(body: dict) -> dict:
    fields = {k: body[k] for k in ("namespace", "destination_url", "destination_headers", "status") if k in body}
    version = body.get("api_version") or body.get("payload_version")
    if version:
        fields["api_version"] = version
    if "namespace" in fields and not all(c.isalnum() and c == c.lower() or c == "-" for c in fields["namespace"]):
        raise error(400, {"namespace": ["may only contain lower-case letters, digits and dashes"]})
    return fields


def _new_hook(ctx: Ctx, scope: dict, body: dict) -> dict:
    fields = _hook_fields(body)
    if not fields.get("destination_url") or not fields.get("namespace"):
        raise error(400, {"hook": ["namespace and destination_url are required"]})
    record = {"status": "active", **fields, **scope, "created_at": ctx.now, "updated_at": ctx.now}
    return ctx.store.insert(HOOKS, record)


def _new_trigger(ctx: Ctx, hook: dict, spec: dict) -> dict:
    name, event = spec.get("resource_name"), str(spec.get("event_type") or "").lower()
    if name not in {r[1] for r in RESOURCES} or event not in EVENT_TYPES:
        raise error(400, {"trigger": [f"unknown resource {name!r} or event type {spec.get('event_type')!r}"]})
    record = {
        "hook_id": hook["id"],
        "resource_name": name,
        "event_type": event,
        "company_id": hook["company_id"],
        "project_id": hook.get("project_id"),
    }
    existing = ctx.store.first(TRIGGERS, hook_id=hook["id"], resource_name=name, event_type=event)
    return existing or ctx.store.insert(TRIGGERS, record)


# -- v1.0 -------------------------------------------------------------------------------------------------


def hooks(ctx: Ctx):
    scope = _scope(ctx)
    rows = list(ctx.store.find(HOOKS, **scope))
    namespace = ctx.request.arg("namespace")
    return [_hook_v1(h) for h in rows if not namespace or h.get("namespace") == namespace]


def create_hook(ctx: Ctx):
    return Response.json(_hook_v1(_new_hook(ctx, _scope(ctx), ctx.body("hook"))), 201)


def patch_hook(ctx: Ctx):
    hook = _hook(ctx, _scope(ctx))
    hook.update(_hook_fields(ctx.body("hook")), updated_at=ctx.now)
    return _hook_v1(hook)


def delete_hook(ctx: Ctx):
    hook = _hook(ctx, _scope(ctx))
    for trigger in list(ctx.store.find(TRIGGERS, hook_id=hook["id"])):
        ctx.store.delete(TRIGGERS, trigger["id"])
    ctx.store.delete(HOOKS, hook["id"])
    return Response.empty(204)


def triggers(ctx: Ctx):
    hook = _hook(ctx, _scope(ctx), "hook_id")
    return [_trigger_v1(t) for t in ctx.store.find(TRIGGERS, hook_id=hook["id"])]


def create_trigger(ctx: Ctx):
    hook = _hook(ctx, _scope(ctx), "hook_id")
    return Response.json(_trigger_v1(_new_trigger(ctx, hook, ctx.body("trigger"))), 201)


def delete_trigger(ctx: Ctx):
    hook = _hook(ctx, _scope(ctx), "hook_id")
    ctx.record(TRIGGERS, ctx.path_id(), hook_id=hook["id"])
    ctx.store.delete(TRIGGERS, ctx.path_id())
    return Response.empty(204)


def _bulk_items(ctx: Ctx, *keys: str) -> list:
    body = ctx.request.json()
    if isinstance(body, list):
        return body
    for key in keys:
        if isinstance((body or {}).get(key), list):
            return body[key]
    raise error(400, {"body": ["expected an array"]})


def _bulk_create(ctx: Ctx, hook: dict, specs: list) -> tuple[list[dict], list[dict]]:
    made, failed = [], []
    for spec in specs:
        try:
            made.append(_new_trigger(ctx, hook, spec if isinstance(spec, dict) else {}))
        except Exception:  # noqa: BLE001 - one bad entry makes the answer a 207, not a failure
            failed.append(spec)
    return made, failed


def bulk_create_triggers(ctx: Ctx):
    hook = _hook(ctx, _scope(ctx) if not ctx.params.get("company_id") else _v2_company(ctx), "hook_id")
    made, failed = _bulk_create(ctx, hook, _bulk_items(ctx, "triggers"))
    if ctx.params.get("company_id"):
        return Response.json({"data": [_trigger_v2(t) for t in made]}, 207 if failed else 201)
    return Response.json({"success": [_trigger_v1(t) for t in made]}, 207 if failed else 200)


def bulk_delete_triggers(ctx: Ctx):
    v2 = bool(ctx.params.get("company_id"))
    hook = _hook(ctx, _v2_company(ctx) if v2 else _scope(ctx), "hook_id")
    gone = []
    for raw in _bulk_items(ctx, "ids", "trigger_ids"):
        trigger = ctx.store.get(TRIGGERS, int(raw)) if str(raw).isdigit() else None
        if trigger and trigger["hook_id"] == hook["id"]:
            ctx.store.delete(TRIGGERS, trigger["id"])
            gone.append(trigger["id"])
    if v2:
        return {"data": {"succeeded": [str(i) for i in gone]}}
    return {"success": gone}


V1_OUTCOMES = {"successful": {"ok"}, "discarded": {"discarded"}, "failing": {"retried", "failed"}}


def _delivery_v1(delivery: dict) -> dict:
    return {
        "event": delivery["event"],
        "event_id": delivery["event"]["id"],
        "outcome": delivery["outcome"] if delivery["outcome"] != "enqueued" else "retried",
        "response_status": delivery.get("response_status"),
        "response_error": delivery.get("response_error"),
        "response_body": delivery.get("response_body"),
        "response_headers": {},
        "started_at": delivery.get("started_at"),
        "completed_at": delivery.get("completed_at"),
    }


def deliveries(ctx: Ctx):
    hook = _hook(ctx, _scope(ctx), "hook_id")
    wanted = V1_OUTCOMES.get(ctx.request.arg("filters[status]") or "any")
    rows = ctx.owner.webhook_log.get(hook["id"], [])
    return [_delivery_v1(d) for d in rows if wanted is None or _delivery_v1(d)["outcome"] in wanted]


def resources(ctx: Ctx):
    rows = []
    for category, name in RESOURCES:
        rows.append(
            {
                "api_version": "v2",
                "product_category": category,
                "tools": name,
                "except": [],
                "create": "create",
                "update": "update",
                "delete": "delete",
            }
        )
    return rows


# -- v2.0 -------------------------------------------------------------------------------------------------


def hooks_v2(ctx: Ctx):
    scope = _v2_company(ctx)
    namespace = ctx.request.arg("namespace")
    rows = [h for h in ctx.store.find(HOOKS, **scope) if not namespace or h.get("namespace") == namespace]
    return {"data": [_hook_v2(ctx, h) for h in rows]}


def create_hook_v2(ctx: Ctx):
    record = _new_hook(ctx, {**_v2_company(ctx), "project_id": None}, ctx.json_body())
    return Response.json({"data": _hook_v2(ctx, record)}, 201)


def hook_v2(ctx: Ctx):
    return {"data": _hook_v2(ctx, _hook(ctx, _v2_company(ctx)))}


def patch_hook_v2(ctx: Ctx):
    hook = _hook(ctx, _v2_company(ctx))
    hook.update(_hook_fields(ctx.json_body()), updated_at=ctx.now)
    return {"data": _hook_v2(ctx, hook)}


def delete_hook_v2(ctx: Ctx):
    hook = _hook(ctx, _v2_company(ctx))
    ctx.store.delete(HOOKS, hook["id"])
    return Response.empty(204)


def triggers_v2(ctx: Ctx):
    hook = _hook(ctx, _v2_company(ctx), "hook_id")
    return {"data": [_trigger_v2(t) for t in ctx.store.find(TRIGGERS, hook_id=hook["id"])]}


def create_trigger_v2(ctx: Ctx):
    hook = _hook(ctx, _v2_company(ctx), "hook_id")
    return Response.json({"data": _trigger_v2(_new_trigger(ctx, hook, ctx.json_body()))}, 201)


def delete_trigger_v2(ctx: Ctx):
    hook = _hook(ctx, _v2_company(ctx), "hook_id")
    ctx.record(TRIGGERS, ctx.path_id(), hook_id=hook["id"])
    ctx.store.delete(TRIGGERS, ctx.path_id())
    return Response.empty(204)


V2_STATUS = {"ok": "delivered", "discarded": "discarded", "retried": "retrying", "failed": "failed"}


def deliveries_v2(ctx: Ctx):
    hook = _hook(ctx, _v2_company(ctx), "hook_id")
    rows = []
    for delivery in ctx.owner.webhook_log.get(hook["id"], []):
        status = V2_STATUS.get(delivery["outcome"], "enqueued")
        if ctx.request.arg("filter[status]") in (None, status):
            rows.append(
                {
                    "id": str(delivery["event"]["id"]),
                    "status": status,
                    "payload": delivery["event"],
                    "delivery_attempts": list(delivery["attempts"]),
                }
            )
    return {"data": rows}


def resources_v2(ctx: Ctx):
    _v2_company(ctx)
    actions = [{"event_type": event} for event in EVENT_TYPES]
    return {
        "data": [
            {"category": c, "tool": c, "name": n, "payload_version": "v2.0", "actions": actions} for c, n in RESOURCES
        ]
    }
