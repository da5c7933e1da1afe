"""Procore + Acumatica, every flow end to end over the simulators, counting records and writes on both sides.

Vendors both ways (a bill waiting for a new vendor posts once it has been created), payment status back to the
invoices it came from (once, however often the poll runs), commitments reconciled with subcontracts and purchase
orders and fixed from the report, deletions at the source flagged, and a second run of every flow writing nothing.
"""

import datetime as dt
from decimal import Decimal

import pytest

from connections.models import Connection
from mappings.models import VendorMap
from syncs import engine
from syncs.models import AuditKind, ReconcileLine, ReconcileState, RecordState, SyncRecord
from syncs.reconcile import fix

from . import scenario
from .test_procore_to_acumatica import _plain, bills

pytestmark = pytest.mark.django_db(transaction=True)

ALL_FLOWS = ["ap_bills", "vendors_forward", "vendors_back", "payments_back", "commitments", "commitments_reconcile"]
NEW_IN_PROCORE = {9_200_000_011: "Northwind Drywall", 9_200_000_012: "Harbor Insulation"}
NEW_IN_ACUMATICA = {"CASCADEFAB": "Cascade Fabrication", "DELTAPAINT": "Delta Painting", "EVERGRNLND": "Evergreen Land"}


def run(integration, flow):
    result = engine.run_flow(integration.pk, flow, "manual")
    assert result is not None and result.status in ("succeeded", "partial"), (flow, result and result.error)
    return result


def writes(sim) -> int:
    """Calls that can change something on a simulator."""
    return sum(n for call, n in sim.calls().items() if call.split(" ")[0] in ("POST", "PUT", "PATCH", "DELETE"))


@pytest.fixture
def world(tenant_a, sandbox, procore_sim, acumatica_sim):
    today = dt.date.today()
    data, expected = scenario.procore_records(today)
    data["vendors"] += [
        {"id": vid, "company_id": scenario.COMPANY, "name": name, "is_active": True}
        for vid, name in NEW_IN_PROCORE.items()
    ]
    template = next(dc for dc in data["direct_costs"] if dc["direct_cost_type"] == "invoice")
    northwind = {**template, "id": 9_700_900_001, "vendor_id": 9_200_000_011, "invoice_number": "NW-1"}
    northwind["line_items"] = [{**line, "id": 97_009_000_011} for line in template["line_items"]]
    data["direct_costs"].append(northwind)
    procore_sim.seed(data)
    acumatica_sim.seed(preset="reference")
    acumatica_sim.seed(
        {
            "Vendor": [
                {"VendorID": vid, "VendorName": name, "Status": "Active"} for vid, name in NEW_IN_ACUMATICA.items()
            ]
        }
    )
    integration = scenario.wire(tenant_a, sandbox.base_url, map_unmapped=True)
    integration.flows = ALL_FLOWS
    integration.save()
    return integration, expected


def active_acumatica_vendors(acumatica_sim) -> dict[str, str]:
    return {
        _plain(v["VendorID"]): _plain(v["VendorName"])
        for v in acumatica_sim.records("Vendor")
        if _plain(v.get("Status")) != "Inactive"
    }


