"""Acumatica push notifications: verified by their static header, turned into hints.

A push notification is configured in Acumatica over a generic inquiry; its only protection is one header (name and
value chosen there) holding a shared secret, compared here in constant time. The body is
`{"Inserted": [rows], "Deleted": [rows], "Query": <inquiry>, "Id": <delivery id>, ...}` with flat inquiry columns.
Which inquiry feeds which entity, and by which column, is connection configuration (`push_queries`:
`Inquiry=entity[:Column]`, comma-separated); the defaults below are used when it is blank.
"""

from __future__ import annotations

import hmac
import json

from connections.systems.base import WebhookHint

DEFAULT_HEADER = "X-Push-Secret"
DEFAULT_QUERIES = "MLC-Bills=payment_status, MLC-Vendors=vendor, MLC-CostCodes=cost_code"
#: entity -> the inquiry columns that may hold its key, in order of preference
KEY_COLUMNS = {
    "payment_status": ("ReferenceNbr", "RefNbr", "DocumentRefNbr"),
    "vendor": ("VendorID", "AcctCD", "Vendor"),
    "cost_code": ("CostCodeID", "CostCode"),
    "commitment": ("OrderNbr",),
}


def verify(connection, headers: dict) -> bool:
    name = (connection.settings.get("push_header_name") or DEFAULT_HEADER).lower()
    secrets = connection.secrets
    expected = secrets.get("push_header_value") or secrets.get("webhook_secret") or ""
    given = next((str(val) for key, val in headers.items() if str(key).lower() == name), "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def payload_of(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"the push notification is not JSON: {exc}") from exc
    if not isinstance(payload, dict) or not payload.get("Query") or not payload.get("Id"):
        raise ValueError("not an Acumatica push notification (Query and Id are required)")
    if not isinstance(payload.get("Inserted") or [], list) or not isinstance(payload.get("Deleted") or [], list):
        raise ValueError("the push notification's Inserted and Deleted must be lists")
    return payload


def event_id(body: bytes) -> str:
    return str(payload_of(body)["Id"])


def queries(connection) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Inquiry name -> (entity, key columns), from `push_queries` or the defaults."""
    mapping = {}
    for part in (connection.settings.get("push_queries") or DEFAULT_QUERIES).split(","):
        query, _, target = part.partition("=")
        entity, _, column = target.strip().partition(":")
        if query.strip() and entity:
            mapping[query.strip()] = (entity, (column,) if column else KEY_COLUMNS.get(entity, ()))
    return mapping


def hints(connection, body: bytes) -> list[WebhookHint]:
    """One hint per record in `Inserted` (a new row, or the new side of an update); removals give none."""
    payload = payload_of(body)
    target = queries(connection).get(str(payload["Query"]))
    if target is None:
        return []
    entity, columns = target
    found = {}
    for row in payload.get("Inserted") or []:
        key = next((str(row[col]).strip() for col in columns if isinstance(row, dict) and row.get(col)), "")
        if key:
            found[key] = WebhookHint(event_id=str(payload["Id"]), entity=entity, native_id=key, action="update")
    return list(found.values())
