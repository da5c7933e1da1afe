"""Operations one system serves and the other does not, over HTTP against the simulators, counting writes.

Procore: commitments read per (kind, project) partition with their approved change orders, payment status written
back on requisitions and direct costs, webhooks registered and parsed. Acumatica: purchase orders written, found and
updated; payment status read from bills and checks; push notifications verified and parsed.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest

from connections import errors
from connections.models import Connection
from sandbox.procore import demo as procore_demo
from syncs.canonical import ChangeOrder, Commitment, CommitmentLine, Payment, PaymentStatus, Ref
from syncs.engine import adapter_for

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

RIVERSIDE, NORTHGATE = 5_100_000_101, 5_100_000_104
REQUISITION = f"requisition:{RIVERSIDE}:5600000601"
DIRECT_COST = f"direct_cost:{RIVERSIDE}:5700000701"


@pytest.fixture
def procore(sandbox, procore_sim, tenant_a):
    procore_sim.seed(preset="demo")
    return SYSTEMS["procore"].connection(tenant_a, sandbox.base_url)


@pytest.fixture
def acumatica(sandbox, acumatica_sim, tenant_a):
    acumatica_sim.seed(preset="demo")
    return SYSTEMS["acumatica"].connection(tenant_a, sandbox.base_url)


def fresh(connection):
    return adapter_for(Connection.objects.get(pk=connection.pk))


# --- Procore: commitments ----------------------------------------------------------------------------------------
def test_procore_commitments_are_read_per_kind_and_project_with_approved_change_orders(procore):
    adapter = fresh(procore)
    partitions = adapter.partitions("commitment")
    assert f"work_order_contracts:{NORTHGATE}" in partitions and f"purchase_order_contracts:{NORTHGATE}" in partitions
    items = list(adapter.changed("commitment", None, f"work_order_contracts:{NORTHGATE}"))
    assert items and all(item.native_id.startswith(f"work_order_contract:{NORTHGATE}:") for item in items)
    record = items[0].record
    assert record.kind == "subcontract" and record.project.code == "2024-003"
    assert [co.status for co in record.change_orders] == ["approved"]
    assert record.total == sum(line.amount for line in record.lines) + record.change_orders[0].amount
    harbor = list(adapter.changed("commitment", None, "work_order_contracts:5100000102"))
    assert [item.eligible for item in harbor] == [False]  # out for signature: not committed yet


def test_an_approved_change_order_brings_its_commitment_back_with_a_new_version(procore, procore_sim):
    adapter = fresh(procore)
    partition = f"work_order_contracts:{RIVERSIDE}"
    before = {item.native_id: item for item in adapter.changed("commitment", None, partition)}
    procore_sim.advance(120)
    since = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
    procore_sim.upsert(
        "commitment_change_orders",
        {"project_id": RIVERSIDE, "contract_id": 5_500_000_501, "number": "1", "title": "Extra blocking",
         "status": "approved", "grand_total": "12500.00", "executed": True, "paid": False},
    )  # fmt: skip
    after = list(fresh(procore).changed("commitment", since, partition))
    sc1 = f"work_order_contract:{RIVERSIDE}:5500000501"
    assert [item.native_id for item in after] == [sc1]
    assert after[0].version != before[sc1].version
    assert after[0].record.total == before[sc1].record.total + Decimal("12500.00")


# --- Procore: payment status written back -------------------------------------------------------------------------
def status(native_id: str, state: str, amount: str, balance: str, *payments) -> PaymentStatus:
    return PaymentStatus(
        native_id=native_id,
        status=state,
        amount=Decimal(amount),
        balance=Decimal(balance),
        payments=[
            Payment(f"Check/{number}", Ref("STARFRAME"), Decimal(paid), "USD", day, Ref(native_id), f"CHK-{number}")
            for number, paid, day in payments
        ],
    )


def test_requisition_payments_are_written_once_and_partial_payments_stay_separate(procore, procore_sim):
    adapter = fresh(procore)
    assert adapter.can("bill", "status")
    partly = status("000200", "partly_paid", "88500.00", "48500.00", ("000901", "40000.00", dt.date(2026, 11, 2)))
    procore_sim.clear_calls()
    first = adapter.write_status("bill", REQUISITION, partly, "key")
    again = fresh(procore).write_status("bill", REQUISITION, partly, "key")
    assert first.created and not again.created and again.destination_id == REQUISITION
    calls = procore_sim.calls()
    assert calls.get("POST /rest/v1.0/contract_payments") == 1
    assert not calls.get("PATCH /rest/v1.0/requisitions/{id}")  # partly paid: no payment date yet

    paid = status(
        "000200", "paid", "88500.00", "0.00",
        ("000901", "40000.00", dt.date(2026, 11, 2)), ("000944", "48500.00", dt.date(2026, 11, 16)),
    )  # fmt: skip
    for _ in range(3):
        fresh(procore).write_status("bill", REQUISITION, paid, "key")
    calls = procore_sim.calls()
    assert calls.get("POST /rest/v1.0/contract_payments") == 2
    assert calls.get("PATCH /rest/v1.0/requisitions/{id}") == 1
    payments = fresh(procore).client.contract_payments(RIVERSIDE, 5_500_000_501)
    ours = sorted((p["origin_id"], p["amount"], p["requisition_id"]) for p in payments if p.get("origin_id"))
    assert ours == [
        ("Check/000901@000200", "40000.00", 5_600_000_601),
        ("Check/000944@000200", "48500.00", 5_600_000_601),
    ]
    assert fresh(procore).client.requisition(RIVERSIDE, 5_600_000_601)["payment_date"] == "2026-11-16"


def test_a_paid_direct_cost_gets_its_payment_date_once(procore, procore_sim):
    open_ = status("000300", "open", "4988.00", "4988.00")
    paid = status("000300", "paid", "4988.00", "0.00", ("000950", "4988.00", dt.date(2026, 11, 20)))
    procore_sim.clear_calls()
    assert not fresh(procore).write_status("bill", DIRECT_COST, open_, "key").created
    results = [fresh(procore).write_status("bill", DIRECT_COST, paid, "key") for _ in range(3)]
    assert [r.created for r in results] == [True, False, False]
    assert procore_sim.calls().get("PATCH /rest/v1.0/projects/{id}/direct_costs/{id}") == 1
    assert fresh(procore).client.direct_cost(RIVERSIDE, 5_700_000_701)["payment_date"] == "2026-11-20"


# --- Procore: webhooks --------------------------------------------------------------------------------------------
def test_register_webhooks_creates_the_hook_once_and_its_triggers(procore, procore_sim):
    adapter = fresh(procore)
    first = adapter.register_webhooks("https://connector.example/webhooks/abc", "s3cret-1")
    second = fresh(procore).register_webhooks("https://connector.example/webhooks/abc", "s3cret-2")
    assert first["created_hook"] and not second["created_hook"] and first["hook_id"] == second["hook_id"]
    assert first["triggers_created"] > 0 and second["triggers_created"] == 0
    calls = procore_sim.calls()
    assert calls.get("POST /rest/v2.0/companies/{id}/webhooks/hooks") == 1
    hooks = list(fresh(procore).client.hooks("ml-connector"))
    assert len(hooks) == 1 and hooks[0]["destination_url"] == "https://connector.example/webhooks/abc"
    names = {name.split(":")[0].lower() for name in second["triggers"]}
    assert {"direct costs", "work order contracts", "purchase order contracts", "company vendors"} <= names


@pytest.mark.parametrize(
    ("resource", "entity", "native_id"),
    [
        ("Company Vendors", "vendor", "5200000201"),
        ("Standard Cost Codes", "cost_code", "5200000201"),
        ("Work Order Contracts", "commitment", f"work_order_contract:{RIVERSIDE}:5200000201"),
        ("Commitment Change Orders", "commitment", f"commitment_change_order:{RIVERSIDE}:5200000201"),
        ("Requisitions", "bill", f"requisition:{RIVERSIDE}:5200000201"),
        ("RFIs", None, None),
    ],
)
def test_procore_deliveries_become_hints_for_the_entities_we_sync(procore, resource, entity, native_id):
    headers, body = SYSTEMS["procore"].webhook(7, resource=resource, resource_id=5_200_000_201)
    hints = fresh(procore).parse_webhook(headers, body)
    assert [(h.entity, h.native_id) for h in hints] == ([(entity, native_id)] if entity else [])


def test_a_change_order_hint_is_read_as_its_commitment(procore, procore_sim):
    created = procore_sim.upsert(
        "commitment_change_orders",
        {"project_id": RIVERSIDE, "contract_id": 5_500_000_504, "number": "1", "title": "More rebar",
         "status": "approved", "grand_total": "1500.00", "executed": True, "paid": False},
    )  # fmt: skip
    item = fresh(procore).get("commitment", f"commitment_change_order:{RIVERSIDE}:{created['id']}")
    assert item.native_id == f"purchase_order_contract:{RIVERSIDE}:5500000504"
    assert item.record.total == Decimal("50000.00")


# --- Acumatica: purchase orders ----------------------------------------------------------------------------------
def commitment(number="PO-777", amount="1200.00", change_orders=(), kind="purchase_order") -> Commitment:
    dims = {"subaccount": "000-000", "project": "RIVERSIDE", "task": "03", "cost_code": "03-300"}
    return Commitment(
        native_id=f"purchase_order_contract:{RIVERSIDE}:777",
        vendor=Ref("5200000205", name="Granite Supply Co.", destination_id="GRANITESUP"),
        number=number,
        title="Anchor bolts",
        currency="USD",
        status="Approved",
        lines=[CommitmentLine(Decimal(amount), "Anchor bolts", account="51000", dimensions=dict(dims))],
        change_orders=list(change_orders),
        project=Ref(str(RIVERSIDE), code="2024-001"),
        date=dt.date(2026, 11, 1),
        kind=kind,
    )


@pytest.mark.parametrize(
    ("kind", "prefix", "entity"),
    [("purchase_order", "Normal/", "PurchaseOrder"), ("subcontract", "Subcontract/", "Subcontract")],
)
def test_acumatica_commitment_is_created_once_then_amended_in_place(acumatica, acumatica_sim, kind, prefix, entity):
    adapter = fresh(acumatica)
    record = commitment(kind=kind)
    assert adapter.find("commitment", record, "po-key") is None
    acumatica_sim.clear_journal()
    created = adapter.write("commitment", record, "po-key", None)
    assert created.created and created.destination_id.startswith(prefix)
    assert fresh(acumatica).find("commitment", record, "po-key") == created.destination_id

    co = ChangeOrder("9001", "1", Decimal("300.00"), "approved", "More bolts")
    amended = commitment(change_orders=[co], kind=kind)
    for _ in range(2):  # a repeated update rewrites the same lines in place
        updated = fresh(acumatica).write("commitment", amended, "po-key", created.destination_id)
    assert updated.destination_id == created.destination_id and not updated.created
    doc = fresh(acumatica).get("commitment", created.destination_id).record
    assert doc.total == Decimal("1500.00") and len(doc.lines) == 2 and doc.number == "PO-777" and doc.kind == kind
    path = f"PUT /entity/Default/23.200.001/{entity}"
    assert SYSTEMS["acumatica"].creates_made(acumatica_sim, "commitment", path) == 1
    docs = {d.number: d for d in fresh(acumatica).documents("commitment", {"project_code": "2024-001"})}
    assert docs["PO-777"].native_id == created.destination_id

    with pytest.raises(errors.Conflict):  # same vendor and number, not ours: never taken over
        fresh(acumatica).find("commitment", commitment(kind=kind), "another-key")


# --- Acumatica: payment status -----------------------------------------------------------------------------------
def test_acumatica_payment_status_is_read_from_bills_and_checks(acumatica, acumatica_sim):
    adapter = fresh(acumatica)
    first = {item.record.native_id: item for item in adapter.changed("payment_status", None, "")}
    by_ref = {item.raw["VendorRef"]["value"]: item for item in first.values()}
    paid, partly, unpaid = by_ref["SF-2024-0117"], by_ref["AC-88120"], by_ref["GS-INV-4471"]
    assert (paid.record.status, paid.record.balance) == ("paid", Decimal("0"))
    assert partly.record.status == "partly_paid" and partly.record.paid == Decimal("20000.00")
    assert unpaid.record.status == "open" and unpaid.record.payments == []
    payment = partly.record.payments[0]
    check = next(c for c in acumatica_sim.records("Check") if c["PaymentRef"] == "CHK-AC-88120")
    assert payment.native_id == f"{check['Type']}/{check['ReferenceNbr']}" and payment.amount == Decimal("20000.00")
    assert payment.reference == "CHK-AC-88120" and payment.bill.native_id == partly.native_id
    again = {item.native_id: item.version for item in fresh(acumatica).changed("payment_status", None, "")}
    assert again == {native_id: item.version for native_id, item in first.items()}  # unchanged: same versions
    assert fresh(acumatica).get("payment_status", partly.native_id).version == partly.version


def test_a_check_applied_later_is_seen_through_the_check(acumatica, acumatica_sim):
    adapter = fresh(acumatica)
    partly = next(i for i in adapter.changed("payment_status", None, "") if i.record.status == "partly_paid")
    acumatica_sim.advance(120)
    since = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
    vendor = partly.raw["Vendor"]["value"]
    body = {
        "Vendor": {"value": vendor},
        "PaymentMethod": {"value": "CHECK"},
        "CashAccount": {"value": "10200"},
        "PaymentRef": {"value": "CHK-REST"},
        "Details": [{"DocType": {"value": "Bill"}, "ReferenceNbr": {"value": partly.native_id},
                     "AmountPaid": {"value": str(partly.record.balance)}}],
    }  # fmt: skip
    check = adapter.client.put("Check", body, insert_only=True)
    keys = {"Type": check["Type"], "ReferenceNbr": check["ReferenceNbr"]}
    adapter.client.request("POST", "Check/ReleaseCheck", json={"entity": keys, "parameters": {}})
    later = {item.native_id: item for item in fresh(acumatica).changed("payment_status", since, "")}
    assert partly.native_id in later
    now = later[partly.native_id]
    assert now.record.status == "paid" and len(now.record.payments) == 2 and now.version != partly.version


# --- Acumatica: push notifications -------------------------------------------------------------------------------
def test_push_notifications_map_inquiries_to_entities_and_ignore_removals(acumatica):
    adapter = fresh(acumatica)
    headers, body = SYSTEMS["acumatica"].webhook(3, query="MLC-Vendors")
    vendors_body = json.loads(body)
    vendors_body["Inserted"] = [{"VendorID": "STARFRAME"}, {"VendorID": "STARFRAME"}, {"VendorName": "no key"}]
    hints = adapter.parse_webhook(headers, json.dumps(vendors_body).encode())
    assert [(h.entity, h.native_id) for h in hints] == [("vendor", "STARFRAME")]
    assert adapter.webhook_event_id(headers, body) == vendors_body["Id"]
    removed = {**vendors_body, "Inserted": []}
    assert adapter.parse_webhook(headers, json.dumps(removed).encode()) == []
    assert adapter.parse_webhook(headers, json.dumps({**vendors_body, "Query": "Other"}).encode()) == []
    assert adapter.verify_webhook({"x-hook-secret": "contract-push"}, body)  # header names are case-insensitive
    assert not adapter.verify_webhook({"X-Push-Secret": "contract-push"}, body)  # not the configured header


# --- both: payment status read in Acumatica, written in Procore ---------------------------------------------------
def test_a_payment_read_in_acumatica_is_written_in_procore_once(acumatica, procore, procore_sim):
    item = next(i for i in fresh(acumatica).changed("payment_status", None, "") if i.record.status == "partly_paid")
    procore_sim.clear_calls()
    for _ in range(3):
        fresh(procore).write_status("bill", REQUISITION, item.record, "key")
    assert procore_sim.calls().get("POST /rest/v1.0/contract_payments") == 1
    assert procore_demo.COMPANY_ID  # the two simulators stay independent: nothing else was written
    assert not procore_sim.calls().get("PATCH /rest/v1.0/requisitions/{id}")


# --- both: every request of these operations is one the vendor documents -----------------------------------------
def documented_problems(sim, system: str) -> list[str]:
    from tests.conformance.framework import Contract, check_request

    contract = Contract.load(system)
    problems = []
    for entry in sim.journal():
        if entry.get("host") == "login" or not entry["path"].startswith(("/rest/", "/entity/Default/")):
            continue  # tokens are covered by the token tests
        found = check_request(contract, entry["method"], entry["path"], entry["query"], entry["body"])
        problems += [f"{entry['method']} {entry['path']}: {problem}" for problem in found]
    return problems


def test_procore_operations_send_only_documented_requests(procore, procore_sim):
    procore_sim.clear_journal()
    adapter = fresh(procore)
    other = SYSTEMS["procore"]
    vendor = adapter.write("vendor", other.other_vendor, "k", adapter.find("vendor", other.other_vendor, "k"))
    adapter.write("vendor", other.other_vendor, "k", vendor.destination_id)
    code = adapter.write("cost_code", other.other_cost_code, "k", adapter.find("cost_code", other.other_cost_code, "k"))
    adapter.write("cost_code", other.other_cost_code, "k", code.destination_id)
    list(adapter.changed("vendor", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ""))
    list(adapter.changed("cost_code", None, ""))
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    list(adapter.changed("commitment", since, f"purchase_order_contracts:{NORTHGATE}"))
    list(adapter.documents("commitment", adapter.reconcile_scopes("commitment")[0]))
    paid = status("000300", "paid", "4988.00", "0.00", ("000950", "4988.00", dt.date(2026, 11, 20)))
    adapter.write_status("bill", DIRECT_COST, paid, "k")
    adapter.write_status("bill", REQUISITION, paid, "k")
    adapter.register_webhooks("https://connector.example/webhooks/abc", "s3cret")
    assert documented_problems(procore_sim, "procore") == []


def test_acumatica_operations_send_only_documented_requests(acumatica, acumatica_sim):
    acumatica_sim.clear_journal()
    adapter = fresh(acumatica)
    other = SYSTEMS["acumatica"]
    vendor = adapter.write("vendor", other.other_vendor, "k", adapter.find("vendor", other.other_vendor, "k"))
    adapter.write("vendor", other.other_vendor, "k", vendor.destination_id)
    code = adapter.write("cost_code", other.other_cost_code, "k", adapter.find("cost_code", other.other_cost_code, "k"))
    adapter.write("cost_code", other.other_cost_code, "k", code.destination_id)
    po = adapter.write("commitment", commitment(), "k", adapter.find("commitment", commitment(), "k"))
    adapter.write("commitment", commitment(amount="1300.00"), "k", po.destination_id)
    sc = commitment(number="SC-777", kind="subcontract")
    adapter.write("commitment", sc, "k2", adapter.find("commitment", sc, "k2"))
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for entity in ("vendor", "cost_code", "commitment", "payment_status"):
        list(adapter.changed(entity, since, ""))
    list(adapter.documents("commitment", {"project_code": "2024-001"}))
    assert documented_problems(acumatica_sim, "acumatica") == []
