"""Procore -> Sage Intacct end to end over both simulators, with the generic flows, counting on both sides.

Approved invoices become APBILLs coded to GL accounts and Intacct dimensions (project and task from the Procore
project and cost code), subcontracts become purchase orders that an approved change order amends, vendors stay one
list both ways, a bill paid in Intacct shows paid in Procore once, and a second run of every flow writes nothing.
Every Intacct answer our client read is checked against the published envelope structure, and every request went
to the documented gateway route (the Procore journal is checked by this folder's conftest).
"""

import datetime as dt
from decimal import Decimal

import pytest

from mappings.models import VendorMap
from syncs import engine
from syncs.models import RecordState, SyncRecord

from . import intacct_scenario as scenario

pytestmark = pytest.mark.django_db(transaction=True)

GATEWAY = "/ia/xml/xmlgw.phtml"
WRITE_FUNCTIONS = ("create", "update", "delete", "create_potransaction", "update_potransaction")
NEW_IN_PROCORE = {9_210_000_011: "Northwind Drywall"}
NEW_IN_INTACCT = {"V200": "Evergreen Landscaping"}




@pytest.fixture
def world(tenant_a, sandbox, procore_sim, intacct_sim):
    data, expected = scenario.procore_records(dt.date.today())
    data["vendors"] += [
        {"id": vid, "company_id": scenario.COMPANY, "name": name, "is_active": True}
        for vid, name in NEW_IN_PROCORE.items()
    ]
    procore_sim.seed(data)
    intacct_sim.seed(
        {"VENDOR": [{"VENDORID": vid, "NAME": name, "STATUS": "active"} for vid, name in NEW_IN_INTACCT.items()]}
    )
    return scenario.wire(tenant_a, sandbox.base_url), expected


def run(integration, flow):
    result = engine.run_flow(integration.pk, flow, "manual")
    assert result is not None and result.status == "succeeded", (flow, result and result.error)
    return result


def bills(intacct_sim, numbers) -> dict[str, dict]:
    """Our bills in the Intacct simulator by RECORDID (the invoice number); fails on a duplicate."""
    found = {}
    for bill in intacct_sim.records("APBILL"):
        if bill.get("RECORDID") in numbers:
            assert bill["RECORDID"] not in found, f"bill {bill['RECORDID']} was posted twice"
            found[bill["RECORDID"]] = bill
    return found


def bill_lines(bill) -> list[tuple]:
    names = ("ACCOUNTNO", "PROJECTID", "TASKID", "COSTTYPEID", "LOCATIONID", "DEPARTMENTID", "CLASSID")
    return sorted((*(line.get(name) for name in names), Decimal(line["TRX_AMOUNT"])) for line in bill["APBILLITEMS"])


def intacct_writes(intacct_sim) -> int:
    """Gateway calls that ran a write function (the simulator counts calls per function)."""
    return sum(n for call, n in intacct_sim.calls().items() if call.partition("#")[2] in WRITE_FUNCTIONS)


def procore_writes(procore_sim) -> int:
    return sum(n for call, n in procore_sim.calls().items() if call.split(" ")[0] in ("POST", "PUT", "PATCH", "DELETE"))


def test_approved_invoices_become_bills_with_accounts_and_dimensions(world, intacct_sim):
    integration, expected = world
    run(integration, "ap_bills")

    posted = bills(intacct_sim, set(expected.bills) | {"INV-UNDER-REVIEW"})
    assert len(posted) == len(expected.bills) == 16
    for number, bill in posted.items():
        want = expected.bills[number]
        assert bill["VENDORID"] == want["vendor"], number
        assert sum(Decimal(line["TRX_AMOUNT"]) for line in bill["APBILLITEMS"]) == want["amount"], number
        assert bill_lines(bill) == want["lines"], number
    records = SyncRecord.objects.filter(integration=integration, flow="ap_bills")
    assert records.count() == 16 and set(records.values_list("state", flat=True)) == {RecordState.POSTED}
    assert set(records.values_list("destination_id", flat=True)) == {b["RECORDNO"] for b in posted.values()}


def purchase_orders(intacct_sim) -> dict[str, dict]:
    """Our purchase orders (their reference is the Procore commitment number) by reference; fails on a duplicate."""
    found = {}
    for document in intacct_sim.records("PODOCUMENT"):
        reference = document.get("REFERENCENO") or ""
        if reference.startswith("SC-"):
            assert reference not in found, f"purchase order {reference} was written twice"
            found[reference] = document
    return found