def test_vendors_flow_both_ways_and_a_bill_waiting_for_its_vendor_posts_in_the_same_pass(
    world, procore_sim, acumatica_sim
):
    integration, _ = world
    procore_before = {v["id"] for v in procore_sim.records("vendors")}
    acumatica_before = active_acumatica_vendors(acumatica_sim)
    mapped = {code for _, code in scenario.VENDORS.values()}

    run(integration, "ap_bills")  # NW-1's vendor exists only in Procore: it is created in Acumatica first
    nw = SyncRecord.objects.get(integration=integration, flow="ap_bills", source_id__endswith=":9700900001")
    assert nw.state == RecordState.POSTED, nw.last_error or nw.mapping_errors
    created = VendorMap.objects.get(integration=integration, source__native_id="9200000011").destination
    assert _plain(bills(acumatica_sim)["NW-1"]["Vendor"]) == created.native_id
    assert nw.audit_events.filter(kind=AuditKind.READ, message__contains="Mirrored first").exists() or (
        SyncRecord.objects.filter(flow="vendors_forward", source_id="9200000011").get().audit_events.exists()
    )

    run(integration, "vendors_forward")
    run(integration, "vendors_back")
    acumatica_after = active_acumatica_vendors(acumatica_sim)
    assert set(acumatica_after) - set(acumatica_before) == {
        m.destination.native_id for m in VendorMap.objects.filter(source__native_id__in=map(str, NEW_IN_PROCORE))
    }
    assert len(acumatica_after) == len(acumatica_before) + len(NEW_IN_PROCORE)

    procore_vendors = {v["id"]: v for v in procore_sim.records("vendors")}
    created_in_procore = set(procore_vendors) - procore_before
    assert len(created_in_procore) == len(set(acumatica_before) - mapped)
    assert {procore_vendors[vid]["origin_id"] for vid in created_in_procore} == set(acumatica_before) - mapped
    linked = {str(v["origin_id"]) for v in procore_vendors.values() if v.get("origin_id")}
    assert linked == set(acumatica_after), "every Procore vendor is linked to its Acumatica vendor"
    assert VendorMap.objects.filter(integration=integration).count() == len(procore_vendors)

    # A second pass of every flow writes nothing on either side.
    procore_writes, acumatica_writes = writes(procore_sim), writes(acumatica_sim)
    for flow in ("vendors_forward", "vendors_back", "ap_bills"):
        run(integration, flow)
    assert (writes(procore_sim), writes(acumatica_sim)) == (procore_writes, acumatica_writes)


def test_a_rename_in_the_erp_reaches_procore_and_a_deactivation_too(world, procore_sim, acumatica_sim):
    integration, _ = world
    run(integration, "vendors_back")
    acumatica_sim.upsert("Vendor", {"VendorID": "CASCADEFAB", "VendorName": "Cascade Fabrication Ltd"})
    acumatica_sim.upsert("Vendor", {"VendorID": "DELTAPAINT", "Status": "Inactive"})
    run(integration, "vendors_back")
    by_origin = {v.get("origin_id"): v for v in procore_sim.records("vendors")}
    assert by_origin["CASCADEFAB"]["name"] == "Cascade Fabrication Ltd"
    assert by_origin["DELTAPAINT"]["is_active"] is False


def acumatica_user(integration):
    """The Acumatica API as a person in Acumatica would use it (releasing bills, paying them by check)."""
    return engine.adapter_for(Connection.objects.get(pk=integration.destination_id)).client


def release_bill(client, reference):
    keys = {"Type": {"value": "Bill"}, "ReferenceNbr": {"value": reference}}
    client.request("POST", "Bill/ReleaseBill", json={"entity": keys}, idempotent=False)


def pay(client, vendor, reference, amount, check_ref):
    body = {
        "Vendor": {"value": vendor},
        "PaymentMethod": {"value": "CHECK"},
        "CashAccount": {"value": "10200"},
        "PaymentRef": {"value": check_ref},
        "Details": [
            {
                "DocType": {"value": "Bill"},
                "ReferenceNbr": {"value": reference},
                "AmountPaid": {"value": Decimal(amount)},
            }
        ],
    }
    check = client.put("Check", body, insert_only=True)
    keys = {"Type": check["Type"], "ReferenceNbr": check["ReferenceNbr"]}
    client.request("POST", "Check/ReleaseCheck", json={"entity": keys}, idempotent=False)


