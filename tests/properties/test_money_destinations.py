"""Canonical bill -> each destination's payload (Acumatica, Sage Intacct, Procore), for any bill hypothesis makes.

Properties, per destination: money is Decimal from end to end (never a float, in the built payload or in the bytes
sent); every line is rounded explicitly to the currency's minor unit and the lines add up exactly to the rounded
total (the destination adds them up itself); a credit (negative total) becomes the destination's credit document or
a clear refusal; any Unicode, control characters included, and over-long text is cut where the vendor limits it and
never crashes the build; dates are the calendar day of the bill, never shifted by a time zone.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connections import errors
from connections.http import exact_json
from connections.models import Connection, Environment
from connections.systems.acumatica.adapter import AcumaticaAdapter
from connections.systems.intacct import xml
from connections.systems.intacct.bills import IntacctBills, refuse_credit
from connections.systems.procore.bill_writes import ProcoreBillWriter
from connections.systems.procore.placement import Placement
from syncs.canonical import Bill, BillLine, Ref
from syncs.money import quantum, rounded

CURRENCIES = ["USD", "CAD", "EUR", "GBP", "JPY", "KWD", ""]
EXAMPLES = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

amounts = st.decimals(min_value=Decimal("-250000"), max_value=Decimal("2500000"), places=4, allow_nan=False)
texts = st.text(max_size=1500)  # any code point hypothesis picks: control characters, emoji, right-to-left...


@st.composite
def bills(draw, credit: bool | None = None):
    lines = [
        BillLine(
            amount=draw(amounts),
            description=draw(texts),
            account=draw(st.sampled_from(["5100", "6000-10", "20100"])),
            native_id=str(index),
        )
        for index in range(draw(st.integers(min_value=1, max_value=8)))
    ]
    total = sum((line.amount for line in lines), Decimal(0))
    if credit is not None and (total < 0) != credit or total == 0:  # a line that tips the balance the asked way
        tip = Decimal("-1000.005") if credit else Decimal("1000.005")
        lines.append(BillLine(amount=tip - total, native_id="balance"))
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
    return Bill(
        native_id="b-1",
        vendor=Ref("v-1", destination_id="101"),
        number=draw(st.text(min_size=1, max_size=300)),
        date=day,
        due_date=day + dt.timedelta(days=draw(st.integers(min_value=0, max_value=120))),
        currency=draw(st.sampled_from(CURRENCIES)),
        lines=lines,
        description=draw(texts),
    )


def no_floats(node, where="payload"):
    if isinstance(node, float):
        raise AssertionError(f"{where} is a float: {node!r}")
    for key, item in node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ():
        no_floats(item, f"{where}.{key}")


def assert_rounded(amounts: list[Decimal], record: Bill, sign: int = 1):
    step = quantum(record.currency)
    assert all(isinstance(amount, Decimal) for amount in amounts)
    assert all(amount == amount.quantize(step) for amount in amounts), amounts  # explicitly to the minor unit
    assert sum(amounts, Decimal(0)) == rounded(record.total * sign, record.currency)  # lines add up to the total


# --- Acumatica ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def acumatica():
    connection = Connection(
        system="acumatica",
        environment=Environment.SIMULATOR,
        settings={"instance_url": "http://127.0.0.1:9", "endpoint_version": "23.200.001", "tenant_name": "T"},
        secrets={"client_id": "G", "client_secret": "S", "username": "u", "password": "p"},
    )
    return AcumaticaAdapter(connection)  # a bill with no commitment builds its body without a call


@EXAMPLES
@given(record=bills())
def test_acumatica_bill_body(acumatica, record):
    body = acumatica.bill_body(record, "key-1")
    no_floats(body)
    lines = [line["Amount"]["value"] for line in body["Details"]]
    if record.kind == "credit":  # a net credit is a debit adjustment with positive lines
        assert body["Type"]["value"] == "Debit Adj."
        assert_rounded(lines, record, sign=-1)
    else:
        assert body["Type"]["value"] == "Bill"
        assert_rounded(lines, record)
    assert all(line["UnitCost"]["value"] == line["Amount"]["value"] for line in body["Details"])
    sent = json.loads(exact_json(body), parse_float=Decimal)  # the bytes carry the same exact numbers
    assert [line["Amount"]["value"] for line in sent["Details"]] == lines
    assert len(body["Description"]["value"]) <= 255
    assert all(len(line["TransactionDescription"]["value"]) <= 255 for line in body["Details"])
    assert body["Date"]["value"] == f"{record.date.isoformat()}T00:00:00"  # the calendar day, no offset


# --- Sage Intacct ------------------------------------------------------------------------------------------------
@EXAMPLES
@given(record=bills(credit=False))
def test_intacct_apbill(record):
    build = xml.Builder()
    node = IntacctBills(client=None, settings={}).body(build, record, "key-1", None)
    sent = etree.fromstring(xml.to_bytes(node))  # well-formed whatever the text held
    amounts = [Decimal(text) for text in sent.xpath("//APBILLITEM/TRX_AMOUNT/text()")]
    assert len(amounts) == len(record.lines)
    step = max(quantum(record.currency), Decimal("0.01"))  # Intacct keeps cents at most
    assert all(amount == amount.quantize(step) for amount in amounts)
    assert sum(amounts, Decimal(0)) == rounded(record.total, record.currency, step)
    assert len(sent.findtext("DESCRIPTION")) <= 900 + 40
    assert all(len(text) <= 1000 for text in sent.xpath("//ENTRYDESCRIPTION/text()"))
    assert sent.findtext("WHENCREATED") == record.date.strftime("%m/%d/%Y")


@EXAMPLES
@given(record=bills(credit=True))
def test_intacct_refuses_a_credit_saying_what_to_do(record):
    with pytest.raises(errors.ValidationFailed) as refused:
        refuse_credit(record)
    assert record.number in str(refused.value) and "by hand" in str(refused.value)


# --- Procore -----------------------------------------------------------------------------------------------------
@EXAMPLES
@given(record=bills())
def test_procore_direct_cost(record):
    header = ProcoreBillWriter.header(record, "key-1")
    lines = ProcoreBillWriter(None, Placement(client=None)).lines(record, "key-1", 4242)  # uncoded: no look-up
    no_floats(header)
    no_floats(lines)
    assert_rounded([line["amount"] for line in lines], record)
    assert len(header["invoice_number"]) <= 255 and all(len(line["origin_id"]) <= 255 for line in lines)
    assert header["direct_cost_date"] == record.date.isoformat()
    sent = json.loads(exact_json({"line_items": lines}), parse_float=Decimal)
    assert [line["amount"] for line in sent["line_items"]] == [line["amount"] for line in lines]
