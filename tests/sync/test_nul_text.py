"""A NUL character from a vendor (PostgreSQL refuses it in text and JSON) never stops a record from being kept:
it is stored as U+FFFD in the canonical record, in stored payloads and in webhook bodies, on every database."""

import datetime as dt
from decimal import Decimal

from syncs import canonical, ledger
from syncs.canonical import Bill, BillLine, Ref
from syncs.models import SyncRecord
from syncs.webhooks import storable_text
from tests.factories import build_tenant_world


def test_a_nul_from_a_vendor_is_kept_as_a_replacement_character(tenant_a, make_user):
    integration = build_tenant_world(tenant_a, make_user)["Integration"]
    bill = Bill(
        native_id="b\x001",
        vendor=Ref(native_id="V", name="Acme\x00 Ltd"),
        number="INV\x00-1",
        date=dt.date(2025, 3, 1),
        currency="USD",
        lines=[BillLine(amount=Decimal("12.50"), description="Rebar\x00")],
    )
    stored = canonical.to_dict(bill)
    record = SyncRecord.objects.create(
        integration=integration,
        flow="ap_bills",
        source_id="b1",
        idempotency_key="nul-1",
        canonical=stored,
        sent_payload=ledger.stored({"Description": {"value": "Rebar\x00"}, "Amount": Decimal("12.50")}),
    )
    record.refresh_from_db()
    assert record.canonical["vendor"]["name"] == "Acme\ufffd Ltd" and record.canonical["number"] == "INV\ufffd-1"
    assert canonical.from_dict(record.canonical).lines[0].amount == Decimal("12.50")
    assert record.sent_payload == {"Description": {"value": "Rebar\ufffd"}, "Amount": "12.50"}
    assert storable_text(b'{"id": "1\x00"}\xff') == '{"id": "1\ufffd"}\ufffd'