def test_payments_in_the_erp_reach_procore_once_however_often_the_poll_runs(world, procore_sim, acumatica_sim):
    integration, _ = world
    run(integration, "ap_bills")
    records = {r.source_id: r for r in SyncRecord.objects.filter(integration=integration, flow="ap_bills")}
    requisitions = sorted(k for k in records if k.startswith("requisition:") and records[k].state == "posted")
    costs = sorted(k for k in records if k.startswith("direct_cost:") and records[k].state == "posted")
    full, partial, cost = records[requisitions[0]], records[requisitions[1]], records[costs[0]]
    client = acumatica_user(integration)
    posted = bills(acumatica_sim)
    for record in (full, partial, cost):
        release_bill(client, record.destination_id)
    by_ref = {_plain(b["ReferenceNbr"]): b for b in posted.values()}
    amount = {r.pk: Decimal(str(_plain(by_ref[r.destination_id]["Amount"]))) for r in (full, partial, cost)}
    vendor = {r.pk: _plain(by_ref[r.destination_id]["Vendor"]) for r in (full, partial, cost)}
    pay(client, vendor[full.pk], full.destination_id, str(amount[full.pk]), "CHK-FULL")
    pay(client, vendor[partial.pk], partial.destination_id, "100.00", "CHK-PART")
    pay(client, vendor[cost.pk], cost.destination_id, str(amount[cost.pk]), "CHK-DC")

    payments_before = len(procore_sim.records("contract_payments"))
    for _ in range(3):
        run(integration, "payments_back")
    payments = procore_sim.records("contract_payments")[payments_before:]
    assert sorted(Decimal(str(p["amount"])) for p in payments) == sorted([amount[full.pk], Decimal("100.00")])
    assert len(payments) == 2, "one payment each, however often the poll ran"
    project, cost_id = cost.source_id.split(":")[1:]
    direct_cost = next(d for d in procore_sim.records("direct_costs") if str(d["id"]) == cost_id)
    assert direct_cost.get("payment_date"), "a fully paid direct cost carries its payment date"
    statuses = SyncRecord.objects.filter(integration=integration, flow="payments_back")
    assert statuses.count() == 3 and all(s.state == RecordState.POSTED for s in statuses)

    # The rest of the partial bill is paid later: one more payment, nothing else.
    pay(client, vendor[partial.pk], partial.destination_id, str(amount[partial.pk] - Decimal("100.00")), "CHK-REST")
    run(integration, "payments_back")
    run(integration, "payments_back")
    assert len(procore_sim.records("contract_payments")) == payments_before + 3


def test_commitments_are_reconciled_with_subcontracts_and_fixed_from_the_report(world, procore_sim, acumatica_sim):
    integration, _ = world
    run(integration, "commitments")  # the six subcontracts reach Acumatica
    contracts = procore_sim.records("work_order_contracts")
    posted = SyncRecord.objects.filter(integration=integration, flow="commitments", state=RecordState.POSTED)
    assert posted.count() == len(contracts) == 6
    first_ids = dict(posted.values_list("source_id", "destination_id"))

    # Then, in Procore: a change order approved on one subcontract, and a new subcontract on project 2.
    changed = contracts[0]
    procore_sim.upsert(
        "commitment_change_orders",
        {"project_id": changed["project_id"], "contract_id": changed["id"], "number": "1", "title": "Extra bay",
         "status": "approved", "grand_total": "2500.00", "executed": True},
    )  # fmt: skip
    new = {**contracts[1], "id": 9_500_000_777, "number": "SC-NEW", "line_items": [
        {**line, "id": 95_000_007_770 + n} for n, line in enumerate(contracts[1]["line_items"])]}  # fmt: skip
    procore_sim.upsert("work_order_contracts", new)

    run(integration, "commitments_reconcile")
    states = list(ReconcileLine.objects.filter(report__integration=integration).values_list("state", flat=True))
    assert states.count(ReconcileState.MATCHED) == 5
    assert states.count(ReconcileState.AMOUNT_DIFFERS) == 1
    assert states.count(ReconcileState.MISSING_IN_DESTINATION) == 1
    differing = ReconcileLine.objects.get(state=ReconcileState.AMOUNT_DIFFERS)
    assert differing.source_total - differing.destination_total == Decimal("2500.00")

    fixes = ReconcileLine.objects.filter(
        state__in=[ReconcileState.AMOUNT_DIFFERS, ReconcileState.MISSING_IN_DESTINATION]
    )
    assert fix(fixes.values_list("pk", flat=True)) == {RecordState.POSTED: 2}
    run(integration, "commitments_reconcile")
    latest = ReconcileLine.objects.filter(report__integration=integration, report__run__isnull=False).order_by("-pk")
    newest_run = latest.first().report.run_id
    assert set(latest.filter(report__run_id=newest_run).values_list("state", flat=True)) == {ReconcileState.MATCHED}
    assert latest.filter(report__run_id=newest_run).count() == 7
    amended = SyncRecord.objects.get(
        integration=integration, flow="commitments", source_id__endswith=str(changed["id"])
    )
    assert amended.destination_id == first_ids[amended.source_id]  # the same document, amended
    document = next(
        d
        for d in acumatica_sim.records("Subcontract")
        if d.get("VendorRef") in (changed["number"], {"value": changed["number"]})
    )
    assert Decimal(str(_plain(document["SubcontractTotal"]))) == differing.source_total
    acumatica_writes = writes(acumatica_sim)
    run(integration, "commitments")
    run(integration, "commitments")
    assert writes(acumatica_sim) == acumatica_writes, "the fixes went through the ledger: nothing is sent again"


