"""The Acumatica simulator held to Acumatica's published Default endpoint contracts (23.200.001, 24.200.001).

Key paths are checked in the ``|`` form: 23.200.001 publishes ``{ids}`` as ``|``-joined values in one
segment; 24.200.001 describes them as slash-delimited, which a one-segment template cannot match, so a
slash-form path is checked as its ``|`` equivalent (the guide documents both as the same request).
"""

from __future__ import annotations

import pytest
import requests

from sandbox.acumatica import demo
from sandbox.acumatica.entities import ENTITIES
from tests.conformance.framework import Contract, check_request, check_response, check_routes

VERSIONS = ("23.200.001", "24.200.001")
#: served, but not operations of the Default endpoint: the site, sign-in, the published document itself, and
#: the status URL an action's 202 answer names in its Location header
OUTSIDE_ENDPOINT = [
    ("GET", "/entity"),
    ("POST", "/entity/auth/login"),
    ("POST", "/entity/auth/logout"),
    ("POST", "/identity/connect/token"),
    ("GET", "/entity/Default/{version}/swagger.json"),
    ("GET", "/entity/Default/{version}/{Entity}/{Action}/status/{guid}"),
]


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load("acumatica")


def served_routes(version: str) -> list[tuple[str, str]]:
    """Every (method, template) the simulator serves on the Default endpoint, from its entity table."""
    base = f"/entity/Default/{version}"
    routes = []
    for entity in ENTITIES.values():
        routes += [("GET", f"{base}/{entity.name}"), ("PUT", f"{base}/{entity.name}")]
        if not entity.inquiry:
            for template in ("{ids}", "{id}"):
                routes += [("GET", f"{base}/{entity.name}/{template}"), ("DELETE", f"{base}/{entity.name}/{template}")]
        routes += [("POST", f"{base}/{entity.name}/{action}") for action in entity.actions]
    return routes


@pytest.mark.parametrize("version", VERSIONS)
def test_every_served_route_is_published(contract, version):
    assert check_routes(contract, served_routes(version)) == []


def test_routes_outside_the_endpoint_are_not_in_it(contract):
    examples = [(m, p.format(version="24.200.001", Entity="Bill", Action="ReleaseBill", guid="1")) for m, p in
                OUTSIDE_ENDPOINT]  # fmt: skip
    assert all(contract.operation(method, path) is None for method, path in examples)


