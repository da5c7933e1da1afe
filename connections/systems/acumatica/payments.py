"""Payment status of AP bills (and debit adjustments), read from Acumatica.

A bill's status changes when a check is applied, released or voided, and that need not move the bill's own
LastModifiedDateTime. So a read takes the bills modified since the cursor and the bills named in the details of
checks modified since then. Each bill gives one PaymentStatus: open, partly paid, paid or voided from its Status,
Amount and Balance, with one Payment per check applied to it (`<check type>/<check nbr>`; voided checks are left
out). The version covers status, balance and payments, so an unchanged state is read as unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from connections import errors
from connections.systems.base import SourceItem
from syncs.canonical import Payment, PaymentStatus, Ref

from .fields import equals, modified_since, money, parse_date, parse_datetime, text, value

BILL_TYPES = ("Bill", "Debit Adj.")
#: Documents of the Check entity that pay a bill ("Payment" is the newer label of "Check"); voids reverse them and
#: are not payments.
PAYMENT_TYPES = ("Check", "Payment", "Prepayment")
VOIDED = "voided"
#: Bill statuses before release: nothing can be paid yet, so they carry no status to report.
UNRELEASED = {"on hold", "balanced", "pending approval", "rejected", "scheduled", "pre-released", "hold"}


def payment_id(doc_type: str, reference: str) -> str:
    return f"{doc_type}/{reference}"


class AcumaticaPayments:
    """Read PaymentStatus records from bills and the checks applied to them."""

    def __init__(self, client):
        self.client = client
        self._checks: dict[str, dict] = {}

    def changed(self, since: dt.datetime | None) -> Iterator[SourceItem]:
        bills = {}
        for row in self.client.list("Bill", filter=modified_since(since), expand="Applications"):
            if text(row, "Type") in BILL_TYPES:
                bills[(text(row, "Type"), text(row, "ReferenceNbr"))] = row
        for check in self.client.list("Check", filter=modified_since(since), expand="Details"):
            self._checks[payment_id(text(check, "Type"), text(check, "ReferenceNbr"))] = check
            for detail in check.get("Details") or []:
                key = (text(detail, "DocType"), text(detail, "ReferenceNbr"))
                if key[0] in BILL_TYPES and key not in bills:
                    bills[key] = self._bill(*key)
        for row in bills.values():
            if row is not None:
                yield self.item(row)

    def get(self, native_id: str) -> SourceItem:
        """The status of the bill with this ReferenceNbr (a bill before a debit adjustment of the same number)."""
        rows = self.client.rows("Bill", equals(ReferenceNbr=native_id), expand="Applications")
        rows = sorted((row for row in rows if text(row, "Type") in BILL_TYPES), key=lambda r: text(r, "Type") != "Bill")
        if not rows:
            raise errors.NotFound(f"Acumatica has no bill {native_id}", status=404)
        return self.item(rows[0])

    def _bill(self, doc_type: str, reference: str) -> dict | None:
        rows = self.client.rows("Bill", equals(Type=doc_type, ReferenceNbr=reference), expand="Applications")
        return rows[0] if rows else None

    def _check(self, doc_type: str, reference: str) -> dict | None:
        key = payment_id(doc_type, reference)
        if key not in self._checks:
            rows = self.client.rows("Check", equals(Type=doc_type, ReferenceNbr=reference), expand="Details")
            self._checks[key] = rows[0] if rows else None
        return self._checks[key]

    def item(self, row: dict) -> SourceItem:
        status = self.status(row)
        stamps = [parse_datetime(value(row.get("LastModifiedDateTime")))]
        stamps += [
            parse_datetime(value((self._checks.get(p.native_id) or {}).get("LastModifiedDateTime")))
            for p in status.payments
        ]
        paid = ",".join(f"{p.native_id}={p.amount}" for p in status.payments)
        version = f"{status.status}|{status.balance}|{paid}"
        label = f"{text(row, 'Type')} {status.native_id} {text(row, 'VendorRef')} - {text(row, 'Vendor')}"
        eligible = text(row, "Status").lower() not in UNRELEASED
        return SourceItem(
            status.native_id,
            version,
            max((s for s in stamps if s is not None), default=None),
            status,
            label=label,
            eligible=eligible,
            raw=row,
        )

    def status(self, row: dict) -> PaymentStatus:
        amount, balance = money(row, "Amount"), money(row, "Balance")
        return PaymentStatus(
            native_id=text(row, "ReferenceNbr"),
            status=self.state(text(row, "Status"), amount, balance),
            amount=amount,
            balance=balance,
            currency=text(row, "CurrencyID"),
            payments=self.payments(row),
        )

    @staticmethod
    def state(status: str, amount: Decimal, balance: Decimal) -> str:
        if status.lower() == VOIDED:
            return "voided"
        if status.lower() in UNRELEASED or balance >= amount:
            return "open"
        return "paid" if balance <= 0 else "partly_paid"

    def payments(self, row: dict) -> list[Payment]:
        """The checks applied to the bill, from its applications and from checks read in the same pass."""
        reference, bill_type = text(row, "ReferenceNbr"), text(row, "Type")
        applied = {}
        for application in row.get("Applications") or []:
            if text(application, "DocType") in PAYMENT_TYPES and text(application, "Status").lower() != VOIDED:
                applied[(text(application, "DocType"), text(application, "ReferenceNbr"))] = money(
                    application, "AmountPaid"
                )
        for check in list(self._checks.values()):
            for detail in (check or {}).get("Details") or []:
                if (text(detail, "DocType"), text(detail, "ReferenceNbr")) == (bill_type, reference):
                    applied.setdefault((text(check, "Type"), text(check, "ReferenceNbr")), money(detail, "AmountPaid"))
        found = []
        for (doc_type, number), amount in sorted(applied.items()):
            check = self._check(doc_type, number) or {}
            if text(check, "Status").lower() == VOIDED or amount == 0:
                continue
            found.append(
                Payment(
                    native_id=payment_id(doc_type, number),
                    vendor=Ref(text(row, "Vendor")),
                    amount=amount,
                    currency=text(row, "CurrencyID"),
                    date=parse_date(value(check.get("ApplicationDate"))) or parse_date(value(row.get("Date"))),
                    bill=Ref(reference),
                    reference=text(check, "PaymentRef"),
                    status=text(check, "Status"),
                )
            )
        return found
