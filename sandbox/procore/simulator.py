"""The Procore simulator: login host (/procore-login) and API host (/procore).

Checks run in Procore's order: platform overload (503), rate limit (429), bearer token (401), route
(404), ``Procore-Company-Id`` header, then the endpoint. Every API response, errors included, carries
the X-Rate-Limit-* headers and counts against the limits.
"""

from __future__ import annotations

from ..core.faults import Fault
from ..core.http import HttpError, Request, Response
from ..core.simulator import Simulator
from ..core.store import IntIds, Store
from . import auth, delivery, listing
from .context import Ctx, error
from .ratelimit import LIMIT_MESSAGE, RateLimiter
from .routes import COMPILED

ID_BASES = {
    "companies": 4_264_900,
    "projects": 5_100_000_001,
    "vendors": 5_200_000_001,
    "cost_codes": 5_300_000_001,
    "line_item_types": 5_400_000_001,
    "contracts": 5_500_000_001,
    "requisitions": 5_600_000_001,
    "direct_costs": 5_700_000_001,
    "contract_payments": 5_800_000_001,
    "commitment_change_orders": 5_900_000_001,
    "standard_cost_codes": 5_310_000_001,
    "standard_cost_code_lists": 5_320_000_001,
    "webhook_hooks": 6_100_000_001,
    "webhook_triggers": 6_200_000_001,
    "webhook_deliveries": 6_300_000_001,
}
NESTED = {
    "work_order_contracts": "line_items",
    "purchase_order_contracts": "line_items",
    "direct_costs": "line_items",
    "requisitions": "items",
}
#: webhook resource name of each collection changed through the control API (as a Procore user would)
RESOURCE_NAMES = {
    "vendors": "Company Vendors",
    "cost_codes": "Cost Codes",
    "line_item_types": "Line Item Types",
    "standard_cost_codes": "Standard Cost Codes",
    "work_order_contracts": "Work Order Contracts",
    "purchase_order_contracts": "Purchase Order Contracts",
    "commitment_change_orders": "Commitment Change Orders",
    "requisitions": "Requisitions",
    "direct_costs": "Direct Costs",
    "contract_payments": "Contract Payments",
}


