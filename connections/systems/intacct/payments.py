"""Payment status of AP bills, read from Intacct's APBILL totals and the APPYMT payments applied to them.

A payment need not move its bill's WHENMODIFIED, so a read takes the bills modified since the cursor and the
bills named in the details (RECORDKEY) of payments modified since then. Each bill gives one PaymentStatus: paid
when nothing is due, partly paid when something was paid, voided when the bill was, else open; with one Payment
per APPYMT applied to it (voided or reversed payments are left out). The version covers state, amount due and the
payments, so an unchanged bill reads as unchanged. Payments are read whole (with APPYMTDETAILS) several per `read`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.systems.base import SourceItem
from syncs.canonical import Payment, PaymentStatus, Ref

from .fields import modified_filter, money, parse_date, parse_datetime, text, version_of, zone

BILL_FIELDS = ["RECORDNO", "RECORDID", "VENDORID", "STATE", "TOTALENTERED", "TOTALDUE", "TOTALPAID", "WHENPAID",
               "CURRENCY", "WHENMODIFIED"]  # fmt: skip
PAYMENT_FIELDS = ["RECORDNO", "VENDORID", "STATE", "WHENMODIFIED"]
VOID_STATES = {"voided", "reversed", "reversal", "void"}
UNPOSTED_STATES = {"draft", "declined", "d", "u", "submitted", "s", "partially approved", "pa"}
READ_BATCH = 100


class IntacctPayments:
    def __init__(self, client, settings: dict):
        self.client = client
        self.tz = zone(settings)
        self._payments: dict[str, dict] = {}  # RECORDNO -> the whole APPYMT
        self._vendors_read: set[str] = set()

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        flt = modified_filter(since, self.tz)
        bills = {text(row, "RECORDNO"): row for row in self.client.query("APBILL", BILL_FIELDS, flt)}
        recent = [text(row, "RECORDNO") for row in self.client.query("APPYMT", PAYMENT_FIELDS, flt)]
        self._load_payments(recent)
        named = {text(d, "RECORDKEY") for p in recent for d in self._details(self._payments.get(p, {}))}
        missing = sorted(key for key in named - set(bills) if key)
        if missing:
            for row in self.client.query("APBILL", BILL_FIELDS, ("in", "RECORDNO", missing)):
                bills[text(row, "RECORDNO")] = row
        self._load_vendor_payments({text(row, "VENDORID") for row in bills.values()})
        for row in bills.values():
            yield self.item(row)

    def get(self, native_id: str) -> SourceItem:
        rows = list(self.client.query("APBILL", BILL_FIELDS, ("equalto", "RECORDNO", native_id)))
        if not rows:
            raise errors.NotFound(f"Intacct has no bill {native_id}", status=404)
        self._load_vendor_payments({text(rows[0], "VENDORID")})
        return self.item(rows[0])

    # --- payments --------------------------------------------------------------------------------------------
    def _load_payments(self, keys: list[str]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key and key not in self._payments]
        for start in range(0, len(wanted), READ_BATCH):
            for row in self.client.read("APPYMT", wanted[start : start + READ_BATCH]):
                self._payments[text(row, "RECORDNO")] = row

    def _load_vendor_payments(self, vendors: set[str]) -> None:
        todo = sorted(vendor for vendor in vendors - self._vendors_read if vendor)
        if not todo:
            return
        rows = self.client.query("APPYMT", PAYMENT_FIELDS, ("in", "VENDORID", todo))
        self._load_payments([text(row, "RECORDNO") for row in rows])
        self._vendors_read.update(todo)

    @staticmethod
    def _details(payment: dict) -> list[dict]:
        details = payment.get("APPYMTDETAILS")
        return details if isinstance(details, list) else []

    def payments(self, bill: dict) -> list[Payment]:
        recordno = text(bill, "RECORDNO")
        found = []
        for key, payment in sorted(self._payments.items()):
            if text(payment, "STATE").lower() in VOID_STATES:
                continue
            amount = sum((money(d, "TRX_PAYMENTAMOUNT") for d in self._details(payment)
                          if text(d, "RECORDKEY") == recordno), start=Decimal("0"))  # fmt: skip
            if amount:
                found.append(
                    Payment(
                        native_id=key,
                        vendor=Ref(text(payment, "VENDORID")),
                        amount=amount,
                        currency=text(payment, "CURRENCY") or text(bill, "CURRENCY"),
                        date=parse_date(text(payment, "PAYMENTDATE") or text(payment, "WHENPAID")),
                        bill=Ref(recordno, code=text(bill, "RECORDID")),
                        reference=text(payment, "DOCNUMBER"),
                        status=text(payment, "STATE"),
                    )
                )
        return found

    # --- status ----------------------------------------------------------------------------------------------
    @staticmethod
    def state(bill: dict) -> str:
        state = text(bill, "STATE").lower()
        amount, due = money(bill, "TOTALENTERED"), money(bill, "TOTALDUE")
        if state in VOID_STATES:
            return "voided"
        if state == "paid" or (amount > 0 and due <= 0):
            return "paid"
        return "partly_paid" if 0 < due < amount else "open"

    def item(self, bill: dict) -> SourceItem:
        payments = self.payments(bill)
        record = PaymentStatus(
            native_id=text(bill, "RECORDNO"),
            status=self.state(bill),
            amount=money(bill, "TOTALENTERED"),
            balance=money(bill, "TOTALDUE"),
            currency=text(bill, "CURRENCY"),
            payments=payments,
        )
        paid = ",".join(f"{p.native_id}={p.amount}" for p in payments)
        stamps = [parse_datetime(text(bill, "WHENMODIFIED"), self.tz)]
        stamps += [parse_datetime(text(self._payments[p.native_id], "WHENMODIFIED"), self.tz) for p in payments]
        return SourceItem(
            record.native_id,
            version_of(record.status, record.balance, paid),
            max((s for s in stamps if s is not None), default=None),
            record,
            label=f"Bill {text(bill, 'RECORDID')} ({record.native_id}) - {text(bill, 'VENDORID')}",
            eligible=text(bill, "STATE").lower() not in UNPOSTED_STATES,
            raw=bill,
        )
