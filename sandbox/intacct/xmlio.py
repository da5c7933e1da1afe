"""Reading requests and writing responses: a hardened parser and small element helpers.

The gateway is an XML endpoint facing the internet, so the parser must never resolve entities, load a
DTD, touch the network or build unbounded trees. A request carrying a DOCTYPE is refused before it is
parsed at all: the gateway's requests never need one, and refusing it closes every entity trick
(external entities reading files, entity-expansion bombs) in one place.
"""

from __future__ import annotations

import re

from lxml import etree

from .errors import parse_error

_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # A fresh parser per request: lxml parsers keep state, and requests are small.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def parse_request(body: bytes) -> etree._Element:
    """The request's root element, or IntacctError XL03000003 for anything not plain, well-formed XML.

    Characters XML 1.0 forbids (raw or as character references) are parse errors in libxml2 too, so they
    come back the same way a real malformed request does.
    """
    if not body.strip():
        raise parse_error("Document is empty")
    if _DOCTYPE.search(body) or _ENTITY.search(body):
        raise parse_error("DOCTYPE and ENTITY declarations are not allowed")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise parse_error(_describe(exc)) from exc
    doc = root.getroottree().docinfo
    if doc.doctype or doc.internalDTD is not None:  # an encoding the byte check could not see
        raise parse_error("DOCTYPE and ENTITY declarations are not allowed")
    return root


def _describe(exc: etree.XMLSyntaxError) -> str:
    line, column = (exc.position or (0, 0))[:2]
    message = str(exc.msg or exc).split(", line ")[0]
    return f"{message}. Line: {line}, column: {column}"


# -- reading helpers -----------------------------------------------------------------------------------


def children(element: etree._Element) -> list[etree._Element]:
    """Element children only (comments and processing instructions are stripped by the parser)."""
    return [child for child in element if isinstance(child.tag, str)]


def text(element: etree._Element | None, name: str | None = None, default: str | None = None) -> str | None:
    """Stripped text of ``element`` (or of its child ``name``); ``default`` when absent."""
    if element is not None and name is not None:
        element = element.find(name)
    if element is None:
        return default
    return (element.text or "").strip()


def to_value(element: etree._Element, lists: dict[str, str]):
    """An element as plain data: leaf -> text, container in ``lists`` -> list of dicts, other -> dict."""
    kids = children(element)
    if not kids:
        return (element.text or "").strip()
    if element.tag in lists:
        return [to_value(kid, lists) for kid in kids if kid.tag == lists[element.tag]]
    return {kid.tag: to_value(kid, lists) for kid in kids}


# -- writing helpers -----------------------------------------------------------------------------------


def sub(parent: etree._Element, tag: str, value=None, **attrs) -> etree._Element:
    """Append a child element with optional text and attributes (values rendered as strings)."""
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if value is not None:
        element.text = str(value)
    return element


def add_value(parent: etree._Element, tag: str, value, lists: dict[str, str]) -> None:
    """Write plain data back as elements, the inverse of ``to_value``."""
    if isinstance(value, list):
        container = sub(parent, tag)
        for item in value:
            add_value(container, lists.get(tag, tag.rstrip("S")), item, lists)
    elif isinstance(value, dict):
        element = sub(parent, tag)
        for key, item in value.items():
            add_value(element, key, item, lists)
    else:
        sub(parent, tag, "" if value is None else value)


def serialize(root: etree._Element, pretty: bool = False) -> bytes:
    """UTF-8 bytes with the declaration written the way the gateway writes it."""
    body = etree.tostring(root, encoding="UTF-8", pretty_print=pretty)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
