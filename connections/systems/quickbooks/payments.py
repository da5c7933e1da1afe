"""Payment status of QuickBooks bills: paid, partly paid or open, and the bill payments behind it.

A bill payment lowers the bill's `Balance` and is linked from the bill (`LinkedTxn` of type BillPaymentCheck or
BillPaymentCreditCard); its own lines say how much of it went to which bill (`Line[].LinkedTxn` of type Bill). A
read takes the bills changed since the cursor and the bills named by bill payments changed since then (a payment
need not be seen as a change of the bill). Each bill gives one PaymentStatus with one Payment per bill payment
applied to it; the version covers the state, the balance and the payments, so an unchanged state reads as unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.systems.base import SourceItem
from syncs.canonical import Payment, PaymentStatus, Ref

from .bills import BillReader
from .client import QuickBooksClient
from .common import changed_rows, deleted_item, is_deleted, modified, money, parse_date, ref_value
from .consts import DEFAULT_CURRENCY, PAYMENT_TXN_TYPES


def linked(row: dict, types) -> list[str]:
    return [str(txn["TxnId"]) for txn in row.get("LinkedTxn") or [] if txn.get("TxnType") in types]


def applied_to(payment: dict, bill_id: str) -> Decimal:
    """How much of a bill payment went to one bill (the lines linking that bill)."""
    return sum(
        (money(line.get("Amount")) for line in payment.get("Line") or [] if bill_id in linked(line, {"Bill"})),
        Decimal("0"),
    )


class QuickBooksPayments:
    """Read PaymentStatus records from bills and the bill payments applied to them."""

    def __init__(self, client: QuickBooksClient, currency: str = DEFAULT_CURRENCY):
        self.client = client
        self.currency = currency
        self._payments: dict[str, dict | None] = {}

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        bills: dict[str, dict] = {}
        paid_bills: set[str] = set()
        for entity, row in changed_rows(self.client, ["Bill", "BillPayment"], since, lambda entity: [""]):
            if entity == "Bill":
                bills[str(row["Id"])] = row
            elif not is_deleted(row):
                self._payments[str(row["Id"])] = row
                paid_bills.update(bill for line in row.get("Line") or [] for bill in linked(line, {"Bill"}))
        for bill_id in sorted(paid_bills - set(bills)):
            try:
                bills[bill_id] = self.client.read("Bill", bill_id)
            except errors.NotFound:
                continue  # deleted since; its stub comes with a later read
        for row in bills.values():
            yield deleted_item("Bill", row) if is_deleted(row) else self.item(row)

    def get(self, native_id: str) -> SourceItem:
        return self.item(self.client.read("Bill", native_id))

    def item(self, row: dict) -> SourceItem:
        status = self.status(row)
        paid = ",".join(f"{p.native_id}={p.amount}" for p in status.payments)
        stamps = [modified(row)] + [modified(self._payments.get(p.native_id) or {}) for p in status.payments]
        vendor = (row.get("VendorRef") or {}).get("name") or ""
        return SourceItem(
            status.native_id,
            f"{status.status}|{status.balance}|{paid}",
            max((s for s in stamps if s is not None), default=None),
            status,
            label=f"Bill {row.get('DocNumber') or row['Id']} - {vendor}".strip(" -"),
            raw=row,
        )

    def status(self, row: dict) -> PaymentStatus:
        amount = money(row.get("TotalAmt"))
        balance = money(row.get("Balance", row.get("TotalAmt")))
        return PaymentStatus(
            native_id=str(row["Id"]),
            status=BillReader.state(row),
            amount=amount,
            balance=balance,
            currency=ref_value(row.get("CurrencyRef")) or self.currency,
            payments=self.payments(row),
        )

    def payments(self, row: dict) -> list[Payment]:
        """One Payment per bill payment linked from the bill (or read in the same pass), with the part of it that
        went to this bill."""
        bill_id = str(row["Id"])
        status_currency = ref_value(row.get("CurrencyRef")) or self.currency
        ids = set(linked(row, PAYMENT_TXN_TYPES))
        ids |= {pid for pid, payment in self._payments.items() if payment and applied_to(payment, bill_id)}
        found = []
        for payment_id in sorted(ids, key=lambda x: (len(x), x)):
            payment = self._payment(payment_id)
            amount = applied_to(payment, bill_id) if payment else Decimal("0")
            if not amount:
                continue
            vendor = payment.get("VendorRef") or {}
            found.append(
                Payment(
                    native_id=payment_id,
                    vendor=Ref(ref_value(vendor), name=str(vendor.get("name") or "")),
                    amount=amount,
                    currency=ref_value(payment.get("CurrencyRef")) or status_currency,
                    date=parse_date(payment.get("TxnDate")),
                    bill=Ref(bill_id, code=str(row.get("DocNumber") or "")),
                    reference=str(payment.get("DocNumber") or ""),
                    status=str(payment.get("PayType") or ""),
                )
            )
        return found

    def _payment(self, payment_id: str) -> dict | None:
        if payment_id not in self._payments:
            try:
                self._payments[payment_id] = self.client.read("BillPayment", payment_id)
            except errors.NotFound:
                self._payments[payment_id] = None  # deleted: no longer a payment of the bill
        return self._payments[payment_id]
