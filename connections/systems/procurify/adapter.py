"""Procurify <-> canonical records.

Procurify is a source: approved purchase orders are read as commitments (orders.py) and approved AP bills as bills
(bills.py), by last-modified polling (Procurify sends no webhooks). The ERP's vendors and GL accounts are written
back as Procurify vendors and account codes (directory.py), and the ERP's purchase order status closes the orders it
came from. Marking a bill paid is not possible: the published API (2024 definition, the one this project carries) has
no call for it, so the ERP's payment status of a bill is kept in our ledger only (`write_status` of a bill sends
nothing and says so). Lines carry their account code as their cost code too, so finance staff map Procurify
account codes in the cost code grid (common.coded_by_account_code); the account codes are listed as the `cost_code`
reference kind for that grid. Every call goes through the connection's request budget and pauses the connection's
work when Procurify pushes back (limits.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connections import errors
from connections.systems.base import (
    CREATE,
    READ,
    STATUS,
    UPDATE,
    Adapter,
    ConnectionCheck,
    ReferenceItem,
    SourceItem,
    WriteResult,
)

from .bills import ProcurifyBills
from .client import ProcurifyClient
from .consts import CLIENT_HEADER, CLIENT_HEADER_VALUE
from .directory import ProcurifyAccountCodes, ProcurifyVendors
from .orders import ProcurifyOrders

DEFAULT_CURRENCY = "USD"


class ProcurifyAdapter(Adapter):
    capabilities = {
        "commitment": frozenset({READ, STATUS}),
        "bill": frozenset({READ, STATUS}),  # status: kept in our ledger, see write_status
        "vendor": frozenset({READ, CREATE, UPDATE}),
        "account": frozenset({READ, CREATE, UPDATE}),
    }
    reference_kinds = frozenset({"vendor", "account", "cost_code", "department", "location"})

    def __init__(self, connection):
        super().__init__(connection)
        self.client = ProcurifyClient(connection)
        currency = DEFAULT_CURRENCY  # only when a record names none; Procurify documents carry their currency
        # entity -> the module that reads (and writes) it
        self.ops = {
            "commitment": ProcurifyOrders(self.client, currency),
            "bill": ProcurifyBills(self.client, currency),
            "vendor": ProcurifyVendors(self.client),
            "account": ProcurifyAccountCodes(self.client),
        }

    def check(self) -> ConnectionCheck:
        """A token, then the API user's own profile; a refusal of a fresh token names the client header."""
        try:
            me = self.client.me()
        except (errors.AuthExpired, errors.Permanent) as exc:
            if exc.status not in (401, 403):
                raise
            return ConnectionCheck(
                False,
                f"Procurify issued a token but refused the API call ({exc.status}: {exc.body[:120]}). Procurify "
                f"only accepts API calls that carry the header {CLIENT_HEADER}: {CLIENT_HEADER_VALUE} next to the "
                "token: check that no proxy between here and Procurify drops it, and that API access is enabled "
                "for these credentials.",
            )
        who = me.get("email") or f"user {me.get('id', '?')}"
        department = (me.get("department") or {}).get("name")
        return ConnectionCheck(True, f"Signed in as {who}" + (f" ({department})." if department else "."))

    def changed(self, entity: str, since: dt.datetime | None, partition: str = "") -> Iterator[SourceItem]:
        """Records of `entity` modified at or after `since` (vendors and account codes: the whole list)."""
        self.require(entity, READ)
        return self.ops[entity].changed(since)

    def get(self, entity: str, native_id: str, scope: dict | None = None) -> SourceItem:
        self.require(entity, READ)
        return self.ops[entity].get(native_id)

    def find(self, entity: str, record, key: str) -> str | None:
        self.require(entity, CREATE)
        return self.ops[entity].find(record)

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        self.require(entity, UPDATE if existing_id else CREATE)
        return self.ops[entity].write(record, existing_id)

    def write_status(self, entity: str, native_id: str, status, key: str) -> WriteResult:
        """Close (or reopen) a purchase order as the ERP's status of it says. A bill's payment status is recorded
        in our ledger only: Procurify publishes no call that marks a bill paid, and nothing is sent."""
        self.require(entity, STATUS)
        if entity == "bill":
            return WriteResult(native_id, False, sent=None, response=ledger_only_status(status))
        return self.ops[entity].write_status(native_id, status)

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
        if kind == "vendor":
            for row in self.client.vendors():
                code, active = str(row.get("external_id") or ""), row.get("active") is not False
                yield ReferenceItem("vendor", str(row["id"]), code, row.get("name") or "", active)
        elif kind in ("account", "cost_code"):
            # Account codes are also the cost codes of the lines (see common.coded_by_account_code), by their code.
            for item in self.ops["account"].changed(None):
                account = item.record
                native_id = account.native_id if kind == "account" else account.code
                yield ReferenceItem(kind, native_id, account.code, account.name, account.active)
        elif kind == "department":
            for row in self.client.departments():
                yield ReferenceItem(
                    "department",
                    str(row["id"]),
                    str(row.get("external_id") or row.get("name") or ""),
                    row.get("name") or "",
                    row.get("active") is not False,
                    parent=str((row.get("branch") or {}).get("name") or ""),
                )
        elif kind == "location":
            for row in self.client.locations():
                code, active = str(row.get("external_id") or row.get("name") or ""), row.get("active") is not False
                yield ReferenceItem("location", str(row["id"]), code, row.get("name") or "", active)
        else:
            raise errors.Permanent(f"Procurify adapter lists no reference data of kind {kind!r}")



def ledger_only_status(status) -> dict:
    """What the ledger keeps of a bill's payment status that Procurify cannot be told."""
    paid = getattr(status, "paid", None)
    return {
        "status": str(getattr(status, "status", status) or ""),
        "paid": str(paid) if paid is not None else None,
        "balance": str(getattr(status, "balance", "")) or None,
        "payments": [payment.reference or payment.native_id for payment in getattr(status, "payments", None) or []],
        "written_to_procurify": False,
        "why": "Procurify publishes no call that marks a bill paid; the status is kept in this ledger only.",
    }
