"""What the approval, fix and reconciliation pages show of a ledger record, in words and tables, without Django admin
machinery: the source document as a table, the destination payload pretty-printed, and links to the mapping grid."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from mappings.models import ReferenceRecord

from .links import grid_url

#: mapping error kind -> the grid's tab where it is fixed
GRID_TABS = {"vendor": "vendors", "cost_code": "cost_codes", "account_rule": "account_rules"}


def money(value) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        return Decimal("0")


@dataclass
class DocumentLine:
    description: str
    cost_code: str
    cost_type: str
    amount: Decimal


@dataclass
class Document:
    """A canonical document as a person reads it."""

    kind: str = ""
    number: str = ""
    vendor: str = ""
    date: str = ""
    due_date: str = ""
    currency: str = ""
    project: str = ""
    description: str = ""
    lines: list[DocumentLine] = field(default_factory=list)
    total: Decimal = Decimal("0")
    overridden: dict = field(default_factory=dict)  # field -> (source value, override)


def _ref_text(ref) -> str:
    if not isinstance(ref, dict):
        return ""
    return " ".join(part for part in (ref.get("code") or "", ref.get("name") or "") if part) or ref.get("native_id", "")


def document(canonical: dict, overrides: dict | None = None) -> Document:
    """The stored canonical record (and the overrides a person set) as a Document."""
    data = canonical or {}
    lines = [
        DocumentLine(
            description=line.get("description") or "",
            cost_code=_ref_text(line.get("cost_code")),
            cost_type=_ref_text(line.get("cost_type")),
            amount=money(line.get("amount")),
        )
        for line in data.get("lines") or []
    ]
    approved = [co for co in data.get("change_orders") or [] if co.get("status") == "approved"]
    lines += [DocumentLine(f"Change order {co.get('number', '')}", "", "", money(co.get("amount"))) for co in approved]
    doc = Document(
        kind=data.get("type", ""),
        number=data.get("number") or "",
        vendor=_ref_text(data.get("vendor")),
        date=data.get("date") or "",
        due_date=data.get("due_date") or "",
        currency=data.get("currency") or "",
        project=_ref_text(data.get("project")),
        description=data.get("description") or data.get("title") or "",
        lines=lines,
        total=sum((line.amount for line in lines), Decimal("0")),
    )
    for name, value in (overrides or {}).items():
        if hasattr(doc, name):
            doc.overridden[name] = (getattr(doc, name), value)
            setattr(doc, name, value)
    return doc


def payload_text(payload) -> str:
    """A stored destination payload, pretty-printed: JSON indented, an XML body laid out on lines."""
    if payload is None:
        return ""
    if isinstance(payload, dict) and isinstance(payload.get("xml"), str):
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
            tree = etree.fromstring(payload["xml"].encode(), parser)
            head = {key: value for key, value in payload.items() if key != "xml"}
            return json.dumps(head, indent=2) + "\n" + etree.tostring(tree, pretty_print=True, encoding="unicode")
        except etree.XMLSyntaxError:
            pass
    return json.dumps(payload, indent=2, sort_keys=False, default=str)


@dataclass
class MappingFix:
    message: str
    url: str
    label: str


def mapping_fixes(integration, errors: list[dict]) -> list[MappingFix]:
    """Per missing mapping, a link straight to its row of the mapping grid (the grid filtered to it)."""
    fixes = []
    for error in errors or []:
        kind, detail = error.get("kind", ""), error.get("detail") or {}
        query = ""
        if kind == "vendor" and detail.get("native_id"):
            ref = ReferenceRecord.objects.filter(
                connection_id=integration.source_id, kind="vendor", native_id=str(detail["native_id"])
            ).first()
            query = (ref.name or ref.code) if ref else ""
        elif kind == "cost_code":
            query = detail.get("cost_code", "")
        tab = GRID_TABS.get(kind, "")
        label = f"Open the {tab.replace('_', ' ') or 'mapping'} grid" + (f" at {query}" if query else "")
        fixes.append(MappingFix(error.get("message", ""), grid_url(integration.pk, tab, query), label))
    return fixes
