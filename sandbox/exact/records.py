"""Writing records as Exact does: stamps, row versions, derived fields, the deletion log, change events.

Every write bumps the record's ``Timestamp`` from one global, increasing row version, which is what the
sync endpoints page on. Writing an order line bumps its header and the header's lines (the sync order
view shows one row per line with the header flattened in). Deletions are logged for ``sync/Deleted`` with
the published EntityType numbers, and every change of a record with a webhook topic is published.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.clock import Clock
from ..core.store import Store
from .derive import DERIVE
from .resources import OWNERS, Served
from .values import GUID, local_stamp, new_guid

Publisher = Callable[[Served, int, str, str], None]


class Books:
    def __init__(self, store: Store, clock: Clock, config: dict, publish: Publisher):
        self.store, self.clock, self.config, self.publish = store, clock, config, publish
        self.row_version = 0x1F4A_0000

    def next_timestamp(self) -> int:
        self.row_version += 1
        return self.row_version

    @staticmethod
    def owner(collection: str) -> Served:
        if collection not in OWNERS:
            raise ValueError(f"unknown collection {collection!r}; known: {', '.join(sorted(OWNERS))}")
        return OWNERS[collection]

    def key_of(self, collection: str, fields: dict):
        name = self.owner(collection).contract.key_prop.name
        value = fields.get(name, fields.get("id"))
        return value.lower() if isinstance(value, str) and GUID.match(value) else value

    # -- writes -------------------------------------------------------------------------------------------

    def save(self, collection: str, fields: dict, user: dict | None, notify: bool = True) -> dict:
        """Create or update one record (with lines given inline under their navigation property)."""
        owner = self.owner(collection)
        fields = dict(fields)
        nested = {nav: fields.pop(nav) for nav in owner.lines if nav in fields}
        key = self.key_of(collection, fields)
        record = self.store.get(collection, key) if key is not None else None
        action = "Update" if record is not None else "Create"
        record = record if record is not None else self._new(owner, key, fields, user)
        record.update({k: v for k, v in fields.items() if k not in ("id", owner.contract.key_prop.name)})
        for nav, lines in nested.items():
            self._save_lines(owner, nav, record, lines or [], user)
        self._settle(collection, record, user)
        if owner.parent:
            self._touch_parent(owner, record, user)
        if notify and owner.topic:
            self.publish(owner, record["Division"], action, record["id"])
        return record

    def _new(self, owner: Served, key, fields: dict, user: dict | None) -> dict:
        key_prop = owner.contract.key_prop
        key = key if key is not None else (new_guid() if key_prop.type == "Edm.Guid" else None)
        if key is None:
            raise ValueError(f"{owner.collection} needs {key_prop.name}")
        record = {"id": key, key_prop.name: key, "Division": fields.get("Division", self.config["main_division"])}
        record["Created"] = local_stamp(self.clock.now())
        record["Creator"] = (user or {}).get("id")
        record["CreatorFullName"] = (user or {}).get("FullName")
        return self.store.insert(owner.collection, record)

    def _settle(self, collection: str, record: dict, user: dict | None) -> None:
        record["Modified"] = local_stamp(self.clock.now())
        record["Modifier"] = (user or {}).get("id")
        record["ModifierFullName"] = (user or {}).get("FullName")
        record["Timestamp"] = self.next_timestamp()
        if collection in DERIVE:
            DERIVE[collection](self.store, record)

    def _save_lines(self, owner: Served, nav: str, header: dict, lines: list, user: dict | None) -> None:
        line_key, foreign = owner.lines[nav]
        line_collection = OWNERS_BY_KEY[line_key]
        for line in lines:
            line = dict(line)
            if line.pop("_delete", False):
                self.delete(line_collection, self.key_of(line_collection, line), user, notify=False)
                continue
            line[foreign] = header["id"]
            line.setdefault("Division", header["Division"])
            self.save(line_collection, line, user, notify=False)

    def _touch_parent(self, owner: Served, line: dict, user: dict | None) -> None:
        """A changed line changes its header (totals, Modified) and all its lines' row versions."""
        parent_key, foreign = owner.parent
        parent = OWNERS_BY_KEY[parent_key]
        header = self.store.get(parent, line.get(foreign))
        if header is None:
            return
        self._settle(parent, header, user)
        for sibling in self.store.find(owner.collection, **{foreign: header["id"]}):
            sibling["Timestamp"] = self.next_timestamp()

    def delete(self, collection: str, key, user: dict | None, notify: bool = True) -> None:
        owner = self.owner(collection)
        record = self.store.get(collection, key)
        if record is None:
            raise KeyError(key)
        for line_key, foreign in owner.lines.values():
            for line in list(self.store.find(OWNERS_BY_KEY[line_key], **{foreign: key})):
                self._forget(OWNERS_BY_KEY[line_key], line, user)
        self._forget(collection, record, user)
        if owner.parent:
            self._touch_parent(owner, record, user)
        if notify and owner.topic:
            self.publish(owner, record["Division"], "Delete", key)

    def _forget(self, collection: str, record: dict, user: dict | None) -> None:
        self.store.delete(collection, record["id"])
        entity_type = self._deleted_type(collection)
        if entity_type is None:
            return
        row_id = new_guid()
        self.store.insert(
            "Deleted",
            {
                "id": row_id,
                "ID": row_id,
                "Timestamp": self.next_timestamp(),
                "EntityKey": record["id"],
                "EntityType": entity_type,
                "DeletedBy": (user or {}).get("id"),
                "DeletedDate": local_stamp(self.clock.now()),
                "Division": record["Division"],
            },
        )

    def _deleted_type(self, collection: str) -> int | None:
        if collection == "PurchaseOrderLines":
            return 22 if self.config["deleted_order_keys"] in ("lines", "both") else None
        if collection == "PurchaseOrders":
            return 22 if self.config["deleted_order_keys"] in ("header", "both") else None
        if collection == "PurchaseEntries":
            return self.config["deleted_purchase_entry_type"]
        return OWNERS[collection].deleted_type


OWNERS_BY_KEY = {served.key: collection for collection, served in OWNERS.items()}
