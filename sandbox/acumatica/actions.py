"""Entity actions: ``POST /{Entity}/{Action}`` with {"entity": {...}, "parameters": {...}}.

An action answers 204 when done, or (``actions_async`` switch) 202 with a Location to poll:
``GET /{Entity}/{Action}/status/{guid}`` answers 202 for ``action_polls`` polls, then runs the action
and answers 204 (or the action's error).
"""

from __future__ import annotations

import uuid

from ..core.http import HttpError, Response
from . import bills
from .crud import Call, locate
from .values import http_error, no_entity, unwrap_fields


def _run(call: Call, action: str, record_id: str) -> None:
    record = call.store.get(call.entity.name, record_id)
    for touched in bills.ACTIONS[(call.entity.name, action)](call.store, record):
        touched["LastModifiedDateTime"] = call.now


def start(call: Call, action: str, jobs: dict) -> Response:
    if action not in call.entity.actions:
        raise http_error(404, f"No action {action} on {call.entity.name}.")
    if (call.entity.name, action) not in bills.ACTIONS:
        raise http_error(501, f"The sandbox does not simulate {action}.")
    body = call.request.json() or {}
    record = locate(call, unwrap_fields(body.get("entity") or {}))
    if record is None:
        raise no_entity()
    if not call.config["actions_async"]:
        _run(call, action, record["id"])
        return Response.empty(204)
    job = str(uuid.uuid4())
    jobs[job] = {
        "entity": call.entity.name,
        "action": action,
        "record": record["id"],
        "polls": int(call.config["action_polls"]),
        "result": None,
    }
    location = f"{call.site}/{call.entity.name}/{action}/status/{job}"
    return Response.empty(202, [("Location", location)])


def status(call: Call, action: str, job_id: str, jobs: dict) -> Response:
    job = jobs.get(job_id)
    if job is None or job["action"] != action:
        raise http_error(404, "The operation is not found.")
    if job["result"] is not None:
        return job["result"]
    if job["polls"] > 0:
        job["polls"] -= 1
        return Response.empty(202, [("Location", f"{call.site}/{call.entity.name}/{action}/status/{job_id}")])
    try:
        _run(call, action, job["record"])
        job["result"] = Response.empty(204)
    except HttpError as exc:
        job["result"] = exc.response
    return job["result"]
