"""Procore as the destination of documents, over HTTP against the Procore simulator (`demo` preset).

Commitments become purchase order or work order contracts and bills direct costs of type invoice, each with its lines
on cost code and cost type, carrying our key in `origin_id`: looked up by it before any create, updated through the
batch `sync` calls, never created twice (a lost answer included). Counts are taken on the simulator, and every request
is checked against the published contract through the simulator's journal.
"""

import datetime as dt
from decimal import Decimal

import pytest

from connections import errors
from connections.models import Connection
from syncs.canonical import Bill, ChangeOrder, Commitment, CommitmentLine, CostCode, Ref
from syncs.engine import adapter_for

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

RIVERSIDE, HARBOR = 5_100_000_101, 5_100_000_102
GRANITE, STAR_FRAMING = "5200000205", "5200000201"
SUBCONTRACT, MATERIAL = 5_400_000_403, 5_400_000_402
PO_KEY = "0f3c2b1a9e8d7c6b5a4f3e2d1c0b9a88"
DC_KEY = "1a2b3c4d5e6f708192a3b4c5d6e7f809"


@pytest.fixture
def procore(sandbox, procore_sim, tenant_a):
    procore_sim.seed(preset="demo")
    return SYSTEMS["procore"].connection(tenant_a, sandbox.base_url)


def fresh(connection):
    return adapter_for(Connection.objects.get(pk=connection.pk))


def line(amount, native_id, cost_code="03-300", cost_type="M", project="2024-001", description="") -> CommitmentLine:
    """A line as the resolver leaves it: destination values as the maps store them (codes, project number)."""
    dims = {"cost_code": cost_code, "cost_type": cost_type}
    if project:
        dims["project"] = project
    return CommitmentLine(
        Decimal(amount),
        description or f"line {native_id}",
        cost_code=Ref("", code=cost_code, destination_id=cost_code),
        cost_type=Ref("", code=cost_type, destination_id=cost_type),
        native_id=native_id,
        dimensions=dims,
    )


def purchase_order(*lines, status="Open", kind="purchase_order", change_orders=()) -> Commitment:
    return Commitment(
        native_id="e5b1c3d0-7a9f-4d4e-9a1b-000000004711",
        vendor=Ref("ACC-GRANITE", name="Granite Supply Co.", destination_id=GRANITE),
        number="PO-4711",
        title="Rebar and anchor bolts",
        currency="USD",
        status=status,
        lines=list(lines) or [line("1200.00", "L1"), line("800.00", "L2", cost_code="05-100", cost_type="S")],
        change_orders=list(change_orders),
        date=dt.date(2026, 11, 3),
        kind=kind,
    )


def bill(*lines, number="QB-9001", commitment=None) -> Bill:
    return Bill(
        native_id="145",
        vendor=Ref("58", name="Star Framing, LLC", destination_id=STAR_FRAMING),
        number=number,
        date=dt.date(2026, 11, 12),
        currency="USD",
        lines=list(lines) or [line("950.00", "1"), line("50.00", "2", cost_code="06-100", cost_type="Material")],
        project=Ref("QB-JOB-7", name="Riverside MOB", destination_id=str(RIVERSIDE)),
        commitment=commitment,
    )


def documented_problems(sim) -> list[str]:
    from tests.conformance.framework import Contract, check_request

    contract = Contract.load("procore")
    problems = []
    for entry in sim.journal():
        if entry.get("host") == "login" or not entry["path"].startswith("/rest/"):
            continue
        found = check_request(contract, entry["method"], entry["path"], entry["query"], entry["body"])
        problems += [f"{entry['method']} {entry['path']}: {problem}" for problem in found]
    return problems


def ours(sim, collection: str, key: str) -> list[dict]:
    return [row for row in sim.records(collection) if row.get("origin_id") == key]


# --- commitments --------------------------------------------------------------------------------------------------
def contract_lines(sim, collection: str, key: str) -> dict[str, str]:
    (contract,) = ours(sim, collection, key)
    return {row["origin_id"].split(":", 1)[1]: row["amount"] for row in contract["line_items"]}


