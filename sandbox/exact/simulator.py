"""The Exact Online simulator: one URL prefix per regional host (/exact-nl, /exact-be, /exact-uk, ...).

Each prefix stands for one of Exact's hosts (start.exactonline.nl, .be, .de, .co.uk, .com, .es, .fr).
OAuth, token and API live on the same host; codes and tokens are bound to the host that issued them and a
user signs in on the host of their region. Order of checks on /api/v1: bearer token (401), division
access, rate limits (429), route (404/405), then the endpoint. Every answer after the token check carries
the six X-RateLimit-* headers.
"""

from __future__ import annotations

import json
from decimal import Decimal

from ..core.faults import Fault
from ..core.http import HttpError, Request, Response
from ..core.simulator import Simulator
from ..core.store import Store
from . import api
from .atom import atom_response
from .auth import OAuth
from .consent import Consent
from .ratelimit import RateLimiter, headers_for_429
from .records import Books
from .render import Renderer
from .resources import Served
from .values import error_body, json_response, local_stamp, odata_error
from .webhooks import Dispatcher, Job, notification_body

REGIONS = {"nl": "nl", "be": "be", "de": "de", "uk": "co.uk", "us": "com", "es": "es", "fr": "fr"}
#: topics seen in public material; PurchaseEntries is added because the purchase-entry topic switch uses it
TOPICS = [
    "Accounts", "BankAccounts", "Contacts", "CostTransactions", "Documents", "FinancialTransactions",
    "GoodsDeliveries", "Items", "PurchaseOrders", "Quotations", "SalesInvoices", "SalesOrders",
    "StockPositions", "TimeTransactions", "BankEntries", "CashEntries", "PurchaseEntries",
]  # fmt: skip


