"""Procurify AP bills -> canonical Bill.

Bills are polled through the v3 list by `last_modified_datetime_0` (the list has no status filter: approved ones are
picked here). Their lines are the bill's items with their cost allocations, each allocation one line on its account
code (the source GL account, `line.account`) with its department and location (`line.dimensions`); item tax and
shipping, and the bill's additional costs, are lines of their own, and the lines must add up to the bill's total
with tax or the bill is not posted. The purchase order an item was bought on is the bill's `commitment`.

A bill's items come from its v2 detail, one call per bill. A backfill reads them in bulk instead: the AP item list
of every bill, 100 at a time, when that takes fewer calls than the details would (2,000 bills: about 30 pages instead
of 2,000 details), so a large first read stays within the connection's request budget. A bill whose bulk items do not
account for its whole total (additional costs live only in the detail) is read through its detail. Either way the
canonical bill is the same. Native ids are bill UUIDs, which is how the detail is addressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from connections.systems.base import SourceItem
from syncs.canonical import Bill, BillLine, Ref

from .common import CENT, cents, coded_by_account_code, coding, day, guarded, money, parse_time
from .consts import BILL_STATUS_NAMES, PAGE_SIZE, POSTABLE_BILL, VOIDED_BILL

#: Fewer approved bills than this in one read: their details are read one by one.
BULK_FROM = 20
#: What is kept of each item read in bulk (the list carries each item's whole vendor, order item, etc.).
ITEM_FIELDS = ("id", "bill", "description", "quantity", "unit_cost", "total_cost", "tax_amount", "tax_is_inclusive",
               "shipping_amount", "cost_allocations", "po")  # fmt: skip


class TotalMismatch(ValueError):
    """The lines read do not add up to the bill's total with tax."""