def test_a_purchase_order_becomes_one_contract_found_by_origin_id_and_updated_through_sync(procore, procore_sim):
    adapter = fresh(procore)
    assert adapter.can("commitment", "create") and adapter.can("commitment", "update")
    assert adapter.can("commitment", "read") and adapter.can("bill", "read") and adapter.can("bill", "status")
    procore_sim.clear_journal()
    record = purchase_order()
    assert adapter.find("commitment", record, PO_KEY) is None
    created = adapter.write("commitment", record, PO_KEY, None)
    assert created.created and created.destination_id.startswith(f"purchase_order_contract:{RIVERSIDE}:")
    assert created.sent["purchase_order_contract"]["origin_id"] == PO_KEY
    assert contract_lines(procore_sim, "purchase_order_contracts", PO_KEY) == {"L1": "1200.00", "L2": "800.00"}

    changed = purchase_order(
        line("1200.00", "L1"), line("950.00", "L2", cost_code="05-100", cost_type="S"), line("300.00", "L3")
    )
    found = fresh(procore).find("commitment", changed, PO_KEY)
    assert found == created.destination_id
    updated = fresh(procore).write("commitment", changed, PO_KEY, found)
    assert not updated.created and updated.destination_id == created.destination_id
    assert [line["origin_id"] for line in updated.sent["line_items"]] == [f"{PO_KEY}:L2", f"{PO_KEY}:L3"]
    again = fresh(procore).write("commitment", changed, PO_KEY, found)
    assert again.sent is None  # nothing differs: nothing is sent

    calls = procore_sim.calls()
    assert calls.get("POST /rest/v1.0/purchase_order_contracts") == 1
    assert calls.get("PATCH /rest/v1.0/purchase_order_contracts/{id}/line_items/sync") == 2
    assert not calls.get("PATCH /rest/v1.0/purchase_order_contracts/{id}")  # single edits are locked: never used
    assert not calls.get("POST /rest/v1.0/purchase_order_contracts/{id}/line_items")
    assert len(ours(procore_sim, "purchase_order_contracts", PO_KEY)) == 1
    lines = contract_lines(procore_sim, "purchase_order_contracts", PO_KEY)
    assert lines == {"L1": "1200.00", "L2": "950.00", "L3": "300.00"}

    read = fresh(procore).get("commitment", created.destination_id)  # as the read side sees it
    assert read.record.total == Decimal("2450.00") and read.record.kind == "purchase_order"
    assert {(ln.cost_code.code, ln.cost_type.code, ln.amount) for ln in read.record.lines} == {
        ("03-300", "M", Decimal("1200.00")),
        ("05-100", "S", Decimal("950.00")),
        ("03-300", "M", Decimal("300.00")),
    }
    assert documented_problems(procore_sim) == []


def test_a_subcontract_becomes_a_work_order_contract_kept_in_step_through_sync(procore, procore_sim):
    adapter = fresh(procore)
    record = purchase_order(kind="subcontract")
    created = adapter.write("commitment", record, PO_KEY, adapter.find("commitment", record, PO_KEY))
    assert created.created and created.destination_id.startswith(f"work_order_contract:{RIVERSIDE}:")
    assert not ours(procore_sim, "purchase_order_contracts", PO_KEY)

    extra = ChangeOrder("CO-1", "1", Decimal("250.00"), "approved", "Extra anchors")
    pending = ChangeOrder("CO-2", "2", Decimal("999.00"), "pending", "Not yet")
    amended = purchase_order(line("1200.00", "L1"), kind="subcontract", change_orders=[extra, pending])
    amended.title = "Rebar, anchor bolts and extra anchors"
    procore_sim.clear_journal()
    existing = fresh(procore).find("commitment", amended, PO_KEY)
    updated = fresh(procore).write("commitment", amended, PO_KEY, existing)
    assert updated.destination_id == created.destination_id and not updated.created
    contract_id = int(created.destination_id.split(":")[2])
    assert updated.sent["contract"] == {"origin_id": PO_KEY, "title": amended.title, "id": contract_id}
    # L2 left the source: zeroed (sync cannot delete); the approved change order is a line of its own
    assert contract_lines(procore_sim, "work_order_contracts", PO_KEY) == {
        "L1": "1200.00", "L2": "0.00", "co:CO-1": "250.00"
    }  # fmt: skip
    (contract,) = ours(procore_sim, "work_order_contracts", PO_KEY)
    assert contract["title"] == amended.title
    calls = procore_sim.calls()
    assert calls.get("PATCH /rest/v1.0/work_order_contracts/sync") == 1
    assert calls.get("POST /rest/v1.0/work_order_contracts") == 1
    assert fresh(procore).get("commitment", created.destination_id).record.total == Decimal("1450.00")
    assert documented_problems(procore_sim) == []


