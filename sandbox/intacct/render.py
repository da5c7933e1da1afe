"""Records as the gateway writes them inside ``<data>``.

Element case follows the published replies: ``read`` and ``query`` name records in UPPERCASE
(``<CUSTOMER>``), ``readByQuery``/``readMore`` in lowercase with ``listtype`` lowercase (``<class>``),
writes answer ``listtype="objects"`` with lowercase records holding the new RECORDNO. Field elements are
always UPPERCASE.
"""

from __future__ import annotations

from lxml import etree

from .objects import LISTS, ObjectSpec
from .xmlio import add_value, sub

#: readByQuery's legacy codes, used only when the ``readbyquery_codes`` switch is on
STATUS_CODES = {"active": "T", "inactive": "F"}
STATE_CODES = {"Draft": "D", "Posted": "A", "Partially Paid": "PA", "Paid": "P", "Submitted": "S", "Declined": "U"}


def data(parent: etree._Element, listtype: str | None = None, **attrs) -> etree._Element:
    """A <data> element with the attributes in the order the published replies use."""
    ordered = {"listtype": listtype} if listtype is not None else {}
    ordered.update(attrs)
    return sub(parent, "data", **ordered)


def field_order(spec: ObjectSpec, record: dict) -> list[str]:
    known = [name for name in spec.all_fields() if name in record]
    extra = [name for name in record if name not in known and name != "id" and not name.startswith("_")]
    return known + extra


def write_record(
    parent: etree._Element, tag: str, spec: ObjectSpec, record: dict, fields: list[str] | None, codes: bool = False
) -> etree._Element:
    """One record element; ``fields`` None means every field the record has (``*``)."""
    element = sub(parent, tag)
    names = field_order(spec, record) if fields is None else fields
    for name in names:
        value = record.get(name)
        if codes:
            value = _coded(name, value)
        add_value(element, name, value, LISTS)
    return element


def _coded(name: str, value):
    if name == "STATUS" and isinstance(value, str):
        return STATUS_CODES.get(value.lower(), value)
    if name == "STATE" and isinstance(value, str):
        return STATE_CODES.get(value, value)
    return value


def write_created(parent: etree._Element, written: list[tuple[ObjectSpec, dict]]) -> etree._Element:
    """The answer to create/update: listtype="objects", lowercase records with RECORDNO (and the id)."""
    block = data(parent, "objects", count=len(written))
    for spec, record in written:
        element = sub(block, spec.name.lower())
        sub(element, "RECORDNO", record["RECORDNO"])
        if spec.key and spec.key != "RECORDNO":
            sub(element, spec.key, record.get(spec.key, ""))
    return block


def select_fields(spec: ObjectSpec, raw: str | None, custom: list[str]) -> list[str] | None:
    """``*`` or empty: None (all fields); else the named fields, each of which must exist."""
    raw = (raw or "").strip()
    if raw in ("", "*"):
        return None
    names = [name.strip().upper() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in spec.all_fields() and name not in custom]
    if unknown:
        raise ValueError(f"Invalid field(s) {', '.join(unknown)} for object {spec.name}")
    return names