class ProcurifyBills:
    def __init__(self, client, currency: str):
        self.client = client
        self.currency = currency

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        """Bills last modified at or after `since`; approved ones carry their canonical record."""
        headers = list(self.client.bills(since))
        postable = [header for header in headers if header.get("status") in POSTABLE_BILL]
        bulk = self.bulk_items(postable)
        for header in headers:
            yield self.item(header, lambda header=header: self.from_list(header, bulk))

    def get(self, native_id: str) -> SourceItem:
        detail = self.client.bill(native_id)
        return self.item(detail, lambda: self.from_detail(detail))

    def item(self, header: dict, build) -> SourceItem:
        status = header.get("status")
        eligible = status in POSTABLE_BILL
        record, problem = guarded("bill", build) if eligible else (None, "")
        vendor = (header.get("vendor") or {}).get("name") or ""
        stamp = header.get("last_modified_datetime") or ""
        return SourceItem(
            native_id=str(header["uuid"]),
            version=f"{stamp}|{header.get('version', '')}",
            modified_at=parse_time(stamp),
            record=record,
            label=f"Bill {header.get('invoice_number') or header.get('id')} - {vendor}".strip(" -"),
            eligible=eligible,
            raw={key: header.get(key) for key in ("id", "uuid", "status", "invoice_number", "last_modified_datetime")},
            error=problem,
            deleted=status in VOIDED_BILL or header.get("active") is False,
        )

    # --- items, in bulk or per bill ---------------------------------------------------------------------------------
    def bulk_items(self, postable: list[dict]) -> dict[int, list[dict]]:
        """Items of the bills in `postable`, read from the AP item list when that is cheaper than their details."""
        if len(postable) < BULK_FROM:
            return {}
        pages = -(-self.client.billed_item_count() // PAGE_SIZE)
        if pages >= len(postable):
            return {}
        wanted = {header["id"] for header in postable}
        found: dict[int, list[dict]] = {bill_id: [] for bill_id in wanted}
        for row in self.client.billed_items(page_size=PAGE_SIZE):
            if row.get("bill") in wanted:
                found[row["bill"]].append({key: row.get(key) for key in ITEM_FIELDS})
        return found

    def from_list(self, header: dict, bulk: dict[int, list[dict]]) -> Bill:
        items = bulk.get(header["id"])
        if items is not None and {row["id"] for row in items} == set(header.get("items") or []):
            try:
                return self.bill(header, items, costs=[], orders=[])
            except TotalMismatch:
                pass  # additional costs are only in the detail
        return self.from_detail(self.client.bill(header["uuid"]))

    def from_detail(self, detail: dict) -> Bill:
        items, costs = detail.get("items") or [], detail.get("costs") or []
        return self.bill(detail, items, costs, detail.get("added_purchase_orders"))

    # --- canonical bill ----------------------------------------------------------------------------------------------
    def bill(self, header: dict, items: list[dict], costs: list[dict], orders: list[dict] | None) -> Bill:
        """The canonical bill; TotalMismatch when its lines do not add up to its total with tax."""
        lines = coded_by_account_code(self.lines(items, costs))
        total, expected = sum((line.amount for line in lines), Decimal("0")), cents(header.get("total_cost_with_tax"))
        if total.quantize(CENT) != expected:
            raise TotalMismatch(f"its lines add up to {total}, but Procurify's total with tax is {expected}")
        return Bill(
            native_id=str(header["uuid"]),
            vendor=bill_vendor(header),
            number=header.get("invoice_number") or f"BILL-{header['id']}",
            date=day(header.get("invoice_date")) or day(header.get("submitted_date")),
            currency=(header.get("currency") or {}).get("name") or self.currency,
            lines=lines,
            due_date=day(header.get("due_date")),
            description=f"Procurify bill {header['id']}",
            commitment=self.purchase_order(items, orders),
            status=BILL_STATUS_NAMES.get(header.get("status"), str(header.get("status"))),
        )

    def lines(self, items: list[dict], costs: list[dict]) -> list[BillLine]:
        lines = [line for item in items for line in item_lines(item)]
        for cost in costs:
            account, dimensions = coding((cost.get("cost_allocation") or {}).get("budget"))
            lines.append(
                BillLine(
                    amount=money(cost.get("amount")),
                    description=cost.get("name") or "Additional cost",
                    account=account,
                    dimensions=dimensions,
                    native_id=f"cost:{cost.get('id', '')}",
                )
            )
        return lines

    @staticmethod
    def purchase_order(items: list[dict], orders: list[dict] | None) -> Ref | None:
        """The purchase order the bill's items were bought on, else the first one added to the bill."""
        for item in items:
            po = item.get("po") or {}
            if po.get("id"):
                return Ref(str(po["id"]), code=str(po.get("number") or po["id"]))
        for po in orders or []:
            if po.get("id"):
                return Ref(str(po["id"]), code=str(po.get("number") or po["id"]))
        return None


def bill_vendor(header: dict) -> Ref:
    """The list names a bill's vendor by id and name only; the detail's external id is left out so both agree."""
    vendor = header.get("vendor") or {}
    return Ref(str(vendor.get("id") or ""), name=vendor.get("name") or "")


def item_lines(item: dict) -> list[BillLine]:
    """One line per cost allocation of the item (its coding), plus its shipping and its tax charged on top."""
    description = item.get("description") or ""
    allocations = item.get("cost_allocations") or []
    lines = []
    for allocation in allocations:
        account, dimensions = coding(allocation.get("budget"))
        lines.append(
            BillLine(
                amount=money(allocation.get("amount")),
                description=description,
                account=account,
                dimensions=dimensions,
                native_id=f"{item['id']}:{allocation.get('id', '')}",
            )
        )
    if not lines:
        lines.append(BillLine(amount=cents(item.get("total_cost")), description=description, native_id=str(item["id"])))
    if len(lines) == 1:
        lines[0].quantity = money(item["quantity"]) if item.get("quantity") not in (None, "") else None
        lines[0].unit_cost = cents(item["unit_cost"]) if item.get("unit_cost") not in (None, "") else None
    first = lines[0]
    extras = [("Shipping", money(item.get("shipping_amount")))]
    if not item.get("tax_is_inclusive"):
        extras.append(("Tax", cents(item.get("tax_amount"))))
    for label, amount in extras:
        if amount:
            lines.append(
                BillLine(
                    amount=amount,
                    description=f"{label}: {description}"[:255],
                    account=first.account,
                    dimensions=dict(first.dimensions),
                    native_id=f"{item['id']}:{label.lower()}",
                )
            )
    return lines
