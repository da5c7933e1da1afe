"""QuickBooks fault bodies, exactly as recorded from the live service.

The standard envelope is ``{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type"}, "time"}``.
Two answers do not follow it: an expired or unknown access token (401) comes back with lower-case keys and a
numeric ``time`` (or as XML), and throttling (429) often comes back as XML whatever the Accept header says.
"""

from __future__ import annotations

import time
from xml.sax.saxutils import escape, quoteattr

from ..core.http import HttpError, Response
from .jsonio import respond

STALE_DETAIL = (
    "Stale Object Error : You and {user} were working on this at the same time. {user} finished before you did, "
    "so your work was not saved."
)
NOT_FOUND_DETAIL = (
    "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, "
    "customers, items, vendors or employees."
)
THROTTLE_DETAIL = "The request limit was reached.  Try again later"

#: the envelope ``time`` is filled in by the simulator when it answers (it knows the company's clock)
TIME_PLACEHOLDER = "__time__"


def error_item(code: str, message: str, detail: str, element: str | None = None) -> dict:
    item = {"Message": message, "Detail": detail, "code": str(code)}
    if element is not None:
        item["element"] = element
    return item


def fault(status: int, kind: str, code: str, message: str, detail: str, element: str | None = None) -> Response:
    """A one-error fault in the standard JSON envelope."""
    body = {"Fault": {"Error": [error_item(code, message, detail, element)], "type": kind}, "time": TIME_PLACEHOLDER}
    return respond(body, status)


def raise_fault(status: int, kind: str, code: str, message: str, detail: str, element: str | None = None):
    raise HttpError(fault(status, kind, code, message, detail, element))


def validation(code: str, message: str, detail: str, element: str | None = None):
    """Raise a 400 ValidationFault."""
    raise_fault(400, "ValidationFault", code, message, detail, element)


def stale(user: str) -> None:
    validation("5010", "Stale Object Error", STALE_DETAIL.format(user=user), "")


def not_found() -> None:
    validation("610", "Object Not Found", NOT_FOUND_DETAIL, "")


def required(name: str) -> None:
    validation(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {name} is missing in the request",
    )


def invalid_reference(field: str, value: str) -> None:
    validation("2500", "Invalid Reference Id", f"Invalid Reference Id : {field} {value} is not valid", field)


def business(detail: str) -> None:
    validation(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        "",
    )


def duplicate_name() -> None:
    validation("6240", "Duplicate Name Exists Error", "The name supplied already exists. : null")


def unsupported(path: str) -> None:
    validation("500", "Unsupported Operation", f"Operation {path} is not supported.")


def invalid_query(detail: str) -> None:
    validation("4001", "Invalid query", detail)


def unknown_property(name: str, entity: str) -> None:
    validation(
        "2010",
        "Request has invalid or unsupported property",
        f'Property Name:Unrecognized field "{name}" (class com.intuit.schema.finance.v3.{entity}), '
        "not marked as ignorable",
    )


def authentication(detail: str, as_xml: bool) -> Response:
    """401: the recorded body (lower-case keys, epoch-millisecond ``time``), or the XML variant."""
    if as_xml:
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse '
            'xmlns="http://schema.intuit.com/finance/v3"><Fault type="AuthenticationFault"><Error code="100">'
            "<Message>General Authentication Error</Message>"
            f"<Detail>{escape(detail)}</Detail></Error></Fault></IntuitResponse>"
        )
        return Response(401, xml.encode(), [("Content-Type", "application/xml")])
    error = {
        "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        "detail": detail,
        "code": "3200",
        "element": None,
    }
    body = {
        "warnings": None,
        "intuitObject": None,
        "fault": {"error": [error], "type": "AUTHENTICATION"},
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": int(time.time() * 1000),
        "status": None,
        "cdcresponse": [],
    }
    return Response(401, respond(body).body, [("Content-Type", "application/json")])


def authorization(detail: str) -> Response:
    """403 for a token of another company: AuthorizationFailed 003100 (body shape unconfirmed; standard envelope)."""
    body = {
        "Fault": {
            "Error": [error_item("3100", "message=AuthorizationFailed; errorCode=003100; statusCode=403", detail)],
            "type": "AUTHENTICATION",
        },
        "time": TIME_PLACEHOLDER,
    }
    return respond(body, 403)


def throttled(status: int, as_xml: bool, when: str) -> Response:
    """ThrottleExceeded 3001 in the recorded shape, as XML or JSON."""
    message = f"message=ThrottleExceeded; errorCode=003001; statusCode={status}"
    if as_xml:
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<IntuitResponse time={quoteattr(when)} xmlns="http://schema.intuit.com/finance/v3">'
            f'<Fault type="SERVICE"><Error code="3001"><Message>{escape(message)}</Message>'
            f"<Detail>{escape(THROTTLE_DETAIL)}</Detail></Error></Fault></IntuitResponse>"
        )
        return Response(status, xml.encode(), [("Content-Type", "application/xml")])
    body = {"Fault": {"Error": [error_item("3001", message, THROTTLE_DETAIL)], "type": "SERVICE"}, "time": when}
    return respond(body, status)
