"""Which properties each entity has, read from Intuit's published XSD (``contract/qbo-v3.xsd``).

JSON bodies use the XSD's element and attribute names. The simulator uses this to refuse a request that
carries a property the entity does not have, as the live service does (fault 2010).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

XSD = Path(__file__).with_name("contract") / "qbo-v3.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"


@cache
def _types() -> dict[str, etree._Element]:
    root = etree.parse(str(XSD)).getroot()
    return {node.get("name"): node for node in root.iterfind(f"{XS}complexType")}


@cache
def properties(type_name: str) -> frozenset[str]:
    """Element and attribute names of a complex type, inherited ones included."""
    node = _types()[type_name]
    names: set[str] = set()
    extension = node.find(f"{XS}complexContent/{XS}extension")
    if extension is not None:
        names |= properties(extension.get("base"))
    for child in node.iter(f"{XS}element", f"{XS}attribute"):
        if child.get("name"):
            names.add(child.get("name"))
    if node.find(f"{XS}simpleContent") is not None:
        names.add("value")
    return frozenset(names)


def unknown(type_name: str, body: dict) -> list[str]:
    """Top-level keys of ``body`` the entity does not declare."""
    known = properties(type_name)
    return [key for key in body if key not in known]