def test_a_lost_create_answer_is_followed_by_a_look_up_never_a_second_contract(procore, procore_sim):
    record = purchase_order()
    procore_sim.fault("reset_after_write", method="POST", path="/rest/v1.0/purchase_order_contracts")
    with pytest.raises(errors.OutcomeUnknown):
        fresh(procore).write("commitment", record, PO_KEY, fresh(procore).find("commitment", record, PO_KEY))
    # the next attempt (as the ledger makes it) looks the contract up by our key and completes it
    existing = fresh(procore).find("commitment", record, PO_KEY)
    assert existing
    retried = fresh(procore).write("commitment", record, PO_KEY, existing)
    assert not retried.created and retried.destination_id == existing
    # a lost answer on the line sync is repeated by the client: lines are matched on origin_id, never doubled
    procore_sim.fault("reset_after_write", method="PATCH", path="/line_items/sync")
    bigger = purchase_order(line("1500.00", "L1"), line("800.00", "L2", cost_code="05-100", cost_type="S"))
    fresh(procore).write("commitment", bigger, PO_KEY, existing)
    assert procore_sim.faults() == []  # both faults fired
    assert documented_problems(procore_sim) == []

    assert procore_sim.calls().get("POST /rest/v1.0/purchase_order_contracts") == 1
    assert len(ours(procore_sim, "purchase_order_contracts", PO_KEY)) == 1
    assert contract_lines(procore_sim, "purchase_order_contracts", PO_KEY) == {"L1": "1500.00", "L2": "800.00"}


def test_a_cancelled_commitment_is_flagged_and_nothing_is_sent(procore, procore_sim):
    created = fresh(procore).write("commitment", purchase_order(), PO_KEY, None)
    procore_sim.clear_calls()
    cancelled = purchase_order(line("1.00", "L1"), status="Cancelled")
    flagged = fresh(procore).write("commitment", cancelled, PO_KEY, created.destination_id)
    assert flagged.destination_id == created.destination_id and not flagged.created and flagged.sent is None
    assert flagged.response["flag"] == "cancelled" and "left as it is" in flagged.response["note"]
    never = fresh(procore).write("commitment", cancelled, "2" * 32, None)
    assert never.destination_id == "" and "nothing was created" in never.response["note"]
    writes = {call: n for call, n in procore_sim.calls().items() if not call.startswith(("GET", "POST /oauth"))}
    assert writes == {}
    assert contract_lines(procore_sim, "purchase_order_contracts", PO_KEY) == {"L1": "1200.00", "L2": "800.00"}


def test_a_contract_with_the_same_number_not_ours_is_never_taken_over(procore, procore_sim):
    procore_sim.upsert(
        "purchase_order_contracts",
        {"project_id": RIVERSIDE, "number": "PO-4711", "title": "Typed in by hand", "status": "Draft",
         "vendor_id": int(GRANITE), "origin_id": None},
    )  # fmt: skip
    with pytest.raises(errors.Conflict):
        fresh(procore).find("commitment", purchase_order(), PO_KEY)
    assert not procore_sim.calls().get("POST /rest/v1.0/purchase_order_contracts")


# --- bills -> direct costs ----------------------------------------------------------------------------------------
def direct_cost_lines(procore, destination_id: str) -> dict[str, str]:
    _kind, project_id, cost_id = destination_id.split(":")
    cost = fresh(procore).client.direct_cost(project_id, cost_id)
    return {row["origin_id"].split(":", 1)[1]: row["amount"] for row in cost["line_items"]}


