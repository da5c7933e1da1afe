"""Procurify purchase orders <-> canonical Commitment, and status written back to them.

A purchase order exists in Procurify once its requisition was approved and bought, so every order that is not
cancelled is a commitment (kind `purchase_order`, no project); a cancelled one is reported as voided. Orders are
polled through `/api/v2/purchase_orders/purchased/all/` by `modified_date_0` (a day, so orders modified earlier
that day are dropped here by their `last_modified`), and each one's items come from its detail. Each order item is
a line on its account code (`line.account`, the source GL account) with its department and location
(`line.dimensions`); freight, and what tax, discount and other charges add, are lines of their own, coded like the
first item, so the lines add up to the order's total. Native ids are Procurify PO numbers (`procurify_PO`).

Status back: "closed", "completed", "received" or "paid" close the order through the published `close` call;
"reopened" reopens a closed one. The order's state is read first, so a repeated status writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.systems.base import SourceItem, WriteResult
from syncs.canonical import Commitment, CommitmentLine

from .common import coded_by_account_code, coding, day, guarded, money, parse_time, vendor_ref
from .consts import (
    CLOSING_STATUSES,
    COMMITTED_PO,
    PO_CANCELLED,
    PO_CLOSED,
    PO_PAID,
    PO_STATE_NAMES,
    REOPENING_STATUSES,
)


class ProcurifyOrders:
    def __init__(self, client, currency: str):
        self.client = client
        self.currency = currency

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        """Purchase orders last modified at or after `since`, each with its items when it is a commitment."""
        # The filter takes a day; a day earlier covers any time zone the server may count days in.
        start = (since - dt.timedelta(days=1)).date() if since else None
        for header in self.client.purchase_orders(start):
            stamp = parse_time(header.get("last_modified"))
            if since is not None and stamp is not None and stamp < since:
                continue
            yield self.item(header, lambda header=header: self.commitment(self.detail(header)))

    def get(self, native_id: str) -> SourceItem:
        detail = self.client.purchase_order(native_id)
        return self.item(detail, lambda: self.commitment(detail))

    def documents(self) -> Iterator[Commitment]:
        """Every current commitment (Procurify has no projects: one scope)."""
        for header in self.client.purchase_orders():
            found = self.item(header, lambda header=header: self.commitment(self.detail(header)))
            if found.eligible and found.record is not None:
                yield found.record

    def detail(self, header: dict) -> dict:
        return self.client.purchase_order(header["procurify_PO"])

    def item(self, header: dict, build) -> SourceItem:
        state = header.get("state")
        eligible = state in COMMITTED_PO
        record, problem = guarded("purchase order", build) if eligible else (None, "")
        vendor = (header.get("pref_vendor") or {}).get("name") or header.get("vendor_name") or ""
        stamp = header.get("last_modified") or ""
        return SourceItem(
            native_id=str(header["procurify_PO"]),
            version=f"{stamp}|{header.get('version', '')}",
            modified_at=parse_time(stamp),
            record=record,
            label=f"PO {header.get('number') or header['procurify_PO']} - {vendor}".strip(" -"),
            eligible=eligible,
            raw={key: header.get(key) for key in ("procurify_PO", "uuid", "number", "state", "last_modified")},
            error=problem,
            deleted=state == PO_CANCELLED,
        )

    def commitment(self, detail: dict) -> Commitment:
        number = str(detail.get("number") or detail["procurify_PO"])
        lines = [order_line(row) for row in detail.get("order_items") or [] if row.get("is_active", True) is not False]
        if not lines:
            raise ValueError(f"purchase order {number} has no items")
        lines += charges(detail, lines)
        contract = (detail.get("contract") or {}).get("name")
        return Commitment(
            native_id=str(detail["procurify_PO"]),
            vendor=vendor_ref(detail.get("pref_vendor")),
            number=number,
            title=contract or f"Procurify purchase order {number}",
            currency=(detail.get("purchased_currency") or {}).get("name") or self.currency,
            status=PO_STATE_NAMES.get(detail.get("state"), str(detail.get("state"))),
            lines=coded_by_account_code(lines),
            date=day(detail.get("date")),
            kind="purchase_order",
        )

    # --- status back ---------------------------------------------------------------------------------------------
    def write_status(self, native_id: str, status) -> WriteResult:
        """Close (or reopen) the order as the other side's status says; nothing when it already is."""
        wanted = str(getattr(status, "status", status) or "").strip().lower()
        state = self.client.purchase_order(native_id).get("state")
        if wanted in CLOSING_STATUSES and state == PO_CANCELLED:
            raise errors.ValidationFailed(f"Procurify purchase order {native_id} is cancelled: it cannot be closed")
        if wanted in CLOSING_STATUSES and state not in (PO_CLOSED, PO_PAID):
            answer = self.client.close_purchase_order(native_id)
            return WriteResult(native_id, False, sent={"action": "close"}, response={"state": answer.get("state")})
        if wanted in REOPENING_STATUSES and state == PO_CLOSED:
            answer = self.client.reopen_purchase_order(native_id)
            return WriteResult(native_id, False, sent={"action": "reopen"}, response={"state": answer.get("state")})
        return WriteResult(native_id, False, response={"unchanged": True, "state": PO_STATE_NAMES.get(state, state)})


def order_line(row: dict) -> CommitmentLine:
    account, dimensions = coding(row.get("account"))
    return CommitmentLine(
        amount=money(row.get("total_cost")),
        description=row.get("name") or "",
        quantity=money(row["quantity"]) if row.get("quantity") not in (None, "") else None,
        unit_cost=money(row["price"]) if row.get("price") not in (None, "") else None,
        native_id=str(row.get("id", "")),
        account=account,
        dimensions=dimensions,
    )


def charges(detail: dict, lines: list[CommitmentLine]) -> list[CommitmentLine]:
    """Freight, and the rest of what separates the items from the order's total (tax, discount, other)."""
    first = lines[0]
    freight = money(detail.get("freight"))
    rest = Decimal("0")
    if detail.get("total") not in (None, ""):
        rest = money(detail["total"]) - sum((line.amount for line in lines), Decimal("0")) - freight
    found = []
    for native_id, label, amount in (("freight", "Freight", freight), ("charges", "Tax, discount and other", rest)):
        if amount:
            found.append(
                CommitmentLine(
                    amount=amount,
                    description=label,
                    native_id=native_id,
                    account=first.account,
                    dimensions=dict(first.dimensions),
                )
            )
    return found
