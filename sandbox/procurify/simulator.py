"""The Procurify simulator: one host per customer domain, at ``/procurify/<domain>/...``.

Checks run in this order: unknown domain (404), suspension, token endpoint, overload, trailing
slash policy, bearer token (401), ``X-Procurify-Client: api`` header, route (404/405), endpoint.
No webhooks exist: clients poll with the ``_0``/``_1`` last-modified ranges, so every change made
through the API or the control API bumps the record's ``last_modified`` / ``dateModified`` /
``last_modified_datetime`` / ``updated_at``.

Control extras: ``GET /_sandbox/procurify/records/calls_per_minute`` (calls per domain and minute of
the simulator clock), ``.../records/suspensions``; ``POST /_sandbox/procurify/seed`` accepts
``{"preset": "demo"}`` and ``{"bulk": {"bills": 2000}}``.
"""

from __future__ import annotations

import re
import uuid

from ..core.http import HttpError, Request, Response
from ..core.simulator import Simulator
from ..core.store import IntIds, Store
from . import auth, bills, payments, purchasing, reference, vendors
from .context import Ctx, error, stamp
from .load import LoadGuard, MinuteCounter

#: (method, published path template with the real API's trailing slash, handler)
ROUTES = [
    ("GET", "/api/v3/vendors/", vendors.list_vendors),
    ("POST", "/api/v3/vendors/", vendors.create_vendor),
    ("GET", "/api/v3/vendors/{id}/", vendors.get_vendor),
    ("PUT", "/api/v3/vendors/{id}/", vendors.put_vendor),
    ("PATCH", "/api/v3/vendors/{id}/", vendors.patch_vendor),
    ("GET", "/api/v3/account-codes/", reference.list_account_codes),
    ("POST", "/api/v3/account-codes/", reference.create_account_code),
    ("PUT", "/api/v3/account-codes/{id}/", reference.update_account_code),
    ("GET", "/api/v3/departments/", reference.list_departments),
    ("POST", "/api/v3/departments/", reference.create_department),
    ("PUT", "/api/v3/departments/{id}/", reference.update_department),
    ("GET", "/api/v2/locations/", reference.list_locations),
    ("GET", "/api/v2/locations/{id}/", reference.get_location),
    ("GET", "/api/v3/users/", reference.list_users),
    ("GET", "/api/v3/users/me/", reference.me),
    ("GET", "/api/v3/order-items/", purchasing.list_order_items),
    ("GET", "/api/v2/global/order_items/", purchasing.list_order_items),
    ("GET", "/api/v2/purchase_orders/{role}/{status}/", purchasing.list_purchase_orders),
    ("GET", "/api/v2/purchase_orders/{id}/", purchasing.get_purchase_order),
    ("GET", "/api/v3/purchase-orders/billing-history/", purchasing.billing_history),
    ("PUT", "/api/v3/purchase-orders/{procurify_PO}/", purchasing.update_purchase_order),
    ("POST", "/api/v3/purchase-orders/{procurify_PO}/close/", purchasing.close_purchase_order),
    ("POST", "/api/v3/purchase-orders/{procurify_PO}/reopen/", purchasing.reopen_purchase_order),
    ("GET", "/api/v3/ap/bills/", bills.list_bills),
    ("GET", "/api/v2/ap/bills/{id}/", bills.get_bill),
    ("GET", "/api/v2/ap/items/", bills.list_items),
    ("GET", "/api/v2/ap/payments/", payments.list_payments_v2),
    ("GET", "/api/public/v1/payments/", payments.list_payments_public),
]
TOKEN_PATH = "/oauth/token"


def _compile(template: str) -> re.Pattern:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)))


COMPILED = [(method, _compile(template), handler) for method, template, handler in ROUTES]

ID_BASES = {
    "currencies": 1,
    "locations": 11,
    "departments": 101,
    "users": 1001,
    "vendors": 2001,
    "account_codes": 3001,
    "accounts": 4001,
    "contracts": 5001,
    "purchase_orders": 10001,
    "order_items": 200_001,
    "bills": 300_001,
    "bill_items": 400_001,
    "payments": 500_001,
}
#: the last-modified stamp each collection exposes (what incremental polling filters on)
STAMPS = {
    "vendors": "dateModified",
    "purchase_orders": "last_modified",
    "order_items": "last_modified",
    "bills": "last_modified_datetime",
    "payments": "updated_at",
    "users": "updated_at",
}
UUID_NAMESPACE = uuid.UUID("6f1c2b1e-8d7a-4c55-9a34-3b0f6a2d9e10")