class ExactSimulator(Simulator):
    name = "exact"
    prefixes = {f"exact-{region}": region for region in REGIONS}
    default_config = {
        "access_token_lifetime": 600,
        "code_lifetime": 180,  # "about 3 minutes" (forum reports)
        "refresh_idle_days": 30,
        "early_refresh_seconds": 570,  # KB: no new access token within 9:30 of the previous one
        "early_refresh_status": 401,  # KB: "response code 401 and reason Access Token not expired"
        "early_refresh_body": "empty",  # body unconfirmed: "empty" | "json" (OAuth error) | "odata"
        "old_refresh_token_grace": False,  # reported, unconfirmed: old RT works until the new pair is used
        "consent_prefill": None,  # user id whose credentials the consent form shows (the demo sets it)
        "minutely_limit": 60,
        "daily_limit": 5000,
        "rate_limit_429_headers": "all",  # which headers a 429 carries is unconfirmed: all | minutely | none
        "rate_limit_body": "odata",  # 429 body unconfirmed: "odata" error envelope | "empty"
        "page_size": 60,
        "sync_page_size": 1000,
        "expand_page_size": 60,
        "select_required": ["sync", "bulk"],  # kinds or endpoint keys needing $select (or $top=1)
        "sync_select_star": False,  # "$select=*" on sync refused (client docs; unconfirmed)
        "keyed_get_shape": "object",  # {"d": {...}} (SDK fixture); "results" = {"d": {"results": [...]}}
        "json_requires_accept": True,  # without Accept: application/json Exact answers Atom XML
        "foreign_division_status": 403,  # a division the user may not use: status unconfirmed
        "readonly_on_write": "ignore",  # a read-only property in a body: "ignore" | "error" (unconfirmed)
        "main_division": None,  # division of records created without one (the demo sets it)
        "deleted_order_keys": "header",  # sync/Deleted rows for orders: "header" | "lines" | "both"
        "deleted_purchase_entry_type": None,  # published EntityType list has no purchase entries
        "purchase_entry_topic": "PurchaseEntries",  # unconfirmed; "FinancialTransactions" is the known one
        "webhook_topics": TOPICS,
        "webhook_allow_http": True,  # Exact wants https; local receivers in tests are http
        "webhook_handshake": True,
        "webhook_timeout": 5.0,
        "webhook_retries": 0,  # retry policy unpublished
        "webhook_retry_delay": 0.5,
        "webhook_duplicate": False,  # deliver every notification twice
    }

    def new_store(self) -> Store:
        from .values import new_guid

        return Store(lambda name: new_guid())

    def reset_state(self) -> None:
        self.oauth = OAuth(self.store, self.clock, self.config)
        self.consent = Consent(self.oauth)
        self.limiter = RateLimiter(self.clock)
        self.books = Books(self.store, self.clock, self.config, self.publish)
        self.base_urls: dict[str, str] = {}
        if not hasattr(self, "dispatcher"):
            self.dispatcher = Dispatcher(self.clock)
        self.dispatcher.clear()

    # -- control API ----------------------------------------------------------------------------------

    def load_preset(self, name: str) -> dict[str, list]:
        from .demo import load_demo

        if name != "demo":
            return super().load_preset(name)
        return load_demo(self)

    def seed_record(self, collection: str, record: dict) -> dict:
        return self._write(collection, record, notify=False)

    def upsert(self, collection: str, record: dict) -> dict:
        """Create, change or (with ``"_delete": true``) delete a record as a user in Exact's UI would.

        Changes publish webhook notifications. Lines go inline under their navigation property; a line
        with ``"_delete": true`` is removed.
        """
        with self.lock:
            return self._write(collection, record, notify=True)

    def _write(self, collection: str, record: dict, notify: bool) -> dict:
        if collection in ("users", "clients"):
            existing = self.store.get(collection, record.get("id"))
            if existing is not None:
                existing.update(record)
                return existing
            return self.store.insert(collection, dict(record))
        actor = next(iter(self.store.all("users")), None)
        record = dict(record)
        if record.pop("_delete", False):
            key = self.books.key_of(collection, record)
            self.books.delete(collection, key, actor, notify=notify)
            return {"id": key, "deleted": True}
        return self.books.save(collection, record, actor, notify=notify)

    def records(self, collection: str) -> list[dict]:
        if collection == "WebhookDeliveries":
            return self.dispatcher.entries()
        return super().records(collection)

    # -- webhooks ---------------------------------------------------------------------------------------

    def publish(self, served: Served, division: int, action: str, key: str) -> None:
        topic = self.config["purchase_entry_topic"] if served.topic == "PurchaseEntries" else served.topic
        for sub in self.store.find("WebhookSubscriptions", Division=division, Topic=topic):
            client = self.store.get("clients", sub.get("ClientID")) or {}
            base = sub.get("_base_url") or self.base_urls.get("nl", "https://start.exactonline.nl")
            content = {
                "Topic": topic,
                "ClientId": sub.get("ClientID"),
                "Division": division,
                "Action": action,
                "Key": key,
                "ExactOnlineEndpoint": f"{base}/api/v1/{division}/{served.key}(guid'{key}')",
                "EventCreatedOn": local_stamp(self.clock.now()),
            }
            job = Job(
                url=sub["CallbackURL"],
                body=notification_body(content, client.get("webhook_secret", "")),
                attempts=1 + int(self.config["webhook_retries"]),
                retry_delay=float(self.config["webhook_retry_delay"]),
                copies=2 if self.config["webhook_duplicate"] else 1,
                timeout=float(self.config["webhook_timeout"]),
                generation=0,
            )
            self.dispatcher.enqueue(job)

    # -- vendor traffic -------------------------------------------------------------------------------

    def handle(self, host: str, request: Request) -> Response:
        self.base_urls[host] = request.base_url
        path = request.path.rstrip("/")
        if path == "/api/oauth2/auth" and request.method in ("GET", "POST"):
            return self.consent.show(host, request) if request.method == "GET" else self.consent.submit(host, request)
        if path == "/api/oauth2/token" and request.method == "POST":
            return self.oauth.token_endpoint(host, request)
        if path.startswith("/api/v1/"):
            return self._api(host, request, path[len("/api/v1/") :])
        return json_response(error_body("Resource not found"), 404)

    def _api(self, region: str, request: Request, rest: str) -> Response:
        chain = self.oauth.check(region, request)
        user = self.store.get("users", chain.user_id) or {}
        head, _, tail = rest.partition("/")
        division = user.get("CurrentDivision") if rest == "current/Me" else self._division(region, user, head)
        allowed, limits = self.limiter.hit(
            (chain.client_id, division), self.config["minutely_limit"], self.config["daily_limit"]
        )
        if not allowed:
            return self._too_many(limits)
        renderer = Renderer(request.base_url, division, self.store, self.config["expand_page_size"])
        call = api.Call(self, request, region, user, chain.client_id, division, renderer)
        try:
            response = api.me(call) if rest == "current/Me" else api.dispatch(call, tail)
        except HttpError as exc:
            response = exc.response
        response.headers.extend(limits.items())
        return self._negotiate(request, response)

    def _division(self, region: str, user: dict, head: str) -> int:
        division = int(head) if head.isdigit() else None
        record = self.store.get("Divisions", division)
        if record is None or division not in user.get("divisions", []) or record.get("region", "nl") != region:
            status = self.config["foreign_division_status"]
            raise odata_error(status, "Forbidden: you have no access to this division")
        return division

    def _too_many(self, limits: dict) -> Response:
        headers = headers_for_429(limits, self.config["rate_limit_429_headers"])
        if self.config["rate_limit_body"] == "empty":
            return Response.empty(429, headers)
        return json_response(error_body("API rate limit exceeded"), 429, headers)

    def _negotiate(self, request: Request, response: Response) -> Response:
        accept = request.header("accept") or ""
        wants_json = "application/json" in accept or not self.config["json_requires_accept"]
        if wants_json or request.method != "GET" or response.status != 200:
            return response
        xml = atom_response(json.loads(response.body, parse_float=Decimal))
        xml.headers.extend(h for h in response.headers if h[0].startswith("X-RateLimit"))
        return xml

    def rate_limit_response(self, host: str, fault: Fault) -> Response:
        """An injected 429 in Exact's style, with exhausted minutely headers."""
        _, limits = self.limiter.hit(("fault", host), 0, 0)
        return self._too_many(limits)

    def fault_status_response(self, status: int, fault: Fault) -> Response:
        headers = [("Retry-After", str(fault.params["retry_after"]))] if "retry_after" in fault.params else []
        return json_response(error_body(fault.params.get("message", "Injected failure")), status, headers)
