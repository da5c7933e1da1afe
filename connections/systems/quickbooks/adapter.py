"""QuickBooks Online <-> canonical records. QuickBooks is a source: bills, vendors and their payment status.

Reads go through change data capture (deleted bills come back as stubs and are flagged), or the query endpoint when
the window reaches past CDC's 30 days or nothing has been read yet. Bills (bills.py) carry their expense accounts,
jobs, classes and locations for the lookup table; payment status (payments.py) says paid or partly paid from the
bill's Balance and the bill payments linked to it; vendors (vendors.py) can also be written, each create with a
requestid from our key and each update with the SyncToken, re-read once when it is stale. Webhooks (webhooks.py) are
verified against the app's verifier token and used as hints.
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
    WebhookHint,
    WriteResult,
)

from . import webhooks
from .bills import BillReader
from .client import QuickBooksClient
from .common import changed_rows, deleted_item, is_deleted
from .consts import DEFAULT_CURRENCY
from .payments import QuickBooksPayments
from .references import KINDS, QuickBooksReferences
from .vendors import QuickBooksVendors


class QuickBooksAdapter(Adapter):
    capabilities = {
        "bill": frozenset({READ}),
        "vendor": frozenset({READ, CREATE, UPDATE}),
        "payment_status": frozenset({READ}),
    }
    reference_kinds = frozenset(KINDS)

    def __init__(self, connection):
        super().__init__(connection)
        self.client = QuickBooksClient(connection)
        self.currency = DEFAULT_CURRENCY
        self.references = QuickBooksReferences(self.client)
        self.bills = BillReader(self.references, self.currency)
        self.vendors = QuickBooksVendors(self.client)
        self.payments = QuickBooksPayments(self.client, self.currency)

    def check(self) -> ConnectionCheck:
        company = self.client.company_info()
        name = company.get("CompanyName") or "the company"
        return ConnectionCheck(True, f"Signed in to {name} (realm {self.client.realm}).")

    def changed(self, entity: str, since: dt.datetime | None, partition: str = "") -> Iterator[SourceItem]:
        """Records changed at or after `since` (all when None); deleted bills as deleted items."""
        self.require(entity)
        if entity == "vendor":
            yield from self.vendors.changed(since)
        elif entity == "payment_status":
            yield from self.payments.changed(since)
        else:
            for _, row in changed_rows(self.client, ["Bill"], since, lambda name: [""]):
                yield deleted_item("Bill", row) if is_deleted(row) else self.bills.item(row)

    def get(self, entity: str, native_id: str, scope: dict | None = None) -> SourceItem:
        self.require(entity)
        if entity == "vendor":
            return self.vendors.get(native_id)
        if entity == "payment_status":
            return self.payments.get(native_id)
        return self.bills.item(self.client.read("Bill", native_id))

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
        """Vendors, accounts, classes, departments (locations) and customers (with their jobs and sub-customers)."""
        if kind not in KINDS:
            raise errors.Permanent(f"QuickBooks has no reference list {kind!r}")
        yield from self.references.listing(kind)

    def find(self, entity: str, record, key: str) -> str | None:
        """Vendors: the one with the record's display name (unique in a company)."""
        self.require(entity, CREATE)
        return self.vendors.find(record)

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        self.require(entity, UPDATE if existing_id else CREATE)
        return self.vendors.write(record, key, existing_id)

    def documents(self, entity: str, scope: dict) -> Iterator:
        self.require(entity)
        raise errors.Permanent(f"QuickBooks lists no {entity} documents per scope")

    def write_status(self, entity: str, native_id: str, status, key: str) -> WriteResult:
        self.require(entity, STATUS)
        raise errors.Permanent(f"QuickBooks takes no {entity} status")

    def verify_webhook(self, headers: dict, body: bytes) -> bool:
        return webhooks.verify(self.connection.secrets.get("webhook_verifier_token") or "", headers, body)

    def webhook_event_id(self, headers: dict, body: bytes) -> str:
        return webhooks.event_id(body)

    def parse_webhook(self, headers: dict, body: bytes) -> list[WebhookHint]:
        """Bills and vendors of this company (legacy and CloudEvents payloads)."""
        return webhooks.hints(body, self.client.realm)

