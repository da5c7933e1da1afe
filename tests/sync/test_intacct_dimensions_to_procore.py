"""Sage Intacct's task codes and cost types -> Procore's cost codes and cost types, over both simulators.

A Procore -> Sage Intacct integration runs its two mirror flows back to Procore: each distinct Intacct task code
(TASKID across active projects) becomes one company standard cost code, each distinct cost type (COSTTYPEID) one
Procore cost type (line item type), created where Procore lacks them and linked by `origin_id` where Procore has
one with the same code. Counts are taken on the Procore simulator; a second run writes nothing; a rename done in
Intacct reaches Procore. Every Procore request is checked against the published contract by this folder's
conftest, every Intacct answer against the published envelope structure here.
"""

import pytest
from lxml import etree

from connections.models import Connection
from connections.systems.intacct import xml
from connections.systems.intacct.client import function, new_controlid
from syncs import engine
from syncs.engine import adapter_for
from syncs.models import Integration, RecordState, SyncRecord
from tests.contract.systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

FLOWS = ["cost_codes_back", "cost_types_back"]
#: Intacct task codes and cost types of the demo company; the Procore demo company has each of them already.
DEMO_TASKS = {"01-500", "03-300", "03-310", "06-100", "26-100"}
DEMO_COST_TYPES = {"L", "M", "S", "E", "O"}
#: Added to the Intacct demo company: missing in Procore.
NEW_TASKS = {"09-900": "Painting and Coating", "31-200": "Earthwork"}
NEW_COST_TYPES = {"R": "Rental"}
#: Added too, and never to be created: only on an inactive project, inactive itself, an inactive cost type.
ONLY_ON_CLOSED_PROJECT, INACTIVE_TASK, INACTIVE_COST_TYPE = "02-410", "04-200", "P"
CLOSED_PROJECT = "2019-003"




def intacct_additions() -> dict[str, list[dict]]:
    """New task codes on the demo's active projects (one on a single project), and what must never be created."""
    tasks = [
        {"TASKID": code, "NAME": name, "PROJECTID": project, "TASKSTATUS": "In Progress", "STATUS": "active"}
        for code, name in NEW_TASKS.items()
        for project in (["2024-001", "2024-002"] if code == "09-900" else ["2024-002"])
    ]
    tasks += [
        {"TASKID": ONLY_ON_CLOSED_PROJECT, "NAME": "Selective Demolition", "PROJECTID": CLOSED_PROJECT,
         "TASKSTATUS": "Completed", "STATUS": "active"},
        {"TASKID": INACTIVE_TASK, "NAME": "Masonry", "PROJECTID": "2024-001", "TASKSTATUS": "Not Started",
         "STATUS": "inactive"},
    ]  # fmt: skip
    cost_types = [
        {"COSTTYPEID": cid, "NAME": name, "PROJECTID": "2024-001", "TASKID": "09-900", "STATUS": status}
        for cid, name, status in [*((c, n, "active") for c, n in NEW_COST_TYPES.items()),
                                  (INACTIVE_COST_TYPE, "Permits", "inactive")]
    ]  # fmt: skip
    project = {"PROJECTID": CLOSED_PROJECT, "NAME": "Old Mill Lofts", "PROJECTCATEGORY": "Contract",
               "PROJECTSTATUS": "Completed", "LOCATIONID": "100", "STATUS": "inactive"}  # fmt: skip
    return {"PROJECT": [project], "TASK": tasks, "COSTTYPE": cost_types}


@pytest.fixture
def integration(tenant_a, sandbox, procore_sim, intacct_sim):
    procore_sim.seed(preset="demo")
    intacct_sim.seed(intacct_additions())
    procore = SYSTEMS["procore"].connection(tenant_a, sandbox.base_url)
    intacct = SYSTEMS["intacct"].connection(tenant_a, sandbox.base_url)
    return Integration.objects.create(
        tenant=tenant_a, name="Procore -> Sage Intacct", source=procore, destination=intacct, flows=FLOWS
    )


def run(integration, flow):
    result = engine.run_flow(integration.pk, flow, "manual")
    assert result is not None and result.status == "succeeded", (flow, result and result.error)
    return result


def run_both(integration):
    for flow in FLOWS:
        run(integration, flow)


def writes(procore_sim) -> dict[str, int]:
    """Procore write calls by method and path (the simulator's own counters)."""
    return {
        call: n for call, n in procore_sim.calls().items() if call.split(" ")[0] in ("POST", "PUT", "PATCH", "DELETE")
    }


def procore_codes(procore_sim) -> dict[str, dict]:
    codes = {}
    for row in procore_sim.records("standard_cost_codes"):
        if row["standard_cost_code_list_id"] == 5_320_000_001:  # the company's ERP list
            assert row["full_code"] not in codes, f"cost code {row['full_code']} is there twice"
            codes[row["full_code"]] = row
    return codes


def procore_types(procore_sim) -> dict[str, dict]:
    types = {}
    for row in procore_sim.records("line_item_types"):
        assert row["code"] not in types, f"cost type {row['code']} is there twice"
        types[row["code"]] = row
    return types


def ledger(integration, flow) -> dict[str, SyncRecord]:
    return {r.source_id: r for r in SyncRecord.objects.filter(integration=integration, flow=flow)}


