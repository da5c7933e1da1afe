"""Contract-based REST operations on one entity: list, get by key, PUT/PATCH, DELETE.

PUT updates the record found by ``id``, by key fields or by ``$filter``, and otherwise inserts it (the
server numbers Bills). ``If-None-Match: *`` makes it insert-only and ``If-Match: *`` update-only; a
conflict is 412. Reference errors are 422 with the sent entity echoed and an ``error`` on each bad
field. The reply holds the sent fields (plus keys and any ``$select``ed ones), not the whole record.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.http import HttpError, Request, Response
from ..core.store import Store
from . import bills, records
from .entities import Entity
from .odata import compile_filter
from .values import http_error, no_entity, parse_select, render, unwrap_fields


@dataclass
class Call:
    request: Request
    store: Store
    config: dict
    entity: Entity
    site: str  # URL path up to and including /entity/{Endpoint}/{Version}
    now: str

    def render(self, record: dict, row_number: int = 1, select=None, nested=None) -> dict:
        expand = {item.strip() for item in (self.request.arg("$expand") or "").split(",") if item.strip()}
        if select is None:
            select, nested = parse_select(self.request.arg("$select"))
        return render(
            self.entity, record, self.site, select=select, nested=nested, expand=expand, row_number=row_number
        )

    def matching(self, text: str | None) -> list[dict]:
        rows = self.store.all(self.entity.name)
        if text:
            fields = set(self.entity.all_fields()) | set(self.entity.linked)
            predicate = compile_filter(text, fields)
            rows = [row for row in rows if predicate(row)]
        return rows


def _int_arg(request: Request, name: str) -> int | None:
    value = request.arg(name)
    if value is None:
        return None
    try:
        return max(0, int(value))
    except ValueError as exc:
        raise http_error(400, f"The value of {name} is not valid.") from exc


def get_list(call: Call) -> Response:
    """List with $filter, then $skip before $top; no count, no ordering guarantees beyond the keys."""
    rows = call.matching(call.request.arg("$filter"))
    rows.sort(key=lambda row: tuple(str(row.get(k, "")) for k in call.entity.keys))
    skip, top = _int_arg(call.request, "$skip") or 0, _int_arg(call.request, "$top")
    rows = rows[skip:] if top is None else rows[skip : skip + top]
    return Response.json([call.render(row, i) for i, row in enumerate(rows, 1)])


def get_one(call: Call, parts: list[str]) -> Response:
    record = records.by_path(call.store, call.entity, parts)
    if record is None:
        raise no_entity()
    return Response.json(call.render(record))


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


def put(call: Call, update_only: bool = False) -> Response:
    body = call.request.json()
    if not isinstance(body, dict):
        raise http_error(400, "The request body must be an entity.")
    fields = unwrap_fields(body)
    record = locate(call, fields)
    if record is not None and call.request.header("if-none-match") == "*":
        raise http_error(412, "The entity already exists.")
    if record is None and (call.request.header("if-match") == "*" or update_only):
        raise http_error(404 if update_only else 412, "The entity does not exist.")
    _validate(call, body, fields, record)
    inserted = record is None
    if inserted:
        record = records.insert(call.store, call.entity, fields)
    else:
        if call.entity.name in bills.SETTLERS:
            bills.guard_released(record, fields)
        records.assign(call.entity, record, fields)
    settle(call.entity, record, call.config, call.now, inserted)
    return Response.json(_reply(call, record, fields))


def settle(entity: Entity, record: dict, config: dict, now: str, inserted: bool) -> None:
    """Entity rules after a write, then the LastModifiedDateTime bump."""
    settler = bills.SETTLERS.get(entity.name)
    if settler:
        settler(record, now, config, inserted)
    if entity.tracked:
        record["LastModifiedDateTime"] = now


def _validate(call: Call, body: dict, fields: dict, record: dict | None) -> None:
    validator = bills.VALIDATORS.get(call.entity.name)
    header, lines = validator(call.store, fields, record) if validator else ({}, {})
    if record is None and not call.entity.numbered:
        header.update({k: f"'{k}' cannot be empty." for k in call.entity.keys if not fields.get(k)})
    if header or lines:
        raise HttpError(Response.json(_echo_errors(body, header, lines, call.entity.detail), 422))


def _echo_errors(body: dict, header: dict, lines: dict, detail: str | None) -> dict:
    """The sent entity with an ``error`` on each offending field (and lines), plus a summary."""
    echo = {key: (dict(value) if isinstance(value, dict) else value) for key, value in body.items()}
    for field, message in header.items():
        echo[field] = {**(echo.get(field) or {}), "error": message}
    sent_lines = [dict(line) for line in body.get(detail) or []] if detail else []
    for index, errors in lines.items():
        for field, message in errors.items():
            sent_lines[index][field] = {**(sent_lines[index].get(field) or {}), "error": message}
    if detail and detail in body:
        echo[detail] = sent_lines
    messages = [f"{k}: {v}" for k, v in header.items()] + [
        f"{detail}[{i}].{k}: {v}" for i, errors in lines.items() for k, v in errors.items()
    ]
    echo["error"] = "; ".join(messages)
    return echo


def _reply(call: Call, record: dict, fields: dict) -> dict:
    selected, nested = parse_select(call.request.arg("$select"))
    select = set(fields) | set(call.entity.keys) | (selected or set())
    return call.render(record, select=select, nested=nested)