def test_a_change_order_approved_in_procore_amends_its_purchase_order(world, procore_sim, intacct_sim):
    integration, _ = world
    run(integration, "commitments")
    contracts = procore_sim.records("work_order_contracts")
    first = purchase_orders(intacct_sim)
    assert len(first) == len(contracts) == 4
    for contract in contracts:
        document = first[contract["number"]]
        assert Decimal(document["TOTAL"]) == Decimal("150000.00")
        project = scenario.PROJECTS[contract["project_id"]]
        coded = {(e["PROJECTID"], e["TASKID"], e["COSTTYPEID"]) for e in document["PODOCUMENTENTRIES"]}
        assert coded == {(project, "03-310", "S"), (project, "06-100", "M")}

    changed = contracts[0]
    procore_sim.upsert(
        "commitment_change_orders",
        {
            "project_id": changed["project_id"],
            "contract_id": changed["id"],
            "number": "1",
            "title": "Extra bay",
            "status": "approved",
            "grand_total": "2500.00",
            "executed": True,
        },
    )
    run(integration, "commitments")
    after = purchase_orders(intacct_sim)
    assert len(after) == 4, "amended, not written again"
    amended = after[changed["number"]]
    assert amended["DOCID"] == first[changed["number"]]["DOCID"], "the same document"
    assert Decimal(amended["TOTAL"]) == Decimal("152500.00")
    assert {n: d["TOTAL"] for n, d in after.items() if n != changed["number"]} == {
        n: d["TOTAL"] for n, d in first.items() if n != changed["number"]
    }
    record = SyncRecord.objects.get(integration=integration, flow="commitments", source_id__endswith=str(changed["id"]))
    assert record.state == RecordState.POSTED and record.destination_id == amended["DOCID"]


def active_intacct_vendors(intacct_sim) -> dict[str, str]:
    return {v["VENDORID"]: v["NAME"] for v in intacct_sim.records("VENDOR") if v.get("STATUS") != "inactive"}


def test_vendors_created_on_either_side_appear_on_the_other_once(world, procore_sim, intacct_sim):
    integration, _ = world
    procore_before = {v["id"] for v in procore_sim.records("vendors")}
    intacct_before = active_intacct_vendors(intacct_sim)
    mapped = {vendor_id for _, vendor_id in scenario.VENDORS.values()}

    run(integration, "vendors_forward")
    run(integration, "vendors_back")
    intacct_after = active_intacct_vendors(intacct_sim)
    created_in_intacct = set(intacct_after) - set(intacct_before)
    assert [intacct_after[v] for v in created_in_intacct] == list(NEW_IN_PROCORE.values())
    northwind = VendorMap.objects.get(integration=integration, source__native_id=str(*NEW_IN_PROCORE)).destination
    assert created_in_intacct == {northwind.native_id}

    procore_vendors = {v["id"]: v for v in procore_sim.records("vendors")}
    created_in_procore = {
        procore_vendors[vid]["origin_id"]: procore_vendors[vid]["name"] for vid in set(procore_vendors) - procore_before
    }
    unmapped = {vid: name for vid, name in intacct_before.items() if vid not in mapped}
    assert created_in_procore == unmapped  # V103, V104 of the demo company and Evergreen; V105 is inactive
    assert NEW_IN_INTACCT.items() <= created_in_procore.items()
    assert {str(v.get("origin_id")) for v in procore_vendors.values() if v.get("origin_id")} == set(intacct_after)

    writes = procore_writes(procore_sim), intacct_writes(intacct_sim)
    run(integration, "vendors_forward")
    run(integration, "vendors_back")
    assert (procore_writes(procore_sim), intacct_writes(intacct_sim)) == writes
    assert len(procore_sim.records("vendors")) == len(procore_vendors)


def test_a_bill_paid_in_intacct_shows_paid_in_procore_once(world, procore_sim, intacct_sim):
    integration, expected = world
    run(integration, "ap_bills")
    records = {r.source_id: r for r in SyncRecord.objects.filter(integration=integration, flow="ap_bills")}
    requisition = records[min(k for k in records if k.startswith("requisition:"))]
    cost = records[min(k for k in records if k.startswith("direct_cost:"))]
    by_recordno = {b["RECORDNO"]: b for b in bills(intacct_sim, set(expected.bills)).values()}
    for record in (requisition, cost):
        bill = by_recordno[record.destination_id]
        scenario.pay(integration, bill["VENDORID"], bill["RECORDNO"], bill["TOTALENTERED"])

    payments_before = len(procore_sim.records("contract_payments"))
    for _ in range(3):
        run(integration, "payments_back")
    payments = procore_sim.records("contract_payments")[payments_before:]
    amount = Decimal(by_recordno[requisition.destination_id]["TOTALENTERED"])
    assert [Decimal(str(p["amount"])) for p in payments] == [amount], "one payment, however often the poll ran"
    _, _, cost_id = cost.source_id.split(":")
    direct_cost = next(d for d in procore_sim.records("direct_costs") if str(d["id"]) == cost_id)
    assert direct_cost.get("payment_date"), "a fully paid direct cost carries its payment date"
    paid = SyncRecord.objects.filter(
        integration=integration, flow="payments_back", source_id__in=[requisition.destination_id, cost.destination_id]
    )
    assert paid.count() == 2 and {s.state for s in paid} == {RecordState.POSTED}


def test_a_second_run_of_every_flow_writes_nothing(world, procore_sim, intacct_sim):
    integration, expected = world
    for flow in scenario.FLOWS:
        run(integration, flow)
    assert len(bills(intacct_sim, set(expected.bills))) == 16
    assert len(purchase_orders(intacct_sim)) == 4
    writes = procore_writes(procore_sim), intacct_writes(intacct_sim)
    assert writes[1] > 0
    for flow in scenario.FLOWS:
        run(integration, flow)
    assert (procore_writes(procore_sim), intacct_writes(intacct_sim)) == writes
    assert (
        not SyncRecord.objects.filter(integration=integration)
        .exclude(state__in=[RecordState.POSTED, RecordState.SKIPPED])
        .exists()
    )
