"""The QuickBooks simulator against Intuit's XSD and the recorded live responses (sandbox/quickbooks/contract/)."""

from __future__ import annotations

import copy

import pytest

from sandbox.quickbooks import demo
from sandbox.quickbooks.entities import ENTITIES
from sandbox.quickbooks.simulator import ROUTES
from sandbox.testing import SandboxControl
from tests.conformance import quickbooks as contract
from tests.sandbox.test_quickbooks import QBO, bill_body

#: served but not an API route: the consent page posts its own form back to itself
OWN_FORM = {("appcenter", "POST", "/connect/oauth2")}
#: cassettes whose entities are all served (others carry Invoice, Estimate... not in the trimmed XSD)
RECORDED = (
    "all__vendors_by_5",
    "all__alt_select",
    "get__id",
    "get__display_name",
    "create__customer",
    "update__customer",
    "deactivate__account",
    "error__400",
    "error__400_json",
    "error__401",
    "error__500",
    "error__validation",
)


@pytest.fixture
def qbo(sandbox):
    control = SandboxControl(sandbox.base_url, "quickbooks")
    control.reset()
    control.seed(preset="demo")
    control.config(throttle_per_second=None)  # the walk below is faster than 10 calls a second
    caller = QBO(sandbox)
    caller.control = control
    return caller


def test_every_served_route_is_documented():
    assert set(ROUTES) - OWN_FORM <= contract.DOCUMENTED_ROUTES
    assert {entity.name for entity in ENTITIES.values()} <= contract.entity_names()


@pytest.mark.parametrize("cassette", RECORDED)
def test_recorded_responses_pass_the_checks(cassette):
    for item in contract.recorded_bodies(cassette):
        assert contract.check_body(item["body"]) == [], (cassette, item["path"])


def _calls(qbo) -> list:
    """(label, response) for a walk over the API: reads, pages, writes, faults, change data capture."""
    out = [("read bill", qbo.call("GET", "bill/104")), ("read payment", qbo.call("GET", "billpayment/111"))]
    for name in ("vendor/10", "customer/3", "account/5", "class/5000000000000003", "department/3", "item/1"):
        out.append((f"read {name}", qbo.call("GET", name)))
    out.append(("company", qbo.call("GET", f"companyinfo/{demo.REALM}")))
    for start in (1, 4, 7, 10, 13):
        out.append((f"bill page {start}", qbo.query(f"SELECT * FROM Bill STARTPOSITION {start} MAXRESULTS 3")))
    for entity in ("Vendor", "Customer", "Account", "Class", "Department", "BillPayment", "Item"):
        out.append((f"all {entity}", qbo.query(f"SELECT * FROM {entity} MAXRESULTS 1000")))
    out.append(("count", qbo.query("SELECT COUNT(*) FROM Bill WHERE Balance > '0'")))
    created = qbo.post("Bill", bill_body(), requestid="conf-1")
    out.append(("create bill", created))
    bill = created.json()["Bill"]
    sparse = qbo.post("Bill", {"Id": bill["Id"], "SyncToken": bill["SyncToken"], "sparse": True, "PrivateNote": "x"})
    out += [("sparse update", sparse), ("replayed create", qbo.post("Bill", bill_body(), requestid="conf-1"))]
    out.append(("stale SyncToken", qbo.post("Bill", {"Id": bill["Id"], "SyncToken": "0", "sparse": True})))
    out.append(("create vendor", qbo.post("Vendor", {"DisplayName": "Keystone Rebar"})))
    out.append(("duplicate name", qbo.post("Vendor", {"DisplayName": "Keystone Rebar"})))
    out.append(("bad query", qbo.query("SELECT * FROM Bill WHERE A = '1' OR B = '2'")))
    out.append(("missing", qbo.call("GET", "bill/999999")))
    since = qbo.control.clock()["now"]
    qbo.control.advance(2)
    qbo.control.upsert("Bill", {"Id": "107", "_op": "delete"})
    qbo.control.upsert("Vendor", {"Id": "11", "_op": "delete"})
    out.append(("delete", qbo.post("Bill", {"Id": bill["Id"], "SyncToken": "1"}, operation="delete")))
    params = {"entities": "Bill,BillPayment,Vendor,Customer", "changedSince": since}
    out.append(("cdc", qbo.call("GET", "cdc", params=params)))
    qbo.control.advance(3601)
    out.append(("expired token", qbo.call("GET", "bill/104")))
    return out


def test_answers_conform(qbo):
    calls = _calls(qbo)
    statuses = {label: response.status_code for label, response in calls}
    assert statuses["stale SyncToken"] == statuses["duplicate name"] == statuses["bad query"] == 400
    assert statuses["expired token"] == 401 and statuses["cdc"] == 200
    for label, response in calls:
        assert response.headers["Intuit-Tid"], label
        assert contract.check_body(response.json()) == [], label


def test_throttle_answers_conform(qbo):
    qbo.refresh_now()
    qbo.control.config(throttle_per_minute=1)
    assert qbo.call("GET", "vendor/10").status_code == 200
    as_xml = qbo.call("GET", "vendor/10")
    assert as_xml.status_code == 429 and contract.check_xml(as_xml.content) == []
    qbo.control.config(throttle_format="json")
    as_json = qbo.call("GET", "vendor/10")
    assert as_json.status_code == 429 and contract.check_body(as_json.json()) == []


def test_the_checks_can_fail(qbo):
    bill = qbo.call("GET", "bill/104").json()
    wrong = copy.deepcopy(bill)
    wrong["Bill"]["TotalAmt"] = "7800.00"  # a string where the XSD says decimal
    wrong["Bill"]["Line"][0]["AccountBasedExpenseLineDetail"]["JobRef"] = {"value": "5"}
    wrong["Bill"]["Line"][0]["AccountBasedExpenseLineDetail"]["BillableStatus"] = "Maybe"
    problems = contract.check_body(wrong)
    assert "$.Bill.TotalAmt: expected number, got string" in problems
    assert any(p.endswith("JobRef: undocumented field") for p in problems)
    assert any("BillableStatus" in p and "not in enum" in p for p in problems)
    no_code = {"Fault": {"Error": [{"Message": "x", "Detail": "y"}], "type": "ValidationFault"}, "time": bill["time"]}
    assert contract.check_body(no_code) == ["$.Fault.Error[0].code: missing required field"]
    page = {"QueryResponse": {"Bill": [bill["Bill"]], "startPosition": 1, "maxResults": 5}, "time": bill["time"]}
    assert contract.check_body(page)
    assert contract.check_body({"QueryResponse": {"startPosition": 1}, "time": bill["time"]})
    ref = {"Vendor": {"Id": "1", "APAccountRef": {"name": "A/P"}}, "time": bill["time"]}
    assert contract.check_body(ref) == ["$.Vendor.APAccountRef.value: missing required field"]
    assert contract.check_xml(
        b'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3"><Fault><Oops/></Fault></IntuitResponse>'
    )
    assert ("api", "GET", "/v3/company/{realmId}/reports/ProfitAndLoss") not in contract.DOCUMENTED_ROUTES
