"""POST, PUT and DELETE on entity endpoints.

Bodies are checked against the reference: an unknown property is a 400; a property the reference does
not let the method set is ignored or refused (switch ``readonly_on_write``; Exact's behaviour is not
published). POST answers 201 with ``{"d": {...}}``, PUT and DELETE answer 204 with no body. Creating a
webhook subscription first POSTs an empty body to its callback, as Exact does.
"""

from __future__ import annotations

from ..core.http import Response
from .contract import Endpoint
from .render import Selection
from .resources import SERVED, Served
from .values import GUID, from_odata_date, json_response, odata_error
from .webhooks import handshake


def _clean(call, endpoint: Endpoint, body: dict, method: str, lines: dict) -> dict:
    """Body fields in stored form; lines (navigation properties) are cleaned with their own endpoint."""
    flag = "post" if method == "POST" else "put"
    fields = {}
    for name, value in body.items():
        prop = endpoint.by_name.get(name)
        if name == "__metadata":
            continue
        if prop is None:
            raise odata_error(400, f"The property '{name}' does not exist on {endpoint.key}")
        if name in lines:
            line_endpoint = SERVED[lines[name][0]].contract
            fields[name] = [_clean(call, line_endpoint, line, method, {}) for line in _results(value)]
            continue
        if not getattr(prop, flag) or (prop.key and method == "PUT"):
            if call.config["readonly_on_write"] == "error":
                raise odata_error(400, f"The property '{name}' cannot be set")
            continue
        fields[name] = _stored(prop.type, value)
    return fields


def _results(value) -> list:
    if isinstance(value, dict):
        value = value.get("results", [])
    if not isinstance(value, list):
        raise odata_error(400, "A line collection must be a list")
    return value


def _stored(edm: str, value):
    if value is None:
        return None
    if edm == "Edm.DateTime":
        return from_odata_date(value)
    if edm == "Edm.Guid":
        if not GUID.match(str(value)):
            raise odata_error(400, f"Invalid guid: {value}")
        return str(value).lower()
    if edm in ("Edm.Double", "Edm.Decimal"):
        return str(value)
    return value


def _body(call) -> dict:
    body = call.request.json()
    if not isinstance(body, dict):
        raise odata_error(400, "The request body must be a JSON object")
    return body


#: properties a POST must carry (Exact's own mandatory-field rules are per endpoint; these are the obvious ones)
REQUIRED = {
    "PurchaseOrders": ("Supplier", "PurchaseOrderLines"),
    "PurchaseOrderLines": ("PurchaseOrderID",),
    "PurchaseEntries": ("Supplier",),
    "PurchaseEntryLines": ("EntryID", "GLAccount"),
    "Accounts": ("Name",),
    "GLAccounts": ("Code", "Description"),
    "Costcenters": ("Code", "Description"),
    "Costunits": ("Code", "Description"),
    "Projects": ("Code", "Description"),
    "WebhookSubscriptions": ("CallbackURL", "Topic"),
}


def create(call, served: Served, key) -> Response:
    fields = _clean(call, served.contract, _body(call), "POST", served.lines)
    for name in REQUIRED.get(served.collection, ()):
        if fields.get(name) in (None, "", []):
            raise odata_error(400, f"Mandatory: {name}")
    fields["Division"] = call.division
    if served.parent and call.store.get(SERVED[served.parent[0]].collection, fields[served.parent[1]]) is None:
        raise odata_error(400, f"{served.parent[1]}: not found")
    if served.collection == "WebhookSubscriptions":
        _subscribe_checks(call, fields)
    if "Supplier" in fields and call.store.get("Accounts", fields["Supplier"]) is None:
        raise odata_error(400, "Supplier: not found")
    record = call.sim.books.save(served.collection, fields, call.user)
    row = call.renderer.row(served, record, Selection(expand=frozenset(served.lines)))
    return json_response({"d": row}, 201)


def _subscribe_checks(call, fields: dict) -> None:
    config = call.config
    url = str(fields.get("CallbackURL") or "")
    if fields.get("Topic") not in config["webhook_topics"]:
        raise odata_error(400, f"Invalid topic: {fields.get('Topic')}")
    if not url.startswith("https://") and not (config["webhook_allow_http"] and url.startswith("http://")):
        raise odata_error(400, "Invalid: CallbackURL must use https")
    if config["webhook_handshake"]:
        status = handshake(url, config["webhook_timeout"])
        if status is None or not 200 <= status < 300:
            raise odata_error(500, f"Invalid: Post to callback URL endpoint returns {status or 'no answer'}")
    fields["ClientID"] = call.client_id
    fields["Description"] = (call.store.get("clients", call.client_id) or {}).get("name")
    fields["_base_url"] = call.request.base_url


def update(call, served: Served, key) -> Response:
    record = call.store.get(served.collection, key)
    if record is None or record.get("Division") != call.division:
        raise odata_error(404, "Resource not found")
    fields = _clean(call, served.contract, _body(call), "PUT", served.lines)
    fields[served.contract.key_prop.name] = key
    call.sim.books.save(served.collection, fields, call.user)
    return Response.empty(204)


def remove(call, served: Served, key) -> Response:
    record = call.store.get(served.collection, key)
    if record is None or record.get("Division") != call.division:
        raise odata_error(404, "Resource not found")
    call.sim.books.delete(served.collection, key, call.user)
    return Response.empty(204)
