"""Procurify -> Acumatica, every flow end to end over the simulators, counting documents and writes on both sides.

Approved purchase orders become Acumatica purchase orders and approved bills become Acumatica bills, each once and
linked to its order; Procurify vendors the ERP lacks are created there first; the ERP's vendors and GL accounts
appear in Procurify once; an order completed in Acumatica is closed in Procurify once; a bill paid in Acumatica
shows paid in our ledger (Procurify publishes no call to mark a bill paid); a second run writes nothing. Every list
takes several pages on both sides, and a failure at a page boundary of Procurify's order list loses nothing.
"""

import pytest

from connections.models import Connection
from sandbox.testing import SandboxControl
from syncs import demo, engine
from syncs.models import RecordState, SyncRecord

from . import procurify_scenario as world_of
from .procurify_scenario import DOMAIN, plain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def procurify_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "procurify")
    control.reset()
    control.seed(preset="demo")
    control.config(max_page_size=world_of.PROCURIFY_PAGE)
    return control


@pytest.fixture
def world(tenant_a, sandbox, procurify_sim, acumatica_sim, monkeypatch):
    from connections.systems.acumatica import client

    monkeypatch.setattr(client, "PAGE_SIZE", 5)  # Acumatica's lists (vendors, accounts, orders) in several pages
    acumatica_sim.seed(preset="reference")
    return world_of.wire(tenant_a, sandbox.base_url)


def run(integration, flow):
    result = engine.run_flow(integration.pk, flow, "manual")
    assert result is not None and result.status in ("succeeded", "partial"), (flow, result and result.error)
    return result


def states(integration, flow) -> dict[str, str]:
    return dict(SyncRecord.objects.filter(integration=integration, flow=flow).values_list("source_id", "state"))


def test_orders_and_bills_post_once_linked_reference_data_flows_back_and_a_second_run_writes_nothing(
    world, procurify_sim, acumatica_sim
):
    integration = world
    orders, bills = world_of.committed_orders(procurify_sim), world_of.postable_bills(procurify_sim)
    acumatica_vendors = {  # an inactive one is not created where it never existed
        plain(v["VendorID"]) for v in acumatica_sim.records("Vendor") if plain(v.get("Status")) != "Inactive"
    }

    run(integration, "vendors_forward")
    run(integration, "vendors_back")
    run(integration, "accounts_back")
    # The order list fails on its third page: the list's cursor stays, and the next run reads it from the start.
    procurify_sim.fault("status", method="GET", path="/purchase_orders/purchased/all/$", skip=2, times=10, status=500)
    first = run(integration, "commitments")
    assert first.status == "partial" and "Could not read" in first.error
    assert len(states(integration, "commitments")) < len(orders)
    procurify_sim.clear_faults()
    run(integration, "commitments")
    run(integration, "ap_bills")

    # Every committed order and every approved bill has its ledger row; those coded to the unmapped account code wait.
    order_rows, bill_rows = states(integration, "commitments"), states(integration, "ap_bills")
    assert set(order_rows) == set(orders) and set(bill_rows) >= set(bills)
    blocked = SyncRecord.objects.filter(integration=integration, state=RecordState.NEEDS_MAPPING)
    assert blocked.filter(flow="commitments").exists() and blocked.filter(flow="ap_bills").exists()
    for record in blocked:
        assert {error["key"] for error in record.mapping_errors} == {f"cost_code:{world_of.UNMAPPED}/"}
    posted_orders = world_of.acumatica_orders(acumatica_sim)
    assert set(posted_orders) == {key for key, state in order_rows.items() if state == RecordState.POSTED}

    # Mapping the code posts what waited, without anyone clicking anything else.
    world_of.map_account_code(integration, world_of.UNMAPPED)
    assert not SyncRecord.objects.filter(integration=integration).exclude(
        state__in=[RecordState.POSTED, RecordState.SKIPPED]
    ).exists(), list(SyncRecord.objects.exclude(state=RecordState.POSTED).values_list("flow", "label", "last_error"))

    posted_orders = world_of.acumatica_orders(acumatica_sim)
    assert set(posted_orders) == set(orders)
    vendor_of = vendor_ids(integration)
    for number, po in posted_orders.items():
        assert plain(po["Type"]) == "Normal" and plain(po["VendorID"]) == vendor_of[str(orders[number]["pref_vendor"])]
        assert {plain(line["Subaccount"]) for line in po["Details"]} == {world_of.SUBACCOUNT}
        assert {plain(line["Account"]) for line in po["Details"]} <= set(world_of.ACCOUNTS.values())
    posted_bills = world_of.acumatica_bills(acumatica_sim)
    assert len(posted_bills) == len(bills)
    assert {ref for _vendor, ref in posted_bills} == {bill["invoice_number"] for bill in bills.values()}
    # A bill bought on an order is linked to it, also when the bill was posted before its order (the order waited
    # for the unmapped code, the bill did not): writing the order links the bills that wait for it.
    order_numbers = {number: plain(po["OrderNbr"]) for number, po in posted_orders.items()}
    posted_at = dict(SyncRecord.objects.filter(integration=integration).values_list("source_id", "posted_at"))
    first_posted_by_order = []
    for uuid, bill in bills.items():
        posted = posted_bills[(vendor_of[str(bill["vendor"])], bill["invoice_number"])]
        links = {(plain(line.get("POOrderType")), plain(line.get("POOrderNbr"))) for line in posted["Details"]}
        order = str(bill["purchase_orders"][0]) if bill.get("purchase_orders") else None
        assert links == ({("Normal", order_numbers[order])} if order else {(None, None)}), bill["invoice_number"]
        assert "awaiting" not in plain(posted["note"])
        if order and posted_at[uuid] < posted_at[order]:
            first_posted_by_order.append(order)
    assert first_posted_by_order, "no bill was posted before its order: the late link is not exercised"
    order_row = SyncRecord.objects.get(integration=integration, flow="commitments", source_id=first_posted_by_order[0])
    linked = order_row.audit_events.filter(kind="posted").latest("pk").response["bills_linked"]
    assert set(linked.values()) == {"linked"}

    # The ERP's vendors and GL accounts are in Procurify, once each, linked by the ERP's id.
    procurify_vendors = [v for v in procurify_sim.records("vendors") if v.get("external_id")]
    by_erp_id = {}
    for vendor in procurify_vendors:
        assert vendor["external_id"] not in by_erp_id, f"vendor {vendor['external_id']} is in Procurify twice"
        by_erp_id[vendor["external_id"]] = vendor
    assert acumatica_vendors <= set(by_erp_id)
    codes = [row["code"] for row in procurify_sim.records("account_codes")]
    active_accounts = {plain(a["AccountCD"]) for a in acumatica_sim.records("Account") if plain(a.get("Active"))}
    assert active_accounts <= set(codes) and len(codes) == len(set(codes))

    # A purchase order completed in Acumatica is closed in Procurify, once.
    number, completed = next(iter(sorted(posted_orders.items())))
    assert orders[number]["state"] in (0, 5)
    acumatica_sim.upsert("PurchaseOrder", {"Type": "Normal", "OrderNbr": plain(completed["OrderNbr"]),
                                           "Status": "Completed"})  # fmt: skip
    run(integration, "commitment_status_back")
    close = f"POST /{DOMAIN}/api/v3/purchase-orders/{{id}}/close/"
    assert procurify_sim.calls().get(close, 0) == 1
    assert next(po for po in procurify_sim.records("purchase_orders") if str(po["id"]) == number)["state"] == 3

    # A bill paid in Acumatica: the status reaches our ledger; nothing is sent to Procurify, which has no such call.
    paid = demo.pay_one_bill(integration)
    procurify_writes = world_of.writes(procurify_sim)
    run(integration, "payments_back")
    status_row = SyncRecord.objects.get(integration=integration, flow="payments_back", source_id=paid)
    assert status_row.state == RecordState.POSTED
    answer = status_row.audit_events.filter(kind="posted").latest("pk").response
    assert answer["status"] == "paid" and answer["written_to_procurify"] is False
    assert world_of.writes(procurify_sim) == procurify_writes

    # A second run of every flow writes nothing anywhere.
    before = (world_of.writes(procurify_sim), world_of.writes(acumatica_sim))
    for flow in world_of.FLOWS:
        run(integration, flow)
    assert (world_of.writes(procurify_sim), world_of.writes(acumatica_sim)) == before
    assert procurify_sim.calls().get(close, 0) == 1
    assert len(world_of.acumatica_orders(acumatica_sim)) == len(orders)
    assert len(world_of.acumatica_bills(acumatica_sim)) == len(bills)


