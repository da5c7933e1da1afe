"""Reference lists: vendors, accounts, classes, departments (locations) and customers (with jobs and sub-customers).

All are name lists (inactive rows are asked for separately). Accounts are named by their number (`AcctNum`) when
they have one, else by their fully qualified name: that is the account code bill lines carry and the lookup table's
rules match on. Customers keep their parent (`ParentRef`), so a job or sub-customer knows its client.
"""

from __future__ import annotations

from collections.abc import Iterator

from connections.systems.base import ReferenceItem

from .client import QuickBooksClient
from .common import ref_value
from .vendors import ACTIVE_AND_INACTIVE

#: reference kind -> QuickBooks entity
KINDS = {
    "vendor": "Vendor",
    "account": "Account",
    "class": "Class",
    "department": "Department",
    "customer": "Customer",
}


def account_code(row: dict) -> str:
    return str(row.get("AcctNum") or row.get("FullyQualifiedName") or row.get("Name") or "").strip()


def to_reference(kind: str, row: dict) -> ReferenceItem:
    name = row.get("DisplayName") if kind in ("vendor", "customer") else row.get("Name")
    data = {}
    if kind == "account":
        code = account_code(row)
        data = {"account_type": row.get("AccountType") or "", "classification": row.get("Classification") or ""}
    elif kind == "vendor":
        code = ""
    else:
        code = str(row.get("FullyQualifiedName") or name or "")
    if kind == "customer":
        data = {"job": bool(row.get("Job")), "is_project": bool(row.get("IsProject")), "level": row.get("Level") or 0}
    return ReferenceItem(
        kind,
        str(row["Id"]),
        code,
        str(name or ""),
        bool(row.get("Active", True)),
        parent=ref_value(row.get("ParentRef")),
        data=data,
    )


class QuickBooksReferences:
    """Lists reference data, and caches the accounts and items bill lines point at."""

    def __init__(self, client: QuickBooksClient):
        self.client = client
        self._rows: dict[str, dict[str, dict]] = {}

    def rows(self, entity: str) -> dict[str, dict]:
        """Id -> row of every record of a name list, active or not (read once per adapter)."""
        if entity not in self._rows:
            rows = (row for condition in ACTIVE_AND_INACTIVE for row in self.client.select(entity, condition))
            self._rows[entity] = {str(row["Id"]): row for row in rows}
        return self._rows[entity]

    def listing(self, kind: str) -> Iterator[ReferenceItem]:
        for row in self.rows(KINDS[kind]).values():
            yield to_reference(kind, row)

    def account(self, account_id: str) -> dict | None:
        return self.one("Account", account_id)

    def item(self, item_id: str) -> dict | None:
        return self.one("Item", item_id)

    def one(self, entity: str, native_id: str) -> dict | None:
        """A cached row, read on its own when it was created after the list was read."""
        if not native_id:
            return None
        rows = self.rows(entity)
        if str(native_id) not in rows:
            rows[str(native_id)] = self.client.read(entity, str(native_id))
        return rows[str(native_id)]
