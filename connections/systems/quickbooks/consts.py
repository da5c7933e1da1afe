"""QuickBooks Online constants from Intuit's published material (see the vendor facts, sections 1.1 to 1.7)."""

#: environment -> base URL of the accounting API (the path continues with /v3/company/{realmId}/...).
API_HOSTS = {
    "production": "https://quickbooks.api.intuit.com",
    "sandbox": "https://sandbox-quickbooks.api.intuit.com",
    "simulator": "http://127.0.0.1:8100/quickbooks",
}

#: OAuth endpoints; identical for production and Intuit's sandbox (Intuit's OpenID discovery document).
OAUTH_ENDPOINTS = {
    "authorization_endpoint": "https://appcenter.intuit.com/connect/oauth2",
    "token_endpoint": "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    "revocation_endpoint": "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
}
#: The simulator publishes its own discovery document; a connection may point at any other with `discovery_url`.
SIMULATOR_DISCOVERY = "http://127.0.0.1:8100/quickbooks-oauth/.well-known/openid-configuration"

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
ACCESS_TOKEN_SECONDS = 3600

#: Requests without (or below) minor version 75 are served as 75 since 2025-08-01; we ask for it explicitly.
MINOR_VERSION = "75"

#: Query paging: MAXRESULTS may not exceed 1000; STARTPOSITION is 1-based.
MAX_RESULTS = 1000
#: Change data capture looks back 30 days at most and answers at most 1,000 objects per response. We switch to
#: the query endpoint a day early, so clocks that disagree by some hours never push a request past the limit.
CDC_MAX_DAYS = 29
CDC_MAX_OBJECTS = 1000

#: A requestid may be 50 characters long and must be unique per company.
REQUEST_ID_LENGTH = 50

#: On a throttle answer Intuit says to wait 60 seconds.
THROTTLE_WAIT_SECONDS = 60

#: LinkedTxn types on a Bill that are payments of it.
PAYMENT_TXN_TYPES = frozenset({"BillPaymentCheck", "BillPaymentCreditCard", "BillPayment"})

#: Webhook entity name -> our entity. Bills and vendors are what the flows read; the rest is polled.
WEBHOOK_ENTITIES = {"bill": "bill", "vendor": "vendor"}
#: Webhook operations (legacy names and CloudEvents verbs) -> hint actions.
WEBHOOK_ACTIONS = {
    "create": "create",
    "created": "create",
    "update": "update",
    "updated": "update",
    "emailed": "update",
    "merge": "update",
    "merged": "update",
    "delete": "delete",
    "deleted": "delete",
    "void": "delete",
    "voided": "delete",
}
DEFAULT_CURRENCY = "USD"

#: Intuit's throttle per company and app ("10 requests per second"); calls are paced below it.
REQUESTS_PER_SECOND = 10
