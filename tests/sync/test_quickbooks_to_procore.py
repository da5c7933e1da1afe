"""QuickBooks Online -> Procore end to end over both simulators, counting documents on both sides.

Bills of the QuickBooks company land on Procore projects through the lookup table (jobs -> projects, account +
description -> cost code + cost type): a bill whose vendor holds a commitment on the project becomes a requisition on
it, any other a direct cost of type invoice. Reads span several pages and survive a fault at a page boundary; a line
no rule matches holds its bill with the reason until a rule exists; payments made in QuickBooks reach the Procore
document once; webhooks are verified hints and the change data capture poll is the backstop.
"""

import base64
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from mappings.grid import blocking, unmatched_lines
from mappings.models import AccountRule
from mappings.resolve import Maps
from sandbox.quickbooks import demo as qbo_demo
from sandbox.testing import SandboxControl
from syncs import engine
from syncs.models import AuditEvent, Cursor, RecordState, SyncRecord, WebhookEvent
from syncs.webhooks import process_event

from . import quickbooks_scenario as scenario

pytestmark = pytest.mark.django_db(transaction=True)

BILLS = "bills_to_project_costs"
PAYMENTS = "bill_payments_forward"
BILL_QUERY_PAGE_2 = f"FROM+Bill+ORDERBY+MetaData.LastUpdatedTime+STARTPOSITION+{scenario.PAGE_SIZE + 1}+"


@pytest.fixture
def qbo_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "quickbooks")
    control.reset()
    # Three rows a page makes many small queries: Intuit's 500 a minute per company would make the tests wait; the
    # ten a second stay, and the client paces itself below them.
    control.config(throttle_per_minute=100_000)
    control.seed(preset="demo")
    return control


@pytest.fixture
def world(tenant_a, sandbox, procore_sim, qbo_sim):
    procore_sim.seed(scenario.procore_records())
    return scenario.wire(tenant_a, sandbox.base_url, procore_sim)


def run(integration, flow, expect="succeeded"):
    result = engine.run_flow(integration.pk, flow, "manual")
    assert result is not None and result.status == expect, (flow, result and result.status, result and result.error)
    return result


def records(integration, flow=BILLS) -> dict[str, SyncRecord]:
    """Ledger rows of a flow by the bill's DocNumber (the label starts with it)."""
    rows = SyncRecord.objects.filter(integration=integration, flow=flow)
    return {row.label.split(" ")[1]: row for row in rows}


def procore_writes(procore_sim) -> int:
    return sum(n for call, n in procore_sim.calls().items() if call.split(" ")[0] in ("POST", "PUT", "PATCH", "DELETE"))


def posted(integration, qbo_sim, procore_sim):
    """Post every bill the lookup table can place, and check each landed once, where and as what it should."""
    run(integration, BILLS)
    documents = scenario.our_documents(procore_sim)
    bills = scenario.qbo_bills(qbo_sim)
    expected = {number: want for number, want in scenario.EXPECTED.items() if want}
    assert set(documents) == set(expected)
    for number, (kind, project) in expected.items():
        assert len(documents[number]) == 1, f"{number} written {len(documents[number])} times"
        document = documents[number][0]
        assert (document["kind"], document["project_id"]) == (kind, scenario.project_id(project)), number
        assert scenario.document_total(document) == Decimal(str(bills[number]["TotalAmt"])), number
    return documents


