"""Rebuild ``qbo-v3.xsd`` from Intuit's published v3 schema files (see SOURCE.md).

    python sandbox/quickbooks/contract/trim.py <folder holding IntuitRestServiceDef.xsd and the files it includes>

Merges the include chain (IntuitRestServiceDef -> Finance -> IntuitBaseTypes, IntuitNamesTypes; Report) into one
schema, drops every annotation and comment (prose), and keeps only the declarations reachable from the entities the
simulator serves and the response envelope. Response alternatives we never produce (reports, batch, attachables...)
are removed from the envelope's choice; nothing else is changed, so a document valid here is valid upstream.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
Q = f"{{{XS}}}"
INCLUDED = ("IntuitRestServiceDef.xsd", "Finance.xsd", "IntuitBaseTypes.xsd", "IntuitNamesTypes.xsd", "Report.xsd")
#: the entities the simulator serves (global element names, same as their type names)
ENTITIES = ("Bill", "BillPayment", "Vendor", "Account", "Class", "Department", "Customer", "Item", "CompanyInfo")
#: envelope alternatives we never answer with
DROPPED_ALTERNATIVES = {
    "Report",
    "BatchItemResponse",
    "AttachableResponse",
    "SyncErrorResponse",
    "OLBTransaction",
    "OLBStatus",
}
ROOTS = ("IntuitResponse", "IntuitObject", *ENTITIES)


def load(folder: Path) -> dict[tuple[str, str], etree._Element]:
    """Every top-level declaration of the include chain, keyed by (kind, name)."""
    decls = {}
    for name in INCLUDED:
        root = etree.parse(str(folder / name)).getroot()
        for node in root:
            if isinstance(node.tag, str) and node.get("name"):
                decls[(etree.QName(node).localname, node.get("name"))] = node
    return decls


def strip(node: etree._Element) -> None:
    for junk in list(node.iter(f"{Q}annotation", etree.Comment)):
        junk.getparent().remove(junk)


def prune_envelope(decls: dict) -> None:
    for node in decls[("complexType", "IntuitResponse")].iter(f"{Q}element"):
        if node.get("name") in DROPPED_ALTERNATIVES:
            node.getparent().remove(node)


def references(node: etree._Element) -> set[str]:
    names = set()
    for child in node.iter():
        for attr in ("type", "base", "ref", "itemType", "substitutionGroup"):
            value = child.get(attr)
            if value and not value.startswith("xs:"):
                names.add(value.split(":")[-1])
    return names


def closure(decls: dict) -> list[tuple[str, str]]:
    by_name: dict[str, list[tuple[str, str]]] = {}
    for key in decls:
        by_name.setdefault(key[1], []).append(key)
    keep: set[tuple[str, str]] = set()
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        for key in by_name.get(name, []):
            if key[0] == "element" and key[1] not in ROOTS and key[1] != "IntuitObject":
                group = decls[key].get("substitutionGroup")
                if group == "IntuitObject":
                    continue  # other entities: not served
            if key not in keep:
                keep.add(key)
                todo.extend(references(decls[key]))
    order = list(decls)
    return [key for key in order if key in keep]


def build(folder: Path) -> bytes:
    decls = load(folder)
    for node in decls.values():
        strip(node)
    prune_envelope(decls)
    schema = etree.Element(f"{Q}schema", nsmap={"xs": XS, None: "http://schema.intuit.com/finance/v3"})
    schema.set("targetNamespace", "http://schema.intuit.com/finance/v3")
    schema.set("elementFormDefault", "qualified")
    schema.set("attributeFormDefault", "unqualified")
    for key in closure(decls):
        schema.append(decls[key])
    etree.indent(schema, space="  ")
    return etree.tostring(schema, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def main(argv: list[str]) -> None:
    target = Path(__file__).with_name("qbo-v3.xsd")
    target.write_bytes(build(Path(argv[1])))
    etree.XMLSchema(etree.parse(str(target)))  # still a valid schema
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv)
