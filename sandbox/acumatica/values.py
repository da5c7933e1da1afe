"""Acumatica's JSON: value objects out, plain values in, and the HttpError body.

Every field is ``{"value": ...}`` typed as its contract says (DecimalValue a number, BooleanValue a
boolean...), an empty field is ``{}``. Money is kept as Decimal and becomes a JSON number only here, on
the way out, because the contract types it ``number``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from ..core.http import HttpError, Response

NO_ENTITY = "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException"
PX_EXCEPTION = "PX.Data.PXException"
CENT = Decimal("0.01")
NUMBER_TYPES = ("DecimalValue", "DoubleValue")
INTEGER_TYPES = ("IntValue", "ShortValue", "LongValue", "ByteValue")


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


def px_error(message: str, status: int = 500) -> HttpError:
    return http_error(status, "An error has occurred.", PX_EXCEPTION, message)


def money(value) -> Decimal:
    """A stored or sent amount as Decimal (JSON numbers arrive as floats; their shortest text is exact)."""
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def cents(value) -> Decimal:
    return money(value).quantize(CENT)


def typed(value, kind: str):
    """A stored value as the JSON the contract types it (None stays None)."""
    if value is None:
        return None
    if kind in NUMBER_TYPES:
        return float(money(value))  # the wire type is a JSON number; the store keeps Decimal
    if kind in INTEGER_TYPES:
        return int(money(value))
    if kind == "BooleanValue":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if isinstance(value, datetime):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)


def wrap(value, kind: str = "StringValue") -> dict:
    value = typed(value, kind)
    return {} if value is None else {"value": value}


def unwrap_fields(body: dict) -> dict:
    """Plain field values from a request body (value objects, linked entities, detail lists)."""
    plain = {}
    for name, item in body.items():
        if name in ("id", "delete"):
            plain[name] = item
        elif name == "note":
            plain["note"] = item.get("value") if isinstance(item, dict) else item
        elif name in ("custom", "_links", "files", "rowNumber", "error"):
            continue
        elif isinstance(item, list):
            plain[name] = [unwrap_fields(line) for line in item if isinstance(line, dict)]
        elif isinstance(item, dict) and "value" in item:
            plain[name] = item["value"]
        elif isinstance(item, dict) and item:
            plain[name] = unwrap_fields(item)
    return plain
