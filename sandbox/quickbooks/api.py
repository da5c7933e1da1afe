"""The company-scoped API: ``/v3/company/{realmId}/<entity>[/<id>]``, ``/query`` and ``/cdc``.

Reads are ``GET <entity>/<id>``; ``POST <entity>`` creates, or updates when the body has an ``Id`` (a full update
unless ``"sparse": true``); ``POST <entity>?operation=delete`` with ``{Id, SyncToken}`` deletes a transaction.
Single records come back as ``{"<Entity>": {...}, "time": ...}``.
"""

from __future__ import annotations

from ..core.http import Request, Response
from . import cdc, faults, query
from .entities import lookup
from .jsonio import body_json, respond


def route(sim, realm: str, parts: list[str], request: Request) -> Response:
    method = request.method
    if parts == ["query"] and method in ("GET", "POST"):
        return run_query(sim, realm, request)
    if parts == ["cdc"] and method == "GET":
        return respond(cdc.changes(sim, realm, request.arg("entities"), request.arg("changedSince")))
    if len(parts) == 2 and parts[0] == "companyinfo" and method == "GET":
        return company_info(sim, realm, parts[1])
    entity = lookup(parts[0]) if parts else None
    if entity is not None and len(parts) == 1 and method == "POST":
        return write(sim, realm, entity, request)
    if entity is not None and len(parts) == 2 and method == "GET":
        return read(sim, realm, entity, parts[1])
    faults.unsupported(f"Operation Could not find resource for relative : {request.path}")


def envelope(sim, name: str, record: dict) -> Response:
    return respond({name: record, "time": sim.envelope_time()})


def read(sim, realm: str, entity, record_id: str) -> Response:
    if not record_id.isdigit():
        faults.validation("2030", "Invalid ID", f"Id should be a valid number. Supplied value:{record_id}", "Id")
    record = sim.books.get(entity, realm, record_id)
    if record is None:
        faults.not_found()
    return envelope(sim, entity.name, sim.books.render(record))


def write(sim, realm: str, entity, request: Request) -> Response:
    body = body_json(request)
    if not isinstance(body, dict):
        faults.required(entity.name)
    operation = (request.arg("operation") or "").lower()
    books = sim.books
    if operation == "delete":
        if not entity.is_txn:
            faults.unsupported(f"Operation delete is not supported for {entity.name}")
        record = books.delete(entity, realm, body)
        return envelope(sim, entity.name, books.stub(record, with_time=False))
    if operation not in ("", "create", "update"):
        faults.unsupported(f"Operation {operation} is not supported for {entity.name}")
    books.check_properties(entity, body)
    if body.get("Id"):
        sparse = body.get("sparse") in (True, "true")
        record = books.update(entity, realm, body, sparse=sparse)
    else:
        record = books.create(entity, realm, body)
    return envelope(sim, entity.name, books.render(record))


def run_query(sim, realm: str, request: Request) -> Response:
    text = request.arg("query")
    if text is None and request.method == "POST":
        text = request.body.decode("utf-8", "replace")
    statement = query.parse(text or "")
    records = sim.books.live(statement.entity, realm)
    result, start = query.run(statement, records, 1000, sim.config["query_max_results_over_limit"])
    if statement.count:
        return respond({"QueryResponse": {"totalCount": result}, "time": sim.envelope_time()})
    if not result:
        return respond({"QueryResponse": {}, "time": sim.envelope_time()})
    rows = [sim.books.render(record) for record in result]
    body = {statement.entity.name: rows, "startPosition": start, "maxResults": len(rows)}
    return respond({"QueryResponse": body, "time": sim.envelope_time()})


def company_info(sim, realm: str, record_id: str) -> Response:
    company = sim.store.get("companies", realm)
    if company is None or record_id != realm:
        faults.not_found()
    fields = {k: v for k, v in company.items() if k != "id" and not k.startswith("_")}
    info = {"domain": "QBO", "sparse": False, "Id": "1", "SyncToken": "0", **fields}
    return envelope(sim, "CompanyInfo", info)
