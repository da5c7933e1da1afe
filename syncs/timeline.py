"""A ledger record as a finance user reads it: the source document, the payload sent, each attempt with the
destination's answer, every audit event, and the links that fix or show it elsewhere.

Built from the record and its audit events only (one query for the events); nothing here is editable. Payloads are
redacted again before display (by field name and by every secret this process knows), so a credential that reached
a stored payload is still never shown.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from connections.redaction import redact_mapping

from . import screens
from .flows import BACK, FLOWS
from .links import grid_url
from .models import AuditKind, SyncRecord

log = logging.getLogger(__name__)

MAX_EVENTS = 500
#: audit kinds that are an attempt to write, with what the destination answered
ATTEMPT_KINDS = {AuditKind.POSTED, AuditKind.FAILED, AuditKind.DEAD, AuditKind.FOUND, AuditKind.CONFLICT}
LINE_COLUMNS = [
    ("description", "Description"), ("project", "Project"), ("cost_code", "Cost code"), ("cost_type", "Cost type"),
    ("account", "GL account"), ("quantity", "Quantity"), ("unit_cost", "Unit cost"), ("amount", "Amount"),
]  # fmt: skip
NUMERIC = {"quantity", "unit_cost", "amount"}
HIDDEN_HEADER = {"type", "lines", "native_id", "destination_id", "change_orders", "payments"}


@dataclass
class Table:
    columns: list[tuple[str, str, bool]]  # (key, heading, numeric)
    rows: list[list[tuple[str, bool]]]  # cells: (text, numeric)
    total: str = ""


@dataclass
class Document:
    kind: str
    header: list[tuple[str, str]]
    lines: Table | None = None
    extra: list[tuple[str, Table]] = field(default_factory=list)  # change orders, payments


@dataclass
class Payload:
    rows: list[tuple[str, str, bool]]  # (field path, value, numeric)
    raw: str


@dataclass
class Link:
    label: str
    url: str


def text(value) -> str:
    if isinstance(value, dict):
        return " ".join(str(value.get(key) or "") for key in ("code", "name") if value.get(key)) or str(
            value.get("native_id") or ""
        )
    return "" if value is None else str(value)


def money(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def document(data: dict) -> Document | None:
    """The canonical record as a header (field, value) and tables of its lines, change orders and payments."""
    if not data:
        return None
    header = [(name.replace("_", " ").capitalize(), text(value)) for name, value in data.items()
              if name not in HIDDEN_HEADER and value not in (None, "", [], {})]  # fmt: skip
    doc = Document(kind=str(data.get("type") or "Record"), header=header)
    lines = data.get("lines")
    if isinstance(lines, list) and lines:
        doc.lines = _table(lines, LINE_COLUMNS)
    for key, heading in (("change_orders", "Change orders"), ("payments", "Payments")):
        items = data.get(key)
        if isinstance(items, list) and items:
            columns = [(name, name.replace("_", " ").capitalize()) for name in items[0] if name != "native_id"]
            doc.extra.append((heading, _table(items, columns)))
    return doc


def _table(items: list, columns: list[tuple[str, str]]) -> Table:
    """The items as rows of the columns any of them fills; numbers right-aligned, amounts totalled."""
    items = [item if isinstance(item, dict) else {"description": item} for item in items]
    present = [(key, heading, key in NUMERIC) for key, heading in columns
               if any(item.get(key) not in (None, "") for item in items)]  # fmt: skip
    rows, total = [], Decimal("0")
    for item in items:
        rows.append([
            (money(item.get(key)) if numeric and item.get(key) not in (None, "") else text(item.get(key)), numeric)
            for key, _, numeric in present
        ])  # fmt: skip
        try:
            total += Decimal(str(item.get("amount") or 0))
        except (InvalidOperation, ValueError):
            pass
    has_amount = any(key == "amount" for key, _, _ in present)
    return Table(present, rows, money(total) if has_amount else "")


def payload(data) -> Payload | None:
    """What was sent, as a flat table of field paths and values, and raw (pretty JSON, or the XML as sent)."""
    if data in (None, "", {}):
        return None
    data = redact_mapping(data)
    if isinstance(data, str):
        return Payload(rows=[], raw=data)
    rows: list[tuple[str, str, bool]] = []
    _flatten({key: value for key, value in data.items() if key != "xml"} if isinstance(data, dict) else data, "", rows)
    return Payload(rows=rows, raw=screens.payload_text(data))


def _flatten(value, path: str, rows: list) -> None:
    if isinstance(value, dict):
        if set(value) == {"value"}:  # a value object, e.g. {"value": "AP bill"}
            return _flatten(value["value"], path, rows)
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), rows)
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            _flatten(item, f"{path}[{index}]", rows)
    else:
        numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        rows.append((path, "" if value is None else str(value), numeric))


def map_links(record: SyncRecord) -> list[Link]:
    """Links to the rows of the mapping grid holding the maps this record uses (its vendor, its cost codes)."""
    links, seen = [], set()
    data = record.canonical or {}
    vendor = data.get("vendor") if isinstance(data.get("vendor"), dict) else None
    wanted = [("vendors", vendor.get("name"), "Vendor map")] if vendor and vendor.get("name") else []
    for line in data.get("lines") or []:
        code = (line.get("cost_code") or {}).get("code") if isinstance(line, dict) else None
        if code and not code.startswith("("):  # "(retainage)" and the like are not rows of the grid
            wanted.append(("cost_codes", code, "Cost code map"))
    for tab, query, what in wanted:
        if (tab, query) not in seen:
            seen.add((tab, query))
            links.append(Link(f"{what}: {query}", grid_url(record.integration_id, tab, query)))
    return links


def system_links(record: SyncRecord) -> list[Link]:
    """The record in each system's own web application, where that system's adapter knows the address."""
    flow = FLOWS.get(record.flow)
    if flow is None:
        return []
    integration = record.integration
    reader, writer = (
        (integration.destination, integration.source) if flow.direction == BACK else
        (integration.source, integration.destination)
    )  # fmt: skip
    links = []
    for connection, entity, native_id in (
        (reader, flow.source_entity, record.source_id),
        (writer, flow.destination_entity, record.destination_id),
    ):
        if not native_id:
            continue
        try:
            url = connection.spec.adapter_class()(connection).record_url(entity, native_id)
        except Exception:  # a page must open even if one system's address cannot be worked out
            log.exception("record_url failed for connection %s", connection.pk)
            url = None
        if url:
            links.append(Link(f"Open in {connection.spec.label}", url))
    return links


def events(record: SyncRecord) -> tuple[list, bool]:
    """(audit events oldest first, with their payloads redacted and pretty-printed; whether older ones were cut)."""
    rows = list(record.audit_events.select_related("actor", "run").order_by("-created_at", "-id")[: MAX_EVENTS + 1])
    cut = len(rows) > MAX_EVENTS
    rows = rows[:MAX_EVENTS]
    for event in rows:
        event.is_attempt = event.kind in ATTEMPT_KINDS
        event.request_text = _pretty(event.request)
        event.response_text = _pretty(event.response)
    return list(reversed(rows)), cut


def _pretty(data) -> str:
    if data in (None, "", {}):
        return ""
    data = redact_mapping(data)
    return data if isinstance(data, str) else json.dumps(data, indent=2, ensure_ascii=False)


def context(record: SyncRecord) -> dict:
    """The timeline template's context for one record."""
    flow = FLOWS.get(record.flow)
    history, cut = events(record)
    return {
        "flow_label": flow.label if flow else record.flow,
        "document": document(record.canonical),
        "payload_sections": [
            ("Sent to the destination", payload(record.sent_payload)),
            ("Preview: what would be sent (nothing sent yet)",
             payload(getattr(record, "preview", None)) if not record.sent_payload else None),
        ],
        "events": history,
        "events_cut": cut,
        "attempts": [event for event in history if event.is_attempt],
        "missing": screens.mapping_fixes(record.integration, record.mapping_errors),
        "map_links": map_links(record),
        "system_links": system_links(record),
    }
