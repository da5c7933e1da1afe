"""Contract-based REST operations on one entity: list, get by key or id, PUT, DELETE.

PUT updates the record found by ``id``, by ``$filter`` or by its key fields, and otherwise inserts it
(the server numbers documents). ``If-None-Match: *`` makes it insert-only and ``If-Match: *``
update-only; a conflict is 412. Checks that fail are a 422 whose body is the entity (the contract's
422 schema) with an ``error`` on each offending field and line. The 200 answer is the created or updated
record, as the contract's response says: every top-level field, plus the detail and linked entities the
request sent or ``$expand``ed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.http import HttpError, Request, Response
from ..core.store import Store
from . import records, rules
from .bills import Context
from .entities import Entity
from .odata import FilterError, compile_filter
from .render import View, links, render
from .schema import Contract, EntitySchema
from .values import http_error, no_entity, px_error, unwrap_fields, wrap

READ_ONLY = {"LastModifiedDateTime", "CreatedDateTime"}


@dataclass
class Call:
    request: Request
    store: Store
    config: dict
    entity: Entity
    contract: Contract
    site: str  # URL path up to and including /entity/{Endpoint}/{Version}
    now: str

    @property
    def schema(self) -> EntitySchema:
        return self.contract.entity(self.entity.name)

    @property
    def context(self) -> Context:
        return Context(self.store, self.config, self.now)

    def view(self) -> View:
        return View.parse(self.request.arg("$select"), self.request.arg("$expand"))

    def render(self, record: dict, view: View, row_number: int = 1) -> dict:
        out = render(self.contract, self.schema, record, view, row_number)
        if self.config["links_field"]:
            out["_links"] = links(record, self.entity.name, self.entity.screen, self.site)
        return out

    def bad_query(self, message: str) -> HttpError:
        """The contract declares no 400 on reads; a query Acumatica cannot run fails as a PXException."""
        return px_error(message, int(self.config["bad_query_status"]))

    def matching(self, text: str | None) -> list[dict]:
        rows = self.store.all(self.entity.name)
        if text:
            try:
                predicate = compile_filter(text, set(self.schema.scalars) | set(self.schema.linked))
            except FilterError as exc:
                raise self.bad_query(str(exc)) from exc
            rows = [row for row in rows if predicate(row)]
        return rows

    def int_arg(self, name: str) -> int | None:
        value = self.request.arg(name)
        if value is None:
            return None
        try:
            return max(0, int(value))
        except ValueError as exc:
            raise self.bad_query(f"The value of {name} is not valid.") from exc


def get_list(call: Call) -> Response:
    """List with $filter, then $skip before $top; no count, rows in key order."""
    rows = call.matching(call.request.arg("$filter"))
    rows.sort(key=lambda row: tuple(str(row.get(k, "")) for k in call.entity.keys))
    skip, top = call.int_arg("$skip") or 0, call.int_arg("$top")
    rows = rows[skip:] if top is None else rows[skip : skip + top]
    view = call.view()
    return Response.json([call.render(row, view, i) for i, row in enumerate(rows, 1)])


def get_one(call: Call, parts: list[str]) -> Response:
    record = records.by_path(call.store, call.entity, parts)
    if record is None:
        raise no_entity()
    return Response.json(call.render(record, call.view()))


def delete(call: Call, parts: list[str]) -> Response:
    record = records.by_path(call.store, call.entity, parts)
    if record is None:
        raise no_entity()
    call.store.delete(call.entity.name, record["id"])
    return Response.empty(204)


def locate(call: Call, fields: dict) -> dict | None:
    if fields.get("id"):
        record = call.store.get(call.entity.name, str(fields["id"]).lower())
        if record is None:
            raise no_entity()
        return record
    text = call.request.arg("$filter")
    if text:
        rows = call.matching(text)
        return rows[0] if rows else None
    return records.by_keys(call.store, call.entity, fields)


def put(call: Call) -> Response:
    body = call.request.json()
    if not isinstance(body, dict):
        raise http_error(400, "The request body must be an entity.")
    fields = unwrap_fields(body)
    record = locate(call, fields)
    if record is not None and call.request.header("if-none-match") == "*":
        raise http_error(412, "The entity already exists.")
    if record is None and call.request.header("if-match") == "*":
        raise http_error(412, "The entity does not exist.")
    _validate(call, body, fields, record)
    writable = call.schema.names() - READ_ONLY - set(call.entity.computed)
    inserted = record is None
    if inserted:
        record = records.insert(call.store, call.entity, fields, writable)
    else:
        guard = rules.GUARDS.get(call.entity.name)
        if guard:
            guard(record, fields)
        records.assign(call.entity, record, fields, writable)
    rules.settle(call.context, call.entity, record, inserted, "LastModifiedDateTime" in call.schema.scalars)
    view = call.view()
    view.expand |= {name for name in body if name in call.schema.details or name in call.schema.linked}
    return Response.json(call.render(record, view))


def _validate(call: Call, body: dict, fields: dict, record: dict | None) -> None:
    header, lines = rules.validate(call.context, call.entity, fields, record)
    if header or lines:
        raise HttpError(Response.json(_echo_errors(call, fields, header, lines), 422))


def _echo_errors(call: Call, fields: dict, header: dict, lines: dict) -> dict:
    """The sent entity, typed as the contract says, with an ``error`` on each offending field and line,
    and a summary in the entity's ``error``."""
    schema, detail = call.schema, call.entity.detail
    echo = {"id": str(fields.get("id") or records.new_id()), "rowNumber": 1, "note": wrap(fields.get("note") or "")}
    echo["custom"] = {}
    echo.update({name: wrap(fields.get(name), kind) for name, kind in schema.scalars.items() if name in fields})
    for name, message in header.items():
        echo[name] = {**echo.get(name, {}), "error": message}
    if detail and detail in fields:
        line_schema = call.contract.entity(schema.details[detail])
        echo[detail] = [_echo_line(line_schema, line, i, lines.get(i, {})) for i, line in enumerate(fields[detail])]
    messages = [f"{k}: {v}" for k, v in header.items()] + [
        f"{detail}[{i}].{k}: {v}" for i, errors in lines.items() for k, v in errors.items()
    ]
    echo["error"] = "; ".join(messages)
    return echo


def _echo_line(schema: EntitySchema, line: dict, index: int, errors: dict) -> dict:
    out = {"id": str(line.get("id") or records.new_id()), "rowNumber": index + 1, "note": wrap(""), "custom": {}}
    out.update({name: wrap(line.get(name), kind) for name, kind in schema.scalars.items() if name in line})
    for name, message in errors.items():
        out[name] = {**out.get(name, {}), "error": message}
    return out
