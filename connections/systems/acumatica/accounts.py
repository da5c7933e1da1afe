"""Acumatica GL accounts -> canonical Account, read for the mirror that keeps the other side's chart in step.

The `Account` entity (GL202500) is listed with `$top`/`$skip` paging and, after the first read, only the accounts
whose `LastModifiedDateTime` is past the cursor. An account's id on every side is its AccountCD (what finance staff
type, and what map rows and Procurify account codes carry); `Active` false is a deactivation to propagate. Accounts
are only read here: the chart of accounts is the ERP's, never written from a source system.
"""

from __future__ import annotations

from connections.systems.base import SourceItem
from syncs.canonical import Account

from .fields import value
from .vendors import AcumaticaReferenceData, source_item


def to_account(row: dict) -> Account:
    code = str(value(row.get("AccountCD")) or "").strip()
    active = value(row.get("Active"))
    return Account(
        native_id=code,
        code=code,
        name=str(value(row.get("Description")) or "").strip(),
        account_type=str(value(row.get("Type")) or "").strip(),
        active=active is not False and str(active).strip().lower() != "false",
    )


class AcumaticaAccounts(AcumaticaReferenceData):
    entity, key_field = "Account", "AccountCD"

    def item(self, row: dict) -> SourceItem:
        account = to_account(row)
        return source_item(account.native_id, account, row, f"Account {account.code} {account.name}".strip())
