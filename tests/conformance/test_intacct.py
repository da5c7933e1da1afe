"""The Intacct simulator against the published contract: its route, and every answer's envelope."""

from __future__ import annotations

import copy
import time

import pytest
from lxml import etree

from sandbox.intacct import demo
from sandbox.intacct.simulator import ROUTES
from sandbox.testing import SandboxControl
from tests.conformance.framework import Contract, check_routes
from tests.conformance.intacct import EnvelopeContract
from tests.sandbox.test_intacct import PO, Gateway, bill, fn, login, read_by_query, vendor


@pytest.fixture(scope="module")
def contract() -> EnvelopeContract:
    return EnvelopeContract.load()


@pytest.fixture
def gw(sandbox) -> Gateway:
    control = SandboxControl(sandbox.base_url, "intacct")
    control.reset()
    control.seed(preset="demo")
    gateway = Gateway(sandbox)
    gateway.control = control
    return gateway


# -- the contract itself --------------------------------------------------------------------------------------


def test_every_served_route_is_published():
    assert check_routes(Contract.load("intacct"), ROUTES) == []


def test_an_undocumented_route_is_caught():
    assert check_routes(Contract.load("intacct"), [("GET", "/ia/xml/xmlgw.phtml"), ("POST", "/api/v1/bills")])


def test_the_structure_accepts_every_complete_published_envelope(contract):
    published = EnvelopeContract.published()
    assert len(published) >= 30
    assert {e["name"]: contract.check(e["xml"].encode()) for e in published} == {e["name"]: [] for e in published}


def test_the_structure_rejects_every_deliberately_incomplete_published_envelope(contract):
    incomplete = [e for e in EnvelopeContract.published(complete=False) if e["incomplete"]]
    assert incomplete
    assert [e["name"] for e in incomplete if not contract.check(e["xml"].encode())] == []


# -- every answer of the simulator -----------------------------------------------------------------------------


PO1 = "Purchase Order-PO0001"


def _calls(gw: Gateway) -> list[tuple[str, bytes]]:
    """(label, request body) for a spread of calls: each function kind, each error level."""
    sessionid, _ = gw.session()
    created = gw.ok(fn(bill(amount="300")))[0].findtext("data/apbill/RECORDNO")
    paging = gw.ok(fn(read_by_query("TASK", pagesize=4)))[0].find("data").get("resultId")
    pay = (
        f"<create><APPYMT><FINANCIALENTITY>{demo.BANK}</FINANCIALENTITY><PAYMENTMETHOD>EFT</PAYMENTMETHOD>"
        f"<VENDORID>V101</VENDORID><PAYMENTDATE>{time.strftime('%m/%d/%Y')}</PAYMENTDATE><APPYMTDETAILS>"
        f"<APPYMTDETAIL><RECORDKEY>{created}</RECORDKEY><TRX_PAYMENTAMOUNT>100</TRX_PAYMENTAMOUNT></APPYMTDETAIL>"
        "</APPYMTDETAILS></APPYMT></create>"
    )
    query = (
        "<query><select><field>RECORDNO</field><field>WHENMODIFIED</field></select><object>GLACCOUNT</object>"
        "<filter><greaterthan><field>WHENMODIFIED</field><value>01/01/2000 00:00:00</value></greaterthan></filter>"
        "<pagesize>3</pagesize></query>"
    )
    update = "<update><VENDOR><VENDORID>V100</VENDORID><TERMNAME>N45</TERMNAME></VENDOR></update>"
    amend = f'<update_potransaction key="{PO1}"><referenceno>R2</referenceno></update_potransaction>'
    env = gw.envelope
    return [
        ("login getAPISession", env(fn("<getAPISession/>"))),
        ("session getAPISession", env(fn("<getAPISession/>"), auth=sessionid)),
        ("entity getAPISession", env(fn("<getAPISession><locationid>100</locationid></getAPISession>"))),
        ("create vendor", env(fn(vendor("Conformance Co")))),
        ("update vendor", env(fn(update))),
        ("create bill", env(fn(bill()))),
        ("read bill", env(fn(f"<read><object>APBILL</object><keys>{created}</keys><fields>*</fields></read>"))),
        ("readByName", env(fn("<readByName><object>VENDOR</object><keys>V100,V101</keys></readByName>"))),
        ("readByQuery", env(fn(read_by_query("VENDOR", "STATUS = 'active'", pagesize=2)))),
        ("readByQuery empty", env(fn(read_by_query("VENDOR", "VENDORID = 'NONE'")))),
        ("readMore", env(fn(f"<readMore><resultId>{paging}</resultId></readMore>"))),
        ("query", env(fn(query))),
        ("create payment", env(fn(pay))),
        ("create_potransaction", env(fn(PO))),
        ("update_potransaction", env(fn(amend))),
        ("delete_potransaction", env(fn('<delete_potransaction key="Purchase Order-PO0002"/>'))),
        ("delete", env(fn("<delete><object>CLASS</object><keys>999999</keys></delete>"))),
        ("function failure", env(fn(bill(CLASSID="LEGACY")))),
        ("query failure", env(fn(read_by_query("BADOBJECT")))),
        ("duplicate id", env(fn(vendor("Dup", "V100")))),
        ("transaction abort", env([fn(vendor("T1")), fn(bill(ACCOUNTNO="9999")), fn(vendor("T3"))], transaction=True)),
        ("bad login", env(fn("<getAPISession/>"), auth=login(password="wrong"))),
        ("unknown session", env(fn("<getAPISession/>"), auth="nope..")),
        ("malformed xml", b"<request><control>"),
        ("forbidden character", env(fn(vendor("Bad\x01Name")))),
        ("bad dtdversion", env(fn("<getAPISession/>"), dtd="2.1")),
    ]


