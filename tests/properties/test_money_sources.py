"""Each source's native documents -> canonical bills (Procurify, Exact Online, QuickBooks Online), for any document
hypothesis makes.

Properties: amounts are Decimal whatever the wire gave (decimal strings, JSON numbers read as float or Decimal), and
never pass through a float's binary noise; a bill's lines add up to the total the source states, to the cent, or
the bill is refused with both amounts named; credits come out as credits with a negative total; any currency is
kept; any Unicode and over-long text is read without crashing (and cut where the destination's line text would be);
dates are the calendar day the source wrote, never shifted by a time zone; a non-numeric amount is a ValueError
that names the value, which the reader turns into an error on the record.

Procore's bills are read through its API only (the adapter reads a direct cost's lines from its detail call), so
their totals are proven end to end in tests/sync/test_procore_to_*.py and tests/contract/test_adapter_contract.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from connections.models import Connection
from connections.systems.exact import documents as exact_documents
from connections.systems.exact.consts import CREDIT_NOTE
from connections.systems.procurify.bills import ProcurifyBills, TotalMismatch
from connections.systems.procurify.common import guarded
from sandbox.testing import SandboxControl
from syncs.engine import adapter_for
from tests.contract.systems import SYSTEMS

CENT = Decimal("0.01")
EXAMPLES = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

cents = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("999999.99"), places=2, allow_nan=False)
fine = st.decimals(min_value=Decimal("-9999"), max_value=Decimal("99999"), places=4, allow_nan=False)
texts = st.text(max_size=600)
currencies = st.sampled_from(["USD", "CAD", "EUR", "GBP", "JPY", "KWD"])
not_amounts = st.sampled_from(["abc", "12,50", "1.2.3", "$10", "ten"])


def wire(value: Decimal, form: str):
    """An amount as a vendor's JSON may carry it."""
    return {"string": str(value), "float": float(value), "decimal": value}[form]


forms = st.sampled_from(["string", "float", "decimal"])


# --- Procurify ---------------------------------------------------------------------------------------------------
@st.composite
def procurify_bill(draw):
    form = draw(forms)
    items, total = [], Decimal(0)
    for number in range(draw(st.integers(min_value=1, max_value=5))):
        allocations = [draw(cents) for _ in range(draw(st.integers(min_value=0, max_value=3)))]
        amount = sum(allocations, Decimal(0)) if allocations else draw(cents)
        shipping, tax, inclusive = draw(cents), draw(cents), draw(st.booleans())
        total += amount + shipping + (0 if inclusive else tax)
        items.append(
            {
                "id": number + 1,
                "description": draw(texts),
                "quantity": "1",
                "unit_cost": str(amount),
                "total_cost": wire(amount, form),
                "cost_allocations": [
                    {"id": i, "amount": wire(a, form), "budget": {"account_code": {"code": "6100"}}}
                    for i, a in enumerate(allocations)
                ],
                "shipping_amount": wire(shipping, form),
                "tax_amount": wire(tax, form),
                "tax_is_inclusive": inclusive,
            }
        )
    header = {
        "id": 7,
        "uuid": "bill-7",
        "invoice_number": draw(texts),
        "invoice_date": draw(st.sampled_from(["2024-03-31T23:30:00-08:00", "2024-03-31", "2024-03-31T00:15:00+13:00"])),
        "currency": {"name": draw(currencies)},
        "total_cost_with_tax": wire(total, form),
        "status": 2,
        "vendor": {"id": 3, "name": draw(texts)},
    }
    return header, items, total


@EXAMPLES
@given(document=procurify_bill())
def test_procurify_bill_lines_add_up_in_decimal(document):
    header, items, total = document
    bill = ProcurifyBills(client=None, currency="USD").bill(header, items, costs=[], orders=[])
    assert all(isinstance(line.amount, Decimal) for line in bill.lines)
    assert bill.total.quantize(CENT) == total.quantize(CENT)
    assert (bill.kind == "credit") == (bill.total < 0)
    assert bill.currency == header["currency"]["name"]
    assert bill.date == dt.date(2024, 3, 31)  # the day as written, whatever the offset
    assert all(len(line.description) <= 255 for line in bill.lines if line.native_id.endswith(("tax", "shipping")))


@EXAMPLES
@given(document=procurify_bill(), off=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2))
def test_procurify_bill_whose_lines_do_not_add_up_is_refused_naming_both(document, off):
    header, items, total = document
    header["total_cost_with_tax"] = str(total + off)
    with pytest.raises(TotalMismatch) as refused:
        ProcurifyBills(client=None, currency="USD").bill(header, items, costs=[], orders=[])
    assert str((total + off).quantize(CENT)) in str(refused.value)


@EXAMPLES
@given(document=procurify_bill(), bad=not_amounts)
def test_procurify_non_numeric_amount_is_an_error_naming_it(document, bad):
    header, items, _ = document
    items[0]["shipping_amount"] = bad
    record, problem = guarded("bill", lambda: ProcurifyBills(None, "USD").bill(header, items, [], []))
    assert record is None and repr(bad) in problem and "not an amount" in problem


# --- Exact Online ------------------------------------------------------------------------------------------------
def exact_date(day: dt.date) -> str:
    """Exact's /Date(ms)/: midnight local time counted as if it were UTC."""
    return f"/Date({int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)})/"


