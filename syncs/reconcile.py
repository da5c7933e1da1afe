"""Reconcile flows: documents compared on both sides, per scope (project), into a stored report.

Each scope's documents are read in full from both sides. A source document is paired with the destination
document its `fixes_with` flow posted (the ledger link) or, failing that, the one with the same number. A pair is
matched, differs in amount, or has the same total over different lines; unpaired documents are missing on one
side. `fix` creates or updates the destination documents through the `fixes_with` post flow.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db import transaction

from . import canonical, ledger
from .flows import FLOWS
from .models import AuditKind, ReconcileLine, ReconcileReport, ReconcileState, RecordState, SyncRecord

CENT = Decimal("0.01")


def reconcile(integration, flow, run) -> dict:
    """Compare every scope of the reading side with the writing side's documents; returns counts by state.

    The writing side is read once, whole: its documents are paired by link or number whatever project they were
    filed under there, and the ones no source document claims are reported together at the end.
    """
    from .engine import adapter_for, sides

    reader_connection, writer_connection = sides(integration, flow)
    reader, writer = adapter_for(reader_connection), adapter_for(writer_connection)
    theirs = list(writer.documents(flow.destination_entity, {}))
    links = dict(
        SyncRecord.objects.filter(integration=integration, flow=flow.fixes_with).values_list(
            "source_id", "destination_id"
        )
    )
    paired: set[str] = set()
    totals = Counter()
    for scope in reader.reconcile_scopes(flow.source_entity):
        ours = list(reader.documents(flow.source_entity, scope))
        lines = compare(ours, theirs, links, paired)
        totals.update(_store(integration, flow, run, scope, lines).counts)
    unclaimed = [
        _line(ReconcileState.MISSING_IN_SOURCE, None, doc, f"no {reader_connection.spec.label} document")
        for doc in theirs
        if doc.native_id not in paired
    ]
    if unclaimed:
        scope = {"label": f"Only in {writer_connection.spec.label}"}
        totals.update(_store(integration, flow, run, scope, unclaimed).counts)
    ledger.audit(integration, AuditKind.READ, f"Reconciled {flow.label}: {dict(totals)}.", run=run)
    return dict(totals)


def compare(ours: list, theirs: list, links: dict, paired: set) -> list[ReconcileLine]:
    """Pair each source document with a destination document (by ledger link, else by number)."""
    by_id = {doc.native_id: doc for doc in theirs}
    by_number = {}
    for doc in theirs:
        by_number.setdefault(doc.number, doc)
    lines = []
    for doc in ours:
        other = by_id.get(links.get(doc.native_id, "")) or by_number.get(doc.number)
        if other is not None and other.native_id not in paired:
            paired.add(other.native_id)
            lines.append(_pair(doc, other))
        else:
            lines.append(_line(ReconcileState.MISSING_IN_DESTINATION, doc, None, "not found in the destination"))
    return lines


def _pair(doc, other) -> ReconcileLine:
    ours, theirs = doc.total.quantize(CENT), other.total.quantize(CENT)
    if ours != theirs:
        return _line(
            ReconcileState.AMOUNT_DIFFERS, doc, other, f"total {ours} here, {theirs} there ({ours - theirs:+})"
        )
    if _amounts(doc) != _amounts(other):
        text = f"same total over different lines: {_amounts(doc)} here, {_amounts(other)} there"
        return _line(ReconcileState.LINES_DIFFER, doc, other, text)
    return _line(ReconcileState.MATCHED, doc, other, "")


def _amounts(doc) -> list[str]:
    """The document's line amounts (with approved change orders as lines), sorted, for a comparison by value."""
    values = [line.amount for line in doc.lines] + [co.amount for co in doc.change_orders if co.status == "approved"]
    return sorted(str(Decimal(value).quantize(CENT)) for value in values)


def _line(state, doc, other, difference: str) -> ReconcileLine:
    any_doc = doc or other
    return ReconcileLine(
        state=state,
        number=any_doc.number,
        vendor=any_doc.vendor.name or any_doc.vendor.native_id,
        source_id=doc.native_id if doc else "",
        destination_id=other.native_id if other else "",
        source_total=doc.total if doc else None,
        destination_total=other.total if other else None,
        difference=difference,
        source_record=canonical.to_dict(doc) if doc else None,
    )


@transaction.atomic
def _store(integration, flow, run, scope: dict, lines: list[ReconcileLine]) -> ReconcileReport:
    report = ReconcileReport.objects.create(
        integration=integration,
        flow=flow.key,
        run=run,
        scope=str(scope.get("label") or scope.get("project") or "all")[:200],
        scope_key=str(scope.get("project") or "")[:200],
        counts=dict(Counter(line.state for line in lines)),
        source_total=sum((line.source_total or 0 for line in lines), Decimal(0)),
        destination_total=sum((line.destination_total or 0 for line in lines), Decimal(0)),
    )
    for line in lines:
        line.report = report
    ReconcileLine.objects.bulk_create(lines)
    return report


FIXABLE = (ReconcileState.MISSING_IN_DESTINATION, ReconcileState.AMOUNT_DIFFERS, ReconcileState.LINES_DIFFER)


def fix(line_ids, actor=None) -> dict[str, int]:
    """Create or update the destination documents of these report lines through the flow that posts them.

    The source document is read again (the report may be old) and recorded in that flow's ledger like any read.
    """
    from .engine import adapter_for, post_record, sides

    counts = Counter()
    lines = ReconcileLine.objects.filter(pk__in=list(line_ids), state__in=FIXABLE).select_related("report")
    for line in lines:
        report = line.report
        post_flow = FLOWS[FLOWS[report.flow].fixes_with]
        item = adapter_for(sides(report.integration, post_flow)[0]).get(post_flow.source_entity, line.source_id)
        record = ledger.record_item(report.integration, post_flow, item) or SyncRecord.objects.filter(
            integration=report.integration, flow=post_flow.key, source_id=line.source_id
        ).first()
        if record is None:
            counts["not_eligible"] += 1
            continue
        if record.state == RecordState.POSTED:  # posted, yet it differs: send it again
            SyncRecord.objects.filter(pk=record.pk).update(state=RecordState.PENDING)
        ledger.audit(
            report.integration,
            AuditKind.REPLAYED,
            f"Fix asked from the reconciliation of {report.scope}: {line.get_state_display().lower()}.",
            record=record,
            actor=actor,
        )
        counts[post_record(record.pk)] += 1
    return dict(counts)
