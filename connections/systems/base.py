"""The adapter contract every external system implements.

An adapter turns one system's records into canonical records (syncs/canonical.py) and back. The engine calls only
these methods and never names a system. An adapter declares which entities it reads and writes, and which
reference kinds it can list; the engine refuses a flow that asks for more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from connections import errors


@dataclass
class SourceItem:
    """One record read from a source: the canonical record plus what the ledger needs to track it."""

    native_id: str
    version: str  # changes whenever the source record changes (e.g. its updated_at)
    modified_at: dt.datetime | None  # drives the incremental cursor
    record: Any  # a canonical record
    label: str = ""  # human summary for the ledger, e.g. "Invoice 1042 - Star Framing"
    eligible: bool = True  # False: read but not to be written (e.g. not approved yet)
    raw: dict = field(default_factory=dict)
    error: str = ""  # the source record could not be turned into a canonical record, and why
    deleted: bool = False  # the source deleted or voided it: its ledger row is flagged, nothing is written


@dataclass
class ReferenceItem:
    """A piece of reference data (vendor, GL account, cost code, dimension...) as listed by a system."""

    kind: str
    native_id: str
    code: str
    name: str
    active: bool = True
    parent: str = ""  # e.g. the project of a task
    data: dict = field(default_factory=dict)


@dataclass
class WriteResult:
    destination_id: str
    created: bool  # False when an existing record was found and updated
    sent: dict | None = None  # exactly what was sent
    response: dict | None = None  # what came back (trimmed)


@dataclass
class WebhookHint:
    """What a verified webhook tells us: which record changed. The record itself is always re-read."""

    event_id: str
    entity: str
    native_id: str
    action: str = "update"
    scope: dict = field(default_factory=dict)  # e.g. {"project_id": "..."}


@dataclass
class ConnectionCheck:
    ok: bool
    message: str


_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def short_key(native_id: str, prefix: str = "V") -> str:
    """A short code only this source id yields (prefix + the id in base 36; a digest for ids that are not numbers).

    Used where a destination needs a key we choose (e.g. a new VendorID), so a retry after a lost answer finds the
    record it created instead of making a second one.
    """
    number = int(native_id) if native_id.isdigit() else int(hashlib.sha256(native_id.encode()).hexdigest()[:10], 16)
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
        if not number:
            return f"{prefix}{digits}"


#: What an adapter can do with an entity.
READ, CREATE, UPDATE, STATUS = "read", "create", "update", "status"


class Adapter:
    """Base class: subclasses declare their capabilities and implement what they support.

    `capabilities` maps each entity to the operations the adapter serves: `read` (changed/get/documents), `create`
    and `update` (find/write), `status` (write_status). The engine refuses a flow an adapter cannot serve.
    """

    capabilities: dict[str, frozenset[str]] = {}
    reference_kinds: frozenset[str] = frozenset()

    def __init__(self, connection):
        self.connection = connection

    @classmethod
    def can(cls, entity: str, operation: str) -> bool:
        return operation in cls.capabilities.get(entity, frozenset())

    @property
    def label(self) -> str:
        return self.connection.spec.label

    def require(self, entity: str, operation: str = READ) -> None:
        """Refuse, before any call, what this adapter does not serve."""
        if not self.can(entity, operation):
            raise errors.Permanent(f"{self.label} cannot {operation} {entity.replace('_', ' ')} records")

    @property
    def reads(self) -> frozenset[str]:
        return frozenset(entity for entity in self.capabilities if self.can(entity, READ))

    def record_url(self, entity: str, native_id: str) -> str | None:
        """The address of a record in the system's own web application, for a person to open; None where the
        vendor publishes no address pattern (never a guessed one)."""
        return None

    def check(self) -> ConnectionCheck:
        """Authenticate and make one cheap read."""
        raise NotImplementedError

    def partitions(self, entity: str) -> list[str]:
        """The separately listed parts of `entity` (e.g. one list per project), each with its own cursor.

        A source that lists an entity in one call has a single partition, "".
        """
        return [""]

    def changed(self, entity: str, since: dt.datetime | None, partition: str = "") -> Iterator[SourceItem]:
        """Records of `entity` in `partition` modified at or after `since` (all when None), in any order.

        The engine moves the partition's cursor only after this has been read to the end.
        """
        raise NotImplementedError

    def get(self, entity: str, native_id: str, scope: dict | None = None) -> SourceItem:
        """Re-read one record."""
        raise NotImplementedError

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
        """List reference data of one kind (vendor, account, subaccount, cost_code, cost_type, project, task...)."""
        raise NotImplementedError

    def find(self, entity: str, record, key: str) -> str | None:
        """The id of the document we wrote for `key` (our destination key), or None when truly absent.

        Raises `errors.Conflict` when a document with the same business key (e.g. vendor + invoice number) exists
        that we did not write: it is never taken over silently.
        """
        raise NotImplementedError

    def prefetch(self, entity: str, documents: list[tuple[str, Any]], patience: float | None = None) -> None:
        """Look up many documents ((key, resolved record) pairs) in as few calls as the API allows, before they are
        posted one by one; `find` then answers from what was found. Optional: by default nothing is fetched early.
        The engine drops what it can no longer trust (see `drop_prefetched`). `patience`: the longest wait for one
        answer (see HttpClient.request); what is not found in time is looked up record by record."""

    def drop_prefetched(self, key: str) -> None:
        """Forget what `prefetch` found for `key`: someone else may have written it since; `find` asks again."""

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        """Create or update a record idempotently; `key` is derived from the ledger row and reused on replay."""
        raise NotImplementedError

    def preview(self, entity: str, record, key: str) -> dict | None:
        """The body `write` would send to create `record` (resolved) under `key`, for a person to approve; nothing
        is written (a read-only look-up is allowed). None when the adapter shows no preview of `entity`."""
        return None

    def documents(self, entity: str, scope: dict) -> Iterator[Any]:
        """Every current document of `entity` in `scope` (e.g. {"project": <canonical project ref>}), as canonical
        records, for a reconciliation."""
        raise errors.Permanent(f"{self.label} lists no {entity.replace('_', ' ')} documents for a reconciliation")

    def reconcile_scopes(self, entity: str) -> list[dict]:
        """The scopes a reconciliation of `entity` is run per (e.g. one per active project)."""
        return [{}]

    def write_status(self, entity: str, native_id: str, status, key: str) -> WriteResult:
        """Record on the document `native_id` the payment status `status` (a canonical PaymentStatus) read from
        the other side. Idempotent: each payment is written once, whatever the number of calls."""
        raise NotImplementedError

    def verify_webhook(self, headers: dict, body: bytes) -> bool:
        """Whether an inbound webhook is authentic (constant-time comparisons only)."""
        return False

    def webhook_event_id(self, headers: dict, body: bytes) -> str:
        """The sender's id of a verified webhook delivery, for dropping duplicates; ValueError when absent."""
        raise NotImplementedError

    def parse_webhook(self, headers: dict, body: bytes) -> list[WebhookHint]:
        """Hints from a verified webhook body; raises ValueError on a malformed payload."""
        raise NotImplementedError
