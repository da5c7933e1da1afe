"""A requisition is read from its contract items alone when they are the whole of it, from its detail otherwise.

Procore lists contract items per requisition with their amounts; change order items and the retainage withheld on
stored materials this period are only in /detail. The adapter spares the /detail call when the items add up to the
claimed total, no approved change order exists on the commitment and nothing is stored; the lines are the same.
"""

import datetime as dt
from decimal import Decimal

import pytest

from syncs.engine import adapter_for
from tests.sync import scenario

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(tenant_a, sandbox, procore_sim):
    data, _ = scenario.procore_records(dt.date.today())
    requisitions = [r for r in data["requisitions"] if r["status"] in ("approved", "approved_as_noted")]
    plain = requisitions[0]
    others = [r for r in requisitions if r["commitment_id"] != plain["commitment_id"]]
    with_change_order = others[0]
    with_materials = next(r for r in others if r["commitment_id"] != with_change_order["commitment_id"])
    change_item = {**with_change_order["items"][0], "id": with_change_order["id"] * 10 + 9,
                   "item_type": "change_order_item", "work_completed_this_period": "400.00"}  # fmt: skip
    with_change_order["items"].append(change_item)
    stored = with_materials["items"][0]
    stored.update(materials_presently_stored="120.00", materials_stored_retainage_retained_this_period="12.00")
    data["commitment_change_orders"] = [
        {"id": 9_800_000_001, "project_id": with_change_order["project_id"],
         "contract_id": with_change_order["commitment_id"], "number": "1", "title": "Extra bay",
         "status": "approved", "grand_total": "400.00", "executed": True},
    ]  # fmt: skip
    procore_sim.seed(data)
    connection = SYSTEMS["procore"].connection(tenant_a, sandbox.base_url)
    return adapter_for(connection), plain, with_change_order, with_materials


def native_id(requisition: dict) -> str:
    return f"requisition:{requisition['project_id']}:{requisition['id']}"


def detail_reads(procore_sim, requisition: dict) -> int:
    return sum(1 for entry in procore_sim.journal() if entry["path"].endswith(f"/{requisition['id']}/detail"))


def test_a_plain_requisition_is_read_from_its_contract_items_alone(world, procore_sim):
    adapter, plain, _, _ = world
    procore_sim.clear_journal()
    bill = adapter.get("bill", native_id(plain)).record
    assert detail_reads(procore_sim, plain) == 0
    assert sum(line.amount for line in bill.lines) == sum(
        Decimal(i["work_completed_this_period"]) for i in plain["items"]
    )
    assert all(line.cost_type is not None for line in bill.lines)  # typed through the commitment lines


def test_a_change_order_item_is_read_from_the_detail(world, procore_sim):
    adapter, _, with_change_order, _ = world
    procore_sim.clear_journal()
    bill = adapter.get("bill", native_id(with_change_order)).record
    assert detail_reads(procore_sim, with_change_order) == 1
    assert any(line.native_id.startswith("change_order_item:") for line in bill.lines)
    claimed = sum(Decimal(i["work_completed_this_period"]) for i in with_change_order["items"])
    assert sum(line.amount for line in bill.lines) == claimed


def test_stored_materials_are_read_from_the_detail_with_their_retainage(world, procore_sim):
    adapter, _, _, with_materials = world
    procore_sim.clear_journal()
    bill = adapter.get("bill", native_id(with_materials)).record
    assert detail_reads(procore_sim, with_materials) == 1
    assert bill.retainage == Decimal("12.00")
    claimed = sum(Decimal(i["work_completed_this_period"]) for i in with_materials["items"]) + Decimal("120.00")
    assert sum(line.amount for line in bill.lines) == claimed


def listed(adapter, requisition: dict):
    """The requisition as a read of its project's requisition list gives it."""
    partition = f"requisitions:{requisition['project_id']}"
    return next(item for item in adapter.changed("bill", None, partition) if item.native_id == native_id(requisition))


def own_reads(procore_sim, requisition: dict) -> list[str]:
    return [entry["path"] for entry in procore_sim.journal() if f"/requisitions/{requisition['id']}" in entry["path"]]


def test_the_list_carries_every_line_so_no_requisition_is_read_on_its_own(world, procore_sim):
    adapter, plain, with_change_order, _ = world
    procore_sim.clear_journal()
    plain_bill = listed(adapter, plain).record
    change_order_bill = listed(adapter, with_change_order).record
    assert own_reads(procore_sim, plain) == [] and own_reads(procore_sim, with_change_order) == []
    assert sum(line.amount for line in plain_bill.lines) == sum(
        Decimal(i["work_completed_this_period"]) for i in plain["items"]
    )
    assert any(line.native_id.startswith("change_order_item:") for line in change_order_bill.lines)
    assert all(line.cost_type is not None for line in plain_bill.lines)


def test_a_listed_requisition_storing_materials_is_read_from_its_detail(world, procore_sim):
    adapter, _, _, with_materials = world
    procore_sim.clear_journal()
    bill = listed(adapter, with_materials).record
    assert any(path.endswith("/detail") for path in own_reads(procore_sim, with_materials))
    assert bill.retainage == Decimal("12.00")
