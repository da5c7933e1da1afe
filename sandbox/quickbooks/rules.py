"""Per-entity rules applied on every create and update: references, names, defaults and derived fields.

Each ``shape_*`` function gets the writable fields of the request (already merged with the stored record for a
sparse update) and returns the fields to store, raising a QuickBooks fault when the request is invalid.
"""

from __future__ import annotations

from . import faults
from .entities import CLASSIFICATION, ENTITIES, REF_TARGETS, USD, Entity, display_name


class Refs:
    """Resolves ``...Ref`` objects against one company's records and fills in their ``name``."""

    def __init__(self, books, realm: str):
        self.books, self.realm = books, realm

    def resolve(self, value, own: Entity | None = None, field: str = ""):
        """Walk a body; every known reference must point to an existing, active record."""
        if isinstance(value, list):
            return [self.resolve(item, own, field) for item in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            target = "Self" if key == "ParentRef" and own else REF_TARGETS.get(key)
            if target and isinstance(item, dict):
                out[key] = self.reference(own if target == "Self" else ENTITIES[target], key, item)
            else:
                out[key] = self.resolve(item, own, key)
        return out

    def reference(self, entity: Entity, field: str, ref: dict) -> dict:
        value = str(ref.get("value", "")).strip()
        if not value:
            faults.required(f"{field}.value")
        record = self.books.get(entity, self.realm, value)
        if record is None:
            faults.invalid_reference(field, value)
        if record.get("Active") is False:
            faults.not_found()
        return {"value": value, "name": ref_name(record)}


def ref_name(record: dict) -> str:
    return record.get("FullyQualifiedName") or record.get("DisplayName") or record.get("Name") or ""


def _unique(books, entity: Entity, realm: str, name: str, own_id: str | None, scope: tuple[str, ...]) -> None:
    """Names are unique per company; customers and vendors share one name space."""
    for kind in scope:
        for record in books.live(ENTITIES[kind], realm):
            label = record.get("FullyQualifiedName") if kind == entity.name and entity.label == "Name" else None
            taken = label or record.get(ENTITIES[kind].label)
            if record["Id"] != own_id and taken and taken.lower() == name.lower():
                faults.duplicate_name()


def _hierarchy(books, entity: Entity, realm: str, fields: dict, name: str, flag: str | None) -> None:
    """FullyQualifiedName ``Parent:Child`` and the sub-record flag from ParentRef."""
    parent_ref = fields.get("ParentRef")
    parent = books.get(entity, realm, parent_ref["value"]) if parent_ref else None
    fields["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{name}" if parent else name
    if flag:
        fields[flag] = parent is not None
    if parent is not None and entity.name in ("Customer", "Item"):
        fields["Level"] = int(parent.get("Level", 0)) + 1
    else:
        fields.pop("Level", None)


def shape_party(books, entity: Entity, realm: str, fields: dict, own_id: str | None) -> dict:
    """Vendor or Customer."""
    name = display_name(entity, fields)
    if not name:
        faults.required("DisplayName")
    fields["DisplayName"] = name
    _unique(books, entity, realm, name, own_id, ("Customer", "Vendor"))
    fields.setdefault("PrintOnCheckName", fields.get("CompanyName") or name)
    fields.setdefault("Active", True)
    fields.setdefault("CurrencyRef", dict(USD))
    if entity.name == "Vendor":
        fields.setdefault("Vendor1099", False)
        return fields
    _hierarchy(books, entity, realm, fields, name, None)
    # A customer under a parent is a job (or sub-customer); QuickBooks derives the flag from ParentRef.
    fields["Job"] = "ParentRef" in fields
    fields.setdefault("BillWithParent", False)
    fields.setdefault("PreferredDeliveryMethod", "Print")
    return fields


def shape_list(books, entity: Entity, realm: str, fields: dict, own_id: str | None) -> dict:
    """Account, Class, Department, Item: a Name, unique within its parent."""
    name = fields.get("Name")
    if not name:
        faults.required("Name")
    if ":" in name:
        faults.validation("2170", "Invalid Enumeration", "Name cannot contain a colon (:).", "Name")
    flag = {"Account": "SubAccount", "Class": "SubClass", "Department": "SubDepartment", "Item": "SubItem"}
    _hierarchy(books, entity, realm, fields, name, flag[entity.name])
    _unique(books, entity, realm, fields["FullyQualifiedName"], own_id, (entity.name,))
    fields.setdefault("Active", True)
    if entity.name == "Account":
        account_type = fields.get("AccountType")
        if not account_type:
            faults.required("AccountType")
        if account_type not in CLASSIFICATION:
            faults.validation("2170", "Invalid Enumeration", f"Invalid Enumeration : {account_type}", "AccountType")
        fields["Classification"] = CLASSIFICATION[account_type]
        fields.setdefault("CurrencyRef", dict(USD))
    if entity.name == "Item":
        fields.setdefault("Type", "Service")
    return fields
