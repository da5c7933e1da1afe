"""Intacct XML in both directions: requests built with lxml, answers read with a hardened parser.

Every text value goes through `Builder.text`, which removes the characters XML 1.0 forbids (C0 controls other
than TAB, LF and CR, lone surrogates, U+FFFE and U+FFFF). They are illegal even as character references, so the
gateway would refuse the whole request with XL03000003; the official SDKs escape `& < >` but leave them in. What
was removed is noted (`Builder.stripped`) so the record that carried it says so. lxml escapes the rest.

Answers are parsed without entity resolution, without any DTD, without network access and with libxml2's size
limits kept; a document that declares a DOCTYPE or an ENTITY is refused before it is parsed at all (an external
entity could read a local file, an entity-expansion bomb could exhaust memory; Intacct never sends either).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Markup that may declare entities or pull in a DTD; never part of a gateway answer.
_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
#: Containers whose children are a list of records (every other nested element is a group of fields).
LIST_CONTAINERS = frozenset({"APBILLITEMS", "APPYMTDETAILS", "PODOCUMENTENTRIES"})


class UnsafeXml(ValueError):
    """An answer that carries a DTD or entity declarations, or is not well-formed: it is never read."""


class MalformedXml(UnsafeXml):
    """An answer that is not well-formed (cut short or garbled on the way): the request may have been applied."""


def parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse(body: bytes) -> etree._Element:
    """The root element of an answer, parsed safely; UnsafeXml when it declares a DTD or entities."""
    if body.startswith(_WIDE_BOMS):
        raise UnsafeXml("the answer is not UTF-8 or ISO-8859-1 encoded XML")
    if _DECLARATIONS.search(body):
        raise UnsafeXml("the answer declares a DOCTYPE or entities; it was not read")
    try:
        root = etree.fromstring(body, parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedXml(f"the answer is not well-formed XML ({exc})") from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise UnsafeXml("the answer declares a DOCTYPE; it was not read")
    return root


def strip_forbidden(value: str) -> tuple[str, int]:
    """The value without the characters XML 1.0 forbids, and how many were removed."""
    cleaned, count = FORBIDDEN.subn("", value)
    return cleaned, count


def fmt(value) -> str:
    """A Python value as Intacct writes it: dates mm/dd/yyyy, booleans true/false, money as plain decimals."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, dt.datetime):
        return value.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y")
    return str(value)


@dataclass
class Builder:
    """Builds request elements; every text value is cleaned, and each cleaning is noted."""

    stripped: list[str] = field(default_factory=list)

    def text(self, value, where: str = "") -> str:
        cleaned, count = strip_forbidden(fmt(value))
        if count:
            self.stripped.append(f"{where or 'value'}: removed {count} character(s) XML 1.0 forbids")
        return cleaned

    def element(self, tag: str, content=None, attrs: dict | None = None, where: str = "") -> etree._Element:
        """`content`: None (empty), a scalar (text), a dict (children in order; list values repeat the tag)."""
        node = etree.Element(tag, {k: self.text(v, f"{tag}@{k}") for k, v in (attrs or {}).items()})
        path = f"{where}.{tag}" if where else tag
        if isinstance(content, dict):
            self.children(node, content, path)
        elif content is not None:
            node.text = self.text(content, path)
        return node

    def children(self, node: etree._Element, content: dict, where: str = "") -> etree._Element:
        for tag, value in content.items():
            if value is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                node.append(self.element(tag, item, where=where))
        return node


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def record(node: etree._Element):
    """An answer's record as plain data: text for leaves, dicts for groups, lists for line containers."""
    kids = [kid for kid in node if isinstance(kid.tag, str)]
    if not kids:
        return (node.text or "").strip()
    if node.tag.upper() in LIST_CONTAINERS:
        return [record(kid) for kid in kids]
    data: dict = {}
    for kid in kids:
        data.setdefault(kid.tag, record(kid))  # a field repeated by the gateway keeps its first value
    return data