class ProcurifySimulator(Simulator):
    name = "procurify"
    prefixes = {"procurify": "api"}
    default_config = {
        "token_lifetime": 86400,
        "token_accepts_form": False,  # the spec documents only a JSON body on /oauth/token
        "bad_audience_status": 403,  # the answer to a wrong audience is unpublished
        # Unpublished: what a call without X-Procurify-Client: api gets. 401 or 403 refuse it
        # ("credentials not provided", as if the API-client authentication never ran); 0 serves it.
        "missing_client_header_status": 401,
        # Unpublished: the real (Django) API uses trailing slashes. "serve" answers both forms,
        # "redirect" answers 301 to the slashed URL (as Django's APPEND_SLASH does), "404" refuses.
        "missing_trailing_slash": "serve",
        "default_page_size": 10,  # the examples show 10; the default is unpublished
        "max_page_size": 100,  # unpublished
        "page_out_of_range": "404",  # "404" (Django REST framework's "Invalid page.") or "empty"
        # The published range parameters are format: date; whether a timestamp is accepted is unknown.
        "date_filters_accept_datetimes": False,
        # The published location list wraps each location in {metadata, data: [location]}; "flat"
        # renders plain locations in case that wrapper is an artefact of the spec generator.
        "location_list_shape": "published",
        "unique_account_codes": True,  # a duplicate code answers 400 (unpublished)
        "account_code_put_sets_active": False,  # the published PUT body has no "active"
        "po_version_conflict_status": 409,  # a stale "version" on PUT; 0 = no check (unpublished)
        "bill_detail_accepts_id": False,  # v2 bill detail by integer id as well as by UUID (unpublished)
        "v2_payments_removed": False,  # /api/v2/ap/payments/ after its announced removal: 404
        "overload": False,  # every API call times out (the vendor warns of timeouts, then suspension)
        "overload_status": 504,
        "suspend_after_errors": 5,  # overload errors before the domain is suspended; 0 = never
        "suspend_over_per_minute": 0,  # calls per minute that trigger a suspension; 0 = never
        "suspension_seconds": 900,
        "suspension_status": 403,
        "suspension_retry_after": False,  # whether a suspension answer carries Retry-After
    }

    def __init__(self):
        super().__init__()
        self.calls = MinuteCounter(self.clock)
        self.reset_state()

    def new_store(self) -> Store:
        self.ids = IntIds(ID_BASES, 900_001)
        return Store(self.ids)

    def reset_state(self) -> None:
        self.tokens = auth.TokenBook()
        self.load = LoadGuard(self.clock, self.calls)

    def now_stamp(self) -> str:
        return stamp(self.clock.now())

    @staticmethod
    def uuid_for(collection: str, record_id) -> str:
        return str(uuid.uuid5(UUID_NAMESPACE, f"{collection}:{record_id}"))

    # -- control API ----------------------------------------------------------------------------------

    def seed(self, body: dict) -> dict:
        """Presets and records as in the base class, plus ``bulk``: {"bills": N} approved bills."""
        body = dict(body or {})
        bulk = body.pop("bulk", None)
        created = super().seed(body)
        if bulk:
            from .demo import load_bulk

            with self.lock:
                created.setdefault("bills", []).extend(load_bulk(self, dict(bulk)))
        return created

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
        existing = self.store.get(collection, record.get("id"))
        if existing is not None:
            existing.update(record)
            record = existing
        else:
            if isinstance(record.get("id"), int):
                self.ids.bump_past(collection, record["id"])
            record.setdefault("domain", self._default_domain())
            record = self.store.insert(collection, record)
            if collection in ("purchase_orders", "bills", "payments", "contracts"):
                record.setdefault("uuid", self.uuid_for(collection, record["id"]))
        field = STAMPS.get(collection)
        if field and not (keep_stamps and record.get(field)):
            record[field] = self.now_stamp()
        return record

    def _default_domain(self) -> str:
        client = next(iter(self.store.all("clients")), None)
        return client["domain"] if client else "demo"

    def records(self, collection: str) -> list[dict]:
        """Stored records, plus the pseudo-collections ``calls_per_minute`` and ``suspensions``."""
        if collection == "calls_per_minute":
            return self.calls.per_minute()
        if collection == "suspensions":
            with self.lock:
                return self.load.describe()
        return super().records(collection)

    # -- vendor traffic -------------------------------------------------------------------------------

    def domains(self) -> set[str]:
        return {client["domain"] for client in self.store.all("clients")}

    def handle(self, host: str, request: Request) -> Response:
        domain, _, rest = request.path.lstrip("/").partition("/")
        path = "/" + rest
        if domain not in self.domains():
            return Response.json({"detail": "Not found."}, 404)
        refused = self.load.suspended(domain, self.config)
        if refused is not None:
            return refused
        if path.rstrip("/") == TOKEN_PATH:
            if request.method != "POST":
                return Response.json({"detail": f'Method "{request.method}" not allowed.'}, 405)
            now = self.clock.time()
            return auth.token_endpoint(request, domain, self.store, self.tokens, now, self.config)
        refused = self.load.refuse(domain, self.config)
        if refused is not None:
            return refused
        try:
            return self._api(request, domain, path)
        except HttpError as exc:
            return exc.response

    def _api(self, request: Request, domain: str, path: str) -> Response:
        if not path.endswith("/"):
            policy = self.config["missing_trailing_slash"]
            if policy == "redirect":
                query = f"?{request.query_string}" if request.query_string else ""
                return Response.empty(301, [("Location", f"{request.base_url}/{domain}{path}/{query}")])
            if policy == "404":
                raise error(404, "Not found.")
            path += "/"
        entry = self.tokens.check(request, domain, self.clock.time())
        auth.check_client_header(request, self.config)
        allowed = []
        for method, pattern, handler in COMPILED:
            match = pattern.fullmatch(path)
            if not match:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            ctx = Ctx(request, self.store, self.config, domain, self.now_stamp(), match.groupdict())
            ctx.params.setdefault("user_id", entry.get("user"))
            return _respond(handler(ctx), request.method)
        if allowed:
            raise error(405, f'Method "{request.method}" not allowed.')
        raise error(404, "Not found.")

    def route_templates(self) -> list[tuple[str, str]]:
        """Every (method, path template) served, for the conformance checks."""
        return [("POST", TOKEN_PATH)] + [(method, template) for method, template, _ in ROUTES]


def _respond(result, method: str) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        status, body = result
        return Response.json(body, status)
    return Response.json(result)
