"""QuickBooks bills -> canonical Bill.

Each expense line becomes a cost line: its amount and description, `account` = the expense account's code (the
line's AccountRef; for an item line, the item's expense account), the job (`CustomerRef`, a customer, job or
sub-customer) as the line's project and as `dimensions["customer"]`, and the class and the bill's department
(location) as `dimensions["class"]` and `dimensions["department"]`. Those are QuickBooks ids; the lookup table maps
them. A bill whose lines all name the same job carries it as the bill's project too.

The job's reference carries the QuickBooks id (what project maps key on), its fully qualified name as the code
("Harbor View Properties:Pier 7 Lofts", unique in a company) and its display name, so a bill held for a missing
project map names the job the way QuickBooks shows it. Companies that track jobs by class instead have the
integration take the line's project from its `class` dimension (canonical.with_options, option `project_from`).

A bill's version is a fingerprint of what it says (vendor, number, dates, lines), not its SyncToken: paying a bill
changes its Balance and SyncToken, and that is the payment-status flow's business, not a new version of the bill.
"""

from __future__ import annotations

from decimal import Decimal

from connections import errors
from connections.systems.base import SourceItem
from syncs.canonical import Bill, BillLine, Ref, to_dict

from .common import RUN_STOPPERS, fingerprint, modified, money, parse_date, ref_value
from .consts import DEFAULT_CURRENCY
from .references import QuickBooksReferences, account_code

ACCOUNT_LINE = "AccountBasedExpenseLineDetail"
ITEM_LINE = "ItemBasedExpenseLineDetail"
CENT = Decimal("0.01")


def ref(obj) -> Ref | None:
    if not isinstance(obj, dict) or not obj.get("value"):
        return None
    return Ref(str(obj["value"]), name=str(obj.get("name") or ""))


class BillReader:
    """Turns Bill rows into source items, looking up the accounts and items their lines point at."""

    def __init__(self, references: QuickBooksReferences, currency: str = DEFAULT_CURRENCY):
        self.references = references
        self.currency = currency

    def item(self, row: dict) -> SourceItem:
        """The bill as a source item; a bill that cannot be read becomes an error on its item."""
        native_id = str(row["Id"])
        vendor = (row.get("VendorRef") or {}).get("name") or ""
        label = f"Bill {row.get('DocNumber') or native_id} - {vendor}".strip(" -")
        record, problem = None, ""
        try:
            record = self.bill(row)
        except RUN_STOPPERS:
            raise  # the whole connection is limited or locked out: stop the run, not just this record
        except errors.ApiError as exc:
            problem = f"QuickBooks could not give what the bill refers to: {exc}"
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            problem = f"QuickBooks returned a bill that cannot be read: {type(exc).__name__}: {exc}"
        version = self.version(record) if record is not None else f"error:{row.get('SyncToken', '')}"
        return SourceItem(native_id, version, modified(row), record, label=label, raw=row, error=problem)

    def bill(self, row: dict) -> Bill:
        department = ref_value(row.get("DepartmentRef"))
        lines = [self.line(line, department) for line in row.get("Line") or [] if self._is_cost(line)]
        total = row.get("TotalAmt")
        if total is not None and sum((ln.amount for ln in lines), Decimal("0")).quantize(CENT) != money(total).quantize(
            CENT
        ):
            raise ValueError(f"its expense lines do not add up to its TotalAmt {total}")
        jobs = {line.project.native_id for line in lines if line.project}
        project = next((line.project for line in lines if line.project), None) if len(jobs) == 1 else None
        vendor = row["VendorRef"]
        return Bill(
            native_id=str(row["Id"]),
            vendor=Ref(str(vendor["value"]), name=str(vendor.get("name") or "")),
            number=str(row.get("DocNumber") or f"QBO-{row['Id']}"),
            date=parse_date(row["TxnDate"]),
            due_date=parse_date(row.get("DueDate")),
            currency=ref_value(row.get("CurrencyRef")) or self.currency,
            lines=lines,
            description=str(row.get("PrivateNote") or ""),
            project=project,
            status=self.state(row),
        )

    @staticmethod
    def version(record: Bill) -> str:
        """What the bill says, without its payment state (which the payment-status flow follows)."""
        content = to_dict(record)
        content.pop("status", None)
        return fingerprint(sorted(content.items()))

    @staticmethod
    def state(row: dict) -> str:
        total, balance = money(row.get("TotalAmt")), money(row.get("Balance", row.get("TotalAmt")))
        if total and balance <= 0:
            return "paid"
        return "partly_paid" if balance < total else "open"

    @staticmethod
    def _is_cost(line: dict) -> bool:
        """Expense lines; any other kind with an amount is a bill we do not know how to code."""
        kind = line.get("DetailType")
        if kind in (ACCOUNT_LINE, ITEM_LINE):
            return True
        if money(line.get("Amount")):
            raise ValueError(f"line {line.get('Id') or line.get('LineNum')} is a {kind}, not an expense line")
        return False

    def job(self, customer_ref) -> Ref | None:
        """The line's job (a customer, job or sub-customer) with its fully qualified name as code."""
        job = ref(customer_ref)
        if job is None:
            return None
        row = self.references.one("Customer", job.native_id) or {}
        job.code = str(row.get("FullyQualifiedName") or job.name or "")
        job.name = str(row.get("DisplayName") or job.name or "")
        return job

    def line(self, line: dict, department: str) -> BillLine:
        kind = line["DetailType"]
        detail = line.get(kind) or {}
        if kind == ACCOUNT_LINE:
            account_id = ref_value(detail.get("AccountRef"))
            quantity = unit_cost = None
        else:
            item = self.references.item(ref_value(detail.get("ItemRef"))) or {}
            account_id = ref_value(item.get("ExpenseAccountRef"))
            quantity = money(detail["Qty"]) if detail.get("Qty") is not None else None
            unit_cost = money(detail["UnitPrice"]) if detail.get("UnitPrice") is not None else None
        account = self.references.account(account_id)
        if account is None:
            raise ValueError(f"line {line.get('Id')} names no expense account")
        dimensions = {
            name: value
            for name, value in (
                ("customer", ref_value(detail.get("CustomerRef"))),
                ("class", ref_value(detail.get("ClassRef"))),
                ("department", department),
            )
            if value
        }
        description = line.get("Description") or ""
        if not description and kind == ITEM_LINE:
            description = str((detail.get("ItemRef") or {}).get("name") or "")
        return BillLine(
            amount=money(line.get("Amount")),
            description=str(description),
            project=self.job(detail.get("CustomerRef")),
            quantity=quantity,
            unit_cost=unit_cost,
            native_id=str(line.get("Id") or ""),
            account=account_code(account),
            dimensions=dimensions,
        )
