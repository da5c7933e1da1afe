"""The shared test-control API: /_sandbox/<system>/<action>.

Every simulator gets the same controls, JSON in and out: reset, seed, records, clock, faults, calls,
config and journal (every request received, credentials redacted). Tests drive them through
``sandbox.testing.SandboxControl``.
"""

from __future__ import annotations

from .http import HttpError, Request, Response
from .simulator import Simulator


def _body(request: Request) -> dict:
    body = request.json()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise HttpError(Response.json({"error": "expected a JSON object"}, 400))
    return body


def _reset(sim: Simulator, request: Request) -> Response:
    sim.reset()
    return Response.json({"reset": sim.name})


def _seed(sim: Simulator, request: Request) -> Response:
    return Response.json({"created": sim.seed(_body(request))})


def _records(sim: Simulator, request: Request, collection: str) -> Response:
    if request.method == "GET":
        return Response.json(sim.records(collection))
    return Response.json(sim.upsert(collection, _body(request)))


def _clock(sim: Simulator, request: Request) -> Response:
    if request.method == "POST":
        body = _body(request)
        if "set" in body:
            sim.clock.set(body["set"])
        if "advance" in body:
            sim.clock.advance(body["advance"])
    return Response.json(sim.clock.describe())


def _faults(sim: Simulator, request: Request) -> Response:
    if request.method == "DELETE":
        sim.faults.clear()
    elif request.method == "POST":
        sim.faults.add(_body(request))
    return Response.json(sim.faults.describe())


def _calls(sim: Simulator, request: Request) -> Response:
    if request.method == "DELETE":
        sim.calls.reset()
    return Response.json(sim.calls.snapshot())


def _journal(sim: Simulator, request: Request) -> Response:
    if request.method == "DELETE":
        sim.journal.clear()
    return Response.json(sim.journal.entries())


def _config(sim: Simulator, request: Request) -> Response:
    if request.method == "POST":
        return Response.json(sim.configure(_body(request)))
    with sim.lock:
        return Response.json(sim.config)


ACTIONS = {
    "reset": (("POST",), _reset),
    "seed": (("POST",), _seed),
    "clock": (("GET", "POST"), _clock),
    "faults": (("GET", "POST", "DELETE"), _faults),
    "calls": (("GET", "DELETE"), _calls),
    "config": (("GET", "POST"), _config),
    "journal": (("GET", "DELETE"), _journal),
}


def handle_control(simulators: dict[str, Simulator], request: Request) -> Response:
    """Route /<system>/<action>[/<collection>] (the path below /_sandbox) to its handler."""
    parts = [part for part in request.path.split("/") if part]
    if not parts:
        return Response.json({"systems": sorted(simulators)})
    sim = simulators.get(parts[0])
    if sim is None:
        return Response.json({"error": f"unknown system {parts[0]!r}", "systems": sorted(simulators)}, 404)
    action, rest = (parts[1] if len(parts) > 1 else ""), parts[2:]
    try:
        if action == "records" and len(rest) == 1 and request.method in ("GET", "POST"):
            return _records(sim, request, rest[0])
        if action == "action" and len(rest) == 1 and request.method == "POST":
            return Response.json(sim.action(rest[0], _body(request)))
        methods, handler = ACTIONS.get(action, ((), None))
        if handler is None or rest:
            return Response.json({"error": f"unknown control {request.path!r}"}, 404)
        if request.method not in methods:
            return Response.json({"error": f"{request.method} not allowed here"}, 405)
        return handler(sim, request)
    except HttpError as exc:
        return exc.response
    except (ValueError, KeyError, TypeError) as exc:
        return Response.json({"error": str(exc)}, 400)
