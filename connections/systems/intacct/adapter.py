"""Sage Intacct <-> canonical records: the adapter the engine calls.

Intacct is the destination of Procore flows: AP bills (bills.py), purchase orders for commitments
(commitments.py), vendors both ways (vendors.py) and payment status back (payments.py); its accounts and
dimensions are listed for the mapping grid, and its task codes and cost types are read as one list each for the
mirrors that create them in Procore (dimensions.py). `write_bills` posts several bills in one request, each
outcome applied to its own bill. Nothing here sends a webhook: Intacct has none, so its side is polled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connections import errors
from connections.systems.base import (
    CREATE,
    READ,
    UPDATE,
    Adapter,
    ConnectionCheck,
    ReferenceItem,
    SourceItem,
    WriteResult,
)

from .bills import BillWrite, IntacctBills
from .check import check_connection
from .client import IntacctClient
from .commitments import IntacctCommitments
from .dimensions import COST_TYPES, TASKS, IntacctDimensionList
from .fields import text
from .payments import IntacctPayments
from .vendors import IntacctVendors

#: reference kind -> (object, id field, name field, parent fields)
REFERENCE_OBJECTS = {
    "account": ("GLACCOUNT", "ACCOUNTNO", "TITLE", ()),
    "location": ("LOCATION", "LOCATIONID", "NAME", ()),
    "department": ("DEPARTMENT", "DEPARTMENTID", "TITLE", ()),
    "project": ("PROJECT", "PROJECTID", "NAME", ()),
    "task": ("TASK", "TASKID", "NAME", ("PROJECTID",)),
    "cost_type": ("COSTTYPE", "COSTTYPEID", "NAME", ("PROJECTID", "TASKID")),
    "class": ("CLASS", "CLASSID", "NAME", ()),
    "vendor": ("VENDOR", "VENDORID", "NAME", ()),
}
INACTIVE = {"inactive", "f", "false"}


class IntacctAdapter(Adapter):
    capabilities = {
        "bill": frozenset({CREATE, UPDATE}),
        "commitment": frozenset({CREATE, UPDATE}),
        "vendor": frozenset({READ, CREATE, UPDATE}),
        "payment_status": frozenset({READ}),
        # Back to Procore: distinct task codes as its cost codes, distinct cost types as its cost types.
        "cost_code": frozenset({READ}),
        "cost_type": frozenset({READ}),
    }
    reference_kinds = frozenset(REFERENCE_OBJECTS)

    def __init__(self, connection):
        super().__init__(connection)
        self.client = IntacctClient(connection)
        settings = connection.settings or {}
        self.bills = IntacctBills(self.client, settings)
        self.ops = {
            "commitment": IntacctCommitments(self.client, settings),
            "vendor": IntacctVendors(self.client, settings),
            "payment_status": IntacctPayments(self.client, settings),
            "cost_code": IntacctDimensionList(self.client, settings, TASKS),
            "cost_type": IntacctDimensionList(self.client, settings, COST_TYPES),
        }

    def check(self) -> ConnectionCheck:
        """A session from the connection's credentials, the company and user it names, and one cheap read; or
        Intacct's message verbatim with a hint at which credentials are wrong."""
        return check_connection(self.connection)

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
        obj, id_field, name_field, parents = REFERENCE_OBJECTS[kind]
        select = ["RECORDNO", id_field, name_field, "STATUS", *parents]
        for row in self.client.query(obj, select):
            code = text(row, id_field)
            if not code:
                continue
            chain = [text(row, name) for name in parents]
            yield ReferenceItem(
                kind,
                "/".join([*chain, code]),
                code,
                text(row, name_field),
                text(row, "STATUS").lower() not in INACTIVE,
                parent="/".join(chain),
                data={name: text(row, name) for name in parents},
            )

    def changed(self, entity: str, since: dt.datetime | None, partition: str = "") -> Iterator[SourceItem]:
        self.require(entity, READ)
        return self.ops[entity].changed(since)

    def get(self, entity: str, native_id: str, scope: dict | None = None) -> SourceItem:
        self.require(entity, READ)
        return self.ops[entity].get(native_id)

    def documents(self, entity: str, scope: dict) -> Iterator:
        self.require(entity, READ)
        raise errors.Permanent(f"Sage Intacct adapter lists no {entity!r} documents")

    def find(self, entity: str, record, key: str) -> str | None:
        """The id of the document we wrote for `key` (a bill's RECORDNO, a purchase order's DOCID, a VENDORID)."""
        self.require(entity, CREATE)
        if entity == "bill":
            return self.bills.find(record, key)
        if entity == "vendor":
            return self.ops[entity].find(record)
        return self.ops[entity].find(record, key)

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        """Create (with a control id derived from `key`, uniqueid=true) or update the document."""
        self.require(entity, UPDATE if existing_id else CREATE)
        if entity == "bill":
            return self.bills.write(record, key, existing_id)
        return self.ops[entity].write(record, key, existing_id)

    def preview(self, entity: str, record, key: str) -> dict | None:
        """The create function a new bill or purchase order would send (its control id and XML), unsent."""
        if entity == "bill":
            return self.bills.preview(record, key)
        if entity == "commitment":
            return self.ops[entity].preview(record, key)
        return None

    def write_bills(self, items: list[BillWrite]) -> list[WriteResult | errors.ApiError]:
        """Post several bills in one request: per bill its WriteResult or its own typed error (the others are
        posted all the same). A failure of the request as a whole is raised."""
        self.require("bill", CREATE)
        return self.bills.write_many(items)

    def find_bills(self, items: list[BillWrite]) -> list[str | None | errors.ApiError]:
        """Look several bills up by our keys in one request."""
        self.require("bill", CREATE)
        return self.bills.find_many(items)