def test_missing_task_codes_and_cost_types_are_created_in_procore_and_linked(integration, procore_sim):
    codes_before, types_before = procore_codes(procore_sim), procore_types(procore_sim)
    assert not set(NEW_TASKS) & set(codes_before) and not set(NEW_COST_TYPES) & set(types_before)
    procore_sim.clear_calls()
    run_both(integration)

    codes, types = procore_codes(procore_sim), procore_types(procore_sim)
    assert set(codes) == set(codes_before) | set(NEW_TASKS)
    assert set(types) == set(types_before) | set(NEW_COST_TYPES)
    made = writes(procore_sim)
    assert made.get("POST /rest/v1.0/standard_cost_codes") == len(NEW_TASKS)
    assert made.get("POST /rest/v1.0/line_item_types") == len(NEW_COST_TYPES)
    # the ones Procore had are linked through the ERP path, one sync each, never created again
    assert made.get("PATCH /rest/v1.0/standard_cost_codes/sync") == len(DEMO_TASKS)
    assert made.get("PATCH /rest/v1.0/line_item_types/sync") == len(DEMO_COST_TYPES)

    for code, name in NEW_TASKS.items():
        assert (codes[code]["name"], codes[code]["origin_id"]) == (name, code)
    for code, name in NEW_COST_TYPES.items():
        assert (types[code]["name"], types[code]["origin_id"]) == (name, code)
    assert {code for code, row in codes.items() if row["origin_id"]} == DEMO_TASKS | set(NEW_TASKS)
    assert all(codes[code]["origin_id"] == code for code in DEMO_TASKS)
    assert {code for code, row in types.items() if row["origin_id"]} == DEMO_COST_TYPES | set(NEW_COST_TYPES)
    assert all(types[code]["origin_id"] == code for code in DEMO_COST_TYPES)

    cost_codes, cost_types = ledger(integration, "cost_codes_back"), ledger(integration, "cost_types_back")
    assert {k for k, r in cost_codes.items() if r.state == RecordState.POSTED} == DEMO_TASKS | set(NEW_TASKS)
    assert {cost_codes[k].destination_id for k in NEW_TASKS} == {str(codes[k]["id"]) for k in NEW_TASKS}
    assert {k for k, r in cost_types.items() if r.state == RecordState.POSTED} == DEMO_COST_TYPES | set(NEW_COST_TYPES)
    assert cost_types["R"].destination_id == str(types["R"]["id"])
    # never created: a code used only on an inactive project, an inactive task, an inactive cost type
    assert cost_codes[ONLY_ON_CLOSED_PROJECT].state == RecordState.SKIPPED
    assert cost_codes[INACTIVE_TASK].state == RecordState.SKIPPED
    assert cost_types[INACTIVE_COST_TYPE].state == RecordState.SKIPPED

    procore_sim.clear_calls()
    run_both(integration)
    assert writes(procore_sim) == {}, "a second run wrote to Procore"
    assert procore_codes(procore_sim) == codes and procore_types(procore_sim) == types


def rename_in_intacct(integration, intacct_sim, obj: str, id_field: str, native_id: str, name: str) -> int:
    """Rename every row of one task code or cost type through the gateway, as a person in Intacct would."""
    rows = [row for row in intacct_sim.records(obj) if row[id_field] == native_id]
    nodes = []
    for row in rows:
        update = etree.Element("update")
        update.append(xml.Builder().element(obj, {"RECORDNO": row["RECORDNO"], "NAME": name}))
        nodes.append(function(new_controlid("rename"), update))
    client = adapter_for(Connection.objects.get(pk=integration.destination_id)).client
    results = client.execute(nodes, idempotent=False)
    assert all(result.ok for result in results), [result.error("the rename") for result in results if not result.ok]
    return len(rows)


def test_a_rename_in_intacct_reaches_procore_and_nothing_else_is_written(integration, procore_sim, intacct_sim):
    run_both(integration)
    assert rename_in_intacct(integration, intacct_sim, "TASK", "TASKID", "03-310", "Concrete Forming and Shoring") > 1
    assert rename_in_intacct(integration, intacct_sim, "COSTTYPE", "COSTTYPEID", "R", "Equipment Rental") == 1
    procore_sim.clear_calls()
    run_both(integration)

    assert procore_codes(procore_sim)["03-310"]["name"] == "Concrete Forming and Shoring"
    assert procore_types(procore_sim)["R"]["name"] == "Equipment Rental"
    assert writes(procore_sim) == {
        "PATCH /rest/v1.0/standard_cost_codes/sync": 1,
        "PATCH /rest/v1.0/line_item_types/sync": 1,
    }
    assert procore_codes(procore_sim)["03-310"]["origin_id"] == "03-310"
    assert procore_types(procore_sim)["R"]["origin_id"] == "R"


def test_without_leave_to_create_a_missing_task_code_waits_for_a_map(integration, procore_sim):
    """The flow's `create` option off: what Procore lacks is held in needs_mapping, what it has is still linked."""
    integration.options = {"cost_codes_back": {"create": False}}
    integration.save()
    procore_sim.clear_calls()
    run(integration, "cost_codes_back")

    records = ledger(integration, "cost_codes_back")
    assert {k for k, r in records.items() if r.state == RecordState.NEEDS_MAPPING} == set(NEW_TASKS)
    assert {k for k, r in records.items() if r.state == RecordState.POSTED} == DEMO_TASKS
    assert "POST /rest/v1.0/standard_cost_codes" not in writes(procore_sim)
    assert not set(NEW_TASKS) & set(procore_codes(procore_sim))