class Caller:
    """Calls the simulator and checks both what was sent and what came back against the contract."""

    def __init__(self, sandbox, contract: Contract, version: str):
        self.site = sandbox.url("acumatica") + "/AcuSite"
        self.base = f"/entity/Default/{version}"
        self.contract = contract
        self.http = requests.Session()
        form = {"grant_type": "password", "username": demo.USERNAME, "password": demo.PASSWORD, "scope": "api"}
        form |= {"client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET}
        self.token = self.http.post(self.site + "/identity/connect/token", data=form).json()["access_token"]
        self.problems: list[str] = []
        self.statuses: list[int] = []

    def __call__(self, method: str, path: str, body=None, headers=None, **params):
        url_path = self.base + path
        auth = {} if headers == {} else {"Authorization": f"Bearer {self.token}"}
        response = self.http.request(
            method, self.site + url_path, json=body, params=params, headers={**auth, **(headers or {})}
        )
        where = f"{method} {path} -> {response.status_code}"
        checked_path = self._pipe_form(url_path)
        query = {k: [str(v)] for k, v in params.items()}
        payload = response.json() if response.content else None
        self.problems += [f"{where}: {p}" for p in check_request(self.contract, method, checked_path, query, body)]
        found = check_response(self.contract, method, checked_path, response.status_code, payload)
        self.problems += [f"{where}: {p}" for p in found]
        self.statuses.append(response.status_code)
        return payload

    def _pipe_form(self, path: str) -> str:
        head, _, rest = path.partition(self.base + "/")
        entity, _, keys = rest.partition("/")
        return f"{self.base}/{entity}/{keys.replace('/', '|')}" if keys else path


def v(value):
    return {"value": value}


def _reads(call: Caller) -> None:
    for skip in (0, 5, 10, 15):  # several pages, the last one short
        call("GET", "/Vendor", **{"$top": 5, "$skip": skip})
    call("GET", "/Vendor", **{"$filter": "VendorID eq 'STARFRAME'", "$expand": "MainContact"})
    for entity in ("Account", "Subaccount", "Project", "CostCode"):
        call("GET", f"/{entity}", **{"$top": 4})
    call("GET", "/ProjectTask", **{"$top": 50, "$skip": 50})
    call("GET", "/Bill", **{"$expand": "Details,Applications"})
    call("GET", "/Check", **{"$expand": "Details,History"})
    call("GET", "/PurchaseOrder", **{"$expand": "Details", "$filter": "Status eq 'Open'"})
    call("GET", "/Subcontract", **{"$expand": "Details", "$select": "SubcontractNbr,VendorRef,SubcontractTotal"})
    call("GET", "/CostCode", **{"$filter": "LastModifiedDateTime gt datetimeoffset'2020-01-01T00:00:00Z'"})
    call("GET", "/Vendor/STARFRAME")
    call("GET", "/ProjectTask/RIVERSIDE/03")
    call("GET", "/Bill/Bill|000001", **{"$expand": "Details"})
    call("PUT", "/CompaniesStructure", {}, **{"$expand": "Results"})
    call("GET", "/CompaniesStructure")


def _writes(call: Caller) -> None:
    line = {"Account": v("50000"), "Project": v("RIVERSIDE"), "ProjectTask": v("06"), "CostCode": v("06-100")}
    bill = call("PUT", "/Bill", {"Vendor": v("STARFRAME"), "VendorRef": v("C-1"), "Hold": v(False),
                                 "note": v("mlc:1"), "Details": [{**line, "Amount": v(500.0)}]})  # fmt: skip
    call("GET", f"/Bill/{bill['id']}")
    keys = {"Type": bill["Type"], "ReferenceNbr": bill["ReferenceNbr"]}
    first = bill["Details"][0]["id"]
    call("PUT", "/Bill", {**keys, "Details": [{"id": first, "Amount": v(450.0)}, {**line, "Amount": v(50.0)}]})
    call("POST", "/Bill/ReleaseBill", {"entity": keys})
    check = call("PUT", "/Check", {"Vendor": v("STARFRAME"), "CashAccount": v("10200"), "Details": [
        {"DocType": v("Bill"), "ReferenceNbr": bill["ReferenceNbr"], "AmountPaid": v(200.0)}]})  # fmt: skip
    check_keys = {"Type": check["Type"], "ReferenceNbr": check["ReferenceNbr"]}
    call("POST", "/Check/ReleaseCheck", {"entity": check_keys})
    call("POST", "/Check/VoidCheck", {"entity": check_keys})
    call("PUT", "/Vendor", {"VendorID": v("CONFORM"), "VendorName": v("Conformance Co.")})
    call("PUT", "/Vendor", {"VendorID": v("CONFORM"), "Status": v("Inactive")}, **{"$expand": "MainContact"})
    call("PUT", "/CostCode", {"CostCodeID": v("99100"), "Description": v("Conformance")})
    po_line = {**line, "OrderQty": v(3), "UnitCost": v(10.0)}
    call("PUT", "/PurchaseOrder", {"VendorID": v("GRANITESUP"), "Hold": v(False), "Details": [po_line]})
    sub_line = {"Project": v("LAKESIDE"), "Task": v("03"), "CostCode": v("05-100"), "Amount": v(900.0)}
    sub = call("PUT", "/Subcontract", {"VendorID": v("SUMMITSTL"), "Details": [sub_line]})
    call("POST", "/Subcontract/ReleaseFromHold", {"entity": {"SubcontractNbr": sub["SubcontractNbr"]}})
    call("POST", "/Subcontract/PutOnHold", {"entity": {"SubcontractNbr": sub["SubcontractNbr"]}})
    call("DELETE", "/CostCode/99100")


def _errors(call: Caller) -> None:
    call("PUT", "/Bill", {"Vendor": v("STARFRAME"), "Details": [{"Account": v("99999"), "Amount": v(1.0)}]})  # 422
    call("PUT", "/Bill", {"Vendor": v("NOBODY"), "VendorRef": v("X")})  # 422 on the header
    call("PUT", "/Vendor", {"VendorID": v("STARFRAME")}, headers={"If-None-Match": "*"})  # 412
    call("PUT", "/Vendor", {"VendorID": v("NOBODYYET")}, headers={"If-Match": "*"})  # 412
    call("GET", "/Vendor/NOBODY")  # 500 NoEntitySatisfiesTheCondition
    call("GET", "/Subaccount", **{"$filter": "LastModifiedDateTime gt datetime'2020-01-01'"})  # 500 bad query
    call("POST", "/Bill/ReleaseBill", {"entity": {"Type": v("Bill"), "ReferenceNbr": v("000001")}})  # 500 released
    call("GET", "/Vendor", headers={})  # 401


@pytest.mark.parametrize("version", VERSIONS)
def test_calls_answer_as_published(acumatica_sim, sandbox, contract, version):
    acumatica_sim.seed(preset="demo")
    call = Caller(sandbox, contract, version)
    _reads(call)
    _writes(call)
    _errors(call)
    assert call.problems == []
    assert {422, 412, 500, 401, 204, 200} <= set(call.statuses)


def test_async_actions_answer_as_published(acumatica_sim, sandbox, contract):
    acumatica_sim.seed(preset="demo")
    acumatica_sim.config(actions_async=True)
    call = Caller(sandbox, contract, "24.200.001")
    call("POST", "/Subcontract/PutOnHold", {"entity": {"SubcontractNbr": v("000001")}})
    assert call.statuses == [202] and call.problems == []


def test_the_checks_can_fail(acumatica_sim, sandbox, contract):
    acumatica_sim.seed(preset="demo")
    acumatica_sim.config(links_field=True)  # _links is not in the published Entity schema
    call = Caller(sandbox, contract, "24.200.001")
    call("GET", "/Account/50000")
    assert call.problems == ["GET /Account/50000 -> 200: $._links: undocumented field"]
    bill = {"id": "6f1c3a2e-1b2c-4d5e-8f90-0a1b2c3d4e5f", "Amount": {"value": "12.00"}, "Status": {"value": 1}}
    wrong = check_response(contract, "GET", "/entity/Default/24.200.001/Bill/Bill|000001", 200, bill)
    assert wrong == ["$.Amount.value: expected number, got string", "$.Status.value: expected string, got integer"]
    assert check_routes(contract, [("GET", "/entity/Default/24.200.001/Branch")]) == [
        "GET /entity/Default/24.200.001/Branch: undocumented route"
    ]
    assert check_response(contract, "GET", "/entity/Default/24.200.001/Bill", 429, {"message": "x"}) == [
        "GET /entity/Default/24.200.001/Bill: undocumented status 429"
    ]
    line = {"Details": [{"LCNbr": {"value": "1"}}]}  # published in 24.200.001 only
    assert check_response(contract, "PUT", "/entity/Default/23.200.001/Bill", 200, line) == [
        "$.Details[0].LCNbr: undocumented field"
    ]
