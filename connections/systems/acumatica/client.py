"""Acumatica contract-based REST client: one method per remote call, all through connections/http.py.

URLs are `{instance}/entity/Default/{version}/{Entity}`; the tenant is chosen by the OAuth client id
(`<GUID>@<Tenant>`). Tokens come from the resource-owner password grant with `offline_access`, last an hour, and
are refreshed with single-use, rotating refresh tokens (the newest is stored before use). A wrong endpoint version
answers 404; we say "endpoint version mismatch" and list the versions the instance offers.
"""

from __future__ import annotations

from collections.abc import Iterator

from connections import errors
from connections.http import HttpClient
from connections.tokens import BearerTokenAuth, InvalidGrant, TokenGrant

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
        self, entity: str, *, filter: str | None = None, select: str | None = None, expand: str | None = None
    ) -> Iterator[dict]:
        """Every record of an entity, paged with $skip/$top until a short page (there is no count)."""
        skip = 0
        while True:
            params = {"$top": PAGE_SIZE, "$skip": skip}
            for key, value in (("$filter", filter), ("$select", select), ("$expand", expand)):
                if value:
                    params[key] = value
            rows = self.request("GET", entity, params=params).json()
            yield from rows
            if len(rows) < PAGE_SIZE:
                return
            skip += PAGE_SIZE

    def find_bill(self, vendor_id: str, vendor_ref: str) -> dict | None:
        """The bill of this vendor with this vendor reference, if one exists."""
        flt = f"Vendor eq {odata_literal(vendor_id)} and VendorRef eq {odata_literal(vendor_ref)}"
        rows = list(self.list("Bill", filter=flt, select="Type,ReferenceNbr,Status,VendorRef,Vendor"))
        return rows[0] if rows else None

    def get_bill(self, doc_type: str, reference_nbr: str, expand: str = "Details") -> dict:
        return self.request("GET", f"Bill/{doc_type}/{reference_nbr}", params={"$expand": expand}).json()

    def put_bill(self, body: dict, *, insert_only: bool) -> dict:
        """Create (`If-None-Match: *`) or update (`If-Match: *`) a bill; 412 means the other case holds."""
        headers = {"If-None-Match": "*"} if insert_only else {"If-Match": "*"}
        # An update by keys is idempotent; an insert is not (it auto-numbers), so it is never blindly retried.
        return self.request(
            "PUT", "Bill", json=body, headers=headers, params={"$expand": "Details"}, idempotent=not insert_only
        ).json()
