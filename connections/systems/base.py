"""The adapter contract every external system implements.

An adapter turns one system's records into canonical records (syncs/canonical.py) and back. The engine calls only
these methods and never names a system. An adapter declares which entities it reads and writes, and which
reference kinds it can list; the engine refuses a flow that asks for more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


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


class Adapter:
    """Base class: subclasses set the capability declarations and implement what they support."""

    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()
    reference_kinds: frozenset[str] = frozenset()

    def __init__(self, connection):
        self.connection = connection

    def check(self) -> ConnectionCheck:
        """Authenticate and make one cheap read."""
        raise NotImplementedError

    def changed(self, entity: str, since: dt.datetime | None) -> Iterator[SourceItem]:
        """Records of `entity` modified at or after `since` (all when None), oldest first where possible."""
        raise NotImplementedError

    def get(self, entity: str, native_id: str, scope: dict | None = None) -> SourceItem:
        """Re-read one record."""
        raise NotImplementedError

    def reference(self, kind: str) -> Iterator[ReferenceItem]:
        """List reference data of one kind (vendor, account, subaccount, cost_code, cost_type, project, task...)."""
        raise NotImplementedError

    def find(self, entity: str, record) -> str | None:
        """Look a record up on this system by its external key; its id, or None when truly absent."""
        raise NotImplementedError

    def write(self, entity: str, record, key: str, existing_id: str | None = None) -> WriteResult:
        """Create or update a record idempotently; `key` is derived from the ledger row and reused on replay."""
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