def test_every_answer_validates_against_the_published_structure(gw, contract):
    calls = _calls(gw)
    calls.append(("duplicate controlid", gw.envelope(fn(vendor("Once"), "same-id"), uniqueid=True)))
    calls.append(("duplicate controlid again", gw.envelope(fn(vendor("Once"), "same-id"), uniqueid=True)))
    problems, statuses = {}, {}
    for label, body in calls:
        response, _root = gw.post(body)
        statuses[label] = response.status_code
        problems[label] = contract.check(response.content)
    assert problems == {label: [] for label, _ in calls}
    assert set(statuses.values()) == {200}


def test_gateway_level_answers_validate_too(gw, contract, sandbox):
    other = Gateway(sandbox, sender=(demo.OTHER_SENDER_ID, demo.OTHER_SENDER_PASSWORD))
    bad_sender = Gateway(sandbox, sender=(demo.SENDER_ID, "wrong"))
    session = fn("<getAPISession/>")
    answers = [other.post(other.envelope(session)), bad_sender.post(bad_sender.envelope(session))]
    gw.control.config(rate_limit_per_minute=0)
    answers.append(gw.post(gw.envelope(fn("<getAPISession/>"))))
    assert [response.status_code for response, _ in answers] == [200, 401, 429]
    assert [contract.check(response.content) for response, _ in answers] == [[], [], []]


# -- the checks can fail -----------------------------------------------------------------------------------------


def _broken(root: etree._Element, how: str) -> bytes:
    root = copy.deepcopy(root)
    result = root.find("operation/result")
    if how == "order":
        result.insert(0, result.find("function"))
    elif how == "status":
        result.find("status").text = "ok"
    elif how == "missing":
        result.remove(result.find("controlid"))
    elif how == "attribute":
        result.find("data").set("pages", "3")
    elif how == "count":
        result.find("data").set("count", "7")
    elif how == "record case":
        result.find("data")[0].tag = "VENDOR"
    elif how == "failure without error":
        result.find("status").text = "failure"
    elif how == "stray element":
        etree.SubElement(root.find("operation/authentication"), "sessionkey")
    return etree.tostring(root)


@pytest.mark.parametrize(
    "how",
    ["order", "status", "missing", "attribute", "count", "record case", "failure without error", "stray element"],
)
def test_a_broken_envelope_is_caught(gw, contract, how):
    response, root = gw.post(gw.envelope(fn(read_by_query("VENDOR", pagesize=2))))
    assert contract.check(response.content) == []
    assert contract.check(_broken(root, how)) != []