def test_bills_become_requisitions_or_direct_costs_on_their_projects_across_pages(world, qbo_sim, procore_sim):
    integration = world
    bills = scenario.qbo_bills(qbo_sim)
    assert len(bills) == len(scenario.EXPECTED) == 11
    qbo_sim.clear_journal()
    # The second page of bills fails (every retry too): the run says so and the cursor stays where it was.
    qbo_sim.fault("status", method="GET", path="/query", status=500, times=None, contains=BILL_QUERY_PAGE_2)
    first = run(integration, BILLS, expect="partial")
    assert "Could not read" in first.error
    assert not Cursor.objects.get(integration=integration, flow=BILLS).mark("")
    assert not scenario.our_documents(procore_sim)
    qbo_sim.clear_faults()

    documents = posted(integration, qbo_sim, procore_sim)
    statements = [e["query"]["query"][0] for e in qbo_sim.journal() if e["path"].endswith("/query")]
    bill_pages = {s for s in statements if s.startswith("SELECT * FROM Bill ")}
    assert len(bill_pages) >= 4, "eleven bills at three a page"
    rows = records(integration)
    assert set(rows) == set(scenario.EXPECTED)
    for number, row in rows.items():
        if scenario.EXPECTED[number] is None:
            assert row.state == RecordState.NEEDS_MAPPING, number
            continue
        kind, _ = scenario.EXPECTED[number]
        assert row.state == RecordState.POSTED, (number, row.last_error)
        assert row.destination_id.startswith(f"{kind}:")
        assert row.destination_id.endswith(f":{documents[number][0]['id']}")
        audit = AuditEvent.objects.filter(record=row, kind="posted").latest("pk")
        assert kind in audit.message and audit.response["rule"].startswith(kind.replace("_", " "))

    # Requisitions bill the commitment's line: this period's work on its cost code.
    requisition = documents["BE-1107"][0]
    assert [(i["line_item_id"], Decimal(str(i["work_completed_this_period"]))) for i in requisition["items"]] == [
        (9_530_000_000 * 10 + 1, Decimal("18500.00"))
    ]

    # What waits, and why: the rental line names its account and description; the fuel bill has no job.
    rental, fuel = rows["RER-99120"], rows["SF-2024-11"]
    assert [e["kind"] for e in rental.mapping_errors] == ["account_rule"]
    assert "account 5200" in rental.mapping_errors[0]["message"]
    assert "Scissor lift, 2 weeks" in rental.mapping_errors[0]["message"]
    assert [e["kind"] for e in fuel.mapping_errors] == ["project"]
    assert "Fleet fuel, week 44" in fuel.mapping_errors[0]["message"]
    lines = unmatched_lines(blocking(integration, Maps(integration)))
    assert [(line["account"], line["blocked"]) for line in lines] == [(scenario.UNMATCHED_ACCOUNT, 1)]

    # A second run writes nothing.
    writes = procore_writes(procore_sim)
    run(integration, BILLS)
    assert procore_writes(procore_sim) == writes

    # Finance adds the missing rule: the held bill posts, as a direct cost on the gym.
    AccountRule.objects.create(
        integration=integration, order=70, account_code=scenario.UNMATCHED_ACCOUNT, cost_code="01-500", cost_type="O"
    )
    run(integration, BILLS)
    rental.refresh_from_db()
    assert rental.state == RecordState.POSTED and rental.destination_id.startswith("direct_cost:")
    documents = scenario.our_documents(procore_sim)
    assert len(documents["RER-99120"]) == 1
    assert documents["RER-99120"][0]["project_id"] == scenario.project_id("QB-GYM")
    assert scenario.document_total(documents["RER-99120"][0]) == Decimal(str(bills["RER-99120"]["TotalAmt"]))
    assert sum(len(found) for found in documents.values()) == 10  # eleven bills, the fuel bill still waits


def contract_payments(procore_sim, requisition_id) -> list[dict]:
    return [p for p in procore_sim.records("contract_payments") if p.get("requisition_id") == requisition_id]


def test_a_bill_paid_in_quickbooks_becomes_one_payment_in_procore(world, qbo_sim, procore_sim):
    integration = world
    documents = posted(integration, qbo_sim, procore_sim)
    electric = documents["BE-1107"][0]  # 10000.00 of 18500.00 paid five days ago
    plumbing = documents["SPH-3398"][0]  # 3000.00 of 7800.00 paid yesterday
    for _ in range(3):
        run(integration, PAYMENTS)
    assert [Decimal(str(p["amount"])) for p in contract_payments(procore_sim, electric["id"])] == [Decimal("10000")]
    assert [Decimal(str(p["amount"])) for p in contract_payments(procore_sim, plumbing["id"])] == [Decimal("3000")]
    requisitions = {r["id"]: r for r in procore_sim.records("requisitions")}
    assert not requisitions[electric["id"]].get("payment_date"), "partly paid: no payment date yet"
    costs = {c["id"]: c for c in procore_sim.records("direct_costs")}
    assert costs[documents["AC-20417"][0]["id"]].get("payment_date"), "the paid direct cost carries its date"
    assert not costs[documents["BE-1131"][0]["id"]].get("payment_date"), "an open bill has none"
    status = records(integration, PAYMENTS)
    assert status["BE-1107"].state == RecordState.POSTED
    assert status["RER-99120"].state == RecordState.NEEDS_MAPPING, "paid, but its bill waits for a rule"

    # The rest of the electrical bill is paid: the second payment is added once, and the invoice is settled.
    bill = scenario.qbo_bills(qbo_sim)["BE-1107"]
    scenario.pay(qbo_sim, bill, "8500.00", "2001")
    for _ in range(2):
        run(integration, PAYMENTS)
    amounts = sorted(Decimal(str(p["amount"])) for p in contract_payments(procore_sim, electric["id"]))
    assert amounts == [Decimal("8500"), Decimal("10000")]
    requisition = next(r for r in procore_sim.records("requisitions") if r["id"] == electric["id"])
    assert requisition["payment_date"]
    status["BE-1107"].refresh_from_db()
    assert status["BE-1107"].state == RecordState.POSTED
    assert status["BE-1107"].canonical["status"] == "paid"


