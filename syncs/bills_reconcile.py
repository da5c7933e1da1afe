"""Invoices vs AP bills vs paid status, per project, from the ledger: is every invoice in the books, and paid?

For each `post` flow of an integration that writes bills, every invoice the ledger holds is one line: what the source
says (number, vendor, total), whether it is in the books (the ledger row's state and destination id), and its paid
status as the integration's `status` flow linked to that flow last read it on the side that pays (the amount and
balance there). A line is in one of a few states; anything but "matched" has a fix: replay the record (through the
fix page when it needs a mapping or an override first). Nothing here calls a vendor: the page shows what the
flows last read and wrote, and each flow's next run refreshes it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import TextChoices

from mappings.models import ReferenceRecord

from .flows import FLOWS, FORWARD, POST, STATUS
from .models import RecordState, SyncRecord
from .screens import money

CENT = Decimal("0.01")


class LineState(TextChoices):
    MATCHED = "matched", "In the books"
    NOT_POSTED = "not_posted", "Not in the books"
    SOURCE_CHANGED = "source_changed", "Changed since it was posted"
    AMOUNT_DIFFERS = "amount_differs", "Amount differs in the books"
    STATUS_NOT_BACK = "status_not_back", "Paid status not carried back"
    DELETED = "deleted", "Deleted at the source"


#: states a replay may fix (a deleted document is a decision for a person, in both systems)
REPLAYABLE = (LineState.NOT_POSTED, LineState.SOURCE_CHANGED, LineState.AMOUNT_DIFFERS, LineState.STATUS_NOT_BACK)


@dataclass
class Line:
    record: SyncRecord
    project: str
    number: str
    vendor: str
    total: Decimal
    currency: str
    state: str
    booked_amount: Decimal | None = None  # the bill's amount as the paying side reported it
    paid: Decimal | None = None
    balance: Decimal | None = None
    paid_status: str = ""
    status_record: SyncRecord | None = None
    difference: str = ""

    @property
    def state_label(self) -> str:
        return LineState(self.state).label

    @property
    def fix_record(self) -> SyncRecord:
        """The ledger row a replay of this line sends again (the status row when only the status is behind)."""
        return self.status_record if self.state == LineState.STATUS_NOT_BACK and self.status_record else self.record


@dataclass
class Project:
    key: str
    label: str
    lines: list[Line] = field(default_factory=list)

    def count(self, *states) -> int:
        return sum(1 for line in self.lines if line.state in states)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0"))

    @property
    def booked(self) -> Decimal:
        return sum((line.total for line in self.lines if line.record.state == RecordState.POSTED), Decimal("0"))

    @property
    def paid(self) -> Decimal:
        return sum((line.paid or Decimal("0") for line in self.lines), Decimal("0"))

    @property
    def differences(self) -> int:
        return sum(1 for line in self.lines if line.state != LineState.MATCHED)


def bill_flows(integration) -> list:
    return [FLOWS[key] for key in integration.flows or [] if key in FLOWS and FLOWS[key].kind == POST
            and FLOWS[key].destination_entity == "bill"]  # fmt: skip


def status_flow_for(integration, post_flow):
    return next(
        (FLOWS[key] for key in integration.flows or []
         if key in FLOWS and FLOWS[key].kind == STATUS and FLOWS[key].links_to == post_flow.key),
        None,
    )  # fmt: skip


def reconcile(integration) -> list[Project]:
    """Every invoice of the integration's bill flows, per project, with its state; projects by name."""
    projects: dict[str, Project] = {}
    names = _project_names(integration)
    for flow in bill_flows(integration):
        statuses = _statuses(integration, status_flow_for(integration, flow))
        for record in SyncRecord.objects.filter(integration=integration, flow=flow.key).order_by("label", "pk"):
            line = _line(record, statuses, names)
            projects.setdefault(line.project, Project(line.project, names.get(line.project, line.project or "")))
            projects[line.project].lines.append(line)
    for project in projects.values():
        project.label = project.label or "No project"
    return sorted(projects.values(), key=lambda project: project.label.lower())


def _project_names(integration) -> dict[str, str]:
    refs = ReferenceRecord.objects.filter(connection_id=integration.source_id, kind="project")
    return {ref.native_id: ref.label for ref in refs}


def _statuses(integration, flow) -> dict[str, SyncRecord]:
    """Status ledger rows by the id of the bill they concern (on the side the status flow reads)."""
    if flow is None:
        return {}
    rows = SyncRecord.objects.filter(integration=integration, flow=flow.key)
    return {("source:" if flow.direction == FORWARD else "destination:") + row.source_id: row for row in rows}


