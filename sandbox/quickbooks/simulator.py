"""The QuickBooks Online simulator.

Hosts: ``/quickbooks`` (the accounting API, ``/v3/company/{realmId}/...``), ``/quickbooks-appcenter`` (consent
page), ``/quickbooks-oauth`` (token endpoint and discovery) and ``/quickbooks-developer`` (revocation).
API checks run in this order: route shape, bearer token (401), company of the token (403), throttles (429),
``requestid`` replay, then the operation. Every answer carries ``Intuit-Tid``.
"""

from __future__ import annotations

from ..core.faults import Fault
from ..core.http import HttpError, Request, Response
from ..core.simulator import Simulator
from ..core.store import Store
from . import api, faults
from .books import Books
from .entities import lookup
from .jsonio import Tz, decimals, parse_time, tid, utc_z
from .oauth import OAuth
from .throttle import Throttle
from .webhooks import Dispatcher, Hub

TIME_MARK = f'"{faults.TIME_PLACEHOLDER}"'.encode()

#: (host, method, path template) of everything served
ROUTES = [
    ("appcenter", "GET", "/connect/oauth2"),
    ("appcenter", "POST", "/connect/oauth2"),  # the consent page's own form
    ("oauth", "POST", "/oauth2/v1/tokens/bearer"),
    ("oauth", "GET", "/.well-known/openid-configuration"),
    ("developer", "POST", "/v2/oauth2/tokens/revoke"),
    ("api", "GET", "/v3/company/{realmId}/{entity}/{id}"),
    ("api", "POST", "/v3/company/{realmId}/{entity}"),
    ("api", "POST", "/v3/company/{realmId}/{entity}?operation=delete"),
    ("api", "GET", "/v3/company/{realmId}/query"),
    ("api", "POST", "/v3/company/{realmId}/query"),
    ("api", "GET", "/v3/company/{realmId}/cdc"),
    ("api", "GET", "/v3/company/{realmId}/companyinfo/{realmId}"),
]


