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

    def listed(self, path: str, **params) -> Iterator[dict]:
        """Every item of a list whose contract documents no paging parameters: one call, then `Link` next if any."""
        response = self.http.request("GET", path, params=params)
        while True:
            yield from response.json()
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return
            response = self.http.request("GET", next_url)

    def paged_v2(self, path: str, **params) -> Iterator[dict]:
        """Every item of a v2 list (`{"data": [...]}`), by `Link` next when sent, else page by page to a short one."""
        params.setdefault("per_page", 100)
        page = 1
        response = self.http.request("GET", path, params={**params, "page": page})
        while True:
            items = response.json().get("data") or []
            yield from items
            next_url = response.links.get("next", {}).get("url")
            if next_url:
                response = self.http.request("GET", next_url)
            elif response.links or len(items) < int(params["per_page"]):
                return
            else:
                page += 1
                response = self.http.request("GET", path, params={**params, "page": page})

    # --- company directory -------------------------------------------------------------------------------------
    def vendors(self, updated_range: str | None = None, origin_id: str | None = None, search: str | None = None):
        """Company vendors, optionally changed within `updated_range`, carrying one `origin_id`, or matching a
        search text (name, keywords, origin_code)."""
        params = {"company_id": self.company_id}
        for name, value in (("updated_at", updated_range), ("origin_id", origin_id), ("search", search)):
            if value:
                params[f"filters[{name}]"] = value
        return self.paged("/rest/v1.0/vendors", **params)

    def inactive_vendors(self) -> Iterator[dict]:
        """The company's inactive vendors, which have their own list."""
        return self.paged(f"/rest/v1.0/companies/{self.company_id}/vendors/inactive")

    def vendor(self, vendor_id) -> dict:
        return self.get(f"/rest/v1.0/vendors/{vendor_id}", company_id=self.company_id)

    def create_vendor(self, fields: dict) -> dict:
        """Not repeated on a lost answer: the caller looks the vendor up by origin_id first."""
        body = {"company_id": int(self.company_id), "vendor": fields}
        return self.http.request("POST", "/rest/v1.0/vendors", json=body).json()

    def sync_vendors(self, updates: list[dict]) -> dict:
        """The ERP write path: matched on id (or origin_id); always 200 with `entities` and `errors`."""
        body = {"company_id": int(self.company_id), "updates": updates}
        return self.http.request("PATCH", "/rest/v1.0/vendors/sync", json=body, idempotent=True).json()

    def standard_cost_code_lists(self) -> Iterator[dict]:
        return self.paged("/rest/v1.0/standard_cost_code_lists", company_id=self.company_id)

    def standard_cost_codes(self, list_id, origin_id: str | None = None) -> Iterator[dict]:
        params = {"company_id": self.company_id, "standard_cost_code_list_id": list_id}
        if origin_id:
            params["filters[origin_id]"] = origin_id
        return self.paged("/rest/v1.0/standard_cost_codes", **params)

    def standard_cost_code(self, list_id, code_id) -> dict:
        return self.get(
            f"/rest/v1.0/standard_cost_codes/{code_id}", company_id=self.company_id, standard_cost_code_list_id=list_id
        )

    def create_standard_cost_code(self, list_id, fields: dict) -> dict:
        body = {"company_id": int(self.company_id), "standard_cost_code_list_id": int(list_id)}
        body["standard_cost_code"] = fields
        return self.http.request("POST", "/rest/v1.0/standard_cost_codes", json=body).json()

    def sync_standard_cost_codes(self, list_id, updates: list[dict]) -> dict:
        """The ERP write path: always 200 with `entities` and `errors`."""
        body = {"company_id": int(self.company_id), "standard_cost_code_list_id": int(list_id), "updates": updates}
        return self.http.request("PATCH", "/rest/v1.0/standard_cost_codes/sync", json=body, idempotent=True).json()

    def cost_codes(self, project_id) -> Iterator[dict]:
        return self.paged("/rest/v1.0/cost_codes", project_id=project_id)

    def line_item_types(self, project_id, origin_id: str | None = None) -> Iterator[dict]:
        """Cost types (company-wide; the endpoint asks for a project as well), optionally carrying one origin_id."""
        params = {"company_id": self.company_id, "project_id": project_id}
        if origin_id:
            params["filters[origin_id]"] = origin_id
        return self.paged("/rest/v1.0/line_item_types", **params)

    def line_item_type(self, type_id) -> dict:
        return self.get(f"/rest/v1.0/line_item_types/{type_id}", company_id=self.company_id)

    def create_line_item_type(self, fields: dict) -> dict:
        """Not repeated on a lost answer: the caller looks the cost type up by origin_id first."""
        body = {"company_id": int(self.company_id), "line_item_type": fields}
        return self.http.request("POST", "/rest/v1.0/line_item_types", json=body).json()

    def sync_line_item_types(self, updates: list[dict]) -> dict:
        """The ERP write path: matched on id; always 200 with `entities` and `errors`."""
        body = {"company_id": int(self.company_id), "updates": updates}
        return self.http.request("PATCH", "/rest/v1.0/line_item_types/sync", json=body, idempotent=True).json()

    def requisitions(self, project_id, updated_range: str | None = None) -> Iterator[dict]:
        """Requisitions of one project with their items (v1.1 `view=items`: contract and change order items with
        this period's amounts), so a requisition needs no read of its own. In Procore's order (none documented)."""
        params = {"project_id": project_id, "view": "items"}
        if updated_range:
            params["filters[updated_at]"] = updated_range
        return self.paged("/rest/v1.1/requisitions", **params)

    def requisition(self, project_id, requisition_id) -> dict:
        """One requisition with its items (v1.1 `view=items`), as the list gives it."""
        return self.get(f"/rest/v1.1/requisitions/{requisition_id}", project_id=project_id, view="items")

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

    def update_direct_cost(self, project_id, direct_cost_id, fields: dict) -> dict:
        """Header fields only, through v1.0 (`{"item": ...}`): v1.1 would also take the line items."""
        path = f"/rest/v1.0/projects/{project_id}/direct_costs/{direct_cost_id}"
        return self.http.request("PATCH", path, json={"item": fields}, idempotent=True).json()

    def update_requisition(self, project_id, requisition_id, commitment_id, fields: dict) -> dict:
        body = {"project_id": int(project_id), "commitment_id": int(commitment_id), "requisition": fields}
        path = f"/rest/v1.0/requisitions/{requisition_id}"
        return self.http.request("PATCH", path, json=body, idempotent=True).json()

    # --- commitments -----------------------------------------------------------------------------------------------
    def contracts(self, kind: str, project_id, updated_range: str | None = None) -> Iterator[dict]:
        """Headers of one project's `work_order_contracts` or `purchase_order_contracts` (no line items)."""
        params = {"project_id": project_id}
        if updated_range:
            params["filters[updated_at]"] = updated_range
        return self.paged(f"/rest/v1.0/{kind}", **params)

    def contract(self, kind: str, project_id, contract_id) -> dict:
        """One contract with its line items and vendor."""
        return self.get(f"/rest/v1.0/{kind}/{contract_id}", project_id=project_id)

    def commitment_change_orders(self, project_id, updated_range: str | None = None) -> Iterator[dict]:
        """Commitment change orders of a project (of both contract kinds); the list documents no paging."""
        params = {"filters[updated_at]": updated_range} if updated_range else {}
        return self.listed(f"/rest/v1.0/projects/{project_id}/commitment_change_orders", **params)

    def commitment_change_order(self, project_id, change_order_id) -> dict:
        return self.get(f"/rest/v1.0/projects/{project_id}/commitment_change_orders/{change_order_id}")

    def contract_payments(self, project_id, contract_id) -> Iterator[dict]:
        return self.paged("/rest/v1.0/contract_payments", project_id=project_id, contract_id=contract_id)

    def create_contract_payment(self, project_id, contract_id, fields: dict) -> dict:
        """Not repeated on a lost answer: the caller looks payments up by origin_id first."""
        body = {"project_id": int(project_id), "contract_id": int(contract_id), "contract_payment": fields}
        return self.http.request("POST", "/rest/v1.0/contract_payments", json=body).json()

    # --- documents written to Procore (the ERP path: origin_id, then batch `sync`) ----------------------------------
    def contracts_with_origin(self, kind: str, project_id, origin_id: str) -> Iterator[dict]:
        """Contracts of one kind and project carrying `origin_id` (the filter may match loosely: callers compare)."""
        return self.paged(f"/rest/v1.0/{kind}", project_id=project_id, **{"filters[origin_id]": origin_id})

    def create_contract(self, kind: str, project_id, fields: dict) -> dict:
        """Not repeated on a lost answer: the caller looks the contract up by origin_id first."""
        body = {"project_id": int(project_id), kind.removesuffix("s"): fields}
        return self.http.request("POST", f"/rest/v1.0/{kind}", json=body).json()

    def sync_contracts(self, kind: str, project_id, updates: list[dict]) -> dict:
        """The ERP write path for contract headers, matched on origin_id; 200 with `entities` and `errors`."""
        body = {"project_id": int(project_id), "updates": updates}
        return self.http.request("PATCH", f"/rest/v1.0/{kind}/sync", json=body, idempotent=True).json()

    def contract_line_items(self, kind: str, project_id, contract_id) -> Iterator[dict]:
        return self.paged(f"/rest/v1.0/{kind}/{contract_id}/line_items", project_id=project_id)

    def sync_contract_line_items(self, kind: str, project_id, contract_id, updates: list[dict]) -> dict:
        """Lines created or updated by origin_id in one call (ordinary edits of a synced contract are locked)."""
        path = f"/rest/v1.0/{kind}/{contract_id}/line_items/sync"
        body = {"updates": updates}
        return self.http.request("PATCH", path, params={"project_id": project_id}, json=body, idempotent=True).json()

    def direct_costs_with(self, project_id, **filters) -> Iterator[dict]:
        """Direct cost headers of one project matching `filters` (e.g. origin_id=..., invoice_number=...)."""
        params = {f"filters[{name}]": value for name, value in filters.items()}
        return self.paged(f"/rest/v1.0/projects/{project_id}/direct_costs", **params)

    def create_direct_cost(self, project_id, fields: dict) -> dict:
        """The header only (v1.0 `item`); not repeated on a lost answer: the caller looks it up by origin_id."""
        path = f"/rest/v1.0/projects/{project_id}/direct_costs"
        return self.http.request("POST", path, json={"item": fields}).json()

    def sync_direct_costs(self, project_id, updates: list[dict]) -> dict:
        path = f"/rest/v1.0/projects/{project_id}/direct_costs/sync"
        return self.http.request("PATCH", path, json={"updates": updates}, idempotent=True).json()

    def sync_direct_cost_line_items(self, project_id, updates: list[dict]) -> dict:
        """Line items of the project's direct costs by origin_id; `amount` is a JSON number in this contract."""
        path = f"/rest/v1.0/projects/{project_id}/direct_costs/line_items/sync"
        return self.http.request("PATCH", path, json={"updates": updates}, idempotent=True).json()

    # --- webhooks (company hooks, v2.0 paths) ------------------------------------------------------------------------
    def hooks(self, namespace: str) -> Iterator[dict]:
        return self.paged_v2(f"/rest/v2.0/companies/{self.company_id}/webhooks/hooks", namespace=namespace)

    def create_hook(self, fields: dict) -> dict:
        path = f"/rest/v2.0/companies/{self.company_id}/webhooks/hooks"
        return self.http.request("POST", path, json=fields).json().get("data") or {}

    def update_hook(self, hook_id, fields: dict) -> dict:
        path = f"/rest/v2.0/companies/{self.company_id}/webhooks/hooks/{hook_id}"
        return self.http.request("PATCH", path, json=fields, idempotent=True).json().get("data") or {}

    def hook_triggers(self, hook_id) -> Iterator[dict]:
        return self.paged_v2(f"/rest/v2.0/companies/{self.company_id}/webhooks/hooks/{hook_id}/triggers")

    def create_triggers(self, hook_id, triggers: list[dict]) -> list[dict]:
        """Bulk create; a 207 carries the ones that were made, the others are found by the next listing."""
        path = f"/rest/v2.0/companies/{self.company_id}/webhooks/hooks/{hook_id}/triggers/bulk"
        return self.http.request("POST", path, json=triggers).json().get("data") or []

    def webhook_resources(self, payload_version: str) -> Iterator[dict]:
        path = f"/rest/v2.0/companies/{self.company_id}/webhooks/resources"
        return self.paged_v2(path, payload_version=payload_version)