@st.composite
def exact_entry(draw):
    form = draw(forms)
    amounts = draw(st.lists(fine, min_size=1, max_size=6))
    credit = draw(st.booleans())
    day = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)))
    header = {
        "EntryID": "e-1",
        "Supplier": "s-1",
        "SupplierName": draw(texts),
        "YourRef": draw(texts),
        "EntryDate": exact_date(day),
        "DueDate": exact_date(day + dt.timedelta(days=30)),
        "Currency": draw(currencies),
        "Type": CREDIT_NOTE if credit else 30,
        "Status": 20,
        "Description": draw(texts),
    }
    lines = [
        {
            "ID": f"l-{n}",
            "LineNumber": n,
            "AmountFC": wire(amount, form),
            "Description": draw(texts),
            "GLAccountCode": "  4000",
        }
        for n, amount in enumerate(amounts, start=1)
    ]
    return header, lines, amounts, credit, day


@EXAMPLES
@given(document=exact_entry())
def test_exact_entry_is_decimal_signed_and_dated_as_written(document):
    header, lines, amounts, credit, day = document
    bill = exact_documents.bill(header, lines, projects={}, suppliers={})
    assert all(isinstance(line.amount, Decimal) for line in bill.lines)
    expected = sum((Decimal(str(float(a))) if isinstance(a, float) else a for a in amounts), Decimal(0))
    positive_credit = credit and sum(amounts, Decimal(0)) > 0
    assert bill.total.quantize(CENT) == (-expected if positive_credit else expected).quantize(CENT)
    if credit:
        assert bill.kind == "credit"
    assert bill.currency == header["Currency"] and bill.date == day
    assert all(line.account == "4000" for line in bill.lines)


@EXAMPLES
@given(document=exact_entry(), bad=not_amounts)
def test_exact_non_numeric_amount_is_an_error_naming_it(document, bad):
    header, lines, *_ = document
    lines[-1]["AmountFC"] = bad
    item = exact_documents.item("e-1", header, None, "label", lambda: exact_documents.bill(header, lines, {}, {}))
    assert item.record is None and repr(bad) in item.error and "not an amount" in item.error


# --- QuickBooks Online -------------------------------------------------------------------------------------------
@pytest.fixture
def qbo_reader(sandbox, tenant_a):
    """The adapter's bill reader with the demo company's accounts read once (later examples make no call)."""
    sim = SandboxControl(sandbox.base_url, "quickbooks")
    sim.reset()
    system = SYSTEMS["quickbooks"]
    system.seed_vendors(sim, 1)
    adapter = adapter_for(Connection.objects.get(pk=system.connection(tenant_a, sandbox.base_url).pk))
    expense = [row for row in adapter.references.rows("Account").values() if row.get("AccountType") == "Expense"]
    assert expense
    return adapter.bills, expense[0]


@st.composite
def qbo_bill(draw):
    form = draw(st.sampled_from(["string", "float"]))  # the client reads JSON numbers as floats
    amounts = draw(st.lists(cents, min_size=1, max_size=6))
    return {
        "Id": "145",
        "SyncToken": "0",
        "VendorRef": {"value": "56", "name": draw(texts)},
        "DocNumber": draw(texts),
        "TxnDate": "2024-03-31",
        "CurrencyRef": {"value": draw(currencies)},
        "PrivateNote": draw(texts),
        "TotalAmt": wire(sum(amounts, Decimal(0)), form),
        "Balance": wire(sum(amounts, Decimal(0)), form),
        "Line": [
            {
                "Id": str(n),
                "Amount": wire(a, form),
                "Description": draw(texts),
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "ACCOUNT"}},
            }
            for n, a in enumerate(amounts, start=1)
        ],  # fmt: skip
    }


@pytest.mark.django_db(transaction=True)
@EXAMPLES
@given(row=qbo_bill())
def test_quickbooks_bill_lines_add_up_in_decimal(qbo_reader, row):
    reader, account = qbo_reader
    for line in row["Line"]:
        line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] = account["Id"]
    bill = reader.bill(row)
    assert all(isinstance(line.amount, Decimal) for line in bill.lines)
    assert bill.total.quantize(CENT) == Decimal(str(row["TotalAmt"])).quantize(CENT)
    assert (bill.kind == "credit") == (bill.total < 0)
    assert bill.currency == row["CurrencyRef"]["value"] and bill.date == dt.date(2024, 3, 31)


@pytest.mark.django_db(transaction=True)
@EXAMPLES
@given(row=qbo_bill(), bad=not_amounts, off=st.sampled_from(["0.01", "-0.01", "100"]))
def test_quickbooks_bad_bills_are_errors_naming_what_to_fix(qbo_reader, row, bad, off):
    reader, account = qbo_reader
    for line in row["Line"]:
        line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] = account["Id"]
    unbalanced = {**row, "TotalAmt": str(Decimal(str(row["TotalAmt"])) + Decimal(off))}
    assume(Decimal(str(row["TotalAmt"])) + Decimal(off) != Decimal(str(row["TotalAmt"])))
    item = reader.item(unbalanced)
    assert item.record is None and "do not add up" in item.error and unbalanced["TotalAmt"] in item.error
    row["Line"][0]["Amount"] = bad
    item = reader.item(row)
    assert item.record is None and repr(bad) in item.error and "not an amount" in item.error