def test_a_direct_cost_deleted_in_procore_leaves_its_bill_and_flags_its_record(
    world, procore_sim, acumatica_sim, client
):
    from django.urls import reverse

    integration, _ = world
    run(integration, "ap_bills")
    record = SyncRecord.objects.filter(integration=integration, source_id__startswith="direct_cost:").first()
    _, project_id, cost_id = record.source_id.split(":")
    number = next(d["invoice_number"] for d in procore_sim.records("direct_costs") if str(d["id"]) == cost_id)
    procore_sim.upsert("direct_costs", {"id": int(cost_id), "deleted_at": "2026-01-01T00:00:00Z"})
    source = Connection.objects.get(pk=integration.source_id)
    body = {"id": 5, "ulid": "01J00000000000000000000DEL", "resource_name": "Direct Costs", "event_type": "delete",
            "resource_id": int(cost_id), "project_id": int(project_id), "company_id": scenario.COMPANY}  # fmt: skip
    response = client.post(reverse("webhook", args=[source.uuid]), body, content_type="application/json",
                           headers={"Authorization": "Bearer hook-secret-123"})  # fmt: skip
    assert response.status_code == 202
    record.refresh_from_db()
    assert record.state == RecordState.SOURCE_DELETED
    assert record.audit_events.filter(kind=AuditKind.SOURCE_DELETED).exists()
    assert number in bills(acumatica_sim), "nothing is deleted in the ERP without a person"


def test_a_webhook_created_from_the_admin_delivers_and_the_bill_posts_without_a_poll(
    world, live_server, procore_sim, acumatica_sim, client, make_user
):
    from urllib.parse import urlsplit

    from django.urls import reverse

    integration, _ = world
    run(integration, "ap_bills")
    before = set(bills(acumatica_sim))
    source = Connection.objects.get(pk=integration.source_id)
    client.force_login(make_user("root", superuser=True))
    response = client.post(
        reverse("admin:connections_connection_changelist"),
        {"action": "register_webhooks", "_selected_action": [source.pk]},
        HTTP_HOST=urlsplit(live_server.url).netloc,
    )
    assert response.status_code == 302
    hook = procore_sim.records("webhook_hooks")[0]
    assert hook["destination_url"] == f"{live_server.url}/webhooks/{source.uuid}/"
    secret = Connection.objects.get(pk=source.pk).secrets["webhook_secret"]
    assert secret != "hook-secret-123"

    number = scenario.new_requisition(procore_sim, 9_600_700_001)  # entered in Procore: an event is delivered
    procore_sim.action("deliver")
    assert set(bills(acumatica_sim)) - before == {number}, "posted from the delivery, with no poll"
    record = SyncRecord.objects.get(integration=integration, source_id__endswith=":9600700001")
    assert record.audit_events.filter(kind=AuditKind.WEBHOOK).exists()

    import requests

    forged = requests.post(
        f"{live_server.url}/webhooks/{source.uuid}/",
        json={"id": 1, "resource_name": "Requisitions", "resource_id": 1, "project_id": 1},
        headers={"Authorization": "Bearer hook-secret-123"},  # the old secret
        timeout=10,
    )
    assert forged.status_code == 401
    assert not source.webhook_events.filter(body__contains='"resource_id": 1,').exists()


