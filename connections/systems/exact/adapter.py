"""Exact Online -> canonical records. Exact is a source only: this adapter never writes to Exact.

`commitment` is a purchase order (kind purchase_order), `bill` a purchase entry (purchase invoice or credit note),
`vendor` a supplier (read so a mirror flow can create it on the other side before a document that names it).
Both are read by their `Modified` stamp from the document endpoints with their lines expanded: the sync endpoint
of purchase orders flattens one row per line without the order's own description, and its Timestamp cursor would
not fit the engine's time cursor; Exact has no sync endpoint for purchase entries. An order is also read again
when only one of its lines changed. A cancelled order is read as deleted (flagged, never acted on); a rejected
entry is read but not eligible. Webhooks only name a record by key; it is fetched again here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connections import errors
from connections.systems.base import READ, Adapter, ConnectionCheck, ReferenceItem, SourceItem, WebhookHint

from . import documents, reference, suppliers, webhooks
from .client import ExactClient

READ_ONLY = "Exact Online is a source only: nothing is ever written to Exact"


class ExactAdapter(Adapter):
    capabilities = {
        "commitment": frozenset({READ}),
        "bill": frozenset({READ}),
        "vendor": frozenset({READ}),
    }
    reference_kinds = reference.KINDS

    def __init__(self, connection):
        super().__init__(connection)
        self.client = ExactClient(connection)
        self._projects: dict[str, dict] | None = None
        self._suppliers: dict[str, dict] | None = None

    # --- contract ------------------------------------------------------------------------------------------
    def check(self) -> ConnectionCheck:
        from .divisions import describe

        ok, message = describe(self.client)
        return ConnectionCheck(ok, message)

    def changed(self, entity: str, since: dt.datetime | None, partition: str = "") -> Iterator[SourceItem]:
        """Documents modified at or after `since` (all when None) in the connection's division."""
        self.require(entity)
        if entity == "commitment":
            yield from self._orders_changed(since)
        elif entity == "vendor":
            for row in self.client.suppliers_changed(since):
                yield suppliers.item(row, self.client.zone)
        else:
            for header in self.client.purchase_entries(since):
                yield self._entry_item(header)

    def get(self, entity: str, native_id: str, scope: dict | None = None) -> SourceItem:
        self.require(entity)
        if entity == "commitment":
            return self._order_item(self.client.purchase_order(native_id))
        if entity == "vendor":
            return suppliers.item(self.client.supplier(native_id), self.client.zone)
        return self._entry_item(self.client.purchase_entry(native_id))

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
        return reference.reference(self.client, kind)

    def find(self, entity: str, record, key: str) -> str | None:
        raise errors.Permanent(READ_ONLY)

    def write(self, entity: str, record, key: str, existing_id: str | None = None):
        raise errors.Permanent(READ_ONLY)

    def write_status(self, entity: str, native_id: str, status, key: str):
        raise errors.Permanent(READ_ONLY)

    def verify_webhook(self, headers: dict, body: bytes) -> bool:
        return webhooks.verify((self.connection.secrets or {}).get("webhook_secret") or "", body)

    def webhook_event_id(self, headers: dict, body: bytes) -> str:
        return webhooks.event_id(body)

    def parse_webhook(self, headers: dict, body: bytes) -> list[WebhookHint]:
        """Purchase orders and purchase entries of our division; other topics and divisions give no hint."""
        return webhooks.hints(body, str((self.connection.settings or {}).get("division") or ""))

    def subscribe_webhooks(self, callback_url: str, entities=None) -> dict:
        """Subscribe `callback_url` to the topics of `entities` (None: every topic we read), each once.

        Exact signs notifications with the app's own webhook secret, so nothing here makes up or stores a secret.
        A subscription cannot be updated, so the existing ones are listed first and a topic already subscribed at
        this URL is kept. A topic Exact refuses (the purchase entry topic is not confirmed for every region) is
        reported, not fatal: the poll remains the backstop for it, as for an entity with no topic at all."""
        topics = webhooks.topics_for(entities)
        existing = {(row.get("CallbackURL"), row.get("Topic")) for row in self.client.webhook_subscriptions()}
        created, kept, refused = [], [], {}
        for topic in topics:
            if (callback_url, topic) in existing:
                kept.append(topic)
                continue
            try:
                self.client.create_webhook_subscription(callback_url, topic)
                created.append(topic)
            except errors.ValidationFailed as exc:
                refused[topic] = str(exc)
        report = webhooks.subscription_report(created, kept, refused, webhooks.without_topic(entities))
        if not (self.connection.secrets or {}).get("webhook_secret"):
            report["summary"] += "; enter the app's webhook secret on the connection, or every notification is refused"
        return report

    # --- purchase orders -----------------------------------------------------------------------------------
    def _orders_changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        seen = set()
        for header in self.client.purchase_orders(since):
            seen.add(str(header["PurchaseOrderID"]))
            yield self._order_item(header)
        if since is None:
            return
        touched = {str(line["PurchaseOrderID"]) for line in self.client.purchase_order_lines(since)}
        for order_id in sorted(touched - seen):
            try:
                yield self._order_item(self.client.purchase_order(order_id))
            except errors.NotFound:
                continue  # deleted since its line changed: its deletion reaches us on its own

    def _order_item(self, header: dict) -> SourceItem:
        lines: list[dict] = []

        def build():
            lines.extend(self.client.expanded(header, "PurchaseOrderLines"))  # inline, or more pages of them
            return documents.commitment(header, lines)

        cancelled = documents.is_cancelled(header)
        found = documents.item(
            str(header["PurchaseOrderID"]), header, None, documents.order_label(header), build,
            eligible=not cancelled, deleted=cancelled,
        )  # fmt: skip
        # A line changed alone moves the order's high-water mark too.
        stamps = [header.get("Modified"), *(line.get("Modified") for line in lines)]
        found.modified_at = documents.latest(self.client.zone, *stamps)
        return found

    # --- purchase entries ----------------------------------------------------------------------------------
    def _entry_item(self, header: dict) -> SourceItem:
        def build():
            lines = self.client.expanded(header, "PurchaseEntryLines")
            return documents.bill(header, lines, self._project_rows(lines), self._supplier_rows())

        return documents.item(
            str(header["EntryID"]), header, documents.latest(self.client.zone, header.get("Modified")),
            documents.entry_label(header), build, eligible=not documents.is_rejected(header),
        )  # fmt: skip

    def _project_rows(self, lines: list[dict]) -> dict[str, dict]:
        """Project codes by id, read once per adapter and only when an entry line names a project."""
        if self._projects is None and any(line.get("Project") for line in lines):
            self._projects = reference.lookup(self.client.projects())
        return self._projects or {}

    def _supplier_rows(self) -> dict[str, dict]:
        if self._suppliers is None:
            self._suppliers = reference.lookup(self.client.suppliers())
        return self._suppliers

