"""Procurify constants from its published API definition and developer documentation."""

import datetime as dt

#: environment -> API host pattern; every customer has its own host. A connection's `base_url` overrides it.
HOSTS = {
    "production": "https://{subdomain}.procurify.com",
    "sandbox": "https://{subdomain}.procurify.com",  # Procurify sandboxes are separate customer domains
    "simulator": "http://127.0.0.1:8100/procurify/{subdomain}",
}
AUDIENCE = "https://api.procurify.com/"
#: Sent on every call, next to the bearer token: without it Procurify refuses the call.
CLIENT_HEADER, CLIENT_HEADER_VALUE = "X-Procurify-Client", "api"
#: Lists are read 100 at a time; the published maximum is unknown, and `next` links are followed either way.
PAGE_SIZE = 100
#: Procurify publishes no rate limit but warns it may suspend API access after excessive requests.
DEFAULT_REQUESTS_PER_MINUTE = 60

#: A gateway timeout is Procurify saying it is overloaded; repeating the call is what gets a domain suspended.
OVERLOAD_PAUSE = dt.timedelta(minutes=5)
#: How long to hold off after a suspension when Procurify does not say (it publishes no duration).
SUSPENSION_PAUSE = dt.timedelta(minutes=15)

# --- AP bills (BillStatusEnum) -------------------------------------------------------------------------------
BILL_DRAFT, BILL_CONFIRMED, BILL_APPROVED, BILL_DENIED, BILL_PAID, BILL_WITHDRAWN = 0, 1, 2, 3, 4, 5
BILL_PAYMENT_CONFIRMED, BILL_PAYMENT_APPROVED, BILL_PAYMENT_LIMBO = 6, 7, 8
#: Approved bills, and the later stages an approved bill goes through on its way to being paid.
POSTABLE_BILL = frozenset({BILL_APPROVED, BILL_PAID, BILL_PAYMENT_CONFIRMED, BILL_PAYMENT_APPROVED, BILL_PAYMENT_LIMBO})
#: A bill denied or withdrawn after it was posted: its ledger row is flagged for a person.
VOIDED_BILL = frozenset({BILL_DENIED, BILL_WITHDRAWN})
BILL_STATUS_NAMES = {
    0: "draft", 1: "confirmed", 2: "approved", 3: "denied", 4: "paid", 5: "withdrawn",
    6: "payment_confirmed", 7: "payment_approved", 8: "payment_limbo",
}  # fmt: skip

# --- purchase orders (`state`) ---------------------------------------------------------------------------------
PO_PURCHASED, PO_CANCELLED, PO_CLOSED, PO_PAID, PO_REOPENED = 0, 1, 3, 4, 5
#: A purchase order exists only once its requisition was approved and purchased; cancelled ones are voided.
COMMITTED_PO = frozenset({PO_PURCHASED, PO_CLOSED, PO_PAID, PO_REOPENED})
PO_STATE_NAMES = {0: "purchased", 1: "cancelled", 3: "closed", 4: "paid", 5: "reopened"}
#: Canonical statuses written back to a purchase order: these close it; "reopened" reopens a closed one. Any other
#: status ("open", "partly_paid") leaves the order as it is, so a person's own close in Procurify is never undone.
CLOSING_STATUSES = frozenset({"closed", "completed", "received", "paid"})
REOPENING_STATUSES = frozenset({"reopened"})

# --- vendors and account codes -----------------------------------------------------------------------------------
VENDOR_TYPE_REGULAR = 4
#: account_type (ExpenseTypeEnum) <-> canonical account types
ACCOUNT_TYPES = {0: "asset", 1: "liability", 2: "expense", 3: "income", 4: "equity", 5: "other"}
