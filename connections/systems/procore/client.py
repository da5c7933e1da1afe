"""Procore REST client: one method per remote call, all through connections/http.py.

Authentication is OAuth client credentials on the separate login host; tokens last 5400 s, carry no refresh
token, and are simply requested again before they expire. Every call sends `Procore-Company-Id`. Lists are paged
with `page`/`per_page` and followed through the `Link` header's `next` URL until there is none.
"""

from __future__ import annotations

from collections.abc import Iterator

from connections import errors
from connections.http import HttpClient
from connections.tokens import BearerTokenAuth, InvalidGrant, TokenGrant

from .consts import HOSTS, PER_PAGE


def fetch_token(connection, token_state: dict) -> TokenGrant:
    """Client-credentials grant (form-encoded); there is no refresh token, so always a new grant."""
    login = HttpClient(connection, login_url(connection))
    try:
        response = login.request(
            "POST",
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": connection.secrets.get("client_id", ""),
                "client_secret": connection.secrets.get("client_secret", ""),
            },
            idempotent=True,  # asking twice only yields two valid tokens
        )
    except (errors.AuthExpired, errors.ValidationFailed, errors.Permanent) as exc:
        raise InvalidGrant(f"Procore refused the client credentials ({exc.status})") from exc
    body = response.json()
    return TokenGrant(access_token=body["access_token"], expires_in=int(body.get("expires_in", 5400)))


def api_url(connection) -> str:
    return connection.settings.get("base_url") or HOSTS[connection.environment][0]


def login_url(connection) -> str:
    return connection.settings.get("login_url") or HOSTS[connection.environment][1]


class ProcoreClient:
    """Calls on behalf of one Procore connection (one company)."""

    def __init__(self, connection):
        self.connection = connection
        self.company_id = str(connection.settings["company_id"])
        auth = BearerTokenAuth(connection, fetch_token, extra_headers={"Procore-Company-Id": self.company_id})
        self.http = HttpClient(connection, api_url(connection), auth=auth)

    def get(self, path: str, **params):
        """GET one resource."""
        return self.http.request("GET", path, params=params).json()

    def paged(self, path: str, **params) -> Iterator[dict]:
        """Every item of a list, following `Link: rel="next"` (absolute URLs that keep our filters)."""
        params.setdefault("per_page", PER_PAGE)
        response = self.http.request("GET", path, params=params)
        while True:
            yield from response.json()
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return
            response = self.http.request("GET", next_url)

    def projects(self) -> Iterator[dict]:
        """Active projects of the company (Procore's default)."""
        return self.paged("/rest/v1.0/projects", company_id=self.company_id)

    def vendors(self) -> Iterator[dict]:
        return self.paged("/rest/v1.0/vendors", company_id=self.company_id)

    def cost_codes(self, project_id) -> Iterator[dict]:
        return self.paged("/rest/v1.0/cost_codes", project_id=project_id)

    def line_item_types(self, project_id) -> Iterator[dict]:
        """Cost types (company-wide; the endpoint asks for a project as well)."""
        return self.paged("/rest/v1.0/line_item_types", company_id=self.company_id, project_id=project_id)

    def requisitions(self, project_id, updated_range: str | None = None) -> Iterator[dict]:
        """Requisition headers of one project. The list has no documented sort: it comes in Procore's order."""
        params = {"project_id": project_id}
        if updated_range:
            params["filters[updated_at]"] = updated_range
        return self.paged("/rest/v1.0/requisitions", **params)

    def requisition(self, project_id, requisition_id) -> dict:
        return self.get(f"/rest/v1.0/requisitions/{requisition_id}", project_id=project_id)

    def requisition_detail(self, project_id, requisition_id) -> list[dict]:
        """The requisition's detail lines (contract, change order and detail items), an array with no header."""
        return self.get(f"/rest/v1.0/requisitions/{requisition_id}/detail", project_id=project_id)

    def requisition_contract_items(self, project_id, requisition_id) -> Iterator[dict]:
        """Contract items of the requisition, each naming the commitment line it bills (`line_item_id`)."""
        return self.paged(f"/rest/v1.0/requisitions/{requisition_id}/contract_items", project_id=project_id)

    def commitment(self, project_id, commitment_id, commitment_type: str = "") -> dict:
        """A work order contract or a purchase order contract, with its line items and vendor."""
        kinds = ["work_order_contracts", "purchase_order_contracts"]
        if "purchase" in commitment_type.lower():
            kinds.reverse()
        try:
            return self.get(f"/rest/v1.0/{kinds[0]}/{commitment_id}", project_id=project_id)
        except errors.NotFound:
            return self.get(f"/rest/v1.0/{kinds[1]}/{commitment_id}", project_id=project_id)

    def direct_costs(self, project_id, updated_range: str | None = None) -> Iterator[dict]:
        """Direct cost headers of one project (no line items in the list)."""
        params = {}
        if updated_range:
            params["filters[updated_at]"] = updated_range
        return self.paged(f"/rest/v1.0/projects/{project_id}/direct_costs", **params)

    def direct_cost(self, project_id, direct_cost_id) -> dict:
        """A direct cost with its line items: only the v1.1 show embeds them."""
        return self.get(f"/rest/v1.1/projects/{project_id}/direct_costs/{direct_cost_id}")
