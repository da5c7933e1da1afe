"""Procurify vendors and account codes <-> canonical Vendor and Account (the ERP's lists written back).

Vendors: a vendor written from the ERP carries the ERP's vendor id in `external_id`, Procurify's field for exactly
that; a look-up takes the vendor with our external id, else the one unlinked vendor with exactly the same name (it is
then linked), and several such namesakes are a conflict for a person. Creates are never repeated blindly: a lost
answer is settled by the next look-up. Updates PATCH the name and `active`, so deactivations propagate. The vendor
list has no date filter: changes are picked out by `dateModified`.

Account codes: found by their code (unique in Procurify), created with the ERP's code, description and type, and
renamed through PUT. Procurify publishes no way to deactivate (or reactivate) an account code: the PUT body has no
`active`, so such a change is refused with a message naming the manual step, never sent as an undocumented field.
Account codes carry no change stamp: every read lists them all, and the version is a digest of what is synced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connections import errors
from connections.systems.base import SourceItem, WriteResult
from syncs.canonical import Account, Vendor

from .common import fingerprint, parse_time
from .consts import ACCOUNT_TYPES, VENDOR_TYPE_REGULAR


def to_vendor(row: dict) -> Vendor:
    emails = row.get("email") or []
    linked = str(row.get("external_id") or "")
    return Vendor(
        native_id=str(row["id"]),
        name=row.get("name") or "",
        code=linked,
        active=row.get("active") is not False,
        email=emails[0] if emails else "",
        origin_id=linked,
    )


def vendor_item(row: dict) -> SourceItem:
    vendor, stamp = to_vendor(row), row.get("dateModified") or ""
    return SourceItem(vendor.native_id, stamp, parse_time(stamp), vendor, label=f"Vendor {vendor.name}", raw=row)


class ProcurifyVendors:
    def __init__(self, client):
        self.client = client

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        for row in self.client.vendors():
            stamp = parse_time(row.get("dateModified"))
            if since is None or stamp is None or stamp >= since:
                yield vendor_item(row)

    def get(self, native_id: str) -> SourceItem:
        return vendor_item(self.client.vendor(native_id))

    def find(self, record: Vendor) -> str | None:
        """The vendor linked to the record (external_id = its id), else its one unlinked namesake."""
        key = record.native_id
        for row in self.client.vendors(external_id=key):
            if str(row.get("external_id") or "") == key:
                return str(row["id"])
        wanted = record.name.strip().casefold()
        if not wanted:
            return None
        namesakes = [
            str(row["id"])
            for row in self.client.vendors(search=record.name.strip())
            if (row.get("name") or "").strip().casefold() == wanted and not row.get("external_id")
        ]
        if len(namesakes) > 1:
            raise errors.Conflict(
                f"Procurify has several unlinked vendors named {record.name!r} ({', '.join(namesakes)}): set the "
                f"external ID of the right one to {key} in Procurify, then replay."
            )
        return namesakes[0] if namesakes else None

    def write(self, record: Vendor, existing_id: str | None) -> WriteResult:
        if not existing_id:
            fields = {
                "name": record.name[:150],
                "type": VENDOR_TYPE_REGULAR,
                "active": record.active,
                "external_id": record.native_id[:100],
                "email": [record.email] if record.email else [],
                "overall_score": None,
            }
            answer = self.client.create_vendor(fields)
            if not answer.get("id"):
                raise errors.OutcomeUnknown("Procurify answered the vendor creation without an id")
            return WriteResult(str(answer["id"]), True, sent=fields, response=trim(answer))
        fields = {"name": record.name[:150], "active": record.active}
        if not self.client.vendor(existing_id).get("external_id"):
            fields["external_id"] = record.native_id[:100]  # a namesake found by name is linked now
        answer = self.client.update_vendor(existing_id, fields)
        return WriteResult(str(existing_id), False, sent=fields, response=trim(answer))


def trim(answer: dict) -> dict:
    return {key: answer.get(key) for key in ("id", "name", "active", "external_id", "dateModified") if key in answer}


# --- account codes -------------------------------------------------------------------------------------------------
def to_account(row: dict) -> Account:
    return Account(
        native_id=str(row["id"]),
        code=str(row.get("code") or ""),
        name=row.get("description") or "",
        account_type=ACCOUNT_TYPES.get(row.get("account_type"), ""),
        active=row.get("active") is not False,
    )


def account_item(row: dict) -> SourceItem:
    account = to_account(row)
    version = fingerprint(account.code, account.name, account.account_type, account.active)
    return SourceItem(account.native_id, version, None, account, label=f"Account {account.code} {account.name}")


def account_type_number(name: str) -> int | None:
    """Procurify's account_type for an ERP account type name (Asset, Liability, Expense, Income, Equity...)."""
    wanted = (name or "").strip().lower()
    for number, known in ACCOUNT_TYPES.items():
        if wanted and (wanted.startswith(known) or known.startswith(wanted)):
            return number
    return None


class ProcurifyAccountCodes:
    def __init__(self, client):
        self.client = client

    def rows(self, **filters) -> Iterator[dict]:
        """Account codes, active and inactive (the list's default may leave inactive ones out): each once."""
        seen = set()
        for active in (None, "false"):
            params = dict(filters, active=active) if active else filters
            for row in self.client.account_codes(**params):
                if row["id"] not in seen:
                    seen.add(row["id"])
                    yield row

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        for row in self.rows():
            yield account_item(row)

    def row(self, native_id: str) -> dict:
        """One account code (the published API has no single-code read: the list is searched)."""
        for row in self.rows():
            if str(row["id"]) == str(native_id):
                return row
        raise errors.NotFound(f"Procurify has no account code {native_id}", status=404)

    def get(self, native_id: str) -> SourceItem:
        return account_item(self.row(native_id))

    def find(self, record: Account) -> str | None:
        wanted = record.code.strip()
        matches = [str(row["id"]) for row in self.rows(code=wanted) if str(row.get("code") or "").strip() == wanted]
        if len(matches) > 1:
            raise errors.Conflict(f"Procurify has several account codes {wanted!r}: keep one, then replay.")
        return matches[0] if matches else None

    def write(self, record: Account, existing_id: str | None) -> WriteResult:
        kind = account_type_number(record.account_type)
        fields = {"code": record.code.strip()[:50], "description": (record.name or record.code)[:200]}
        if kind is not None:
            fields["account_type"] = kind
        if not existing_id:
            answer = self.client.create_account_code(fields)
            if not answer.get("id"):
                raise errors.OutcomeUnknown("Procurify answered the account code creation without an id")
            return WriteResult(str(answer["id"]), True, sent=fields, response=to_response(answer))
        current = self.row(existing_id)
        if (current.get("active") is not False) != record.active:
            change = "deactivate" if not record.active else "reactivate"
            raise errors.ValidationFailed(
                f"Procurify publishes no way to {change} an account code through its API: {change} account code "
                f"{current.get('code')} in Procurify by hand, then replay."
            )
        fields["code"] = str(current.get("code") or fields["code"])  # the code identifies it; it is not renamed
        answer = self.client.update_account_code(existing_id, fields)
        return WriteResult(str(existing_id), False, sent=fields, response=to_response(answer))


def to_response(answer: dict) -> dict:
    return {key: answer.get(key) for key in ("id", "code", "description", "active") if key in answer}