def signed(body: dict, token: str = qbo_demo.VERIFIER_TOKEN) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    digest = hmac.new(token.encode(), raw, hashlib.sha256).digest()
    return raw, {"intuit-signature": base64.b64encode(digest).decode()}


def notice(bill: dict, operation: str) -> dict:
    stamp = bill["MetaData"]["LastUpdatedTime"]
    change = {"name": "Bill", "id": bill["Id"], "operation": operation, "lastUpdated": stamp}
    return {"eventNotifications": [{"realmId": qbo_demo.REALM, "dataChangeEvent": {"entities": [change]}}]}


def deliver(client, integration, raw: bytes, headers: dict):
    url = reverse("webhook", args=[integration.source.uuid])
    return client.post(url, raw, content_type="application/json", headers=headers)


def edit_line(qbo_sim, number: str, position: int, amount: str) -> dict:
    """A bookkeeper changes one line's amount of a bill."""
    bill = scenario.qbo_bills(qbo_sim)[number]
    lines = [dict(line) for line in bill["Line"]]
    lines[position] = {**lines[position], "Amount": amount}
    return qbo_sim.upsert("Bill", {"Id": bill["Id"], "Line": lines})


def test_webhooks_are_verified_hints_and_the_cdc_poll_catches_what_they_miss(world, client, qbo_sim, procore_sim):
    integration = world
    posted(integration, qbo_sim, procore_sim)

    # A bill edited in QuickBooks whose webhook never arrives: the next poll reads it through change data capture.
    edit_line(qbo_sim, "AC-20566", 1, "120.00")
    qbo_sim.clear_journal()
    run(integration, BILLS)
    assert any(e["path"].endswith("/cdc") for e in qbo_sim.journal())
    slab = scenario.our_documents(procore_sim)["AC-20566"]
    assert len(slab) == 1 and scenario.document_total(slab[0]) == Decimal("1464.00")

    # A webhook signed with another token is refused and not stored.
    edited = edit_line(qbo_sim, "BE-1131", 0, "4350.00")
    raw, forged = signed(notice(edited, "Update"), token="not-the-verifier-token")
    assert deliver(client, integration, raw, forged).status_code == 401
    assert not WebhookEvent.objects.exists()

    # The genuine one is a hint: the bill is read again and its direct cost updated.
    raw, headers = signed(notice(edited, "Update"))
    answer = deliver(client, integration, raw, headers)
    assert answer.status_code == 202
    process_event(answer.json()["id"])
    power = scenario.our_documents(procore_sim)["BE-1131"]
    assert len(power) == 1 and scenario.document_total(power[0]) == Decimal("4350.00")

    # Delivered again (Intuit retries), it is a duplicate and changes nothing.
    writes = procore_writes(procore_sim)
    assert deliver(client, integration, raw, headers).json()["status"] == "duplicate"
    assert WebhookEvent.objects.count() == 1 and WebhookEvent.objects.get().duplicates == 1
    assert procore_writes(procore_sim) == writes

    # A bill deleted in QuickBooks is flagged on its record; its Procore document stays for a person to void.
    deleted = scenario.qbo_bills(qbo_sim)["BP-2291"]
    qbo_sim.upsert("Bill", {"Id": deleted["Id"], "_op": "delete"})
    raw, headers = signed(notice(deleted, "Delete"))
    process_event(deliver(client, integration, raw, headers).json()["id"])
    row = records(integration)["BP-2291"]
    assert row.state == RecordState.SOURCE_DELETED
    assert len(scenario.our_documents(procore_sim)["BP-2291"]) == 1
    assert procore_writes(procore_sim) == writes


def test_a_stale_sync_token_is_read_again_and_the_update_retried_once(world, qbo_sim):
    """The integration never writes to QuickBooks; the client's vendor update shows the recovery."""
    from connections.models import Connection

    adapter = engine.adapter_for(Connection.objects.get(pk=world.source_id))
    vendor = next(v for v in qbo_sim.records("Vendor") if v["DisplayName"] == "Rapid Equipment Rentals")
    record = adapter.get("vendor", vendor["Id"]).record  # remembers the SyncToken it read
    qbo_sim.upsert("Vendor", {"Id": vendor["Id"], "PrimaryEmailAddr": {"Address": "billing@rapid.example.com"}})
    qbo_sim.clear_journal()
    record.name = "Rapid Equipment Rentals Inc."
    result = adapter.write("vendor", record, "key-1", existing_id=vendor["Id"])
    assert result.destination_id == vendor["Id"]
    writes = [e for e in qbo_sim.journal() if e["method"] == "POST" and e["path"].endswith("/vendor")]
    assert [e["status"] for e in writes] == [400, 200], "stale once, read again, retried once"
    stored = next(v for v in qbo_sim.records("Vendor") if v["Id"] == vendor["Id"])
    assert stored["DisplayName"] == "Rapid Equipment Rentals Inc."
