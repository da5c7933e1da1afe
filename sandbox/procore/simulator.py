"""The Procore simulator: login host (/procore-login) and API host (/procore).

Checks run in Procore's order: platform overload (503), rate limit (429), bearer token (401), route
(404), ``Procore-Company-Id`` header, then the endpoint. Every API response, errors included, carries
the X-Rate-Limit-* headers and counts against the limits.
"""

from __future__ import annotations

import re

from ..core.faults import Fault
from ..core.http import HttpError, Request, Response
from ..core.simulator import Simulator
from ..core.store import IntIds, Store
from . import auth, listing, reads, writes
from .context import Ctx, error
from .ratelimit import LIMIT_MESSAGE, RateLimiter

V = r"/rest/v1\.[01]"
CONTRACTS = r"(?P<kind>work_order_contracts|purchase_order_contracts)"
DC = V + r"/projects/(?P<project_id>\d+)/direct_costs"

#: (method, path pattern, handler, exempt from the company header outside DMSA mode)
ROUTES = [
    ("GET", V + r"/me", reads.me, True),
    ("GET", V + r"/companies", reads.companies, True),
    ("GET", V + r"/projects", reads.projects, False),
    ("GET", V + r"/companies/(?P<company_id>\d+)/projects", reads.projects, False),
    ("GET", V + r"/vendors", reads.vendors, False),
    ("POST", V + r"/vendors", writes.create_vendor, False),
    ("GET", V + r"/vendors/(?P<id>\d+)", reads.vendor, False),
    ("PATCH", V + r"/vendors/(?P<id>\d+)", writes.patch_vendor, False),
    ("GET", V + r"/cost_codes", reads.cost_codes, False),
    ("GET", V + r"/line_item_types", reads.line_item_types, False),
    ("GET", V + "/" + CONTRACTS, reads.contracts, False),
    ("GET", V + "/" + CONTRACTS + r"/(?P<id>\d+)", reads.contract, False),
    ("PATCH", V + "/" + CONTRACTS + r"/(?P<id>\d+)", writes.patch_contract, False),
    ("GET", V + "/" + CONTRACTS + r"/(?P<id>\d+)/line_items", reads.contract_lines, False),
    ("GET", V + r"/commitments", reads.commitments, False),
    ("GET", V + r"/requisitions", reads.requisitions, False),
    ("GET", V + r"/requisitions/(?P<id>\d+)", reads.requisition, False),
    ("PATCH", V + r"/requisitions/(?P<id>\d+)", writes.patch_requisition, False),
    ("GET", V + r"/requisitions/(?P<id>\d+)/detail", reads.requisition_detail, False),
    (
        "GET",
        V + r"/requisitions/(?P<id>\d+)/(?P<item_kind>contract_items|change_order_items)",
        reads.requisition_items,
        False,
    ),
    ("GET", DC, reads.direct_costs, False),
    ("POST", DC, writes.create_direct_cost, False),
    ("GET", DC + r"/(?P<id>\d+)", reads.direct_cost, False),
    ("PATCH", DC + r"/(?P<id>\d+)", writes.patch_direct_cost, False),
    ("GET", DC + r"/(?P<id>\d+)/line_items", reads.direct_cost_lines, False),
    ("GET", V + r"/contract_payments", reads.contract_payments, False),
    ("POST", V + r"/contract_payments", writes.create_contract_payment, False),
    ("GET", V + r"/contract_payments/(?P<id>\d+)", reads.contract_payment, False),
    ("PATCH", V + r"/contract_payments/(?P<id>\d+)", writes.patch_contract_payment, False),
    ("DELETE", V + r"/contract_payments/(?P<id>\d+)", writes.delete_contract_payment, False),
    ("PATCH", V + r"/companies/(?P<company_id>\d+)/external_data/sync", writes.external_data_sync, False),
]
COMPILED = [(method, re.compile(pattern), handler, exempt) for method, pattern, handler, exempt in ROUTES]

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
}
NESTED = {
    "work_order_contracts": "line_items",
    "purchase_order_contracts": "line_items",
    "direct_costs": "line_items",
    "requisitions": "items",
}


class ProcoreSimulator(Simulator):
    name = "procore"
    prefixes = {"procore": "api", "procore-login": "login"}
    default_config = {
        "token_lifetime": 5400,
        "token_accepts_json": False,  # a JSON body on /oauth/token is unconfirmed; off = 400 like a bad form
        "missing_company_status": 404,  # only the message is documented; 404 was observed
        "dmsa": False,  # service-account mode: /me and /companies need the company header too
        "rate_limit_hourly": 3600,
        "rate_limit_spike": 1000,
        "rate_limit_retry_after": False,  # whether a 429 carries Retry-After (docs disagree)
        "rate_limit_body": "text",  # "text" or "json" ({"errors": message}); unconfirmed
        "overloaded": False,  # answer every API call 503 with Retry-After
        "overloaded_retry_after": 30,
        "default_per_page": 100,  # v1 default and maximum are unconfirmed
        "max_per_page": 1000,
        "permitted_projects": None,  # DMSA permitted projects (ids); None = all
        "requisition_item_line_item_type": True,  # flat line_item_type_id on requisition items
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
            return self._store_record(collection, record, keep_stamps=False)

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
        for method, pattern, handler, exempt in COMPILED:
            match = pattern.fullmatch(path)
            if match and method == request.method:
                ctx = Ctx(
                    request,
                    self.store,
                    self.config,
                    self._company_header(request, exempt),
                    self.now_stamp(),
                    match.groupdict(),
                )
                result = handler(ctx)
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
