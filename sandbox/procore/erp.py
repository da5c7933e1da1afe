"""Procore's ERP rules: ``origin_id`` ownership, the "synced" lock, and batch ``sync`` calls.

From Procore's ERP integration guide and sync-action tutorial:

- ``origin_id`` is unique per object type within a company; a duplicate is a 409 on a single write and an
  error entry in a batch;
- once a record carries an ``origin_id`` it counts as synced with the ERP and users can no longer edit it.
  Whether an app's own single-record PATCH is refused too is not spelled out, so ``erp_lock`` decides:
  ``"business_fields"`` (default: a PATCH that changes anything but the ERP linkage fields is a 422) or
  ``"off"``. Batch sync calls are the ERP's own path and are never locked;
- a sync call answers 200 with ``{entities, errors}`` whatever happens to each item, takes at most 1000
  items, and matches each item on ``id`` or ``origin_id``: an unknown origin_id creates a record, a known
  one updates it, an unknown id is an error, and both together update the record's origin_id. Every sync
  endpoint (records here, line items in ``line_sync``) goes through ``run_sync``. An item with neither key
  follows ``sync_unkeyed`` (unpublished).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.http import HttpError
from .context import Ctx, error

#: fields an ERP owns even on a locked record: its linkage, and the payment it reports back
ERP_FIELDS = {"origin_id", "origin_data", "origin_code", "erp_status", "synced_to_erp", "payment_date"}
READ_ONLY = {"id", "project_id", "company_id", "created_at", "updated_at", "line_items", "items"}
MAX_SYNC = 1000


def company_of(ctx: Ctx, record: dict) -> int | None:
    if "company_id" in record:
        return record["company_id"]
    project = ctx.store.get("projects", record.get("project_id"))
    return project.get("company_id") if project else None


#: the published vendor create/update list no 409 (only 400); elsewhere a duplicate origin_id is a 409
CONFLICT_STATUS = {"vendors": 400}


#: collections whose origin_id uniqueness is a config switch: "company" (the ERP guide's rule, the default),
#: "commitment" (only another requisition on the same commitment conflicts) or "none"
SCOPE_SWITCHES = {"requisitions": "requisition_origin_id_scope"}


def check_origin_id(ctx: Ctx, collection: str, record: dict, origin_id) -> None:
    """409 (400 for vendors) when another record of this type in the company already holds the origin_id."""
    scope = ctx.config.get(SCOPE_SWITCHES.get(collection, ""), "company")
    if origin_id in (None, "") or scope == "none":
        return
    company = company_of(ctx, record)
    for other in ctx.store.find(collection, origin_id=origin_id):
        if scope == "commitment" and other.get("commitment_id") != record.get("commitment_id"):
            continue
        if other["id"] != record.get("id") and company_of(ctx, other) == company:
            raise error(CONFLICT_STATUS.get(collection, 409), {"origin_id": ["has already been taken"]})


def apply_patch(ctx: Ctx, collection: str, record: dict, changes: dict, erp_path: bool = False) -> dict:
    """Apply changes to a stored record under the ERP rules; bumps updated_at."""
    changes = {k: v for k, v in changes.items() if k not in READ_ONLY}
    business = {k for k, v in changes.items() if k not in ERP_FIELDS and record.get(k) != v}
    locked = ctx.config["erp_lock"] == "business_fields" and not erp_path
    if locked and record.get("origin_id") and business:
        raise error(
            422,
            {"base": [f"This record is synced with the ERP; {', '.join(sorted(business))} can't be changed"]},
        )
    if "origin_id" in changes:
        check_origin_id(ctx, collection, record, changes["origin_id"])
    record.update(changes)
    record["updated_at"] = ctx.now
    return record


def new_record(ctx: Ctx, collection: str, record: dict) -> dict:
    check_origin_id(ctx, collection, record, record.get("origin_id"))
    record.update(id=None, created_at=ctx.now, updated_at=ctx.now)
    return ctx.store.insert(collection, record)


def errors_of(exc: HttpError) -> dict:
    payload = json.loads(exc.response.body or b"{}").get("errors")
    return payload if isinstance(payload, dict) else {"base": [payload]}


@dataclass
class SyncTarget:
    """How one sync endpoint finds, creates, changes and shows its items; ``run_sync`` applies the matching."""

    by_id: Callable[[Any], dict | None]
    by_origin: Callable[[str], dict | None]
    create: Callable[[dict], dict]
    update: Callable[[dict, dict], dict]
    render: Callable[[dict], dict]


def run_sync(ctx: Ctx, updates, target: SyncTarget) -> dict:
    """Answer a batch sync call: each item matched on id, else origin_id; only an unmatched one is created."""
    if not isinstance(updates, list):
        raise error(400, {"updates": ["is missing"]})
    if len(updates) > MAX_SYNC:
        raise error(400, f"at most {MAX_SYNC} updates per call")
    entities, errors = [], []
    for update in updates:
        try:
            if not isinstance(update, dict):
                raise error(422, {"base": ["is invalid"]})
            entities.append(target.render(_sync_one(ctx, target, dict(update))))
        except HttpError as exc:  # each item fails on its own, echoed back with its problems
            errors.append({**(update if isinstance(update, dict) else {}), "errors": errors_of(exc)})
    return {"entities": entities, "errors": errors}


def _sync_one(ctx: Ctx, target: SyncTarget, update: dict) -> dict:
    record_id, origin_id = update.pop("id", None), update.get("origin_id")
    if record_id is not None:
        record = target.by_id(record_id)
        if record is None:
            raise error(404, {"id": ["not found"]})
        return target.update(record, update)  # an origin_id sent alongside relinks the record
    if origin_id in (None, ""):
        if ctx.config["sync_unkeyed"] == "error":
            raise error(422, {"base": ["id or origin_id is required"]})
        return target.create(update)
    record = target.by_origin(origin_id)
    return target.update(record, update) if record is not None else target.create(update)


def sync_batch(
    ctx: Ctx,
    collection: str,
    updates,
    scope: dict,
    create: Callable[[dict], dict],
    render: Callable[[dict], dict],
) -> dict:
    """Run a batch sync over ``updates`` for stored records matching ``scope`` (e.g. company_id or project_id)."""

    def by_id(record_id) -> dict | None:
        record = ctx.store.get(collection, record_id)
        return record if record is not None and all(record.get(k) == v for k, v in scope.items()) else None

    return run_sync(
        ctx,
        updates,
        SyncTarget(
            by_id=by_id,
            by_origin=lambda origin_id: ctx.store.first(collection, origin_id=origin_id, **scope),
            create=create,
            update=lambda record, changes: apply_patch(ctx, collection, record, changes, erp_path=True),
            render=render,
        ),
    )
