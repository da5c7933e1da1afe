"""The Acumatica simulator, served under /acumatica[/<instance>].

Routes (after the optional instance segment):
``GET /entity`` (discovery), ``POST /entity/auth/login|logout``, ``POST /identity/connect/token``,
``GET /entity/Default/{Version}/swagger.json`` (the official document of that version) and, for the
entities and actions of the published contract (``contract/``),
``/entity/Default/{Version}/{Entity}[/{keys}|/{guid}|/{Action}|/{Action}/status/{guid}]``.
An unknown endpoint, version, entity or action is a 404 with an HttpError body.
"""

from __future__ import annotations

from ..core.faults import Fault
from ..core.http import Request, Response
from ..core.simulator import Simulator
from ..core.store import Store
from . import actions, crud, inquiry, records, rules
from .auth import Auth
from .bills import Context
from .entities import ENTITIES, PLAIN_COLLECTIONS
from .licence import Licence
from .push import Pusher
from .schema import contract, official_document
from .values import PX_EXCEPTION, http_error, unwrap_fields

ROOTS = ("entity", "identity")
BUILD = "24.107.0004"
LATEST = "24.200.001"


class AcumaticaSimulator(Simulator):
    name = "acumatica"
    prefixes = {"acumatica": "site"}
    default_config = {
        # endpoints listed by GET /entity; only versions whose contract the project carries are served
        "endpoints": [["Default", "23.200.001"], ["Default", "24.200.001"]],
        "token_lifetime": 3600,
        "refresh_lifetime_days": 30,
        "session_idle_timeout": 600,  # cookie sessions die after 10 idle minutes
        "max_api_sessions": None,  # licence cap on open sessions; over it, login answers 429 "API Login Limit"
        "login_failure_status": 500,  # bad cookie-login credentials: PXException (status unconfirmed)
        "requests_per_minute": None,  # licence limit on requests per minute; None: none (a trial licence)
        "licence_retry_after": None,  # [U] Retry-After on a declined request: None, seconds, or "window"
        "actions_async": False,  # actions answer 202 + Location instead of 204
        "action_polls": 1,  # 202 answers on the status URL before the action completes
        "bill_hold_on_entry": True,  # AP preference "Hold Documents on Entry"
        "po_hold_on_entry": True,  # PO preference "Hold Documents on Entry" (orders and subcontracts)
        # [U] AP preference "Raise an error on duplicate vendor reference number": "warn" saves the document
        # (the warning is not part of the REST answer), "error" answers 422 on VendorRef
        "duplicate_vendor_ref": "warn",
        # [U] a bill whose lines total below zero: "allow" saves it and refuses only ReleaseBill, "reject" is 422
        "negative_bill_on_save": "allow",
        "default_branch": "HEADOFFICE",
        # the GET list/show contract declares no 400: a $filter, $top or $skip it cannot run fails as 500 by
        # default; 400 is the other plausible reading
        "bad_query_status": 500,
        # [U] the published Entity schema has no "_links"; the guide says every record carries _links/self
        "links_field": False,
        # [U] a GET of the CompaniesStructure inquiry: blank record (documented way is PUT) or its rows
        "inquiry_get_results": False,
        # push notifications (see push.py)
        "push_url": None,
        "push_header_name": None,
        "push_header_value": None,
        "push_queries": {"Bill": "APBills", "Check": "APChecks", "Vendor": "Vendors", "PurchaseOrder": "POOrders"},
        "push_company_id": None,  # None: the tenant's name
        "push_max_attempts": 5,
        "push_retry_delay": 0.2,
        "push_duplicate_next": 0,
        "push_drop_next": 0,
        "push_null_unchanged": False,  # [U] reading of "unchanged tracked attributes come back null"
    }

    def new_store(self) -> Store:
        return Store(lambda name: records.new_id())

    def reset_state(self) -> None:
        if getattr(self, "pusher", None) is not None:
            self.pusher.stop()
        self.auth = Auth(self.store, self.config, self.clock, self.calls)
        self.licence = Licence(self.config, self.clock)
        self.pusher = Pusher(self)
        self.jobs: dict[str, dict] = {}

    def now_stamp(self) -> str:
        return records.stamp(self.clock.now())

    # -- control API ----------------------------------------------------------------------------------

    def load_preset(self, name: str) -> dict[str, list]:
        from .demo import load_demo, load_reference

        presets = {"demo": load_demo, "reference": load_reference}
        if name not in presets:
            return super().load_preset(name)
        return presets[name](self)

    def upsert(self, collection: str, record: dict) -> dict:
        """Create or update a record given in plain (or wrapped) form, as a user of the screens would:
        any field may be set (Status, Balance...), then the entity's rules run and its timestamp moves."""
        with self.lock:
            if collection == "CompaniesStructure":
                return self._upsert_branch(record)
            entity = ENTITIES.get(collection)
            if entity is None:
                if collection not in PLAIN_COLLECTIONS:
                    raise ValueError(f"unknown collection {collection!r}")
                return self._upsert_plain(collection, record)
            before = self.pusher.snapshot([collection])
            fields = unwrap_fields(record) if _wrapped(record) else dict(record)
            existing = self.store.get(entity.name, str(fields.get("id", "")).lower()) or records.by_keys(
                self.store, entity, fields
            )
            inserted = existing is None
            if inserted:
                existing = self.store.insert(entity.name, {"id": records.new_id(), **entity.key_defaults})
                if entity.numbered and not fields.get(entity.numbered):
                    existing[entity.numbered] = records.next_number(self.store, entity)
            _force(entity, existing, fields)
            tracked = "LastModifiedDateTime" in contract(LATEST).entity(entity.name).scalars
            rules.settle(Context(self.store, self.config, self.now_stamp()), entity, existing, inserted, tracked)
            self.pusher.publish(before)
            return existing

    def action(self, name: str, body: dict) -> dict:
        """``push_destination``: {"url", "header_name", "header_value"} sets (or, with no url, removes) the
        webhook destination of push notifications, as on SM302000; returns the push switches."""
        if name != "push_destination":
            return super().action(name, body)
        unknown = set(body) - {"url", "header_name", "header_value"}
        if unknown:
            raise ValueError(f"unknown push destination fields: {', '.join(sorted(unknown))}")
        with self.lock:
            self.config.update(
                push_url=body.get("url"),
                push_header_name=body.get("header_name"),
                push_header_value=body.get("header_value"),
            )
            return {key: value for key, value in self.config.items() if key.startswith("push_")}

    def _upsert_plain(self, collection: str, record: dict) -> dict:
        existing = self.store.get(collection, record.get("id"))
        if existing is None:
            return self.store.insert(collection, dict(record))
        existing.update(record)
        return existing

    def _upsert_branch(self, row: dict) -> dict:
        existing = next(
            (r for r in self.store.all("CompaniesStructure") if records.same(r.get("BranchID"), row.get("BranchID"))),
            None,
        )
        if existing is None:
            return self.store.insert("CompaniesStructure", {"id": records.new_id(), **row})
        existing.update(row)
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
        if parts != ["entity", "auth", "logout"]:  # every request but logout counts against the licence
            self.licence.admit()
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
            return self._endpoint(request, site, parts[1], parts[2], parts[3:])
        raise http_error(404, "The requested resource is not found.")

    def _discovery(self, site: str) -> Response:
        endpoints = [
            {"name": name, "version": version, "href": f"{site}/entity/{name}/{version}/"}
            for name, version in self.config["endpoints"]
        ]
        return Response.json(
            {"version": {"acumaticaBuildVersion": BUILD, "databaseVersion": BUILD}, "endpoints": endpoints}
        )

    def _endpoint(self, request: Request, site: str, endpoint: str, version: str, rest: list[str]) -> Response:
        published = contract(version) if endpoint == "Default" else None
        if [endpoint, version] not in [list(pair) for pair in self.config["endpoints"]] or published is None:
            raise http_error(404, f"The endpoint {endpoint}/{version} is not found.")
        if rest == ["swagger.json"] and request.method == "GET":
            return Response(200, official_document(version), [("Content-Type", "application/json; charset=utf-8")])
        self.auth.check(request)
        entity = ENTITIES.get(rest[0])
        if entity is None:
            raise http_error(404, f"The entity {rest[0]} is not found in the {endpoint}/{version} endpoint.")
        site = f"{site}/entity/{endpoint}/{version}"
        call = crud.Call(request, self.store, self.config, entity, published, site, self.now_stamp())
        before = self.pusher.snapshot() if request.method in ("PUT", "POST", "DELETE") else {}
        response = self._entity(call, request.method, rest[1:])
        self.pusher.publish(before)
        return response

    def _entity(self, call: crud.Call, method: str, rest: list[str]) -> Response:
        if call.entity.inquiry:
            handlers = {"GET": inquiry.get_list, "PUT": inquiry.put}
            if not rest and method in handlers:
                return handlers[method](call)
        elif not rest:
            handlers = {"GET": crud.get_list, "PUT": crud.put}
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
        if name == entity.detail and isinstance(value, list):
            records.apply_lines(record.setdefault(name, []), value)
        elif name != "id":
            record[name] = records.as_date(value) if name in records.DATE_FIELDS else value
