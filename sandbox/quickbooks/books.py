"""Every company's records and the writes QuickBooks allows on them.

Records are stored as the JSON QuickBooks returns, plus a store key ``id`` (``<realmId>:<Id>``) and private
``_realm`` / ``_deleted`` fields. A write that changes nothing keeps the SyncToken (the recorded sparse update of
an already inactive account answers the same SyncToken); any other write adds one to it and moves
``MetaData.LastUpdatedTime``. Each change is reported to the simulator, which feeds webhooks.
"""

from __future__ import annotations

import copy

from . import faults, payables, rules, schema
from .entities import ENTITIES, SEQUENCE_START, Entity

SHAPERS = {
    "Bill": lambda books, entity, realm, fields, own: payables.shape_bill(books, realm, fields, own),
    "BillPayment": lambda books, entity, realm, fields, own: payables.shape_payment(books, realm, fields, own),
    "Vendor": rules.shape_party,
    "Customer": rules.shape_party,
}
NAME_DEFAULTS = {
    "Vendor": {"Balance": 0},
    "Customer": {"Balance": 0, "BalanceWithJobs": 0},
    "Account": {"CurrentBalance": 0, "CurrentBalanceWithSubAccounts": 0},
}


class Books:
    def __init__(self, sim):
        self.sim = sim
        self.sequences: dict[tuple[str, str], int] = {}

    # -- reading --------------------------------------------------------------------------------------

    @property
    def store(self):
        return self.sim.store

    def get(self, entity: Entity, realm: str, record_id: str, deleted: bool = False) -> dict | None:
        record = self.store.get(entity.name, f"{realm}:{record_id}")
        if record is None or (record.get("_deleted") and not deleted):
            return None
        return record

    def live(self, entity: Entity, realm: str) -> list[dict]:
        return [r for r in self.store.all(entity.name) if r["_realm"] == realm and not r.get("_deleted")]

    def every(self, entity: Entity, realm: str) -> list[dict]:
        """Live and deleted records (change data capture reports both)."""
        return [r for r in self.store.all(entity.name) if r["_realm"] == realm]

    def payables_account(self, realm: str) -> dict | None:
        accounts = [a for a in self.live(ENTITIES["Account"], realm) if a.get("AccountType") == "Accounts Payable"]
        return accounts[0] if accounts else None

    def today(self) -> str:
        return self.sim.tz.today(self.sim.clock.now())

    def now_stamp(self) -> str:
        return self.sim.tz.stamp(self.sim.clock.now())

    @staticmethod
    def render(record: dict) -> dict:
        """The record as QuickBooks returns it: private fields and empty values left out."""
        return {
            key: value for key, value in record.items() if key != "id" and not key.startswith("_") and value is not None
        }

    @staticmethod
    def stub(record: dict, with_time: bool) -> dict:
        """The ``status: "Deleted"`` stand-in of a deleted transaction."""
        out = {"domain": "QBO", "status": "Deleted", "Id": record["Id"]}
        if with_time:
            out["MetaData"] = {"LastUpdatedTime": record["MetaData"]["LastUpdatedTime"]}
        return out

    # -- ids ------------------------------------------------------------------------------------------

    def next_id(self, realm: str, sequence: str) -> str:
        key = (realm, sequence)
        value = self.sequences.get(key, SEQUENCE_START[sequence])
        self.sequences[key] = value + 1
        return str(value)

    def claim_id(self, realm: str, sequence: str, used: str) -> None:
        if used.isdigit():
            key = (realm, sequence)
            self.sequences[key] = max(self.sequences.get(key, SEQUENCE_START[sequence]), int(used) + 1)

    # -- writes ---------------------------------------------------------------------------------------

    def check_properties(self, entity: Entity, body: dict) -> None:
        for name in schema.unknown(entity.name, body):
            faults.unknown_property(name, entity.name)

    def writable(self, entity: Entity, body: dict) -> dict:
        return {key: copy.deepcopy(value) for key, value in body.items() if key not in entity.read_only}

    def shape(self, entity: Entity, realm: str, fields: dict, own_id: str | None) -> dict:
        fields = rules.Refs(self, realm).resolve(fields, own=entity)
        shaper = SHAPERS.get(entity.name, rules.shape_list)
        return shaper(self, entity, realm, fields, own_id)

    def create(self, entity: Entity, realm: str, body: dict, *, seed: dict | None = None, silent=False) -> dict:
        """Create a record; ``seed`` may fix its Id and MetaData (history loaded by presets and tests)."""
        seed = seed or {}
        record_id = str(seed["Id"]) if seed.get("Id") else None
        if record_id and self.get(entity, realm, record_id, deleted=True):
            faults.business(f"{entity.name} {record_id} already exists.")
        fields = self.shape(entity, realm, self.writable(entity, body), None)
        if record_id:
            self.claim_id(realm, entity.sequence, record_id)
        else:
            record_id = self.next_id(realm, entity.sequence)
        stamp = self.now_stamp()
        meta = seed.get("MetaData") or {"CreateTime": stamp, "LastUpdatedTime": stamp}
        record = {
            "id": f"{realm}:{record_id}",
            "_realm": realm,
            "domain": "QBO",
            "sparse": False,
            "Id": record_id,
            "SyncToken": "0",
            "MetaData": dict(meta),
            **NAME_DEFAULTS.get(entity.name, {}),
            **fields,
        }
        self.store.insert(entity.name, record)
        self.after_write(entity, realm, None, record)
        self.sim.changed(realm, entity, record, "Create", silent=silent)
        return record

    def update(self, entity: Entity, realm: str, body: dict, *, sparse: bool, check_token: bool = True) -> dict:
        record = self.current(entity, realm, body, check_token)
        before = copy.deepcopy(record)
        incoming = self.writable(entity, body)
        kept = {k: v for k, v in record.items() if k in entity.read_only or k == "id" or k.startswith("_")}
        base = {k: copy.deepcopy(v) for k, v in record.items() if k not in kept} if sparse else {}
        fields = self.shape(entity, realm, {**base, **incoming}, record["Id"])
        old = [key for key in record if key not in kept]
        if all(record.get(key) == value for key, value in fields.items()) and set(old) <= set(fields):
            return record  # nothing changed: same SyncToken, same LastUpdatedTime
        for key in old:
            del record[key]
        record.update(fields)
        self.after_write(entity, realm, before, record)
        self.touch(entity, record, "Update")
        return record

    def delete(self, entity: Entity, realm: str, body: dict, *, check_token: bool = True) -> dict:
        record = self.current(entity, realm, body, check_token)
        if entity.name == "Bill" and record.get("LinkedTxn"):
            if self.sim.config["delete_bill_with_payments"] == "refuse":
                faults.business("This bill has payments applied to it; delete the payments first.")
            for link in list(record["LinkedTxn"]):
                payment = self.get(ENTITIES["BillPayment"], realm, link["TxnId"])
                if payment is not None:
                    self.delete(ENTITIES["BillPayment"], realm, payment, check_token=False)
        record["_deleted"] = True
        self.after_write(entity, realm, record, None)
        self.touch(entity, record, "Delete")
        return record

    def current(self, entity: Entity, realm: str, body: dict, check_token: bool) -> dict:
        """The stored record an update or delete names; 610 if missing, 5010 if its SyncToken is stale."""
        if not body.get("Id"):
            faults.required("Id")
        if check_token and body.get("SyncToken") in (None, ""):
            faults.required("SyncToken")
        record = self.get(entity, realm, str(body["Id"]))
        if record is None:
            faults.not_found()
        if check_token and str(body["SyncToken"]) != record["SyncToken"]:
            faults.stale(self.sim.config["stale_object_user"])
        return record

    def touch(self, entity: Entity, record: dict, operation: str, silent: bool = False) -> None:
        """A new SyncToken and LastUpdatedTime, and a change notice."""
        record["SyncToken"] = str(int(record["SyncToken"]) + 1)
        record["MetaData"] = {**record["MetaData"], "LastUpdatedTime": self.now_stamp()}
        self.sim.changed(record["_realm"], entity, record, operation, silent=silent)

    def after_write(self, entity: Entity, realm: str, before: dict | None, after: dict | None) -> None:
        if entity.name == "BillPayment":
            payables.settle(self, realm, payables.bills_of(before) | payables.bills_of(after))
        elif entity.name == "Bill":
            payables.refresh_vendor_balances(self, realm)
