"""The Sage Intacct simulator over real HTTP, checked against the vendor's published envelopes and facts."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from lxml import etree

from sandbox.intacct import demo
from sandbox.testing import SandboxControl

GATEWAY = "/ia/xml/xmlgw.phtml"


def fn(body: str, controlid: str | None = None) -> str:
    """One <function> with its own control id (a fresh GUID unless given)."""
    return f'<function controlid="{controlid or uuid.uuid4()}">{body}</function>'


def login(user=demo.USER_ID, company=demo.COMPANY_ID, password=demo.USER_PASSWORD, location=None) -> str:
    entity = f"<locationid>{location}</locationid>" if location is not None else ""
    return (
        f"<login><userid>{user}</userid><companyid>{company}</companyid>"
        f"<password>{password}</password>{entity}</login>"
    )


class Gateway:
    """A tiny hand-written caller: builds request envelopes, posts them, parses the answer."""

    def __init__(self, server, sender=(demo.SENDER_ID, demo.SENDER_PASSWORD)):
        self.url = server.url("intacct") + GATEWAY
        self.sender = sender
        self.http = requests.Session()

    def envelope(self, functions, auth=None, transaction=False, uniqueid=False, dtd="3.0", controlid="req-1"):
        functions = functions if isinstance(functions, str) else "".join(functions)
        auth = auth or login()
        if not auth.startswith("<login>"):
            auth = f"<sessionid>{auth}</sessionid>"
        return (
            '<?xml version="1.0" encoding="UTF-8"?><request><control>'
            f"<senderid>{self.sender[0]}</senderid><password>{self.sender[1]}</password>"
            f"<controlid>{controlid}</controlid><uniqueid>{str(uniqueid).lower()}</uniqueid>"
            f"<dtdversion>{dtd}</dtdversion><includewhitespace>false</includewhitespace></control>"
            f'<operation transaction="{str(transaction).lower()}"><authentication>{auth}</authentication>'
            f"<content>{functions}</content></operation></request>"
        ).encode()

    def post(self, body: bytes | str, url: str | None = None) -> tuple[requests.Response, etree._Element]:
        body = body.encode() if isinstance(body, str) else body
        response = self.http.post(url or self.url, data=body, headers={"Content-Type": "application/xml"}, timeout=10)
        assert response.headers["Content-Type"].startswith("text/xml"), response.text
        return response, etree.fromstring(response.content)

    def call(self, *functions, **options) -> etree._Element:
        response, root = self.post(self.envelope(list(functions), **options))
        assert response.status_code == 200, response.text
        return root

    def ok(self, *functions, **options) -> list[etree._Element]:
        """Results of a call whose every function must succeed."""
        root = self.call(*functions, **options)
        results = root.findall("operation/result")
        assert [r.findtext("status") for r in results] == ["success"] * len(functions), etree.tostring(root)
        return results

    def session(self, **options) -> tuple[str, str]:
        api = self.ok(fn("<getAPISession/>"), **options)[0].find("data/api")
        return api.findtext("sessionid"), api.findtext("endpoint")


def errors(element: etree._Element) -> list[tuple[str, str]]:
    return [
        (e.findtext("errorno"), e.findtext("description2") or e.findtext("description")) for e in element.iter("error")
    ]


def read_by_query(obj: str, query: str = "", pagesize: int = 100, fields: str = "*") -> str:
    return (
        f"<readByQuery><object>{obj}</object><fields>{fields}</fields><query>{query}</query>"
        f"<pagesize>{pagesize}</pagesize></readByQuery>"
    )


def bill(vendor="V101", amount="1000.00", when=None, **line) -> str:
    fields = {"ACCOUNTNO": "5000", "TRX_AMOUNT": amount, "PROJECTID": "2024-001", "TASKID": "03-300",
              "COSTTYPEID": "S", "LOCATIONID": "100", "DEPARTMENTID": "OPS", "CLASSID": "COMM", **line}  # fmt: skip
    items = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items() if v is not None)
    when = when or time.strftime("%m/%d/%Y")
    return (
        f"<create><APBILL><VENDORID>{vendor}</VENDORID><WHENCREATED>{when}</WHENCREATED>"
        f"<WHENDUE>{when}</WHENDUE><RECORDID>INV-{uuid.uuid4().hex[:6]}</RECORDID>"
        f"<APBILLITEMS><APBILLITEM>{items}</APBILLITEM></APBILLITEMS></APBILL></create>"
    )


def vendor(name: str, vendorid: str | None = None) -> str:
    ident = f"<VENDORID>{vendorid}</VENDORID>" if vendorid else ""
    return f"<create><VENDOR>{ident}<NAME>{name}</NAME></VENDOR></create>"


@pytest.fixture
def intacct_ctl(sandbox_server) -> SandboxControl:
    control = SandboxControl(sandbox_server.base_url, "intacct")
    control.reset()
    control.seed(preset="demo")
    return control


@pytest.fixture
def gw(intacct_ctl, sandbox_server) -> Gateway:
    return Gateway(sandbox_server)


# -- sessions -----------------------------------------------------------------------------------------------


def test_get_api_session_returns_a_session_on_this_simulator(gw, sandbox_server):
    root = gw.call(fn("<getAPISession/>"))
    auth = root.find("operation/authentication")
    assert [auth.findtext(n) for n in ("status", "userid", "companyid")] == ["success", demo.USER_ID, demo.COMPANY_ID]
    sessionid, endpoint = gw.session()
    assert endpoint == sandbox_server.url("intacct") + GATEWAY
    assert sessionid == root.findtext("operation/result/data/api/sessionid")  # same user, same live session
    stamp, timeout = auth.findtext("sessiontimestamp"), auth.findtext("sessiontimeout")
    from datetime import datetime

    span = datetime.fromisoformat(timeout) - datetime.fromisoformat(stamp)
    assert span.total_seconds() == 86400  # the SDK replies' +24 h default
    result = gw.ok(fn(read_by_query("VENDOR", "VENDORID = 'V100'")), auth=sessionid)[0]
    assert result.findtext("data/vendor/NAME") == "Star Framing, LLC"


def test_get_api_session_for_an_entity_and_alone(gw):
    api = gw.ok(fn("<getAPISession><locationid>200</locationid></getAPISession>"))[0].find("data/api")
    assert api.findtext("locationid") == "200"
    results = gw.call(fn("<getAPISession/>"), fn(read_by_query("CLASS"))).findall("operation/result")
    assert [r.findtext("status") for r in results] == ["failure", "success"]
    bad = gw.call(fn("<getAPISession><locationid>999</locationid></getAPISession>"))
    assert bad.findtext("operation/result/status") == "failure"


def test_session_slides_then_expires_on_the_clock(gw, intacct_ctl):
    intacct_ctl.config(session_duration=600)
    sessionid, _ = gw.session()
    intacct_ctl.advance(400)
    gw.ok(fn(read_by_query("CLASS")), auth=sessionid)  # used: the timeout moves to now + 600
    intacct_ctl.advance(400)
    gw.ok(fn(read_by_query("CLASS")), auth=sessionid)
    intacct_ctl.advance(601)
    root = gw.call(fn(read_by_query("CLASS")), auth=sessionid)
    assert root.findtext("control/status") == "success"
    assert root.findtext("operation/authentication/status") == "failure"
    assert root.find("operation/result") is None
    assert errors(root.find("operation/errormessage"))[0][0] == "XL03000006"


def test_unknown_session_and_bad_login_fail_authentication(gw):
    for auth in ("no-such-session..", login(password="wrong")):
        root = gw.call(fn(read_by_query("CLASS")), auth=auth)
        assert root.findtext("operation/authentication/status") == "failure"
        assert errors(root)[0] == ("XL03000006", "Sign-in information is incorrect")
        assert root.find("operation/result") is None
    assert gw.call(fn(read_by_query("CLASS")), auth=login(password="wrong")).findtext(
        "operation/authentication/userid"
    ) == "xml_gateway"


def test_bad_sender_credentials_are_a_control_failure_with_401(sandbox_server, intacct_ctl):
    response, root = Gateway(sandbox_server, sender=(demo.SENDER_ID, "nope")).post(
        Gateway(sandbox_server, sender=(demo.SENDER_ID, "nope")).envelope(fn("<getAPISession/>"))
    )
    assert response.status_code == 401
    assert [child.tag for child in root.find("control")] == ["status"]
    assert root.findtext("control/status") == "failure" and root.find("operation") is None
    assert errors(root)[0][0] == "XMLGW_JPP0002"


def test_sender_not_authorised_for_the_company_fails_authentication(sandbox_server, intacct_ctl):
    other = Gateway(sandbox_server, sender=(demo.OTHER_SENDER_ID, demo.OTHER_SENDER_PASSWORD))
    root = other.call(fn("<getAPISession/>"))
    assert root.findtext("control/status") == "success"
    assert root.findtext("operation/authentication/status") == "failure"
    error = root.find("operation/errormessage/error")
    assert error.findtext("errorno") == "XL03000006"
    assert error.findtext("description") == "Invalid Web Services Authorization"
    assert "not authorized" in error.findtext("description2")


# -- control level: malformed and hostile XML -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<request><control><senderid>x</senderid>",
        b'{"request": "json is not accepted"}',
        b"",
    ],
)
def test_malformed_requests_are_parse_errors(gw, body):
    response, root = gw.post(body)
    assert response.status_code == 200
    assert root.findtext("control/status") == "failure"
    assert errors(root)[0][0] == "XL03000003" and errors(root)[0][1].startswith("XML Parse schema error")


@pytest.mark.parametrize("bad", ["\x01", "&#x1;", "&#xFFFE;", "\x0b"])
def test_characters_xml_forbids_are_parse_errors(gw, bad):
    body = gw.envelope(fn(f"<create><VENDOR><NAME>Bad{bad}Name</NAME></VENDOR></create>"))
    response, root = gw.post(body)
    assert errors(root)[0][0] == "XL03000003"
    assert not any(v.findtext("NAME", "").startswith("Bad") for v in root.iter("VENDOR"))


def test_wrong_dtdversion_missing_control_parts_and_get_are_refused(gw, sandbox_server):
    _, root = gw.post(gw.envelope(fn("<getAPISession/>"), dtd="2.1"))
    assert errors(root)[0][0] == "XL03000003" and root.findtext("control/senderid") == demo.SENDER_ID
    _, root = gw.post(gw.envelope(fn("<getAPISession/>")).replace(b"<dtdversion>3.0</dtdversion>", b""))
    assert errors(root)[0][0] == "XL03000003"
    _, root = gw.post(gw.envelope("<function><getAPISession/></function>"))  # no controlid
    assert errors(root)[0][0] == "XL03000003"
    _, root = gw.post(gw.envelope(fn("<frobnicate/>")))
    assert errors(root)[0][0] == "XL03000003"
    response = requests.get(gw.url, timeout=10)
    assert response.status_code == 400 and b"GW-0011" in response.content


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entity_is_refused_without_reading_the_file(gw, tmp_path, encoding):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = gw.envelope(fn("<getAPISession/>")).replace(b"<senderid>mlconnector", b"<senderid>&xxe;mlconnector")
    body = body.replace(
        b"<request>", f'<!DOCTYPE request [<!ENTITY xxe SYSTEM "file://{secret}">]><request>'.encode(), 1
    )
    # UTF-16 hides the DOCTYPE from a byte-level look: the parser itself must still refuse it.
    body = body.decode().replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)
    response, root = gw.post(body)
    assert errors(root)[0][0] == "XL03000003"
    assert b"TOP-SECRET" not in response.content
    assert root.find("operation") is None


def test_entity_expansion_bomb_is_refused_quickly(gw):
    levels = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = gw.envelope(fn("<getAPISession/>")).replace(b"<senderid>mlconnector", b"<senderid>&l9;mlconnector")
    body = body.replace(b"<request>", f"<!DOCTYPE request [{levels}]><request>".encode(), 1)
    started = time.monotonic()
    response, root = gw.post(body)
    assert time.monotonic() - started < 2
    assert errors(root)[0][0] == "XL03000003"
    assert len(response.content) < 2000


# -- uniqueid and transactions ---------------------------------------------------------------------------------


def _vendor_count(ctl) -> int:
    return len(ctl.records("VENDOR"))


def test_repeated_function_controlid_under_uniqueid_is_refused(gw, intacct_ctl):
    before = _vendor_count(intacct_ctl)
    first = gw.ok(fn(vendor("Summit Electric Supply"), "vendor-create-1"), uniqueid=True)[0]
    assert first.findtext("data/vendor/RECORDNO")
    again = gw.call(fn(vendor("Summit Electric Supply"), "vendor-create-1"), uniqueid=True)
    result = again.find("operation/result")
    assert result.findtext("status") == "failure"
    assert "vendor-create-1" in errors(result)[0][1]
    assert _vendor_count(intacct_ctl) == before + 1
    gw.ok(fn(vendor("Summit Electric Supply"), "vendor-create-1"), uniqueid=False)  # repeats allowed
    assert _vendor_count(intacct_ctl) == before + 2


def test_failed_function_controlid_may_be_sent_again(gw, intacct_ctl):
    failed = gw.call(fn(bill(CLASSID="LEGACY"), "bill-1"), uniqueid=True)
    assert failed.findtext("operation/result/status") == "failure"
    gw.ok(fn(bill(), "bill-1"), uniqueid=True)  # only executed-and-completed functions count


def test_duplicate_switch_replays_the_first_answer(gw, intacct_ctl):
    intacct_ctl.config(duplicate_function="replay")
    first = gw.ok(fn(vendor("Replay Co"), "v-replay"), uniqueid=True)[0].findtext("data/vendor/RECORDNO")
    second = gw.ok(fn(vendor("Replay Co"), "v-replay"), uniqueid=True)[0].findtext("data/vendor/RECORDNO")
    assert first == second
    assert sum(v["NAME"] == "Replay Co" for v in intacct_ctl.records("VENDOR")) == 1


def test_transaction_is_all_or_nothing(gw, intacct_ctl):
    before = _vendor_count(intacct_ctl)
    root = gw.call(fn(vendor("Tx One")), fn(bill(CLASSID="LEGACY")), fn(vendor("Tx Three")), transaction=True)
    results = root.findall("operation/result")
    assert [r.findtext("status") for r in results] == ["aborted", "failure", "aborted"]
    rolled_back = "The entire transaction in this operation has been rolled back due to an error."
    assert errors(results[0]) == [("XL03000009", rolled_back)]
    assert [n for n, _ in errors(results[1])] == ["BL01001973", "XL03000009"]
    assert errors(results[2])[-1][0] == "XL03000009"
    assert _vendor_count(intacct_ctl) == before
    intacct_ctl.config(transaction_failed_status="aborted")
    root = gw.call(fn(vendor("Tx One")), fn(bill(CLASSID="LEGACY")), transaction=True)
    assert [r.findtext("status") for r in root.findall("operation/result")] == ["aborted", "aborted"]


def test_without_a_transaction_one_failure_leaves_the_others_applied(gw, intacct_ctl):
    before = _vendor_count(intacct_ctl)
    root = gw.call(fn(vendor("Solo One")), fn(bill(CLASSID="LEGACY")), fn(vendor("Solo Three")))
    assert [r.findtext("status") for r in root.findall("operation/result")] == ["success", "failure", "success"]
    assert _vendor_count(intacct_ctl) == before + 2


# -- readByQuery, readMore, query -------------------------------------------------------------------------------


def test_read_by_query_and_read_more_page_through_everything(gw, intacct_ctl):
    intacct_ctl.seed({"VENDOR": [{"VENDORID": f"VX{i:03d}", "NAME": f"Bulk Vendor {i}"} for i in range(23)]})
    first = gw.ok(fn(read_by_query("VENDOR", "VENDORID LIKE 'VX%'", pagesize=10)))[0].find("data")
    assert (first.get("listtype"), first.get("count"), first.get("totalcount")) == ("vendor", "10", "23")
    assert first.get("numremaining") == "13" and first.get("resultId")
    seen = [v.findtext("VENDORID") for v in first.findall("vendor")]
    result_id = first.get("resultId")
    while True:
        page = gw.ok(fn(f"<readMore><resultId>{result_id}</resultId></readMore>"))[0].find("data")
        seen += [v.findtext("VENDORID") for v in page.findall("vendor")]
        if page.get("numremaining") == "0":
            assert page.get("resultId") == ""
            break
    assert sorted(seen) == [f"VX{i:03d}" for i in range(23)]
    stale = gw.call(fn(f"<readMore><resultId>{result_id}</resultId></readMore>")).find("operation/result")
    assert stale.findtext("status") == "failure" and errors(stale)[0][0] == "Query Failed"


def test_read_by_query_sql_like_filters_and_bad_object(gw):
    data = gw.ok(fn(read_by_query("TASK", "PROJECTID = '2024-002' AND (TASKID = '03-300' OR TASKID IN ('06-100'))")))
    assert sorted(t.findtext("TASKID") for t in data[0].iter("task")) == ["03-300", "06-100"]
    failed = gw.call(fn(read_by_query("BADOBJECT"))).find("operation/result")
    assert errors(failed)[0] == ("Query Failed", "Object definition BADOBJECT not found")
    too_big = gw.call(fn(read_by_query("VENDOR", pagesize=1001))).find("operation/result")
    assert too_big.findtext("status") == "failure"


def test_query_filters_on_whenmodified(gw, intacct_ctl):
    intacct_ctl.set_clock("2025-03-01T12:00:00-08:00")
    gw.ok(fn(vendor("Early Vendor", "VE1")))
    intacct_ctl.set_clock("2025-03-02T09:30:00-08:00")
    gw.ok(fn(vendor("Late Vendor", "VE2")), fn(vendor("Later Vendor", "VE3")))
    select = "<select><field>VENDORID</field><field>WHENMODIFIED</field></select><object>VENDOR</object>"
    since = (
        "<filter><and><greaterthanorequalto><field>WHENMODIFIED</field><value>03/02/2025 09:00:00</value>"
        "</greaterthanorequalto><like><field>VENDORID</field><value>VE%</value></like></and></filter>"
    )
    order = "<orderby><order><field>VENDORID</field><descending/></order></orderby>"
    data = gw.ok(fn(f"<query>{select}{since}{order}</query>"))[0].find("data")
    assert [v.findtext("VENDORID") for v in data.findall("VENDOR")] == ["VE3", "VE2"]
    assert data.findall("VENDOR")[0].findtext("WHENMODIFIED") == "03/02/2025 09:30:00"
    assert (data.get("listtype"), data.get("totalcount"), data.get("numremaining")) == ("VENDOR", "2", "0")
    paged = gw.ok(fn(f"<query>{select}{since}{order}<pagesize>1</pagesize><offset>1</offset></query>"))[0]
    assert [v.findtext("VENDORID") for v in paged.iter("VENDOR")] == ["VE2"]
    bad = gw.call(fn(f"<query>{select}<filter><equalto><field>NOPE</field><value>1</value></equalto></filter></query>"))
    assert bad.findtext("operation/result/status") == "failure"


# -- bills and their references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, reason",
    [
        ({"CLASSID": "LEGACY"}, "Class 'LEGACY' on line 1 is inactive"),
        ({"ACCOUNTNO": "5900"}, "GL account '5900' on line 1 is inactive"),
        ({"ACCOUNTNO": "9999"}, "Invalid GL account '9999'"),
        ({"DEPARTMENTID": "EST"}, "Department 'EST' on line 1 is inactive"),
        ({"TASKID": "99-999"}, "Invalid Task '99-999'"),
        ({"TASKID": None, "COSTTYPEID": "S"}, "A cost type requires a project and a task"),
        ({"PROJECTID": "2021-014"}, "is completed"),
        ({"LOCATIONID": "300"}, "Invalid Location '300'"),
    ],
)
def test_bill_lines_must_reference_active_accounts_and_dimensions(gw, intacct_ctl, line, reason):
    before = len(intacct_ctl.records("APBILL"))
    result = gw.call(fn(bill(**line))).find("operation/result")
    assert result.findtext("status") == "failure"
    assert reason in errors(result)[0][1]
    assert len(intacct_ctl.records("APBILL")) == before


def test_bill_vendor_and_closed_period_checks(gw, intacct_ctl):
    assert "Vendor 'V105' is inactive" in errors(gw.call(fn(bill(vendor="V105"))))[0][1]
    intacct_ctl.config(closed_through="12/31/2024")
    closed = gw.call(fn(bill(when="12/15/2024"))).find("operation/result")
    assert "closed period" in errors(closed)[0][1]
    gw.ok(fn(bill(when="01/15/2025")))


def test_bill_create_read_and_update_replaces_lines(gw, intacct_ctl):
    recordno = gw.ok(fn(bill(amount="1234.5")))[0].findtext("data/apbill/RECORDNO")
    read = gw.ok(fn(f"<read><object>APBILL</object><keys>{recordno}</keys><fields>*</fields></read>"))[0]
    record = read.find("data/APBILL")
    assert read.find("data").get("listtype") == "APBILL"
    assert (record.findtext("TOTALENTERED"), record.findtext("TOTALDUE"), record.findtext("STATE")) == (
        "1234.50", "1234.50", "Posted",
    )  # fmt: skip
    assert record.findtext("APBILLITEMS/APBILLITEM/COSTTYPEID") == "S"
    lines = (
        "<APBILLITEMS><APBILLITEM><ACCOUNTNO>5100</ACCOUNTNO><TRX_AMOUNT>10</TRX_AMOUNT></APBILLITEM>"
        "<APBILLITEM><ACCOUNTNO>5300</ACCOUNTNO><TRX_AMOUNT>15.25</TRX_AMOUNT></APBILLITEM></APBILLITEMS>"
    )
    gw.ok(fn(f"<update><APBILL><RECORDNO>{recordno}</RECORDNO>{lines}</APBILL></update>"))
    stored = next(b for b in intacct_ctl.records("APBILL") if b["RECORDNO"] == recordno)
    assert [line["ACCOUNTNO"] for line in stored["APBILLITEMS"]] == ["5100", "5300"]
    assert stored["TOTALENTERED"] == "25.25"
    missing = gw.call(fn("<update><APBILL><RECORDNO>999999</RECORDNO></APBILL></update>"))
    assert missing.findtext("operation/result/status") == "failure"


def test_duplicate_ids_answer_the_published_pair(gw):
    result = gw.call(fn(vendor("Another Star", "V100"))).find("operation/result")
    assert [n for n, _ in errors(result)] == ["BL34000061", "BL01001973"]


# -- payments ------------------------------------------------------------------------------------------------


def _pay(gw, recordno: str, amount: str, vendorid="V101"):
    return fn(
        f"<create><APPYMT><FINANCIALENTITY>{demo.BANK}</FINANCIALENTITY><PAYMENTMETHOD>Printed Check</PAYMENTMETHOD>"
        f"<VENDORID>{vendorid}</VENDORID><PAYMENTDATE>{time.strftime('%m/%d/%Y')}</PAYMENTDATE><APPYMTDETAILS>"
        f"<APPYMTDETAIL><RECORDKEY>{recordno}</RECORDKEY><TRX_PAYMENTAMOUNT>{amount}</TRX_PAYMENTAMOUNT>"
        "</APPYMTDETAIL></APPYMTDETAILS></APPYMT></create>"
    )


def _bill_state(ctl, recordno):
    found = next(b for b in ctl.records("APBILL") if b["RECORDNO"] == recordno)
    return found["STATE"], found["TOTALDUE"], found["TOTALPAID"]


def test_payments_lower_the_amount_due_until_paid(gw, intacct_ctl):
    recordno = gw.ok(fn(bill(amount="1000")))[0].findtext("data/apbill/RECORDNO")
    payment = gw.ok(_pay(gw, recordno, "400"))[0].findtext("data/appymt/RECORDNO")
    assert _bill_state(intacct_ctl, recordno) == ("Partially Paid", "600.00", "400.00")
    over = gw.call(_pay(gw, recordno, "600.01")).find("operation/result")
    assert over.findtext("status") == "failure" and "exceeds" in errors(over)[0][1]
    gw.ok(_pay(gw, recordno, "600"))
    assert _bill_state(intacct_ctl, recordno) == ("Paid", "0.00", "1000.00")
    paid = gw.ok(fn(read_by_query("APBILL", f"RECORDNO = {recordno}")))[0]
    assert paid.findtext("data/apbill/STATE") == "Paid"
    gw.ok(fn(f"<delete><object>APPYMT</object><keys>{payment}</keys></delete>"))
    assert _bill_state(intacct_ctl, recordno) == ("Partially Paid", "400.00", "600.00")


def test_payment_of_another_vendors_bill_fails(gw):
    recordno = gw.ok(fn(bill(amount="50")))[0].findtext("data/apbill/RECORDNO")
    result = gw.call(_pay(gw, recordno, "50", vendorid="V100")).find("operation/result")
    assert result.findtext("status") == "failure"


# -- purchase orders -----------------------------------------------------------------------------------------


PO = (
    "<create_potransaction><transactiontype>Purchase Order</transactiontype>"
    "<datecreated><year>2025</year><month>05</month><day>01</day></datecreated><vendorid>V100</vendorid>"
    "<referenceno>SC-2024-001-06</referenceno><externalid>procore-77</externalid><potransitems>"
    "<potransitem><itemid>SUBCONTRACT</itemid><quantity>1</quantity><price>50000</price>"
    "<projectid>2024-001</projectid><taskid>06-100</taskid><costtypeid>S</costtypeid></potransitem>"
    "</potransitems></create_potransaction>"
)


def test_purchase_order_created_then_amended_in_place(gw, intacct_ctl):
    key = gw.ok(fn(PO))[0].findtext("key")
    assert key.startswith("Purchase Order-PO")
    change = (
        '<update_potransaction key="procore-77" externalkey="true"><updatepotransitems>'
        '<updatepotransitem line_num="1"><price>52500</price></updatepotransitem>'
        "<potransitem><itemid>SUBCONTRACT</itemid><quantity>2</quantity><price>1250.50</price>"
        "<projectid>2024-001</projectid><taskid>06-100</taskid><costtypeid>S</costtypeid></potransitem>"
        "</updatepotransitems></update_potransaction>"
    )
    assert gw.ok(fn(change))[0].findtext("key") == key
    docs = [d for d in intacct_ctl.records("PODOCUMENT") if d["DOCID"] == key]
    assert len(docs) == 1 and docs[0]["TOTAL"] == "55001.00"
    found = gw.ok(fn(read_by_query("PODOCUMENT", "REFERENCENO = 'SC-2024-001-06'")))[0]
    assert found.findtext("data/podocument/DOCID") == key and found.findtext("data/podocument/TOTAL") == "55001.00"


def test_purchase_order_lines_are_validated_and_generic_writes_refused(gw):
    bad = PO.replace("<taskid>06-100</taskid>", "<taskid>99-000</taskid>")
    assert gw.call(fn(bad)).findtext("operation/result/status") == "failure"
    generic = "<create><PODOCUMENT><DOCPARID>Purchase Order</DOCPARID></PODOCUMENT></create>"
    result = gw.call(fn(generic)).find("operation/result")
    assert "create_potransaction" in result.findtext("errormessage/error/correction")


# -- limits and faults ---------------------------------------------------------------------------------------


def test_rate_limit_answers_gw_0010_with_429(gw, intacct_ctl):
    intacct_ctl.config(rate_limit_per_minute=2)
    gw.ok(fn(read_by_query("CLASS")))
    gw.ok(fn(read_by_query("CLASS")))
    response, root = gw.post(gw.envelope(fn(read_by_query("CLASS"))))
    assert response.status_code == 429 and errors(root)[0][0] == "GW-0010"
    intacct_ctl.advance(61)
    gw.ok(fn(read_by_query("CLASS")))
    intacct_ctl.config(rate_limit_per_minute=None)
    intacct_ctl.fault("rate_limit", method="POST", path=GATEWAY, retry_after=5)
    response, root = gw.post(gw.envelope(fn(read_by_query("CLASS"))))
    assert (response.status_code, response.headers["Retry-After"]) == (429, "5")


def test_reset_after_write_applies_the_create_then_drops_the_connection(gw, intacct_ctl):
    before = _vendor_count(intacct_ctl)
    intacct_ctl.fault("reset_after_write", method="POST", path=GATEWAY)
    with pytest.raises(requests.ConnectionError):
        gw.post(gw.envelope(fn(vendor("Lost Answer Co"))))
    assert _vendor_count(intacct_ctl) == before + 1


def test_usage_counts_functions_without_blocking(gw, intacct_ctl):
    intacct_ctl.clear_calls()
    gw.ok(fn(read_by_query("CLASS")), fn(read_by_query("DEPARTMENT")), fn(vendor("Counted Co")))
    usage = intacct_ctl.records("usage")
    assert sum(month["transactions"] for month in usage) == 3
    calls = intacct_ctl.calls()
    assert calls["POST /ia/xml/xmlgw.phtml"] == 1
    assert (calls["POST /ia/xml/xmlgw.phtml#readByQuery"], calls["POST /ia/xml/xmlgw.phtml#create"]) == (2, 1)


def test_create_of_several_objects_is_all_or_nothing(gw, intacct_ctl):
    several = (
        "<create><VENDOR><NAME>Multi One</NAME></VENDOR><VENDOR><NAME>Multi Two</NAME></VENDOR>"
        "<CLASS><CLASSID>MULTI</CLASSID><NAME>Multi class</NAME></CLASS></create>"
    )
    data = gw.ok(fn(several))[0].find("data")
    assert (data.get("listtype"), data.get("count")) == ("objects", "3")
    assert [child.tag for child in data] == ["vendor", "vendor", "class"]
    before = _vendor_count(intacct_ctl)
    broken = "<create><VENDOR><NAME>Never Stored</NAME></VENDOR><CLASS><NAME>No id</NAME></CLASS></create>"
    assert gw.call(fn(broken)).findtext("operation/result/status") == "failure"
    assert _vendor_count(intacct_ctl) == before


def test_unknown_fields_fail_unless_declared_custom(gw, intacct_ctl):
    custom = "<create><VENDOR><NAME>Custom Co</NAME><PROCORE_ID>42</PROCORE_ID></VENDOR></create>"
    result = gw.call(fn(custom)).find("operation/result")
    assert "PROCORE_ID is not a valid field" in errors(result)[0][1]
    intacct_ctl.config(custom_fields={"VENDOR": ["PROCORE_ID"]})
    gw.ok(fn(custom))


def test_read_by_query_status_codes_switch(gw, intacct_ctl):
    query = read_by_query("VENDOR", "VENDORID = 'V105'")
    assert gw.ok(fn(query))[0].findtext("data/vendor/STATUS") == "inactive"  # as the SDK's reply writes it
    intacct_ctl.config(readbyquery_codes=True)
    assert gw.ok(fn(query))[0].findtext("data/vendor/STATUS") == "F"


def test_delete_vendor_with_documents_is_refused(gw, intacct_ctl):
    records = {v["VENDORID"]: v["RECORDNO"] for v in intacct_ctl.records("VENDOR")}
    result = gw.call(fn(f"<delete><object>VENDOR</object><keys>{records['V101']}</keys></delete>"))
    assert "has transactions" in errors(result)[0][1]
    gw.ok(fn(f"<delete><object>VENDOR</object><keys>{records['V105']}</keys></delete>"))
    assert "V105" not in {v["VENDORID"] for v in intacct_ctl.records("VENDOR")}