def test_a_bill_becomes_one_direct_cost_found_by_origin_id_and_updated_through_sync(procore, procore_sim):
    adapter = fresh(procore)
    assert adapter.can("bill", "create") and adapter.can("bill", "update")
    procore_sim.clear_journal()
    record = bill()
    assert adapter.find("bill", record, DC_KEY) is None
    created = adapter.write("bill", record, DC_KEY, None)
    assert created.created and created.destination_id.startswith(f"direct_cost:{RIVERSIDE}:")
    assert created.sent["item"]["direct_cost_type"] == "invoice" and created.sent["item"]["origin_id"] == DC_KEY
    assert created.response["rule"] == "direct cost of type invoice"
    assert direct_cost_lines(procore, created.destination_id) == {"1": "950.00", "2": "50.00"}

    changed = bill(line("975.00", "1"), line("25.00", "3", cost_code="06-100", cost_type="S"), number="QB-9001A")
    found = fresh(procore).find("bill", changed, DC_KEY)
    assert found == created.destination_id
    updated = fresh(procore).write("bill", changed, DC_KEY, found)
    assert not updated.created and updated.destination_id == found
    assert updated.sent["item"]["invoice_number"] == "QB-9001A"
    assert fresh(procore).write("bill", changed, DC_KEY, found).sent is None  # in step: nothing sent

    calls = procore_sim.calls()
    assert calls.get("POST /rest/v1.0/projects/{id}/direct_costs") == 1
    assert calls.get("PATCH /rest/v1.0/projects/{id}/direct_costs/sync") == 1
    assert calls.get("PATCH /rest/v1.0/projects/{id}/direct_costs/line_items/sync") == 2
    assert not calls.get("PATCH /rest/v1.0/projects/{id}/direct_costs/{id}")  # single edits are locked: never used
    assert not calls.get("PATCH /rest/v1.1/projects/{id}/direct_costs/{id}")
    assert len(ours(procore_sim, "direct_costs", DC_KEY)) == 1
    assert direct_cost_lines(procore, found) == {"1": "975.00", "2": "0.00", "3": "25.00"}

    read = fresh(procore).get("bill", found)  # the read side sees an approved invoice with the new lines
    assert read.eligible and read.record.total == Decimal("1000.00") and read.record.number == "QB-9001A"
    assert documented_problems(procore_sim) == []


def test_a_lost_direct_cost_answer_creates_nothing_twice(procore, procore_sim):
    record = bill()
    procore_sim.fault("reset_after_write", method="POST", path="/direct_costs")
    with pytest.raises(errors.OutcomeUnknown):
        fresh(procore).write("bill", record, DC_KEY, fresh(procore).find("bill", record, DC_KEY))
    existing = fresh(procore).find("bill", record, DC_KEY)
    assert existing
    retried = fresh(procore).write("bill", record, DC_KEY, existing)
    assert retried.destination_id == existing and not retried.created
    assert procore_sim.calls().get("POST /rest/v1.0/projects/{id}/direct_costs") == 1
    assert len(ours(procore_sim, "direct_costs", DC_KEY)) == 1
    assert direct_cost_lines(procore, existing) == {"1": "950.00", "2": "50.00"}
    assert documented_problems(procore_sim) == []


def test_a_bill_on_a_commitment_is_written_as_a_direct_cost_and_says_why(procore, procore_sim):
    on_contract = bill(commitment=Ref("PO-88", code="SC-0001", destination_id="5500000501"))
    result = fresh(procore).write("bill", on_contract, DC_KEY, None)
    assert result.created and result.destination_id.startswith("direct_cost:")
    assert "SC-0001" in result.response["rule"] and "requisitions cannot be created" in result.response["rule"]
    calls = procore_sim.calls()
    assert not calls.get("POST /rest/v1.0/requisitions") and not calls.get("POST /rest/v1.1/requisitions")


def test_the_vendors_invoice_typed_in_by_hand_is_never_taken_over(procore, procore_sim):
    procore_sim.upsert(
        "direct_costs",
        {"project_id": RIVERSIDE, "direct_cost_type": "invoice", "status": "pending", "invoice_number": "QB-9001",
         "vendor_id": int(STAR_FRAMING), "direct_cost_date": "2026-11-12", "origin_id": None},
    )  # fmt: skip
    with pytest.raises(errors.Conflict):
        fresh(procore).find("bill", bill(), DC_KEY)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (bill(line("10.00", "1", cost_code="99-999")), "cost code '99-999' does not exist"),
        (bill(line("10.00", "1", cost_type="Z")), "cost type 'Z' does not exist"),
        (bill(line("10.00", "1", project="2024-002")), "several Procore projects"),
        (purchase_order(line("10.00", "1", project="")), "names no Procore project"),
        (purchase_order(line("10.00", "1", project="1999-404")), "no active project"),
    ],
)
def test_a_document_procore_cannot_place_is_refused_before_anything_is_written(procore, procore_sim, record, message):
    entity = "bill" if isinstance(record, Bill) else "commitment"
    with pytest.raises(errors.ValidationFailed, match=message):
        fresh(procore).write(entity, record, DC_KEY, None)
    writes = [call for call in procore_sim.calls() if not call.startswith(("GET", "POST /oauth"))]
    assert writes == []


