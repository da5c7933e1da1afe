"""Helpers for tests: start the sandbox on a free port and drive its control API.

server = start_sandbox()
procore = SandboxControl(server.base_url, "procore")
procore.reset()
procore.seed(preset="demo")
procore.advance(5401)           # every Procore token is now expired
procore.fault("reset_after_write", method="PATCH", path="/requisitions/")
assert procore.calls()["POST /oauth/token"] == 1
assert all(entry["path"].startswith("/rest/") for entry in procore.journal() if entry["host"] == "api")
server.stop()
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from .core.app import SandboxApp
from .core.server import ThreadingWSGIServer, make_server, serve_in_thread
from .registry import build_app


@dataclass
class SandboxServer:
    server: ThreadingWSGIServer
    app: SandboxApp

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, prefix: str) -> str:
        """Base URL of one simulator host, e.g. url("procore") -> http://127.0.0.1:PORT/procore."""
        return f"{self.base_url}/{prefix}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_sandbox(port: int = 0, host: str = "127.0.0.1", verbose: bool = False) -> SandboxServer:
    """Serve every simulator from a daemon thread; port 0 picks a free port."""
    app = build_app()
    server = make_server(app, host, port, verbose=verbose)
    serve_in_thread(server)
    return SandboxServer(server, app)


#: Seconds a seed call may take (every other control call answers within the default 10).
SEED_TIMEOUT = 120


class SandboxControl:
    """The /_sandbox/<system>/ control API over real HTTP."""

    def __init__(self, base_url: str, system: str, session: requests.Session | None = None):
        self.url = f"{base_url.rstrip('/')}/_sandbox/{system}"
        self.http = session or requests.Session()

    def _call(self, method: str, action: str, body=None, timeout: float = 10):
        response = self.http.request(method, f"{self.url}/{action}", json=body, timeout=timeout)
        if response.status_code >= 400:
            raise RuntimeError(f"sandbox control {method} {action}: {response.status_code} {response.text}")
        return response.json()

    def reset(self) -> dict:
        return self._call("POST", "reset")

    def seed(self, data: dict | None = None, preset: str | None = None) -> dict:
        """Load records ({collection: [records]}) and/or a preset; returns {collection: [new ids]}."""
        body = dict(data or {})
        if preset:
            body["preset"] = preset
        # A large seed is derived record by record (totals, line numbers) and may take a while on a loaded machine.
        return self._call("POST", "seed", body, timeout=SEED_TIMEOUT)["created"]

    def upsert(self, collection: str, record: dict) -> dict:
        """Create or update one record as a vendor-UI user would (bumps its last-modified stamp)."""
        return self._call("POST", f"records/{collection}", record)

    def records(self, collection: str) -> list[dict]:
        return self._call("GET", f"records/{collection}")

    def clock(self) -> dict:
        return self._call("GET", "clock")

    def advance(self, seconds: float) -> dict:
        return self._call("POST", "clock", {"advance": seconds})

    def set_clock(self, when: str) -> dict:
        return self._call("POST", "clock", {"set": when})

    def fault(
        self, kind: str, method: str | None = None, path: str | None = None, times: int | None = 1, **params
    ) -> list[dict]:
        """Arm a fault; see sandbox.core.faults for the kinds and their parameters."""
        return self._call("POST", "faults", {"kind": kind, "method": method, "path": path, "times": times, **params})

    def faults(self) -> list[dict]:
        return self._call("GET", "faults")

    def clear_faults(self) -> list[dict]:
        return self._call("DELETE", "faults")

    def calls(self) -> dict[str, int]:
        return self._call("GET", "calls")

    def clear_calls(self) -> dict[str, int]:
        return self._call("DELETE", "calls")

    def action(self, name: str, **body) -> dict:
        """A simulator-specific control action, e.g. action("fire_event", ...) on Procore."""
        return self._call("POST", f"action/{name}", body)

    def journal(self) -> list[dict]:
        """Every request the simulator received since the last reset or clear, oldest first.

        Each entry: method, path (below the simulator prefix), host, query {name: [values]}, headers
        (credentials redacted), body (text, at most 64 KB), at (simulator clock), status, seq.
        """
        return self._call("GET", "journal")

    def clear_journal(self) -> list[dict]:
        return self._call("DELETE", "journal")

    def config(self, **switches) -> dict:
        """Set switches (none given: just read them); returns all switches."""
        if not switches:
            return self._call("GET", "config")
        return self._call("POST", "config", switches)