def test_a_changed_purchase_order_updates_the_same_acumatica_document(world, procurify_sim, acumatica_sim):
    integration = world
    integration.flows = ["vendors_forward", "commitments"]
    integration.save()
    world_of.map_account_code(integration, world_of.UNMAPPED)
    run(integration, "vendors_forward")
    run(integration, "commitments")
    before = world_of.acumatica_orders(acumatica_sim)
    item = next(row for row in procurify_sim.records("order_items") if str(row["purchase_order"]) in before)
    number = str(item["purchase_order"])
    procurify_sim.advance(3600)
    procurify_sim.upsert("order_items", {"id": item["id"], "quantity": str(int(float(item["quantity"])) + 2)})
    procurify_sim.upsert("purchase_orders", {"id": int(number), "comment": "Two more, as agreed"})
    run(integration, "commitments")
    after = world_of.acumatica_orders(acumatica_sim)
    assert set(after) == set(before)  # no second document
    assert plain(after[number]["OrderNbr"]) == plain(before[number]["OrderNbr"])
    assert plain(after[number]["OrderTotal"]) > plain(before[number]["OrderTotal"])
    record = SyncRecord.objects.get(integration=integration, flow="commitments", source_id=number)
    assert record.state == RecordState.POSTED and record.destination_id == f"Normal/{plain(after[number]['OrderNbr'])}"


def vendor_ids(integration) -> dict[str, str]:
    """Procurify vendor id -> Acumatica VendorID, from the vendor maps the vendor flows recorded."""
    from mappings.models import VendorMap

    source = Connection.objects.get(pk=integration.source_id)
    return {
        row.source.native_id: row.destination.native_id
        for row in VendorMap.objects.filter(integration=integration, source__connection=source).select_related(
            "source", "destination"
        )
    }