# --- cost types (line item types), written as the ERP writes them ---------------------------------------------------
def line_item_types(sim, **where) -> list[dict]:
    return [row for row in sim.records("line_item_types") if all(row.get(k) == v for k, v in where.items())]


def test_a_cost_type_is_created_linked_found_again_and_renamed_through_sync(procore, procore_sim):
    record = CostCode(native_id="R", code="R", name="Rental")
    assert fresh(procore).find("cost_type", record, "k") is None
    created = fresh(procore).write("cost_type", record, "k", None)
    (row,) = line_item_types(procore_sim, origin_id="R")
    assert created.created and created.destination_id == str(row["id"])
    assert (row["code"], row["name"]) == ("R", "Rental")

    assert fresh(procore).find("cost_type", record, "k") == created.destination_id  # by origin_id
    renamed = CostCode(native_id="R", code="R", name="Equipment Rental")
    updated = fresh(procore).write("cost_type", renamed, "k", created.destination_id)
    assert not updated.created and updated.destination_id == created.destination_id
    item = fresh(procore).get("cost_type", created.destination_id)
    assert (item.record.name, item.record.code, item.record.origin_id) == ("Equipment Rental", "R", "R")

    calls = procore_sim.calls()
    assert calls.get("POST /rest/v1.0/line_item_types") == 1
    assert calls.get("PATCH /rest/v1.0/line_item_types/sync") == 1
    assert len(line_item_types(procore_sim, code="R")) == 1
    assert documented_problems(procore_sim) == []


def test_a_cost_type_procore_has_is_linked_by_its_code_never_created_again(procore, procore_sim):
    material = CostCode(native_id="M", code="M", name="Material")
    before = {i.native_id: i.version for i in fresh(procore).changed("cost_type", None, "")}
    existing = fresh(procore).find("cost_type", material, "k")
    assert existing == str(MATERIAL)
    fresh(procore).write("cost_type", material, "k", existing)
    assert line_item_types(procore_sim, id=MATERIAL)[0]["origin_id"] == "M"
    after = {i.native_id: i for i in fresh(procore).changed("cost_type", None, "")}
    assert after[existing].version != before[existing]  # the link is part of its version
    others = {k: i.version for k, i in after.items() if k != existing}
    assert others == {k: v for k, v in before.items() if k != existing}
    assert fresh(procore).find("cost_type", material, "k") == existing  # now by origin_id
    # another ERP id with the same code is never handed the linked type
    with pytest.raises(errors.Conflict):
        fresh(procore).find("cost_type", CostCode(native_id="MAT", code="M", name="Materials"), "k")
    assert "POST /rest/v1.0/line_item_types" not in procore_sim.calls()
    assert documented_problems(procore_sim) == []


def test_a_lost_cost_type_answer_is_followed_by_a_look_up_never_a_second_type(procore, procore_sim):
    record = CostCode(native_id="R", code="R", name="Rental")
    procore_sim.fault("reset_after_write", method="POST", path="/rest/v1.0/line_item_types")
    with pytest.raises(errors.OutcomeUnknown):
        fresh(procore).write("cost_type", record, "k", fresh(procore).find("cost_type", record, "k"))
    existing = fresh(procore).find("cost_type", record, "k")
    assert existing and fresh(procore).write("cost_type", record, "k", existing).created is False
    assert procore_sim.faults() == []
    assert procore_sim.calls().get("POST /rest/v1.0/line_item_types") == 1
    assert len(line_item_types(procore_sim, origin_id="R")) == 1
    assert documented_problems(procore_sim) == []
