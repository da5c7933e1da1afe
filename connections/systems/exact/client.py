"""Exact Online REST client: one method per remote call, all through connections/http.py.

Every call but `/current/Me` names its division in the path (`/api/v1/{division}/...`); JSON only with
`Accept: application/json`. Lists come as `{"d": {"results": [...], "__next": url}}`, 60 rows a page (1000 on
sync and bulk endpoints, which require `$select`); expanded line collections are paged the same way. Numbers are
parsed as Decimal. The minute and daily budgets are read from Exact's `X-RateLimit-*` headers by the HTTP layer
(the windows are declared in the registry), which paces calls so a long read spreads over the minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.http import HttpClient
from connections.tokens import BearerTokenAuth

from .auth import host, refresh_token_grant
from .consts import ENTRY_HEADER, PO_HEADER, REFRESH_MARGIN_SECONDS, SUPPLIER_FIELDS
from .values import filter_datetime, zone_of


def _reset(headers, name: str) -> dt.datetime | None:
    value = str(headers.get(name) or "").strip()
    return dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC) if value.isdigit() else None


def api_error(response) -> errors.ApiError | None:
    """A 429 carries the reset of the window that ran out (epoch milliseconds); the rest as usual."""
    if response.status_code != 429:
        return None
    minute_left = str(response.headers.get("X-RateLimit-Minutely-Remaining") or "").strip()
    name = "X-RateLimit-Minutely-Reset" if minute_left in ("0", "") else "X-RateLimit-Reset"
    retry_at = _reset(response.headers, name) or _reset(response.headers, "X-RateLimit-Reset")
    exc = HttpClient.error_for(response)
    if retry_at is not None:
        exc.retry_at = retry_at
    return exc


def guid(value: str) -> str:
    """A key literal; refuses anything but a guid so a webhook key can never inject into a URL."""
    text = str(value).strip().lower()
    parts = text.split("-")
    if [len(p) for p in parts] != [8, 4, 4, 4, 12] or not all(c in "0123456789abcdef" for c in "".join(parts)):
        raise ValueError(f"{value!r} is not an Exact id")
    return f"guid'{text}'"


class ExactClient:
    """Calls on behalf of one Exact connection, in its configured division."""

    def __init__(self, connection):
        self.connection = connection
        self.zone = zone_of(connection)
        auth = BearerTokenAuth(
            connection,
            refresh_token_grant,
            extra_headers={"Accept": "application/json"},
            margin_seconds=REFRESH_MARGIN_SECONDS,
        )
        self.http = HttpClient(connection, host(connection), auth=auth)

    @property
    def division(self) -> str:
        division = str((self.connection.settings or {}).get("division") or "")
        if not division.isdigit():
            raise errors.Permanent(f"{self.connection}: no division is set; connect to Exact Online first")
        return division

    def path(self, resource: str, division: str | None = None) -> str:
        return f"/api/v1/{division or self.division}/{resource}"

    # --- transport ----------------------------------------------------------------------------------------------
    def get(self, url: str, params: dict | None = None) -> dict:
        response = self.http.request("GET", url, params=params, error_mapper=api_error)
        return response.json(parse_float=Decimal)

    def rows(self, resource: str, **params) -> Iterator[dict]:
        """Every row of a list in the configured division."""
        return self.rows_in(self.division, resource, **params)

    def rows_in(self, division: str, resource: str, **params) -> Iterator[dict]:
        """Every row of a list, following `__next` (an absolute URL keeping our options) to the last page."""
        page = self.get(self.path(resource, division), params)["d"]
        while True:
            yield from page.get("results") or []
            if not page.get("__next"):
                return
            page = self.get(page["__next"])["d"]

    def one(self, resource: str, key: str, **params) -> dict:
        """One record by its guid; NotFound when Exact has no such record."""
        body = self.get(self.path(f"{resource}({guid(key)})"), params or None)["d"]
        if isinstance(body, list):  # a keyed GET answered as a list (seen in public fixtures)
            body = body[0] if body else None
        elif isinstance(body, dict) and "results" in body:
            body = (body["results"] or [None])[0]
        if not body:
            raise errors.NotFound(f"Exact has no {resource} {key}")
        return body

    def expanded(self, row: dict, nav: str) -> list[dict]:
        """A line collection of a row: expanded (paged like any list) or deferred (read from its link)."""
        value = row.get(nav) or {}
        if "__deferred" in value:
            page = self.get(value["__deferred"]["uri"])["d"]
        else:
            page = value
        lines = list(page.get("results") or [])
        while page.get("__next"):
            page = self.get(page["__next"])["d"]
            lines += page.get("results") or []
        return lines

    def modified_filter(self, since: dt.datetime | None) -> str:
        """Exact asks for a filter where a sync endpoint exists; without a cursor, everything ever modified."""
        start = since or dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
        return f"Modified ge {filter_datetime(start, self.zone)}"

    # --- who and where ----------------------------------------------------------------------------------------
    def me(self) -> dict:
        """The signed-in user and current division (the one path without a division)."""
        params = {"$select": "CurrentDivision,UserID,UserName,FullName"}
        return self.get("/api/v1/current/Me", params)["d"]["results"][0]

    def divisions(self, division: str) -> list[dict]:
        """The divisions the user may use, asked of one of them."""
        return list(self.rows_in(division, "system/Divisions", **{"$select": "Code,Description,Current"}))

    # --- purchase orders ----------------------------------------------------------------------------------------
    def purchase_orders(self, since: dt.datetime | None) -> Iterator[dict]:
        """Orders modified at or after `since`, with their lines expanded."""
        return self.rows(
            "purchaseorder/PurchaseOrders",
            **{
                "$filter": self.modified_filter(since),
                "$expand": "PurchaseOrderLines",
                "$select": f"{PO_HEADER},PurchaseOrderLines",
            },
        )

    def purchase_order(self, order_id: str) -> dict:
        params = {"$expand": "PurchaseOrderLines", "$select": f"{PO_HEADER},PurchaseOrderLines"}
        return self.one("purchaseorder/PurchaseOrders", order_id, **params)

    def purchase_order_lines(self, since: dt.datetime) -> Iterator[dict]:
        """Lines modified at or after `since` (a line can change without its order's stamp moving)."""
        params = {"$filter": self.modified_filter(since), "$select": "ID,PurchaseOrderID,Modified"}
        return self.rows("purchaseorder/PurchaseOrderLines", **params)

    # --- purchase entries (invoices) ----------------------------------------------------------------------------
    def purchase_entries(self, since: dt.datetime | None) -> Iterator[dict]:
        params = {"$expand": "PurchaseEntryLines", "$select": ENTRY_HEADER}
        if since is not None:
            params["$filter"] = self.modified_filter(since)
        return self.rows("purchaseentry/PurchaseEntries", **params)

    def purchase_entry(self, entry_id: str) -> dict:
        return self.one(
            "purchaseentry/PurchaseEntries", entry_id, **{"$expand": "PurchaseEntryLines", "$select": ENTRY_HEADER}
        )

    # --- reference data -----------------------------------------------------------------------------------------
    def sync(self, resource: str, select: str, timestamp: int = 1) -> Iterator[dict]:
        """A sync endpoint from a Timestamp on (1000 rows a page; `$select` is required)."""
        return self.rows(f"sync/{resource}", **{"$filter": f"Timestamp gt {int(timestamp)}L", "$select": select})

    def gl_accounts(self) -> Iterator[dict]:
        return self.sync("Financial/GLAccounts", "Timestamp,ID,Code,Description,Type,TypeDescription,IsBlocked")

    def projects(self) -> Iterator[dict]:
        return self.sync("Project/Projects", "Timestamp,ID,Code,Description,EndDate,Type")

    def suppliers(self) -> Iterator[dict]:
        """Suppliers from the bulk endpoint (1000 a page), filtered as Exact requires there."""
        params = {"$filter": "IsSupplier eq true", "$select": SUPPLIER_FIELDS}
        return self.rows("bulk/CRM/Accounts", **params)

    def suppliers_changed(self, since: dt.datetime | None) -> Iterator[dict]:
        """Suppliers modified at or after `since` (all when None, from the bulk endpoint)."""
        if since is None:
            return self.suppliers()
        params = {"$filter": f"IsSupplier eq true and {self.modified_filter(since)}", "$select": SUPPLIER_FIELDS}
        return self.rows("crm/Accounts", **params)

    def supplier(self, account_id: str) -> dict:
        return self.one("crm/Accounts", account_id, **{"$select": SUPPLIER_FIELDS})

    def cost_centers(self) -> Iterator[dict]:
        return self.rows("hrm/Costcenters", **{"$select": "ID,Code,Description,Active,EndDate"})

    def cost_units(self) -> Iterator[dict]:
        return self.rows("hrm/Costunits", **{"$select": "ID,Code,Description,EndDate"})

    # --- webhook subscriptions (our subscription, not data) -----------------------------------------------------
    def webhook_subscriptions(self) -> list[dict]:
        return list(self.rows("webhooks/WebhookSubscriptions", **{"$select": "ID,CallbackURL,Topic"}))

    def create_webhook_subscription(self, callback_url: str, topic: str) -> dict:
        """Exact posts an empty body to the callback first; a non-2xx answer there refuses the subscription."""
        body = {"CallbackURL": callback_url, "Topic": topic}
        path = self.path("webhooks/WebhookSubscriptions")
        return self.http.request("POST", path, json=body, error_mapper=api_error).json()["d"]
