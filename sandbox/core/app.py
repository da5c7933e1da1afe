"""One WSGI application serving every simulator under its own URL prefix.

``/procore/...`` goes to the Procore simulator's API host, ``/procore-login/...`` to its login host,
``/acumatica/...`` to Acumatica, and ``/_sandbox/<system>/...`` to the shared test controls. Faults
and call counting happen here, once, so every simulator gets them the same way.
"""

from __future__ import annotations

import sys
import time
import traceback
from wsgiref.util import application_uri

from .control import handle_control
from .faults import Fault
from .http import AbortConnection, HttpError, Request, Response
from .simulator import Simulator

CONTROL_PREFIX = "_sandbox"
#: What a captive proxy or a single-sign-on gateway answers in place of the API, with status 200.
HTML_PAGE = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Sign in</form></body></html>"


class SandboxApp:
    def __init__(self, simulators: list[Simulator]):
        self.simulators = {sim.name: sim for sim in simulators}
        self.routes: dict[str, tuple[Simulator, str]] = {}
        for sim in simulators:
            for prefix, host in sim.prefixes.items():
                self.routes[prefix] = (sim, host)

    def __call__(self, environ, start_response):
        response = self.respond(environ)
        start_response(response.status_line(), response.headers)
        return [response.body]

    def respond(self, environ) -> Response:
        root = application_uri(environ).rstrip("/")
        path = environ.get("PATH_INFO", "") or "/"
        prefix, _, rest = path.lstrip("/").partition("/")
        request = Request.from_environ(environ, "/" + rest, f"{root}/{prefix}")
        if prefix == CONTROL_PREFIX:
            return handle_control(self.simulators, request)
        if prefix not in self.routes:
            return Response.json({"error": f"no simulator at /{prefix}", "prefixes": sorted(self.routes)}, 404)
        sim, host = self.routes[prefix]
        return self.serve(sim, host, request)

    def serve(self, sim: Simulator, host: str, request: Request) -> Response:
        sim.calls.count(request.method, sim.counter_path(host, request.path))
        entry = sim.journal.record(
            method=request.method,
            path=request.path,
            host=host,
            query=request.query,
            headers=request.headers,
            body=request.body,
            at=sim.clock.now().isoformat(),
        )
        response = self.answer(sim, host, request)
        entry["status"] = response.status
        return response

    def answer(self, sim: Simulator, host: str, request: Request) -> Response:
        searchable = f"{request.query_string}\n{request.body.decode('utf-8', 'replace')}"
        faults = sim.faults.take(request.method, request.path, searchable)
        delay = sim.answer_delay()  # outside the simulator's lock: slow answers overlap as a vendor's do
        if delay:
            time.sleep(delay)
        if "latency" in faults:
            time.sleep(float(faults["latency"].params.get("ms", 1000)) / 1000)
        if "status" in faults:
            fault = faults["status"]
            return sim.fault_status_response(int(fault.params.get("status", 503)), fault)
        if "rate_limit" in faults:
            return sim.rate_limit_response(host, faults["rate_limit"])
        if "html" in faults:
            return Response(200, HTML_PAGE.encode(), [("Content-Type", "text/html; charset=utf-8")])
        response = self.dispatch(sim, host, request)
        if "hang_after_write" in faults:
            time.sleep(float(faults["hang_after_write"].params.get("ms", 1000)) / 1000)
        if "reset_after_write" in faults:
            raise AbortConnection()
        if "truncate" in faults:
            _truncate(response, faults["truncate"])
        return response

    def dispatch(self, sim: Simulator, host: str, request: Request) -> Response:
        try:
            with sim.lock:
                return sim.handle(host, request)
        except HttpError as exc:
            return exc.response
        except Exception as exc:  # a simulator bug must show up as a loud 500, not a hung test
            traceback.print_exc(file=sys.stderr)
            return Response.json({"error": "sandbox internal error", "detail": repr(exc)}, 500)


def _truncate(response: Response, fault: Fault) -> None:
    """Declare the full length but send only part of the body; the server closes the connection after."""
    full = response.body or b"{}"
    keep = int(fault.params.get("keep", len(full) // 2))
    response.body = full[: min(keep, len(full) - 1)]
    response.set_header("Content-Length", str(len(response.body) if fault.params.get("framed") else len(full)))
