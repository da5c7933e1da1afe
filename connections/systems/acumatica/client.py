"""Acumatica contract-based REST client: one method per remote call, all through connections/http.py.

URLs are `{instance}/entity/Default/{version}/{Entity}`; the tenant is chosen by the OAuth client id
(`<GUID>@<Tenant>`). Tokens come from the resource-owner password grant with `offline_access`, last an hour, and
are refreshed with single-use, rotating refresh tokens (the newest is stored before use). A wrong endpoint version
answers 404; we say "endpoint version mismatch" and list the versions the instance offers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from connections import errors
from connections.http import HttpClient
from connections.tokens import BearerTokenAuth, InvalidGrant, TokenGrant

log = logging.getLogger("connections.acumatica")

ENDPOINT = "Default"
PAGE_SIZE = 200


def fetch_token(connection, token_state: dict) -> TokenGrant:
    """Refresh with the stored refresh token; fall back to the password grant when it is missing or spent."""
    refresh_token = token_state.get("refresh_token")
    if refresh_token:
        try:
            return _token_request(connection, {"grant_type": "refresh_token", "refresh_token": refresh_token})
        except InvalidGrant:
            pass  # spent or expired chain: sign in again with the stored user credentials
        except errors.OutcomeUnknown:
            # The answer was lost after Acumatica may have spent the refresh token: the new one never reached us,
            # and trying the old one again could only fail. A password grant starts a new chain at once.
            log.warning("Connection %s: the answer to a token refresh was lost; signing in again", connection.pk)
    secrets = connection.secrets
    return _token_request(
        connection,
        {
            "grant_type": "password",
            "username": secrets.get("username", ""),
            "password": secrets.get("password", ""),
            "scope": "api offline_access",
        },
    )


def _token_request(connection, grant: dict) -> TokenGrant:
    secrets = connection.secrets
    http = HttpClient(connection, connection.settings["instance_url"])
    form = {
        **grant,
        "client_id": f"{secrets.get('client_id', '')}@{connection.settings['tenant_name']}",
        "client_secret": secrets.get("client_secret", ""),
    }
    try:
        # Not retried: a refresh token is single-use, so a repeated request could burn the new one.
        response = http.request("POST", "/identity/connect/token", data=form, idempotent=False)
    except (errors.ValidationFailed, errors.AuthExpired, errors.Permanent) as exc:
        raise InvalidGrant(
            f"Acumatica refused the {grant['grant_type']} grant ({exc.status}: {exc.body[:200]})"
        ) from exc
    body = response.json()
    return TokenGrant(body["access_token"], int(body.get("expires_in", 3600)), body.get("refresh_token"))


def odata_literal(value: str) -> str:
    """A quoted OData v3 string literal."""
    return "'" + str(value).replace("'", "''") + "'"


class AcumaticaClient:
    """Calls on behalf of one Acumatica connection."""

    def __init__(self, connection):
        self.connection = connection
        self.version = connection.settings["endpoint_version"]
        self.base = f"/entity/{ENDPOINT}/{self.version}"
        self.http = HttpClient(
            connection, connection.settings["instance_url"], auth=BearerTokenAuth(connection, fetch_token)
        )

    def request(self, method: str, path: str, **kwargs):
        try:
            return self.http.request(method, f"{self.base}/{path.lstrip('/')}", **kwargs)
        except errors.NotFound as exc:
            if self._version_missing():
                raise errors.Permanent(
                    f"Acumatica endpoint version mismatch: {ENDPOINT}/{self.version} is not offered by this instance "
                    f"(it offers {', '.join(self.versions()) or 'none'}). Fix the connection's endpoint version.",
                    status=404,
                ) from exc
            raise

    def versions(self) -> list[str]:
        """Endpoint versions the instance offers (`GET /entity`)."""
        body = self.http.request("GET", "/entity").json()
        return [e["version"] for e in body.get("endpoints", []) if e.get("name") == ENDPOINT]

    def _version_missing(self) -> bool:
        try:
            return self.version not in self.versions()
        except errors.ApiError:
            return False

    def list(
        self,
        entity: str,
        *,
        filter: str | None = None,
        select: str | None = None,
        expand: str | None = None,
        patience: float | None = None,
    ) -> Iterator[dict]:
        """Every record of an entity, paged with $skip/$top until a short page (there is no count).
        `patience`: see HttpClient.request."""
        skip = 0
        while True:
            params = {"$top": PAGE_SIZE, "$skip": skip}
            for key, value in (("$filter", filter), ("$select", select), ("$expand", expand)):
                if value:
                    params[key] = value
            rows = self.request("GET", entity, params=params, patience=patience).json()
            yield from rows
            if len(rows) < PAGE_SIZE:
                return
            skip += PAGE_SIZE

    def find_bills(self, doc_type: str, vendor_id: str, vendor_ref: str) -> list[dict]:
        """Bills (or adjustments) of this type, vendor and vendor reference, with their notes."""
        flt = (
            f"Type eq {odata_literal(doc_type)} and Vendor eq {odata_literal(vendor_id)} "
            f"and VendorRef eq {odata_literal(vendor_ref)}"
        )
        return list(self.list("Bill", filter=flt))  # no $select: the `note` system field must come back

    def find_many_bills(self, business_keys: list[tuple[str, str, str]], patience: float | None = None) -> list[dict]:
        """Bills of any of these (type, vendor, vendor reference), with their notes: one `$filter` for them all."""
        flt = " or ".join(
            f"(Type eq {odata_literal(kind)} and Vendor eq {odata_literal(vendor)} "
            f"and VendorRef eq {odata_literal(reference)})"
            for kind, vendor, reference in business_keys
        )
        return list(self.list("Bill", filter=flt, patience=patience)) if flt else []

    def get_bill(self, doc_type: str, reference_nbr: str, expand: str = "Details") -> dict:
        """One bill by its keys, read through a filter so no document type has to be spelled in a URL path."""
        flt = f"Type eq {odata_literal(doc_type)} and ReferenceNbr eq {odata_literal(reference_nbr)}"
        rows = list(self.list("Bill", filter=flt, expand=expand or None))
        if not rows:
            raise errors.NotFound(f"Acumatica has no {doc_type} {reference_nbr}", status=404)
        return rows[0]

    def put_bill(self, body: dict, *, insert_only: bool, idempotent: bool = False) -> dict:
        """Create (`If-None-Match: *`) or update (`If-Match: *`) a bill; 412 means the other case holds.

        An insert is never repeated blindly (the server numbers it); an update is repeatable only when it inserts
        no line, which the caller knows.
        """
        return self.put("Bill", body, insert_only=insert_only, idempotent=idempotent, expand="Details")

    def rows(self, entity: str, filter: str, expand: str | None = None) -> list[dict]:
        """The records of `entity` matching a `$filter`, whole (with `note`), optionally with details expanded."""
        return list(self.list(entity, filter=filter, expand=expand))

    def put(self, entity: str, body: dict, *, insert_only: bool, idempotent: bool = False, expand: str = "") -> dict:
        """Create (`If-None-Match: *`) or update (`If-Match: *`) one record; 412 means the other case holds."""
        headers = {"If-None-Match": "*"} if insert_only else {"If-Match": "*"}
        params = {"$expand": expand} if expand else None
        return self.request("PUT", entity, json=body, headers=headers, params=params, idempotent=idempotent).json()

    def branches(self) -> list[dict]:
        """Branches of the tenant, from the CompaniesStructure inquiry (the Default endpoint has no Branch entity).

        An inquiry is read by PUTting an empty record and expanding its results; nothing is saved.
        """
        body = self.request("PUT", "CompaniesStructure", json={}, params={"$expand": "Results"}, idempotent=True)
        return body.json().get("Results") or []


def value_of(row: dict, field: str):
    """Unwrap one `{"value": ...}` field of a record."""
    return (row.get(field) or {}).get("value")
