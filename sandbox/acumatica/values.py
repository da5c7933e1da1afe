"""Acumatica's JSON: value objects out, plain values in, and the HttpError body.

Every field is ``{"value": ...}``, an empty field is ``{}``; records carry the unwrapped system fields
``id``, ``rowNumber``, ``note``, ``custom`` and ``_links``. Details and linked entities appear only when
``$expand``ed; with ``$select`` only the selected fields appear.
"""

from __future__ import annotations

from ..core.http import HttpError, Response
from .entities import Entity

NO_ENTITY = "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException"
PX_EXCEPTION = "PX.Data.PXException"


def http_error(
    status: int, message: str, exception_type: str | None = None, exception_message: str | None = None
) -> HttpError:
    """Acumatica's HttpError body (message, exceptionMessage, exceptionType, stackTrace)."""
    body = {"message": message}
    if exception_type:
        body.update(
            exceptionMessage=exception_message or message,
            exceptionType=exception_type,
            stackTrace="   at PX.Api.ContractBased.EntityService.Process()",
        )
    return HttpError(Response.json(body, status))


def no_entity() -> HttpError:
    return http_error(500, "An error has occurred.", NO_ENTITY, "No entity satisfies the condition.")


def px_error(message: str) -> HttpError:
    return http_error(500, "An error has occurred.", PX_EXCEPTION, message)


def wrap(value) -> dict:
    return {} if value is None else {"value": value}


def unwrap_fields(body: dict) -> dict:
    """Plain field values from a request body (value objects, linked entities, detail lists)."""
    plain = {}
    for name, item in body.items():
        if name in ("id", "delete"):
            plain[name] = item
        elif isinstance(item, list):
            plain[name] = [unwrap_fields(line) for line in item if isinstance(line, dict)]
        elif isinstance(item, dict) and "value" in item:
            plain[name] = item["value"]
        elif isinstance(item, dict) and item and name not in ("custom", "_links", "note", "files"):
            plain[name] = unwrap_fields(item)
        elif name == "note" and isinstance(item, dict):
            plain["note"] = item.get("value")
    return plain


def _system(record: dict, row_number: int) -> dict:
    return {"id": record["id"], "rowNumber": row_number, "note": {"value": record.get("note") or ""}, "custom": {}}


def render_line(line: dict, fields: tuple[str, ...], row_number: int) -> dict:
    out = _system(line, row_number)
    out.update({name: wrap(line.get(name)) for name in fields})
    return out


def parse_select(select: str | None) -> tuple[set[str] | None, dict[str, set[str]]]:
    """'$select=Status,Details/Amount' -> ({'Status', 'Details'}, {'Details': {'Amount'}})."""
    if not select:
        return None, {}
    top, nested = set(), {}
    for item in (part.strip() for part in select.split(",")):
        head, _, rest = item.partition("/")
        top.add(head)
        if rest:
            nested.setdefault(head, set()).add(rest)
    return top, nested


def render(
    entity: Entity,
    record: dict,
    site: str,
    *,
    select: set[str] | None = None,
    nested: dict | None = None,
    expand: set[str] = frozenset(),
    row_number: int = 1,
) -> dict:
    """A stored record as the API returns it."""
    out = _system(record, row_number)
    for name in entity.all_fields():
        if select is None or name in select:
            out[name] = wrap(record.get(name))
    for name in entity.linked:
        if name in expand or (select and name in select):
            linked = record.get(name) or {}
            out[name] = {"id": record["id"], **{k: wrap(v) for k, v in linked.items()}}
    detail = entity.detail
    if detail and (detail in expand or (select and detail in select)):
        fields = tuple(f for f in entity.detail_fields if not (nested or {}).get(detail) or f in nested[detail])
        out[detail] = [render_line(line, fields, i) for i, line in enumerate(record.get(detail, []), 1)]
    out["_links"] = {
        "self": f"{site}/{entity.name}/{record['id']}",
        "files:put": f"{site}/files/{entity.screen}/{record['id']}/{{filename}}",
    }
    return out
