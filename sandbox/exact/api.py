"""The /api/v1 endpoints: current/Me, divisions, entity lists, keyed reads, navigation, writes.

Paths are ``/api/v1/current/Me`` or ``/api/v1/{division}/{service}/{Entity}[(key)[/{Navigation}]]``.
The division must be one the signed-in user may use. A method the reference does not list for an
endpoint is refused with 405.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.http import Request, Response
from . import writes
from .query import parse_selection, run
from .render import Renderer
from .resources import SERVED, Served
from .values import json_response, local_wallclock, odata_error

KEYED = re.compile(r"(?P<key>[\w/]+?)\((?P<id>[^)]*)\)(?:/(?P<nav>\w+))?")


@dataclass
class Call:
    sim: object  # the ExactSimulator (store, config, books, dispatcher)
    request: Request
    region: str
    user: dict
    client_id: str
    division: int
    renderer: Renderer

    @property
    def store(self):
        return self.sim.store

    @property
    def config(self) -> dict:
        return self.sim.config


def parse_key(raw: str):
    text = raw.strip()
    if text.startswith("guid'") and text.endswith("'"):
        return text[5:-1].lower()
    if text.isdigit():
        return int(text)
    raise odata_error(400, f"Invalid key: {raw}")


def route(rest: str) -> tuple[Served, object, str | None]:
    """'purchaseorder/PurchaseOrders(guid'..')/PurchaseOrderLines' -> (served, key, nav)."""
    if rest in SERVED:
        return SERVED[rest], None, None
    match = KEYED.fullmatch(rest)
    if not match or match["key"] not in SERVED:
        raise odata_error(404, "Resource not found")
    served = SERVED[match["key"]]
    if match["nav"] and match["nav"] not in served.lines:
        raise odata_error(404, "Resource not found")
    return served, parse_key(match["id"]), match["nav"]


def dispatch(call: Call, rest: str) -> Response:
    served, key, nav = route(rest)
    method = call.request.method
    if served.kind == "me":
        raise odata_error(404, "Resource not found")
    if method not in served.contract.methods or (key is None and method in ("PUT", "DELETE")):
        raise odata_error(405, f"The requested resource does not support http method '{method}'.")
    if method == "GET":
        if key is None:
            return _list(call, served, visible(call, served))
        return _lines(call, served, key, nav) if nav else _one(call, served, key)
    if key is not None and method == "POST" or key is None and method != "POST" or nav:
        raise odata_error(405, f"The requested resource does not support http method '{method}'.")
    handler = {"POST": writes.create, "PUT": writes.update, "DELETE": writes.remove}[method]
    return handler(call, served, key)


def visible(call: Call, served: Served) -> list[dict]:
    """The records of this endpoint in the call's division (divisions: those the user may use)."""
    if served.collection == "Divisions":
        mine = [call.store.get("Divisions", code) for code in call.user.get("divisions", [])]
        mine = [d for d in mine if d is not None]
        if served.key == "system/Divisions":
            here = call.store.get("Divisions", call.division) or {}
            mine = [d for d in mine if d.get("Customer") == here.get("Customer")]
        return [{**d, "Current": d["Code"] == call.user.get("CurrentDivision")} for d in mine]
    records = list(call.store.find(served.collection, Division=call.division))
    if served.collection == "WebhookSubscriptions":
        records = [r for r in records if r.get("ClientID") == call.client_id]
    return records


def _list(call: Call, served: Served, records: list[dict]) -> Response:
    return json_response(run(served, records, call.request, call.renderer, call.config))


def _one(call: Call, served: Served, key) -> Response:
    if served.kind != "normal":
        raise odata_error(404, "Resource not found")
    record = next((r for r in visible(call, served) if r["id"] == key), None)
    if record is None:
        raise odata_error(404, "Resource not found")
    selection = parse_selection(served, call.request, {**call.config, "select_required": []})
    row = call.renderer.row(served, record, selection)
    if call.config["keyed_get_shape"] == "results":
        return json_response({"d": {"results": [row]}})
    return json_response({"d": row})


def _lines(call: Call, served: Served, key, nav: str) -> Response:
    if call.store.get(served.collection, key) is None:
        raise odata_error(404, "Resource not found")
    line_key, foreign = served.lines[nav]
    line_served = SERVED[line_key]
    return _list(call, line_served, list(call.store.find(line_served.collection, **{foreign: key})))


def me(call: Call) -> Response:
    """GET /api/v1/current/Me: the user, CurrentDivision and the owner of that division, as a one-row list."""
    if call.request.method != "GET":
        raise odata_error(405, f"The requested resource does not support http method '{call.request.method}'.")
    user = call.user
    division = call.store.get("Divisions", user.get("CurrentDivision")) or {}
    now = call.sim.clock.now()
    offset = local_wallclock(now) - now.replace(tzinfo=None)
    row = {
        **user,
        "UserID": user["id"],
        "DivisionCustomer": division.get("Customer"),
        "DivisionCustomerCode": division.get("CustomerCode"),
        "DivisionCustomerName": division.get("CustomerName"),
        "DivisionCustomerVatNumber": division.get("VATNumber"),
        "ServerTime": local_wallclock(now).isoformat(timespec="seconds"),
        "ServerUtcOffset": int(offset.total_seconds()),
    }
    served = SERVED["current/Me"]
    selection = parse_selection(served, call.request, {**call.config, "select_required": []})
    return json_response({"d": {"results": [call.renderer.row(served, row, selection)]}})