def _line(record: SyncRecord, statuses: dict, names: dict) -> Line:
    data = record.canonical or {}
    lines = data.get("lines") or []
    total = sum((money(line.get("amount")) for line in lines), Decimal("0"))
    project = (data.get("project") or {}).get("native_id") or next(
        ((line.get("project") or {}).get("native_id") for line in lines if line.get("project")), ""
    )
    vendor = data.get("vendor") or {}
    line = Line(
        record=record,
        project=str(project or ""),
        number=data.get("number") or record.label or record.source_id,
        vendor=vendor.get("name") or vendor.get("code") or vendor.get("native_id") or "",
        total=total,
        currency=data.get("currency") or "",
        state=LineState.MATCHED,
    )
    status = statuses.get(f"destination:{record.destination_id}") if record.destination_id else None
    status = status or statuses.get(f"source:{record.source_id}")
    _judge(line, status)
    return line


def _judge(line: Line, status: SyncRecord | None) -> None:
    record = line.record
    if record.state == RecordState.SOURCE_DELETED:
        line.state, line.difference = LineState.DELETED, "deleted or voided at the source; check the books by hand"
        return
    if record.state != RecordState.POSTED:
        line.state = LineState.NOT_POSTED
        line.difference = f"{record.get_state_display()}" + (f": {record.last_error}" if record.last_error else "")
        return
    if record.posted_version != record.source_version:
        line.state, line.difference = LineState.SOURCE_CHANGED, "the source changed after it was posted"
        return
    if status is None:
        return
    paid = status.canonical or {}
    line.status_record, line.paid_status = status, paid.get("status", "")
    line.booked_amount = money(paid.get("amount")) if paid.get("amount") not in (None, "") else None
    line.balance = money(paid.get("balance")) if paid.get("balance") not in (None, "") else None
    if line.booked_amount is not None and line.balance is not None:
        line.paid = line.booked_amount - line.balance
    if line.booked_amount is not None and abs(line.booked_amount).quantize(CENT) != abs(line.total).quantize(CENT):
        line.state = LineState.AMOUNT_DIFFERS
        line.difference = f"invoice {line.total:,.2f}, in the books {line.booked_amount:,.2f}"
    elif status.state != RecordState.POSTED:
        line.state = LineState.STATUS_NOT_BACK
        line.difference = f"{line.paid_status or 'status'} read, not written back ({status.get_state_display()})"


CSV_COLUMNS = ["project", "number", "vendor", "invoice_total", "currency", "ledger_state", "destination_id",
               "state", "booked_amount", "paid", "balance", "paid_status", "difference"]  # fmt: skip


def to_csv(projects: list[Project]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for project in projects:
        for line in project.lines:
            writer.writerow([
                project.label, line.number, line.vendor, line.total, line.currency,
                line.record.get_state_display(), line.record.destination_id, line.state_label,
                "" if line.booked_amount is None else line.booked_amount, "" if line.paid is None else line.paid,
                "" if line.balance is None else line.balance, line.paid_status, line.difference,
            ])  # fmt: skip
    return out.getvalue()


def counts(projects: list[Project]) -> dict[str, int]:
    found = defaultdict(int)
    for project in projects:
        for line in project.lines:
            found[line.state] += 1
    return dict(found)


def send_again(integration, record_ids, actor, reason: str) -> dict[str, int]:
    """Replay these ledger rows of the integration; a posted invoice whose amount differs in the books is written
    again as it is at the source (an update of the same document), which a plain replay would leave alone."""
    from . import ledger
    from .engine import replay
    from .models import AuditKind
    from .tasks import enqueue_post_batch

    rows = SyncRecord.objects.filter(integration=integration, pk__in=list(record_ids))
    forced = []
    for project in reconcile(integration):
        for line in project.lines:
            if line.state == LineState.AMOUNT_DIFFERS and line.record.pk in {row.pk for row in rows}:
                reopened = SyncRecord.objects.filter(pk=line.record.pk, state=RecordState.POSTED).update(
                    state=RecordState.PENDING, attempts=0, next_attempt_at=None
                )
                if reopened:
                    message = f"Sent again from the invoice reconciliation ({line.difference}). Reason: {reason}"
                    ledger.audit(integration, AuditKind.REPLAYED, message, record=line.record, actor=actor)
                    forced.append(line.record.pk)
    if forced:
        enqueue_post_batch(forced, None)
    counts = replay([row.pk for row in rows if row.pk not in forced], actor, reason)
    counts["replayed"] += len(forced)
    return counts
