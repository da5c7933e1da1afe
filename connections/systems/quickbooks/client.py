"""QuickBooks Online accounting API client: one method per remote call, all through connections/http.py.

Paths are `/v3/company/{realmId}/...`; every call asks for JSON and minor version 75. Reads use the query language
(`SELECT * FROM Entity [WHERE ..] [ORDERBY ..] STARTPOSITION n MAXRESULTS m`, paged until a short or empty page)
or change data capture. Every create carries a `requestid` derived from our key: QuickBooks answers a repeated
requestid with the original response instead of doing the work again, so a create may be retried safely.
Updates send the record's `SyncToken`; a stale one answers fault 5010 (errors.StaleObject).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

from connections import errors
from connections.http import HttpClient
from connections.tokens import BearerTokenAuth

from .auth import fetch_token
from .consts import API_HOSTS, MAX_RESULTS, MINOR_VERSION
from .errors import fault_error
from .pacing import pace

#: Namespace of the requestids we derive (any fixed UUID: it only has to stay the same).
REQUEST_ID_NAMESPACE = uuid.UUID("5f0c7f3e-2b8a-4d59-9a51-0e6b1c2d3a47")


def request_id(*parts) -> str:
    """A requestid derived from our key (and whatever else makes the request distinct): 36 characters, so it also
    fits a batch item. The same parts always give the same id, so a replay after a lost answer is recognised."""
    return str(uuid.uuid5(REQUEST_ID_NAMESPACE, "\x1f".join(str(part) for part in parts)))


def quoted(value: str) -> str:
    """A string literal of the query language: single quotes, backslash escapes."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def query_time(when: dt.datetime) -> str:
    """A DateTime literal with its offset (UTC), as QuickBooks compares MetaData times."""
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def api_url(connection) -> str:
    return connection.settings.get("base_url") or API_HOSTS[connection.environment]


class QuickBooksClient:
    """Calls on behalf of one QuickBooks connection (one company, its realm)."""

    def __init__(self, connection):
        self.connection = connection
        self.realm = str(connection.settings.get("realm_id") or "")
        if not self.realm:
            raise errors.Permanent(f"{connection}: no QuickBooks company (realm id) yet: connect the company first")
        # MAXRESULTS of every query page: 1000 (the most QuickBooks answers) unless the connection sets fewer.
        self.page_size = min(int(connection.settings.get("page_size") or MAX_RESULTS), MAX_RESULTS)
        auth = BearerTokenAuth(connection, fetch_token, extra_headers={"Accept": "application/json"})
        self.http = HttpClient(connection, f"{api_url(connection)}/v3/company/{self.realm}", auth=auth)

    def _call(self, method: str, path: str, params: dict | None = None, **kwargs) -> dict:
        params = {**(params or {}), "minorversion": MINOR_VERSION}
        pace(self.realm)
        response = self.http.request(method, path, params=params, error_mapper=fault_error, **kwargs)
        return response.json()

    # --- reads ----------------------------------------------------------------------------------------------------
    def query(self, statement: str) -> dict:
        """One query statement -> its `QueryResponse` (an empty dict when nothing matches)."""
        return self._call("GET", "/query", {"query": statement}).get("QueryResponse") or {}

    def select(self, entity: str, where: str = "", order_by: str = "", page_size: int | None = None) -> Iterator[dict]:
        """Every row of `SELECT * FROM entity [WHERE where] [ORDERBY order_by]`, page by page."""
        page_size = page_size or self.page_size
        base = f"SELECT * FROM {entity}" + (f" WHERE {where}" if where else "")
        base += f" ORDERBY {order_by}" if order_by else ""
        start = 1
        while True:
            rows = self.query(f"{base} STARTPOSITION {start} MAXRESULTS {page_size}").get(entity) or []
            yield from rows
            if len(rows) < page_size:
                return
            start += len(rows)

    def read(self, entity: str, native_id: str) -> dict:
        """One record by Id (`GET /{entity}/{id}`)."""
        return self._call("GET", f"/{entity.lower()}/{native_id}")[entity]

    def cdc(self, entities: list[str], since: dt.datetime) -> dict[str, list[dict]]:
        """Change data capture: entity -> objects changed at or after `since` (deleted ones as stubs)."""
        params = {"entities": ",".join(entities), "changedSince": query_time(since)}
        body = self._call("GET", "/cdc", params)
        found: dict[str, list[dict]] = {name: [] for name in entities}
        for response in body.get("CDCResponse") or []:
            for block in response.get("QueryResponse") or []:
                for name, rows in (block or {}).items():
                    if name in found and isinstance(rows, list):
                        found[name].extend(rows)
        return found

    def company_info(self) -> dict:
        return self._call("GET", f"/companyinfo/{self.realm}")["CompanyInfo"]

    # --- writes ---------------------------------------------------------------------------------------------------
    def create(self, entity: str, body: dict, requestid: str) -> dict:
        """Create with a requestid: repeating it (after a lost answer) returns the original record, so it is retried
        like a read."""
        answer = self._call("POST", f"/{entity.lower()}", {"requestid": requestid}, json=body, idempotent=True)
        return answer[entity]

    def update(self, entity: str, body: dict, requestid: str) -> dict:
        """Sparse update of the fields in `body` (which carries Id and the SyncToken it was read with)."""
        answer = self._call(
            "POST", f"/{entity.lower()}", {"requestid": requestid}, json={**body, "sparse": True}, idempotent=True
        )
        return answer[entity]
