"""A requisition is read whole from the items its list or show carries (v1.1 `view=items`), without reads of its own.

Only the retainage withheld on stored materials this period is in /detail alone: a requisition storing materials is
read from its detail. An answer without items (v1.0) is completed from the contract items, and from the detail where
those are not the whole requisition (change order items).
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


def listed(adapter, requisition: dict):
    """The requisition as a read of its project's requisition list gives it."""
    partition = f"requisitions:{requisition['project_id']}"
    return next(item for item in adapter.changed("bill", None, partition) if item.native_id == native_id(requisition))


def own_reads(procore_sim, requisition: dict) -> list[str]:
    """Reads under the requisition's own path other than its show."""
    paths = [entry["path"] for entry in procore_sim.journal()]
    return [path for path in paths if path.startswith(("/rest/v1.0/requisitions/", "/rest/v1.1/requisitions/"))
            and path.split("/")[4] == str(requisition["id"]) and len(path.split("/")) > 5]  # fmt: skip


def claimed(requisition: dict) -> Decimal:
    return sum(
        Decimal(i["work_completed_this_period"]) + Decimal(i.get("materials_presently_stored") or "0")
        for i in requisition["items"]
    )


@pytest.mark.parametrize("read", ["list", "show"])
def test_the_items_carried_are_every_line_so_no_requisition_is_read_on_its_own(world, procore_sim, read):
    adapter, plain, with_change_order, _ = world
    procore_sim.clear_journal()
    bills = {}
    for requisition in (plain, with_change_order):
        item = listed(adapter, requisition) if read == "list" else adapter.get("bill", native_id(requisition))
        bills[requisition["id"]] = item.record
    assert own_reads(procore_sim, plain) == [] and own_reads(procore_sim, with_change_order) == []
    assert sum(line.amount for line in bills[plain["id"]].lines) == claimed(plain)
    assert all(line.cost_type is not None for line in bills[plain["id"]].lines)  # typed through the commitment
    change_order_bill = bills[with_change_order["id"]]
    assert any(line.native_id.startswith("change_order_item:") for line in change_order_bill.lines)
    assert sum(line.amount for line in change_order_bill.lines) == claimed(with_change_order)


def test_stored_materials_are_read_from_the_detail_with_their_retainage(world, procore_sim):
    adapter, _, _, with_materials = world
    procore_sim.clear_journal()
    bill = listed(adapter, with_materials).record
    assert [path.rsplit("/", 1)[1] for path in own_reads(procore_sim, with_materials)] == ["detail"]
    assert bill.retainage == Decimal("12.00")
    assert sum(line.amount for line in bill.lines) == claimed(with_materials)


def test_an_answer_without_items_is_completed_from_the_contract_items_and_the_detail(world, procore_sim):
    adapter, plain, with_change_order, _ = world
    for requisition, expected in ((plain, ["contract_items"]), (with_change_order, ["contract_items", "detail"])):
        path, project_id = f"/rest/v1.0/requisitions/{requisition['id']}", requisition["project_id"]
        header = adapter.client.get(path, project_id=project_id)
        assert "items" not in header
        procore_sim.clear_journal()
        bill = adapter._requisition_item(project_id, header).record
        assert [path.rsplit("/", 1)[1] for path in own_reads(procore_sim, requisition)] == expected
        assert sum(line.amount for line in bill.lines) == claimed(requisition)
