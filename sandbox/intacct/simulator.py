"""The Sage Intacct simulator: one XML gateway, ``POST /intacct/ia/xml/xmlgw.phtml``.

Requests and answers follow the published 3.0 envelopes (see ``contract/`` and the facts file, part B).
State: the objects (store collections named like the objects: APBILL, VENDOR, ...), the Web Services
senders (``senders``: id = sender id, ``password``, ``companies`` it may serve or null for all), the
company users (``users``: id = ``user@company`` lower case, ``password``, ``status``), sessions,
open readByQuery results, completed function controlids per company, and the API transaction count
per month (``usage``; counted, never blocking, facts B8).
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal

from ..core.faults import Fault
from ..core.http import Request, Response
from ..core.simulator import Simulator
from . import operation
from .errors import RATE_LIMIT, gateway
from .gateway import GATEWAY_PATH, control_failure
from .objects import LISTS, SPECS
from .records import IntacctStore, claim, find, insert, stamp, touch
from .sessions import SessionBook

#: (method, path) the simulator serves below its prefix, for the conformance checks
ROUTES = [("POST", GATEWAY_PATH)]
RATE_TEXT = "Rate limit exceeded: too many requests. Back off, then try again."


class IntacctSimulator(Simulator):
    name = "intacct"
    prefixes = {"intacct": "gateway"}
    default_config = {
        # Session length is unconfirmed: the SDK's replies show +24 h, the docs' example +2h10m.
        "session_duration": 86400,
        "session_sliding": True,  # the timeout moves with every call (facts B3)
        # Every published sessiontimestamp carries a Pacific offset (-07:00/-08:00).
        "session_zone": "America/Los_Angeles",
        # The zone of WHENCREATED/WHENMODIFIED stamps (no offset in them) is unconfirmed.
        "timestamp_zone": "America/Los_Angeles",
        # The SDK mocks HTTP 401 for XMLGW_JPP0002; the facts' checklist says 200 for business errors.
        "sender_failure_http_status": 401,
        # What a repeated function controlid under uniqueid=true gets is unconfirmed (facts B5):
        # "reject" (a failure, nothing created), "replay" (the first answer again), "execute" (runs again).
        "duplicate_function": "reject",
        "duplicate_function_error": {
            "errorno": "BL01001973",
            "description2": "The function with control ID '{controlid}' was already executed and completed; "
            "a request with uniqueid true cannot be repeated.",
            "correction": "Read the record the first request created, or send a new control ID.",
        },
        # The failing function of a transaction: "failure" (OnlineClientTest) or "aborted" (ResultTest).
        "transaction_failed_status": "failure",
        "rate_limit_per_minute": None,  # concurrency/rate caps per tier are unpublished; None = no limit
        "result_id_lifetime": 1800,  # readMore resultId lifetime is unconfirmed
        "readmore_pagesize": None,  # None: the pagesize of the readByQuery
        # The facts say readByQuery writes STATUS as T/F and STATE as codes; the SDK's readByQuery reply
        # writes STATUS "active". Off = the published reply.
        "readbyquery_codes": False,
        "read_without_keys_limit": 100,
        "custom_fields": {},  # {"APBILL": ["PROCORE_ID"]}: custom fields by integration name
        "autonumber_vendors": True,  # the SDK creates a vendor without VENDORID
        "autonumber_projects": True,  # and a project without PROJECTID
        "unique_bill_numbers": False,  # AP preference: refuse a second bill with the same vendor + RECORDID
        "location_required": False,  # multi-entity companies require LOCATIONID on lines
        "closed_through": None,  # "12/31/2023": postings dated on or before are in a closed period
        "po_transaction_types": ["Purchase Order"],
        # The SDK writes PODOCUMENT only through the legacy functions; whether generic create works is unknown.
        "podocument_generic_writes": False,
    }

    def new_store(self) -> IntacctStore:
        return IntacctStore()

    def reset_state(self) -> None:
        self.sessions = SessionBook()
        self.result_sets: dict = {}
        self.completed: dict[str, dict] = {}
        self.hits: deque[float] = deque()

    # -- control API ----------------------------------------------------------------------------------

    def load_preset(self, name: str) -> dict[str, list]:
        from .demo import load_demo

        if name != "demo":
            return super().load_preset(name)
        return load_demo(self)

    def upsert(self, collection: str, record: dict) -> dict:
        """Create or update a record as a user of the Intacct UI would (any field, WHENMODIFIED bumped)."""
        with self.lock:
            spec = SPECS.get(collection)
            if spec is None:  # senders, users, usage: stored as given
                existing = self.store.get(collection, record.get("id"))
                if existing is None:
                    return self.store.insert(collection, dict(record))
                existing.update(record)
                return existing
            now = stamp(self.clock.now(), self.config["timestamp_zone"])
            existing = self._existing(spec, record)
            if existing is None:
                fresh = dict(record)
                claim(self.store, spec, fresh)
                existing = insert(self.store, spec, fresh, now)
            else:
                existing.update({k: v for k, v in record.items() if k not in ("id", "RECORDNO")})
            touch(existing, now)
            _settle(self.store, spec, existing)
            return existing

    def _existing(self, spec, record: dict) -> dict | None:
        if str(record.get("RECORDNO", "")).isdigit():
            found = self.store.get(spec.name, int(record["RECORDNO"]))
            if found is not None:
                return found
        if spec.key and record.get(spec.key):
            return find(self.store, spec, record[spec.key], {k: record.get(k, "") for k in spec.scope})
        return None

    def count_usage(self, functions: int) -> None:
        """API transactions this month (billed, never blocked)."""
        month = self.clock.now().strftime("%Y-%m")
        usage = self.store.get("usage", month) or self.store.insert("usage", {"id": month, "transactions": 0})
        usage["transactions"] += functions

    # -- vendor traffic -------------------------------------------------------------------------------

    def handle(self, host: str, request: Request) -> Response:
        if request.path.rstrip("/") != GATEWAY_PATH:
            return Response(404, b"<html><body>Not Found</body></html>", [("Content-Type", "text/html")])
        if self._over_limit():
            return control_failure(gateway(RATE_LIMIT, RATE_TEXT, 429), None)
        return operation.handle(self, request)

    def _over_limit(self) -> bool:
        limit = self.config["rate_limit_per_minute"]
        now = self.clock.time()
        while self.hits and self.hits[0] <= now - 60:
            self.hits.popleft()
        if limit is not None and len(self.hits) >= int(limit):
            return True
        self.hits.append(now)
        return False

    def rate_limit_response(self, host: str, fault: Fault) -> Response:
        """GW-0010 with HTTP 429, the gateway's rate/concurrency answer (facts B4, error-handling page)."""
        response = control_failure(gateway(RATE_LIMIT, fault.params.get("message", RATE_TEXT), 429), None)
        if fault.params.get("retry_after") is not None:
            response.headers.append(("Retry-After", str(fault.params["retry_after"])))
        return response

    def fault_status_response(self, status: int, fault: Fault) -> Response:
        # 5xx (and the CDN's 524) come from the web tier in front of the gateway: HTML, not an envelope.
        body = f"<html><body><h1>{status}</h1>{fault.params.get('message', 'Service unavailable')}</body></html>"
        return Response(status, body.encode(), [("Content-Type", "text/html; charset=UTF-8")])


def _settle(store: IntacctStore, spec, record: dict) -> None:
    """Seeded documents get what the gateway would add: line numbers and record numbers, bill totals."""
    for number, line in enumerate(record.get(spec.lines, []) if spec.lines else [], start=1):
        if isinstance(line, dict):
            line.setdefault("RECORDNO", str(store.new_id(LISTS[spec.lines])))
            line.setdefault("LINE_NO", str(number))
            if spec.name == "APBILL":
                line.setdefault("AMOUNT", line.get("TRX_AMOUNT"))
    if spec.name == "APBILL" and record.get("APBILLITEMS") and "TOTALENTERED" not in record:
        total = sum((Decimal(str(line["TRX_AMOUNT"])) for line in record["APBILLITEMS"]), Decimal("0.00"))
        record.update(TOTALENTERED=str(total), TOTALPAID="0.00", TOTALDUE=str(total))
        record.setdefault("STATE", "Posted")