class ProcoreSimulator(Simulator):
    name = "procore"
    prefixes = {"procore": "api", "procore-login": "login"}
    default_config = {
        "token_lifetime": 5400,
        # The published token request schema is JSON; the docs show multipart and form bodies. All three work.
        "token_accepts_json": True,
        "missing_company_status": 404,  # only the message is documented; 404 was observed
        # Client-credentials (service account) tokens need Procore-Company-Id on /me and /companies too;
        # every token this simulator issues is one. Off: the header is optional there (user tokens).
        "dmsa": True,
        # The documented example limits (the headers are the truth; older docs said a flat 3600/hour).
        "rate_limit_hourly": 600,
        "rate_limit_spike": 25,
        "rate_limit_retry_after": False,  # whether a 429 carries Retry-After (docs disagree)
        "rate_limit_body": "text",  # "text" or "json" ({"errors": message}); unconfirmed
        "overloaded": False,  # answer every API call 503 with Retry-After
        "overloaded_retry_after": 30,
        "default_per_page": 100,  # v1 default and maximum are unconfirmed
        "max_per_page": 1000,
        "permitted_projects": None,  # DMSA permitted projects (ids); None = all
        # Not in the published requisition item schemas; on = add a flat line_item_type_id for old clients.
        "requisition_item_line_item_type": False,
        # A record with origin_id is "synced": "business_fields" refuses single-record edits of anything but
        # the ERP fields (422); "off" allows them. Batch sync calls are never locked.
        "erp_lock": "business_fields",
        # How far a requisition's origin_id must be unique. The ERP guide (facts P8) says unique per object type
        # within a company: "company" (default). Whether two requisitions of one commitment may share one (an ERP
        # bill split over two pay applications) is unconfirmed: "commitment" allows it across commitments only,
        # "none" never checks.
        "requisition_origin_id_scope": "company",
        # A sync item with neither id nor origin_id: nothing published says what happens. The direct cost line
        # sync contract lists what creating a line needs without naming origin_id, so "create" (default) makes
        # a new record; "error" answers it as an error entry (422 "id or origin_id is required").
        "sync_unkeyed": "create",
        "webhook_duplicates": False,  # deliver every event twice (Procore warns duplicates can arrive)
        "webhook_drop": False,  # lose every event (never delivered), to prove polling is the backstop
        "webhook_timeout": 5,  # seconds the receiver has to answer 2xx
        "webhook_discard_after": 43200,  # a failing queue is discarded after 12 h (simulator clock)
    }

    def new_store(self) -> Store:
        self.ids = IntIds(ID_BASES, 6_000_000_001)
        return Store(lambda name: self.ids(self._sequence(name)))

    @staticmethod
    def _sequence(collection: str) -> str:
        # Both contract kinds share one id sequence: /commitments lists them together.
        return "contracts" if collection.endswith("_contracts") else collection

    def _claim_id(self, collection: str, record: dict) -> None:
        if isinstance(record.get("id"), int):
            self.ids.bump_past(self._sequence(collection), record["id"])

    def reset_state(self) -> None:
        self.tokens = auth.TokenBook()
        self.limiter = RateLimiter(self.clock)
        self.webhook_queues: dict[int, list[dict]] = {}
        self.webhook_log: dict[int, list[dict]] = {}
        self.webhook_dropped = 0
        if not hasattr(self, "dispatcher"):
            self.dispatcher = delivery.Dispatcher(self)

    def now_stamp(self) -> str:
        return listing.stamp(self.clock.now())

    # -- control API ----------------------------------------------------------------------------------

    def load_preset(self, name: str) -> dict[str, list]:
        from .demo import load_demo

        if name != "demo":
            return super().load_preset(name)
        return load_demo(self)

    def seed_record(self, collection: str, record: dict) -> dict:
        return self._store_record(collection, record, keep_stamps=True)

    def upsert(self, collection: str, record: dict) -> dict:
        with self.lock:
            created = self.store.get(collection, record.get("id")) is None
            stored = self._store_record(collection, record, keep_stamps=False)
            if collection in RESOURCE_NAMES:
                self.fire(RESOURCE_NAMES[collection], "create" if created else "update", stored, collection)
            return stored

    # -- webhooks -------------------------------------------------------------------------------------

    def _event_scope(self, record: dict) -> tuple[int | None, int | None]:
        project = self.store.get("projects", record.get("project_id")) if record.get("project_id") else None
        if project is not None:
            return project.get("company_id"), project["id"]
        return record.get("company_id"), None

    def fire(self, resource_name: str, event_type: str, record: dict, collection: str = "") -> int:
        """Queue a webhook event for every hook with a matching trigger; returns how many hooks matched."""
        company_id, project_id = self._event_scope(record)
        event_id = self.store.new_id("webhook_events")
        matched = 0
        for hook in self.store.all("webhook_hooks"):
            if hook.get("status", "active") != "active" or hook.get("company_id") != company_id:
                continue
            if hook.get("project_id") not in (None, project_id):
                continue
            wanted = any(
                t["resource_name"].lower() == resource_name.lower() and t["event_type"] == event_type.lower()
                for t in self.store.find("webhook_triggers", hook_id=hook["id"])
            )
            if wanted:
                event = delivery.payload(self, event_id, resource_name, event_type, record, company_id, project_id)
                delivery.enqueue(self, hook, event)
                matched += 1
        return matched

    def action(self, name: str, body: dict) -> dict:
        """Control actions: ``fire_event`` {resource_name, event_type, collection, id} and ``deliver`` (wait
        until no delivery is due), ``deliveries`` (the delivery log of every hook)."""
        if name == "fire_event":
            with self.lock:
                record = self.store.get(body["collection"], body["id"])
                if record is None:
                    raise ValueError(f"no {body['collection']} record {body['id']}")
                return {"hooks": self.fire(body["resource_name"], body["event_type"], record, body["collection"])}
        if name == "deliver":
            return {"idle": delivery.wait_idle(self, float(body.get("timeout", 5)))}
        if name == "deliveries":
            with self.lock:
                log = [dict(d, attempts=list(d["attempts"])) for q in self.webhook_log.values() for d in q]
            return {"deliveries": log, "dropped": self.webhook_dropped}
        return super().action(name, body)

    def _store_record(self, collection: str, record: dict, keep_stamps: bool) -> dict:
        now = self.now_stamp()
        existing = self.store.get(collection, record.get("id"))
        if existing is not None:
            existing.update(record)
            record = existing
        else:
            self._claim_id(collection, record)
            record.setdefault("created_at", now)
            record = self.store.insert(collection, record)
        if not (keep_stamps and record.get("updated_at")):
            record["updated_at"] = now
        for line in record.get(NESTED.get(collection, ""), None) or []:
            if line.get("id") is None:
                line["id"] = self.store.new_id(f"{collection}_lines")
            self._claim_id(f"{collection}_lines", line)
            line.setdefault("updated_at", record["updated_at"])
        return record

    # -- vendor traffic -------------------------------------------------------------------------------

    def handle(self, host: str, request: Request) -> Response:
        if host == "login":
            return auth.login_host(request, self.store, self.tokens, self.clock.time(), self.config)
        if self.config["overloaded"]:
            return self._unavailable()
        allowed, headers, wait = self.limiter.hit(self.config["rate_limit_hourly"], self.config["rate_limit_spike"])
        try:
            response = self._api(request) if allowed else self._too_many(wait)
        except HttpError as exc:
            response = exc.response
        response.headers.extend(headers)
        return response

    def _api(self, request: Request) -> Response:
        self.tokens.check(request, self.clock.time())
        path = request.path.rstrip("/") or "/"
        for method, pattern, handler, extra in COMPILED:
            match = pattern.fullmatch(path)
            if match and method == request.method:
                params = {**match.groupdict(), **{k: v for k, v in extra.items() if k not in ("exempt", "alias")}}
                if "alias" in extra:
                    params["contract_id"] = params[extra["alias"]]
                company_id = self._company_header(request, extra.get("exempt", False))
                ctx = Ctx(request, self.store, self.config, company_id, self.now_stamp(), params, owner=self)
                result = handler(ctx)
                for resource_name, event_type, record, collection in ctx.events:
                    self.fire(resource_name, event_type, record, collection)
                return result if isinstance(result, Response) else Response.json(result)
        raise error(404, "Not Found")

    def _company_header(self, request: Request, exempt: bool) -> int | None:
        raw = request.header("procore-company-id")
        if not raw:
            if exempt and not self.config["dmsa"]:
                return None
            raise error(self.config["missing_company_status"], "Missing Procore-Company-Id header!")
        try:
            company_id = int(raw)
        except ValueError as exc:
            raise error(403, "App is not connected to this company") from exc
        company = self.store.get("companies", company_id)
        if company is None or not company.get("app_installed", True):
            raise error(403, "App is not connected to this company")
        return company_id

    def _too_many(self, wait: int) -> Response:
        headers = [("Retry-After", str(wait))] if self.config["rate_limit_retry_after"] else []
        if self.config["rate_limit_body"] == "json":
            return Response.json({"errors": LIMIT_MESSAGE}, 429, headers)
        return Response.text(LIMIT_MESSAGE, 429, headers)

    def _unavailable(self) -> Response:
        retry = [("Retry-After", str(self.config["overloaded_retry_after"]))]
        return Response.json({"errors": "Service Unavailable"}, 503, retry)

    def rate_limit_response(self, host: str, fault: Fault) -> Response:
        """An injected 429 in Procore's style, with X-Rate-Limit-* headers and optional Retry-After."""
        wait = int(fault.params.get("reset_in", 10))
        response = self._too_many(wait)
        if fault.params.get("retry_after") is not None:
            response.set_header("Retry-After", str(fault.params["retry_after"]))
        response.headers += [
            ("X-Rate-Limit-Limit", str(self.config["rate_limit_spike"])),
            ("X-Rate-Limit-Remaining", "0"),
            ("X-Rate-Limit-Reset", str(int(self.clock.time()) + wait)),
        ]
        return response

    def fault_status_response(self, status: int, fault: Fault) -> Response:
        response = super().fault_status_response(status, fault)
        response.body = Response.json({"errors": fault.params.get("message", "Injected failure")}).body
        return response