class QuickBooksSimulator(Simulator):
    name = "quickbooks"
    prefixes = {
        "quickbooks": "api",
        "quickbooks-appcenter": "appcenter",
        "quickbooks-oauth": "oauth",
        "quickbooks-developer": "developer",
    }
    default_config = {
        "company_timezone": "America/Los_Angeles",
        "access_token_lifetime": 3600,
        # 100 days, rolling (Intuit FAQ); the .NET SDK's fixture shows 15552000 (180 days, an older policy).
        "refresh_token_lifetime": 8726400,
        "refresh_token_hard_lifetime": 157680000,  # five years from consent (2025 policy)
        # "every_use": each refresh returns a new token; "daily": the value changes about every 24 h (unconfirmed).
        "refresh_token_rotation": "every_use",
        "auth_code_lifetime": 600,  # not documented; codes are single use either way
        "auth_fault_format": "json",  # 401 body: the recorded lower-case JSON, or "xml" (also observed)
        "throttle_per_minute": 500,  # per company
        "throttle_per_second": 10,  # per company and app
        # Throttle answers are seen as XML despite Accept: JSON: "xml", "json", or "alternate" (XML first).
        "throttle_format": "xml",
        "throttle_status": 429,  # 403 appears in an older recorded throttle message
        "stale_object_user": "Alex Rivera",  # the other user named in the 5010 detail
        "delete_bill_with_payments": "refuse",  # or "unlink": delete the payments too (behaviour undocumented)
        "query_max_results_over_limit": "cap",  # MAXRESULTS > 1000: cap silently, or "error" (undocumented)
        "cdc_too_old": "error",  # changedSince > 30 days: fault, or "clamp" to 30 days (error shape undocumented)
        "cdc_max_objects": 1000,
        "cdc_total_count": False,  # totalCount per entity: in the 2016 XML capture, not in the 2020 JSON one
        "cdc_inactive_as_deleted": False,  # an inactivated name-list record as a Deleted stub (one XML capture)
        "requestid_replays_faults": True,  # a fault answered once is answered again for the same requestid
        "webhook_format": "legacy",  # or "cloudevents" (mandatory migration 2026)
        "webhook_batch_seconds": 0,
        "webhook_timeout": 3,
        "webhook_retry_scale": 1.0,  # multiplies the retry schedule; tests compress it
        "webhook_max_attempts": None,
        "webhook_ordered": True,
        "webhook_drop": 0,  # drop the next N notifications without sending them
        "webhook_duplicate": 0,  # send the next N notifications twice
        "webhook_reorder": False,  # deliver the newest queued notification first
    }

    def new_store(self) -> Store:
        return Store(lambda name: None)

    def reset_state(self) -> None:
        self.books = Books(self)
        self.oauth = OAuth(self)
        self.throttle = Throttle(self.clock)
        self.hub = Hub()
        self.replays: dict[tuple[str, str], Response] = {}
        self.throttle_answers = 0
        self.quiet = False
        if not hasattr(self, "dispatcher"):
            self.dispatcher = Dispatcher(self)

    @property
    def tz(self) -> Tz:
        return Tz(self.config["company_timezone"])

    def envelope_time(self) -> str:
        return self.tz.envelope_time(self.clock.now())

    # -- control API ----------------------------------------------------------------------------------

    def load_preset(self, name: str) -> dict[str, list]:
        from .demo import load_demo

        if name != "demo":
            return super().load_preset(name)
        return load_demo(self)

    def default_realm(self) -> str:
        companies = self.store.all("companies")
        if not companies:
            raise ValueError("no company: seed one (or the demo preset) first")
        return companies[0]["id"]

    def seed_record(self, collection: str, record: dict) -> dict:
        """History: entity records keep a given Id and MetaData and send no webhooks."""
        entity = lookup(collection)
        if entity is None:
            return self.upsert(collection, record)
        record = decimals(record)
        realm = str(record.pop("realmId", None) or self.default_realm())
        seed = {"Id": record.pop("Id", None), "MetaData": record.pop("MetaData", None)}
        created = self.books.create(entity, realm, record, seed=seed, silent=True)
        return {"id": created["Id"]}

    def upsert(self, collection: str, record: dict) -> dict:
        """Create, change (``Id`` given) or delete (``"_op": "delete"``) a record as a QuickBooks user would."""
        with self.lock:
            entity = lookup(collection)
            if entity is None:
                return self._raw(collection, record)
            record = decimals(record)
            realm = str(record.pop("realmId", None) or self.default_realm())
            op = record.pop("_op", None)
            existing = self.books.get(entity, realm, str(record.get("Id", "")))
            if op == "delete":
                return self._user_delete(entity, realm, existing, record)
            if existing is not None:
                record = self.books.update(entity, realm, record, sparse=True, check_token=False)
            else:
                record = self.books.create(entity, realm, record)
            return self.books.render(record)

    def _user_delete(self, entity, realm: str, existing: dict | None, record: dict) -> dict:
        if existing is None:
            raise ValueError(f"no {entity.name} {record.get('Id')!r} in company {realm}")
        if entity.is_txn:
            return self.books.stub(self.books.delete(entity, realm, existing, check_token=False), with_time=True)
        # Deleting a name-list record in QuickBooks makes it inactive and renames it.
        renamed = {"Id": existing["Id"], "Active": False, entity.label: f"{existing[entity.label]} (deleted)"}
        self.deleting = True
        try:
            return self.books.render(self.books.update(entity, realm, renamed, sparse=True, check_token=False))
        finally:
            self.deleting = False

    def _raw(self, collection: str, record: dict) -> dict:
        """Apps, companies and connections: stored as given."""
        existing = self.store.get(collection, record.get("id"))
        if existing is None:
            return self.store.insert(collection, dict(record))
        existing.update(record)
        return existing

    # -- connections and change notices ---------------------------------------------------------------

    def connect(self, client_id: str, realm: str) -> None:
        self.store.insert("connections", {"id": f"{client_id}:{realm}", "client_id": client_id, "realm": realm})

    def disconnect(self, client_id: str, realm: str) -> None:
        self.store.delete("connections", f"{client_id}:{realm}")

    def changed(self, realm: str, entity, record: dict, operation: str, silent: bool = False) -> None:
        """Queue a webhook event for every app connected to the company that has a webhook endpoint."""
        if silent or self.quiet:
            return
        if operation == "Update" and getattr(self, "deleting", False):
            operation = "Delete"
        event = {
            "realm": realm,
            "name": entity.name,
            "id": record["Id"],
            "operation": operation,
            "lastUpdated": utc_z(parse_time(record["MetaData"]["LastUpdatedTime"])),
        }
        for connection in self.store.find("connections", realm=realm):
            app = self.store.get("apps", connection["client_id"]) or {}
            wanted = app.get("webhook_entities")
            if app.get("webhook_url") and (not wanted or entity.name in wanted):
                self.hub.add(app["id"], event, self.clock.time())
                self.dispatcher.start()

    # -- vendor traffic -------------------------------------------------------------------------------

    def handle(self, host: str, request: Request) -> Response:
        try:
            response = self._route(host, request)
        except HttpError as exc:
            response = exc.response
        if TIME_MARK in response.body:
            response.body = response.body.replace(TIME_MARK, f'"{self.envelope_time()}"'.encode())
        response.set_header("Intuit-Tid", tid())
        return response

    def _route(self, host: str, request: Request) -> Response:
        path, method = request.path.rstrip("/") or "/", request.method
        if host == "appcenter" and path == "/connect/oauth2" and method in ("GET", "POST"):
            return self.oauth.authorize(request)
        if host == "oauth" and path == "/oauth2/v1/tokens/bearer" and method == "POST":
            return self.oauth.token(request)
        if host == "oauth" and path == "/.well-known/openid-configuration" and method == "GET":
            return self._discovery(request)
        if host == "developer" and path == "/v2/oauth2/tokens/revoke" and method == "POST":
            return self.oauth.revoke(request)
        if host == "api":
            return self._api(request, path)
        return Response.json({"error": "not_found"}, 404)

    def _api(self, request: Request, path: str) -> Response:
        parts = path.strip("/").split("/")
        if parts[:2] != ["v3", "company"] or len(parts) < 4:
            faults.unsupported(f"Operation Could not find resource for relative : {path}")
        realm = parts[2]
        grant = self.oauth.check(request)
        if grant.realm != realm:
            return faults.authorization(f"The token is not authorized for company {realm}")
        if not self.throttle.hit(
            realm, grant.client_id, self.config["throttle_per_minute"], self.config["throttle_per_second"]
        ):
            return self._throttled()
        requestid = request.arg("requestid") if request.method == "POST" else None
        if requestid and (realm, requestid) in self.replays:
            cached = self.replays[(realm, requestid)]
            return Response(cached.status, cached.body, list(cached.headers))
        try:
            response = api.route(self, realm, parts[3:], request)
        except HttpError as exc:
            response = exc.response
            if not self.config["requestid_replays_faults"]:
                raise
        if requestid:
            self.replays[(realm, requestid)] = Response(response.status, response.body, list(response.headers))
        return response

    def _throttled(self) -> Response:
        fmt = self.config["throttle_format"]
        self.throttle_answers += 1
        as_xml = fmt == "xml" or (fmt == "alternate" and self.throttle_answers % 2 == 1)
        return faults.throttled(int(self.config["throttle_status"]), as_xml, self.envelope_time())

    def _discovery(self, request: Request) -> Response:
        root = request.base_url.rsplit("/", 1)[0]
        return Response.json(
            {
                "issuer": "https://oauth.platform.intuit.com/op/v1",
                "authorization_endpoint": f"{root}/quickbooks-appcenter/connect/oauth2",
                "token_endpoint": f"{root}/quickbooks-oauth/oauth2/v1/tokens/bearer",
                "revocation_endpoint": f"{root}/quickbooks-developer/v2/oauth2/tokens/revoke",
                "response_types_supported": ["code"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            }
        )

    def rate_limit_response(self, host: str, fault: Fault) -> Response:
        """An injected throttle answer, in the same shape as a real one."""
        response = self._throttled()
        response.set_header("Intuit-Tid", tid())
        return response

    def fault_status_response(self, status: int, fault: Fault) -> Response:
        body = {
            "Fault": {
                "Error": [
                    faults.error_item(
                        "10000",
                        "An application error has occurred while processing your request",
                        fault.params.get("message", "System Failure Error: injected"),
                    )
                ],
                "type": "SystemFault",
            },
            "time": self.envelope_time(),
        }
        response = Response.json(body, status)
        response.set_header("Intuit-Tid", tid())
        return response
