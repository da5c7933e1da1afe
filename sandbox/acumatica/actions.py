"""Entity actions: ``POST /{Entity}/{Action}`` with {"entity": {keys or id}} (``parameters`` optional).

An action answers 204 when done, or (``actions_async`` switch) 202 with a Location to poll:
``GET /{Entity}/{Action}/status/{guid}`` answers 202 for ``action_polls`` polls, then runs the action
and answers 204 (or the action's error). The status URL is named only by the 202 Location header of the
contract, not as a path of its own.
"""

from __future__ import annotations

import uuid

from ..core.http import HttpError, Response
from . import rules
from .crud import Call, locate
from .values import http_error, no_entity, unwrap_fields


def _run(call: Call, action: str, record_id: str) -> None:
    record = call.store.get(call.entity.name, record_id)
    if record is None:
        raise no_entity()
    for touched in rules.ACTIONS[(call.entity.name, action)](call.context, record):
        touched["LastModifiedDateTime"] = call.now


def start(call: Call, action: str, jobs: dict) -> Response:
    if action not in call.entity.actions:
        raise http_error(404, f"No action {action} on {call.entity.name}.")
    body = call.request.json() or {}
    if not isinstance(body, dict) or not isinstance(body.get("entity"), dict):
        raise http_error(400, "The request body must hold the entity the action applies to.")
    record = locate(call, unwrap_fields(body["entity"]))
    if record is None:
        raise no_entity()
    if not call.config["actions_async"]:
        _run(call, action, record["id"])
        return Response.empty(204)
    job = str(uuid.uuid4())
    jobs[job] = {"action": action, "record": record["id"], "polls": int(call.config["action_polls"]), "result": None}
    return Response.empty(202, [("Location", _status_url(call, action, job))])


def _status_url(call: Call, action: str, job: str) -> str:
    return f"{call.site}/{call.entity.name}/{action}/status/{job}"


def status(call: Call, action: str, job_id: str, jobs: dict) -> Response:
    job = jobs.get(job_id)
    if job is None or job["action"] != action:
        raise http_error(404, "The operation is not found.")
    if job["result"] is not None:
        return job["result"]
    if job["polls"] > 0:
        job["polls"] -= 1
        return Response.empty(202, [("Location", _status_url(call, action, job_id))])
    try:
        _run(call, action, job["record"])
        job["result"] = Response.empty(204)
    except HttpError as exc:
        job["result"] = exc.response
    return job["result"]
