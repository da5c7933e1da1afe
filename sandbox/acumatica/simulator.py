"""The Acumatica simulator, served under /acumatica[/<instance>].

Routes (after the optional instance segment):
``GET /entity`` (discovery), ``POST /entity/auth/login|logout``, ``POST /identity/connect/token``,
``GET /entity/{Endpoint}/{Version}/swagger.json`` and
``/entity/{Endpoint}/{Version}/{Entity}[/{keys}|/{guid}|/{Action}|/{Action}/status/{guid}]``.
An unknown endpoint, version, entity or action is a 404 with an HttpError body.
"""

from __future__ import annotations

from ..core.faults import Fault
from ..core.http import Request, Response
from ..core.simulator import Simulator
from ..core.store import Store
from . import actions, crud, records
from .auth import Auth
from .entities import ENTITIES
from .values import PX_EXCEPTION, http_error, unwrap_fields

ROOTS = ("entity", "identity")
BUILD = "24.107.0004"


class AcumaticaSimulator(Simulator):
    name = "acumatica"
    prefixes = {"acumatica": "site"}
    default_config = {
        "endpoints": [["Default", "22.200.001"], ["Default", "23.200.001"], ["Default", "24.200.001"]],
        "token_lifetime": 3600,
        "refresh_lifetime_days": 30,
        "session_idle_timeout": 600,  # cookie sessions die after 10 idle minutes
        "max_api_sessions": None,  # licence cap on open sessions; over it, login answers 429 "API Login Limit"
        "login_failure_status": 500,  # bad cookie-login credentials: PXException (status unconfirmed)
        "actions_async": False,  # actions answer 202 + Location instead of 204
        "action_polls": 1,  # 202 answers on the status URL before the action completes
        "bill_hold_on_entry": True,  # AP preference "Hold Documents on Entry"
        "default_branch": "HEADOFFICE",
    }

    def new_store(self) -> Store:
        return Store(lambda name: records.new_id())

    def reset_state(self) -> None:
        self.auth = Auth(self.store, self.config, self.clock, self.calls)
        self.jobs: dict[str, dict] = {}

    def now_stamp(self) -> str:
        return records.stamp(self.clock.now())

    # -- control API ----------------------------------------------------------------------------------

    def load_preset(self, name: str) -> dict[str, list]:
        from .demo import load_demo

        if name != "demo":
            return super().load_preset(name)
        return load_demo(self)

    def upsert(self, collection: str, record: dict) -> dict:
        """Create or update a record given in plain (unwrapped) form; entities get their rules applied."""
        with self.lock:
            entity = ENTITIES.get(collection)
            if entity is None:  # users, oauth_clients: stored as given
                existing = self.store.get(collection, record.get("id"))
                if existing is None:
                    return self.store.insert(collection, record)
                existing.update(record)
                return existing
            fields = unwrap_fields(record) if _wrapped(record) else dict(record)
            existing = self.store.get(entity.name, str(fields.get("id", "")).lower()) or records.by_keys(
                self.store, entity, fields
            )
            if existing is None:
                existing = records.insert(self.store, entity, {k: v for k, v in fields.items() if k != "id"})
                if entity.numbered and fields.get(entity.numbered):
                    existing[entity.numbered] = fields[entity.numbered]
                inserted = True
            else:
                inserted = False
            _force(entity, existing, fields)
            crud.settle(entity, existing, self.config, self.now_stamp(), inserted)
            return existing

    # -- vendor traffic -------------------------------------------------------------------------------

    @staticmethod
    def split_instance(path: str) -> tuple[str, list[str]]:
        parts = [part for part in path.split("/") if part]
        if len(parts) > 1 and parts[0] not in ROOTS and parts[1] in ROOTS:
            return "/" + parts[0], parts[1:]
        return "", parts

    def counter_path(self, host: str, path: str) -> str:
        return "/" + "/".join(self.split_instance(path)[1])

    def handle(self, host: str, request: Request) -> Response:
        instance, parts = self.split_instance(request.path)
        site = "/" + request.base_url.split("/", 3)[-1] + instance
        method = request.method
        if parts == ["entity"] and method == "GET":
            return self._discovery(site)
        if parts[:2] == ["entity", "auth"] and method == "POST" and len(parts) == 3:
            if parts[2] == "login":
                return self.auth.login(request)
            if parts[2] == "logout":
                return self.auth.logout(request)
        if parts == ["identity", "connect", "token"] and method == "POST":
            return self.auth.token(request)
        if parts[:1] == ["entity"] and len(parts) >= 4:
            return self._contract(request, site, parts[1], parts[2], parts[3:])
        raise http_error(404, "The requested resource is not found.")

    def _discovery(self, site: str) -> Response:
        endpoints = [
            {"name": name, "version": version, "href": f"{site}/entity/{name}/{version}/"}
            for name, version in self.config["endpoints"]
        ]
        return Response.json(
            {"version": {"acumaticaBuildVersion": BUILD, "databaseVersion": BUILD}, "endpoints": endpoints}
        )

    def _contract(self, request: Request, site: str, endpoint: str, version: str, rest: list[str]) -> Response:
        if [endpoint, version] not in [list(pair) for pair in self.config["endpoints"]]:
            raise http_error(404, f"The endpoint {endpoint}/{version} is not found.")
        self.auth.check(request)
        site = f"{site}/entity/{endpoint}/{version}"
        if rest == ["swagger.json"] and request.method == "GET":
            return Response.json(_swagger(endpoint, version))
        entity = ENTITIES.get(rest[0])
        if entity is None:
            raise http_error(404, f"The entity {rest[0]} is not found in the {endpoint}/{version} endpoint.")
        call = crud.Call(request, self.store, self.config, entity, site, self.now_stamp())
        return self._entity(call, request.method, rest[1:])

    def _entity(self, call: crud.Call, method: str, rest: list[str]) -> Response:
        if not rest:
            handlers = {"GET": crud.get_list, "PUT": crud.put, "PATCH": lambda c: crud.put(c, update_only=True)}
            if method in handlers:
                return handlers[method](call)
        elif method == "POST" and len(rest) == 1:
            return actions.start(call, rest[0], self.jobs)
        elif method == "GET" and len(rest) == 3 and rest[1] == "status":
            return actions.status(call, rest[0], rest[2], self.jobs)
        elif method == "GET":
            return crud.get_one(call, rest)
        elif method == "DELETE":
            return crud.delete(call, rest)
        raise http_error(405 if not rest else 404, "The requested resource does not support this method.")

    def rate_limit_response(self, host: str, fault: Fault) -> Response:
        """Licence limits, Acumatica style: 429 with an HttpError body and an optional Retry-After."""
        message = fault.params.get("message", "API Login Limit")
        body = {"message": message, "exceptionMessage": message, "exceptionType": PX_EXCEPTION}
        headers = [("Retry-After", str(fault.params["retry_after"]))] if "retry_after" in fault.params else []
        return Response.json(body, 429, headers)

    def fault_status_response(self, status: int, fault: Fault) -> Response:
        response = super().fault_status_response(status, fault)
        response.body = Response.json({"message": fault.params.get("message", "An error has occurred.")}).body
        return response


def _wrapped(record: dict) -> bool:
    return any(isinstance(v, dict) and "value" in v for v in record.values())


def _force(entity, record: dict, fields: dict) -> None:
    """Control-API writes may set anything, including Status and Balance (a user acting in the UI)."""
    for name, value in fields.items():
        if name == entity.detail:
            records.apply_lines(record.setdefault(name, []), value)
        elif name not in ("id", entity.numbered):
            record[name] = records.as_date(value) if name in ("Date", "DueDate") else value


def _swagger(endpoint: str, version: str) -> dict:
    return {
        "swagger": "2.0",
        "info": {"title": f"{endpoint}/{version}", "version": "4"},
        "paths": {f"/{name}": {} for name in ENTITIES},
        "definitions": {
            name: {"type": "object", "properties": {f: {} for f in e.all_fields()}} for name, e in ENTITIES.items()
        },
    }
