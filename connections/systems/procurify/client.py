"""Procurify REST client: one method per remote call, all through connections/http.py (paced, see limits.py).

Every customer has its own host (`https://{subdomain}.procurify.com`). The token comes from that host's
`/oauth/token` (client credentials in a JSON body with the API audience); it lives 24 hours, has no refresh token, and
is cached on the connection for its whole life, shared by every worker (connections/tokens.py). Every call sends the
bearer token and `X-Procurify-Client: api`. Lists answer `{metadata: {pagination}, data}` and are followed through the
absolute `next` links; paths keep their trailing slash, as Procurify's documentation writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connections import errors
from connections.tokens import BearerTokenAuth, InvalidGrant, TokenGrant

from . import consts
from .limits import PacedHttpClient

TOKEN_LIFETIME = 86400


def api_url(connection) -> str:
    base = connection.settings.get("base_url")
    if base:
        return base.rstrip("/")
    pattern = consts.HOSTS.get(connection.environment, consts.HOSTS["production"])
    return pattern.format(subdomain=connection.settings["subdomain"])


def client_headers() -> dict[str, str]:
    return {consts.CLIENT_HEADER: consts.CLIENT_HEADER_VALUE}


def fetch_token(connection, token_state: dict) -> TokenGrant:
    """Client-credentials grant, JSON body with the API audience; always a new grant (there is no refresh token)."""
    http = PacedHttpClient(connection, api_url(connection))
    body = {
        "client_id": connection.secrets.get("client_id", ""),
        "client_secret": connection.secrets.get("client_secret", ""),
        "audience": consts.AUDIENCE,
        "grant_type": "client_credentials",
    }
    try:
        response = http.request("POST", "/oauth/token", json=body, headers=client_headers(), idempotent=True)
    except (errors.AuthExpired, errors.ValidationFailed, errors.Permanent) as exc:
        raise InvalidGrant(f"Procurify refused the client credentials ({exc.status})") from exc
    answer = response.json()
    return TokenGrant(access_token=answer["access_token"], expires_in=int(answer.get("expires_in") or TOKEN_LIFETIME))


def date_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ProcurifyClient:
    """Calls on behalf of one Procurify connection (one customer domain)."""

    def __init__(self, connection):
        self.connection = connection
        auth = BearerTokenAuth(connection, fetch_token, extra_headers=client_headers())
        self.http = PacedHttpClient(connection, api_url(connection), auth=auth)

    # --- plumbing ------------------------------------------------------------------------------------------------
    def get(self, path: str, **params) -> dict:
        """One object: the `data` of `{metadata: {}, data: {...}}`."""
        return self.http.request("GET", path, params=params).json()["data"]

    def first_page(self, path: str, **params) -> dict:
        """The whole answer of a list's first page (data and metadata)."""
        params.setdefault("page_size", consts.PAGE_SIZE)
        return self.http.request("GET", path, params=params).json()

    def paged(self, path: str, **params) -> Iterator[dict]:
        """Every item of a list, following the absolute `next` links (they keep our filters)."""
        body = self.first_page(path, **params)
        while True:
            yield from body.get("data") or []
            next_url = ((body.get("metadata") or {}).get("pagination") or {}).get("next")
            if not next_url:
                return
            body = self.http.request("GET", next_url).json()

    def send(self, method: str, path: str, body: dict | None, *, idempotent: bool = False) -> dict:
        """A write; answers `{metadata, data}`. Creates are never repeated blindly (see the callers' look-ups)."""
        response = self.http.request(method, path, json=body, idempotent=idempotent)
        if not response.content:
            return {}
        return (response.json() or {}).get("data") or {}

    # --- identity ------------------------------------------------------------------------------------------------
    def me(self) -> dict:
        return self.get("/api/v3/users/me/")

    # --- AP bills --------------------------------------------------------------------------------------------------
    def bills(self, modified_since: dt.datetime | None = None) -> Iterator[dict]:
        """Bills (v3 list), optionally last modified at or after `modified_since`; the list has no status filter."""
        params = {"last_modified_datetime_0": date_time(modified_since)} if modified_since else {}
        return self.paged("/api/v3/ap/bills/", **params)

    def bill(self, uuid: str) -> dict:
        """One bill with its items and costs (v2 detail, addressed by UUID)."""
        return self.get(f"/api/v2/ap/bills/{uuid}/")

    def billed_items(self, **params) -> Iterator[dict]:
        """Items attached to bills, every bill's at once (each names its `bill`)."""
        return self.paged("/api/v2/ap/items/", billed="true", **params)

    def billed_item_count(self) -> int:
        body = self.first_page("/api/v2/ap/items/", billed="true", page_size=1)
        return int(((body.get("metadata") or {}).get("pagination") or {}).get("count") or 0)

    # --- purchase orders -------------------------------------------------------------------------------------------
    def purchase_orders(self, modified_since: dt.date | None = None) -> Iterator[dict]:
        """Every purchase order (role `purchased`, status `all`), optionally modified on or after a day."""
        params = {"modified_date_0": modified_since.isoformat()} if modified_since else {}
        return self.paged("/api/v2/purchase_orders/purchased/all/", **params)

    def purchase_order(self, number) -> dict:
        """One purchase order with its order items (by PO number or UUID)."""
        return self.get(f"/api/v2/purchase_orders/{number}/")

    def close_purchase_order(self, number) -> dict:
        """Refused (400) when the order is closed already; the caller reads its state first."""
        return self.send("POST", f"/api/v3/purchase-orders/{number}/close/", None)

    def reopen_purchase_order(self, number) -> dict:
        return self.send("POST", f"/api/v3/purchase-orders/{number}/reopen/", None)

    # --- vendors -----------------------------------------------------------------------------------------------------
    def vendors(self, **filters) -> Iterator[dict]:
        """Vendors; filters `external_id`, `name`, `search`. The list has no date filter."""
        return self.paged("/api/v3/vendors/", **filters)

    def vendor(self, vendor_id) -> dict:
        return self.get(f"/api/v3/vendors/{vendor_id}/")

    def create_vendor(self, fields: dict) -> dict:
        return self.send("POST", "/api/v3/vendors/", fields)

    def update_vendor(self, vendor_id, fields: dict) -> dict:
        """PATCH: only the fields given change."""
        return self.send("PATCH", f"/api/v3/vendors/{vendor_id}/", fields, idempotent=True)

    # --- account codes, departments, locations -------------------------------------------------------------------
    def account_codes(self, **filters) -> Iterator[dict]:
        """Account codes; filters `code`, `active`, `search`."""
        return self.paged("/api/v3/account-codes/", **filters)

    def create_account_code(self, fields: dict) -> dict:
        return self.send("POST", "/api/v3/account-codes/", fields)

    def update_account_code(self, code_id, fields: dict) -> dict:
        return self.send("PUT", f"/api/v3/account-codes/{code_id}/", fields, idempotent=True)

    def departments(self) -> Iterator[dict]:
        return self.paged("/api/v3/departments/")

    def locations(self) -> Iterator[dict]:
        """Locations; the published list wraps each one as `{metadata, data: [location]}`, which is unwrapped."""
        for row in self.paged("/api/v2/locations/"):
            if isinstance(row.get("data"), list):
                yield from row["data"]
            else:
                yield row
