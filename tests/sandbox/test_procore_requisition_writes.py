"""The Procore simulator creates, updates the items of, and deletes requisitions (subcontractor invoices),
as the published RestV1xRequisitionsPost / ...IdDelete / ...ContractItemsIdPatch / ...BulkItemUpdatePatch say."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from sandbox.procore import demo

from .test_procore import Receiver

COMPANY = str(demo.COMPANY_ID)
RIVERSIDE = demo.PROJECTS[0][0]
SC1 = 5_500_000_501  # Riverside's SC-001 (Star Framing): two lines, two requisitions already
REQ1 = 5_600_000_601  # its approved requisition no. 1
ON_PROJECT = {"project_id": RIVERSIDE}


class Caller:
    def __init__(self, server):
        self.api = server.url("procore")
        self.http = requests.Session()
        form = {"grant_type": "client_credentials", "client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET}
        token = self.http.post(server.url("procore-login") + "/oauth/token", data=form).json()["access_token"]
        self.http.headers.update({"Authorization": f"Bearer {token}", "Procore-Company-Id": COMPANY})

    def call(self, method, path, body=None, **params):
        return self.http.request(method, self.api + path, params=params, json=body)

    def create(self, requisition=None, version="v1.0", commitment_id=SC1, project_id=RIVERSIDE, **params):
        body = {"project_id": project_id, "commitment_id": commitment_id}
        if requisition is not None:
            body["requisition"] = requisition
        return self.call("POST", f"/rest/{version}/requisitions", body, **params)

    def item(self, requisition_id, item_id, changes, kind="contract_items"):
        wrapper = {"contract_items": "requisition_contract_item"}.get(kind, "requisition_contract_detail_item")
        path = f"/rest/v1.0/requisitions/{requisition_id}/{kind}/{item_id}"
        return self.call("PATCH", path, {wrapper: changes}, **ON_PROJECT)

    def listed(self, requisition_id, version="v1.0") -> dict:
        rows = self.call("GET", f"/rest/{version}/requisitions", **ON_PROJECT).json()
        return next(r for r in rows if r["id"] == requisition_id)


@pytest.fixture
def procore(procore_ctl, sandbox_server):
    procore_ctl.seed(preset="demo")
    procore_ctl.config(rate_limit_hourly=100_000, rate_limit_spike=100_000)
    return Caller(sandbox_server)


def _commitment_lines(procore, contract_id=SC1) -> list[dict]:
    path = f"/rest/v1.0/work_order_contracts/{contract_id}/line_items"
    return procore.call("GET", path, **ON_PROJECT).json()


def _claimed_before(procore, line_id) -> Decimal:
    """What the requisitions already on SC1 claimed on one line, read through the API."""
    params = {**ON_PROJECT, "filters[commitment_id]": SC1, "view": "items"}
    rows = procore.call("GET", "/rest/v1.1/requisitions", **params).json()
    items = [i for r in rows for i in r["items"] if i["line_item_id"] == line_id]
    return sum((Decimal(i["work_completed_this_period"]) for i in items), Decimal(0))


# -- create -----------------------------------------------------------------------------------------------


def test_create_makes_one_item_per_commitment_line_and_lists_it(procore):
    lines = _commitment_lines(procore)
    vendor = procore.call("GET", f"/rest/v1.0/commitments/{SC1}", **ON_PROJECT).json()["vendor"]
    before = {line["id"]: _claimed_before(procore, line["id"]) for line in lines}
    fields = {"invoice_number": "SF-0003", "origin_id": "QB-BILL-77", "requisition_start": "2025-03-01",
              "requisition_end": "2025-03-31", "billing_date": "2025-03-31"}  # fmt: skip
    created = procore.create(fields)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["commitment_id"], body["status"], body["number"]) == (SC1, "draft", 3)
    assert body["origin_id"] == "QB-BILL-77" and body["invoice_number"] == "SF-0003"
    assert body["total_claimed_amount"] == "0.00" and body["vendor_id"] == vendor["id"]
    assert [(i["line_item_id"], i["scheduled_value"], i["work_completed_this_period"]) for i in body["items"]] == [
        (line["id"], line["amount"], "0.00") for line in lines
    ]
    assert {i["line_item_id"]: Decimal(i["work_completed_from_previous_application"]) for i in body["items"]} == before
    assert all(i["cost_code_id"] == line["cost_code"]["id"] for i, line in zip(body["items"], lines, strict=True))
    listed = procore.listed(body["id"], "v1.1")
    assert (listed["commitment_id"], listed["vendor_id"]) == (SC1, vendor["id"])
    assert listed["vendor_name"] == body["vendor_name"] and body["vendor_name"]
    assert listed["total_claimed_amount"] == "0.00" and listed["deletable"] is True
    shown = procore.call("GET", f"/rest/v1.0/requisitions/{body['id']}", **ON_PROJECT).json()
    assert shown["contract_name"] and shown["commitment_type"] == "WorkOrderContract"


def test_create_refuses_a_bad_commitment_or_field_with_422(procore):
    other_project = demo.PROJECTS[3][0]
    foreign = procore.call("GET", "/rest/v1.0/commitments", project_id=other_project).json()[0]["id"]
    on_sc1 = {"project_id": RIVERSIDE, "commitment_id": SC1}
    cases = [
        ({"project_id": RIVERSIDE}, "commitment_id"),
        ({"project_id": RIVERSIDE, "commitment_id": 1}, "commitment_id"),
        ({"project_id": RIVERSIDE, "commitment_id": foreign}, "commitment_id"),
        ({**on_sc1, "requisition": {"invoice_number": 12}}, "invoice_number"),
        ({**on_sc1, "requisition": {"status": "Approved"}}, "status"),
        ({**on_sc1, "requisition": {"billing_date": "31/03/2025"}}, "billing_date"),
        ({**on_sc1, "requisition": {"final": "yes"}}, "final"),
    ]
    for body, field in cases:
        answer = procore.call("POST", "/rest/v1.0/requisitions", body)
        assert (answer.status_code, list(answer.json()["errors"])) == (422, [field]), body
    assert procore.call("POST", "/rest/v1.0/requisitions", {"commitment_id": SC1}).status_code == 400
    assert procore.call("POST", "/rest/v1.0/requisitions", {**on_sc1, "requisition": "x"}).status_code == 400
    v10_items = procore.create({"items": [{"item_type": "contract_item"}]})  # v1.1 only: dropped in v1.0
    assert v10_items.status_code == 201 and v10_items.json()["total_claimed_amount"] == "0.00"
    rows = procore.call("GET", "/rest/v1.0/requisitions", **ON_PROJECT, **{"filters[commitment_id]": SC1}).json()
    assert len(rows) == 3  # only the valid create stored anything
    assert procore.call("DELETE", f"/rest/v1.0/work_order_contracts/{SC1}", **ON_PROJECT).status_code == 200
    assert procore.create({}).status_code == 422  # a deleted commitment takes no new invoice


def test_v11_create_claims_amounts_on_its_items(procore):
    first, second = _commitment_lines(procore)
    items = [
        {"item_type": "contract_item", "line_item_id": first["id"], "work_completed_this_period": "10000.00",
         "work_completed_retainage_percent_this_period": "10"},
        {"item_type": "contract_item", "line_item_id": second["id"], "materials_presently_stored": "2500.50"},
    ]  # fmt: skip
    created = procore.create({"items": items, "status": "under_review"}, version="v1.1", view="extended")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["total_claimed_amount"] == "12500.50" and body["status"] == "under_review"
    assert body["items"][0]["work_completed_retainage_retained_this_period"] == "1000.00"
    assert body["summary"]["current_payment_due"] == "11500.50"
    unknown_line = procore.create({"items": [{"item_type": "contract_item", "line_item_id": 1}]}, version="v1.1")
    no_type = procore.create({"items": [{"line_item_id": first["id"]}]}, version="v1.1")
    assert (unknown_line.status_code, no_type.status_code) == (422, 422)


def test_origin_id_uniqueness_follows_the_switch(procore, procore_ctl):
    sc2 = procore.call("GET", f"/rest/v1.0/requisitions/{5_600_000_603}", **ON_PROJECT).json()["commitment_id"]
    assert procore.create({"origin_id": "QB-1"}).status_code == 201
    assert procore.create({"origin_id": "QB-1"}).status_code == 409  # facts P8: unique per type in a company
    assert procore.create({"origin_id": "QB-1"}, commitment_id=sc2).status_code == 409
    procore_ctl.config(requisition_origin_id_scope="commitment")
    assert procore.create({"origin_id": "QB-1"}, commitment_id=sc2).status_code == 201
    assert procore.create({"origin_id": "QB-1"}).status_code == 409
    procore_ctl.config(requisition_origin_id_scope="none")
    assert procore.create({"origin_id": "QB-1"}).status_code == 201


# -- items and totals -------------------------------------------------------------------------------------


def test_item_patch_recomputes_the_totals(procore):
    made = procore.create({"invoice_number": "SF-0003"}).json()
    first, second = made["items"]
    claim = {"work_completed_this_period": "20000.00", "work_completed_retainage_retained_this_period": "2000.00"}
    answer = procore.item(made["id"], first["id"], claim)
    assert answer.status_code == 200, answer.text
    assert answer.json()["work_completed_this_period"] == "20000.00"
    expected_to_date = Decimal(first["work_completed_from_previous_application"]) + 20000
    assert Decimal(answer.json()["total_completed_and_stored_to_date"]) == expected_to_date
    procore.item(made["id"], second["id"], {"materials_presently_stored": "1500.25"})
    listed = procore.listed(made["id"])
    assert listed["total_claimed_amount"] == "21500.25"
    assert listed["summary"]["current_payment_due"] == "19500.25"
    assert listed["summary"]["total_retainage"] == "2000.00"
    items = procore.call("GET", f"/rest/v1.0/requisitions/{made['id']}/contract_items", **ON_PROJECT).json()
    assert [i["work_completed_this_period"] for i in items] == ["20000.00", "0.00"]
    detail = procore.call("GET", f"/rest/v1.0/requisitions/{made['id']}/detail", **ON_PROJECT).json()
    assert detail[1]["materials_presently_stored"] == "1500.25"


def test_item_patch_refusals(procore, procore_ctl):
    made = procore.create({}).json()
    item_id = made["items"][0]["id"]
    assert procore.item(made["id"], item_id, {"work_completed_this_period": "lots"}).status_code == 422
    retained_on_nothing = procore.item(made["id"], item_id, {"work_completed_retainage_retained_this_period": "5"})
    assert retained_on_nothing.status_code == 422  # the published schema: needs work completed to hold it
    assert procore.item(made["id"], 1, {"work_completed_this_period": "5"}).status_code == 404
    assert (
        procore.item(made["id"], item_id, {"work_completed_this_period": "5"}, "contract_detail_items").status_code
        == 404
    )
    path = f"/rest/v1.0/requisitions/{made['id']}/contract_items/{item_id}"
    assert procore.call("PATCH", path, {"work_completed_this_period": "5"}, **ON_PROJECT).status_code == 400
    assert procore.call("PATCH", path, {"requisition_contract_item": {}}).status_code == 400  # no project_id
    assert procore.listed(made["id"])["total_claimed_amount"] == "0.00"
    # a requisition synced with the ERP (origin_id) keeps its items as it keeps its fields, unless erp_lock is off
    synced = procore.create({"origin_id": "QB-9"}).json()
    assert procore.item(synced["id"], synced["items"][0]["id"], {"work_completed_this_period": "5"}).status_code == 422
    procore_ctl.config(erp_lock="off")
    assert procore.item(synced["id"], synced["items"][0]["id"], {"work_completed_this_period": "5"}).status_code == 200


def test_bulk_item_update_is_all_or_nothing(procore):
    made = procore.create({}).json()
    first, second = (i["id"] for i in made["items"])
    path = f"/rest/v1.0/requisitions/{made['id']}/bulk_item_update"
    bad = [
        {"id": first, "item_type": "contract_item", "work_completed_this_period": "100.00"},
        {"id": second, "item_type": "contract_item", "status": "maybe"},
    ]
    assert procore.call("PATCH", path, {"requisition_items": bad}, **ON_PROJECT).status_code == 422
    assert procore.listed(made["id"])["total_claimed_amount"] == "0.00"
    good = [
        {"id": first, "item_type": "contract_item", "work_completed_this_period": "100.00", "comment": "L1"},
        {"id": second, "work_completed_this_period": "50.00", "status": "approved"},
    ]
    answer = procore.call("PATCH", path, {"requisition_items": good}, **ON_PROJECT)
    assert answer.status_code == 200 and [i["id"] for i in answer.json()] == [first, second]
    assert procore.listed(made["id"])["total_claimed_amount"] == "150.00"
    wrong_type = [{"id": first, "item_type": "change_order_item", "work_completed_this_period": "1"}]
    assert procore.call("PATCH", path, {"requisition_items": wrong_type}, **ON_PROJECT).status_code == 422


# -- delete -----------------------------------------------------------------------------------------------


def test_delete_removes_a_draft_only(procore):
    made = procore.create({}).json()
    for version in ("v1.0", "v1.1"):
        refused = procore.call("DELETE", f"/rest/{version}/requisitions/{REQ1}", **ON_PROJECT)
        assert refused.status_code == 422  # approved: not deletable
    assert procore.call("DELETE", f"/rest/v1.1/requisitions/{made['id']}").status_code == 400
    assert procore.call("DELETE", f"/rest/v1.1/requisitions/{made['id']}", **ON_PROJECT).status_code == 200
    assert procore.call("GET", f"/rest/v1.0/requisitions/{made['id']}", **ON_PROJECT).status_code == 404
    ids = [r["id"] for r in procore.call("GET", "/rest/v1.0/requisitions", **ON_PROJECT).json()]
    assert made["id"] not in ids and REQ1 in ids
    assert procore.call("DELETE", f"/rest/v1.0/requisitions/{made['id']}", **ON_PROJECT).status_code == 404


# -- webhooks, journal, rate limits -----------------------------------------------------------------------


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.server.shutdown()


def test_writes_fire_requisition_webhooks_and_are_journalled(procore, procore_ctl, receiver):
    hook = procore.call(
        "POST",
        "/rest/v1.0/webhooks/hooks",
        {
            "company_id": demo.COMPANY_ID,
            "hook": {"api_version": "v2", "namespace": "ml", "destination_url": receiver.url},
        },
    ).json()
    triggers = [{"resource_name": "Requisitions", "event_type": kind} for kind in ("create", "update", "delete")]
    procore.call("POST", f"/rest/v1.0/webhooks/hooks/{hook['id']}/triggers/bulk", triggers, company_id=COMPANY)
    procore_ctl.clear_journal()
    made = procore.create({}).json()
    procore.item(made["id"], made["items"][0]["id"], {"work_completed_this_period": "1.00"})
    procore.call("DELETE", f"/rest/v1.0/requisitions/{made['id']}", **ON_PROJECT)
    events = [(p["resource_name"], p["event_type"], p["resource_id"]) for _h, p in receiver.wait(3)]
    assert events == [("Requisitions", kind, made["id"]) for kind in ("create", "update", "delete")]
    assert [(e["method"], e["path"].split("?")[0]) for e in procore_ctl.journal()][:1] == [
        ("POST", "/rest/v1.0/requisitions")
    ]
    procore_ctl.config(rate_limit_spike=1)
    procore.create({})
    assert procore.create({}).status_code == 429
