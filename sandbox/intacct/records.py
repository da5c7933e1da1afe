"""Stored Intacct records: ids, time stamps, money, look-ups and snapshots (no XML, no HTTP here).

A record is a dict of UPPERCASE field names with string values, plus ``id`` (= RECORDNO, an int) and
list fields for lines. Dates are ``mm/dd/yyyy`` and time stamps ``mm/dd/yyyy HH:MM:SS`` as the gateway
writes them; the time zone of those stamps is unconfirmed, so it is a switch.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from ..core.store import IntIds, Store
from .objects import ObjectSpec

STAMP = "%m/%d/%Y %H:%M:%S"
DATE = "%m/%d/%Y"
CENT = Decimal("0.01")

#: RECORDNO bases per object; bills and payments are numbered like a company with history
ID_BASES = {"APBILL": 1201, "APPYMT": 3301, "PODOCUMENT": 801, "PODOCUMENTENTRY": 9001, "APBILLITEM": 5001}


class IntacctStore(Store):
    """The shared Store plus whole-state snapshots, so a failed function or transaction can be undone."""

    def __init__(self):
        self.ids = IntIds(ID_BASES, 101)
        super().__init__(self.ids)

    def snapshot(self) -> dict:
        return copy.deepcopy(self._collections)

    def restore(self, snapshot: dict) -> None:
        self._collections = snapshot


def stamp(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime(STAMP)


def parse_when(value: str | None) -> datetime | None:
    """A gateway date or time stamp ('04/19/2024' or '04/19/2024 12:00:00'); None when not one."""
    value = (value or "").strip()
    for fmt in (STAMP, DATE, "%m/%d/%Y %H:%M"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def parse_date(value: str | None) -> date | None:
    when = parse_when(value)
    return when.date() if when else None


def money(value) -> Decimal:
    """A decimal amount rounded to cents; raises ValueError on anything that is not a number."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{value!r} is not a number") from exc
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def find(store: Store, spec: ObjectSpec, value: str, scope: dict | None = None) -> dict | None:
    """The record whose key (or RECORDNO) equals ``value``, within ``scope`` (e.g. the task's project)."""
    value = str(value or "").strip()
    if not value:
        return None
    for record in store.all(spec.name):
        if spec.key and str(record.get(spec.key, "")).lower() != value.lower():
            continue
        if not spec.key and str(record["id"]) != value:
            continue
        if all(str(record.get(k, "")).lower() == str(v).lower() for k, v in (scope or {}).items()):
            return record
    return None


def by_recordno(store: Store, spec: ObjectSpec, recordno) -> dict | None:
    try:
        return store.get(spec.name, int(str(recordno).strip()))
    except ValueError:
        return None


def insert(store: IntacctStore, spec: ObjectSpec, fields: dict, now: str) -> dict:
    record = {"id": store.new_id(spec.name), **fields}
    record["RECORDNO"] = str(record["id"])
    record.setdefault("WHENCREATED", now)
    record["WHENMODIFIED"] = now
    record.setdefault("CREATEDBY", "1")
    record["MODIFIEDBY"] = "1"
    if "STATUS" in spec.fields:
        record["STATUS"] = record.get("STATUS") or "active"
    return store.insert(spec.name, record)


def claim(store: IntacctStore, spec: ObjectSpec, record: dict) -> None:
    """Seeded records may bring their own RECORDNO: later ids must not collide with it."""
    if str(record.get("RECORDNO", "")).isdigit():
        record["id"] = int(record["RECORDNO"])
        store.ids.bump_past(spec.name, record["id"])


def touch(record: dict, now: str) -> None:
    record["WHENMODIFIED"] = now
    record["MODIFIEDBY"] = "1"


def is_active(record: dict) -> bool:
    return str(record.get("STATUS", "active")).lower() in ("active", "t", "true")