def test_cost_codes_flow_both_ways_and_a_new_procore_code_waits_in_the_grid_for_an_account(
    world, procore_sim, acumatica_sim, client, make_user, tenant_a
):
    from django.urls import reverse

    integration, _ = world
    integration.flows = ["cost_codes_forward", "cost_codes_back"]
    integration.save()
    source = Connection.objects.get(pk=integration.source_id)
    source.settings = {**source.settings, "standard_cost_code_list_id": "9320000001"}
    source.save()
    procore_sim.seed(
        {
            "standard_cost_code_lists": [
                {"id": 9_320_000_001, "company_id": scenario.COMPANY, "name": "Standard", "is_erp_list": True,
                 "available_to_use_on_new_projects": True}
            ],
            "standard_cost_codes": [
                {"id": 9_310_000_001 + n, "company_id": scenario.COMPANY, "standard_cost_code_list_id": 9_320_000_001,
                 "parent_id": None, "code": code, "full_code": code, "name": name, "origin_id": None}
                for n, (code, name) in enumerate([("03-310", "Concrete forming"), ("09-900", "Painting")])
            ],
        }
    )  # fmt: skip
    acumatica_sim.seed({"CostCode": [{"CostCodeID": "03-310", "Description": "Concrete forming"},
                                     {"CostCodeID": "31-200", "Description": "Earthwork"}]})  # fmt: skip
    acumatica_codes = {_plain(c["CostCodeID"]) for c in acumatica_sim.records("CostCode")}
    procore_codes = {c["full_code"] for c in procore_sim.records("standard_cost_codes")}

    run(integration, "cost_codes_forward")
    run(integration, "cost_codes_back")
    acumatica_after = {_plain(c["CostCodeID"]) for c in acumatica_sim.records("CostCode")}
    procore_after = {c["full_code"]: c for c in procore_sim.records("standard_cost_codes")}
    assert acumatica_after == acumatica_codes | procore_codes
    assert set(procore_after) == procore_codes | acumatica_codes
    assert procore_after["31-200"]["origin_id"] == "31-200", "created in Procore, linked to Acumatica's code"
    assert len(acumatica_after) == len(acumatica_codes) + len(procore_codes - acumatica_codes)

    procore_writes, acumatica_writes = writes(procore_sim), writes(acumatica_sim)
    run(integration, "cost_codes_forward")
    run(integration, "cost_codes_back")
    assert (writes(procore_sim), writes(acumatica_sim)) == (procore_writes, acumatica_writes)

    client.force_login(make_user("fin", tenant=tenant_a, role="finance"))
    page = client.get(reverse("mappings:grid", args=[integration.pk]) + "?tab=cost_codes&state=unmapped").content
    assert b"09-900" in page, "the new code is offered in the mapping grid, waiting for its account"


def test_a_flow_an_adapter_cannot_serve_is_refused_naming_the_missing_capability(tenant_a, make_connection):
    from syncs.models import Integration, RunStatus

    integration = Integration.objects.create(
        tenant=tenant_a,
        name="Backwards",
        source=make_connection(tenant_a, "acumatica"),
        destination=make_connection(tenant_a, "procore"),
        flows=["ap_bills"],
    )
    result = engine.run_flow(integration.pk, "ap_bills", "manual")
    assert result.status == RunStatus.FAILED
    assert "Acumatica cannot read bill records" in result.error
    assert "Procore cannot create bill records" not in result.error  # the first missing capability is named
