"""Sage Intacct over HTTP against its simulator: hardened parsing, clean text, batches, sessions, exactly once.

Every count is taken on the simulator side (its records, its call counters, its request journal).
"""

import datetime as dt
import http.server
import threading
import tracemalloc
from decimal import Decimal

import pytest
from lxml import etree

from connections import errors
from connections.models import Connection
from connections.systems.intacct import xml
from connections.systems.intacct.bills import BillWrite
from connections.systems.intacct.client import function, new_controlid
from connections.systems.intacct.errors import details_of
from sandbox.intacct import demo
from sandbox.testing import SandboxControl
from syncs.canonical import Bill, BillLine, ChangeOrder, Commitment, CommitmentLine, CostCode, Ref, Vendor
from syncs.engine import adapter_for

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

GATEWAY = "/ia/xml/xmlgw.phtml"
SESSION_CALL = f"POST {GATEWAY}#getAPISession"


@pytest.fixture
def sim(sandbox):
    control = SandboxControl(sandbox.base_url, "intacct")
    control.reset()
    control.seed(preset="demo")
    return control


@pytest.fixture
def connection(sim, sandbox, tenant_a):
    return SYSTEMS["intacct"].connection(tenant_a, sandbox.base_url)


def fresh(connection):
    return adapter_for(Connection.objects.get(pk=connection.pk))


def bill(number: str, amount: str = "1250.00", department: str = "OPS", vendor: str = "V101") -> Bill:
    dims = {"location": "100", "department": department, "project": "2024-001", "task": "03-300",
            "cost_type": "S", "class": "COMM"}  # fmt: skip
    return Bill(
        native_id=f"requisition:{number}",
        vendor=Ref("5200000201", name="Apex Concrete Inc.", destination_id=vendor),
        number=number,
        date=dt.date(2026, 11, 2),
        due_date=dt.date(2026, 12, 2),
        currency="USD",
        lines=[BillLine(Decimal(amount), "Foundations", account="5000", dimensions=dict(dims))],
        description=f"Pay app {number}",
    )


def bills_numbered(sim, number: str) -> list[dict]:
    return [row for row in sim.records("APBILL") if row.get("RECORDID") == number]


# --- the parser refuses external entities and entity bombs ------------------------------------------------------
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE response [<!ENTITY secret SYSTEM "file://{path}">]>'
    b"<response><control><status>success</status></control><x>&secret;</x></response>"
)
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode() for n in range(1, 10)
    )
    + b"]><response><control><status>success</status></control><x>&lol9;</x></response>"
)


def test_the_parser_refuses_external_entities_and_bombs_before_reading_them(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xxe = XXE.replace(b"{path}", str(secret).encode())
    tracemalloc.start()
    for body in (xxe, BOMB, BOMB.replace(b"DOCTYPE", b"doctype")):
        with pytest.raises(xml.UnsafeXml) as caught:
            xml.parse(body)
        assert "TOP-SECRET" not in str(caught.value)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2_000_000  # a billion "lol"s expanded would take gigabytes

    # Even without the declaration check, the parser itself neither reads the file nor expands the bomb.
    root = etree.fromstring(xxe, xml.parser())
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")
    tracemalloc.start()
    try:
        root = etree.fromstring(BOMB, xml.parser())
    except etree.XMLSyntaxError as exc:  # libxml2 stops at its amplification limit
        assert "amplification" in str(exc) or "entity" in str(exc).lower()
    else:
        assert len(etree.tostring(root)) < 10_000  # the references stay unexpanded
    assert tracemalloc.get_traced_memory()[1] < 5_000_000
    tracemalloc.stop()


@pytest.fixture
def hostile_gateway():
    """A server answering every POST with a body the test sets: an attacker in the middle, or a broken proxy."""
    state = {"body": b""}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(state["body"])))
            self.end_headers()
            self.wfile.write(state["body"])

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()


@pytest.mark.parametrize("kind", ["external_entity", "entity_bomb"])
def test_an_answer_with_an_entity_declaration_is_refused_over_http(hostile_gateway, tenant_a, tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    hostile_gateway["body"] = XXE.replace(b"{path}", str(secret).encode()) if kind == "external_entity" else BOMB
    connection = SYSTEMS["intacct"].connection(tenant_a, hostile_gateway["url"])
    tracemalloc.start()
    with pytest.raises(errors.ApiError) as caught:
        list(fresh(connection).reference("account"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "DOCTYPE" in str(caught.value) and "TOP-SECRET" not in str(caught.value)
    assert peak < 20_000_000
    check = fresh(connection).check()
    assert not check.ok and "TOP-SECRET" not in check.message


# --- text values ----------------------------------------------------------------------------------------------
def test_a_vendor_name_with_control_characters_posts_cleanly_and_says_so(connection, sim):
    adapter = fresh(connection)
    record = Vendor(native_id="5200009077", name="Acme\x01 Drywall\x0b Inc.\x1f", email="ap@acme.example")
    assert adapter.find("vendor", record, "vendor-key") is None
    written = adapter.write("vendor", record, "vendor-key", None)
    stored = next(v for v in sim.records("VENDOR") if v["VENDORID"] == written.destination_id)
    assert stored["NAME"] == "Acme Drywall Inc."
    assert "VENDOR.NAME: removed 3 character(s) XML 1.0 forbids" in written.response["stripped"]
    assert "\x01" not in written.sent["xml"]
    assert fresh(connection).find("vendor", record, "vendor-key") == written.destination_id


# --- several bills per request ----------------------------------------------------------------------------------
def test_one_refused_bill_among_five_leaves_the_others_posted_and_only_it_is_retried(connection, sim):
    adapter = fresh(connection)
    items = [BillWrite(bill(f"BATCH-{n}"), f"key-{n}") for n in range(5)]
    items[2] = BillWrite(bill("BATCH-2", department="EST"), "key-2")  # an inactive department
    assert adapter.find_bills(items) == [None] * 5
    sim.clear_journal()
    outcomes = adapter.write_bills(items)
    requests = [entry["body"] for entry in sim.journal()]
    assert requests[0].count("<create>") == 5  # five functions, one request (then one look-up of the refused one)
    assert len(requests) == 2 and "<create>" not in requests[1]
    failed = outcomes[2]
    assert isinstance(failed, errors.ValidationFailed) and failed.meaning == "inactive_dimension"
    assert details_of(failed)[0]["errorno"] and "EST" in details_of(failed)[0]["description2"]
    assert "inactive in Intacct" in str(failed)
    posted = [o for i, o in enumerate(outcomes) if i != 2]
    assert all(o.created and o.destination_id for o in posted)
    assert [len(bills_numbered(sim, f"BATCH-{n}")) for n in range(5)] == [1, 1, 0, 1, 1]

    sim.clear_journal()
    retried = adapter.write_bills([BillWrite(bill("BATCH-2"), "key-2")])  # the mapping was fixed
    assert retried[0].created and len(bills_numbered(sim, "BATCH-2")) == 1
    (entry,) = sim.journal()
    assert entry["body"].count("<function ") == 1 and "BATCH-2" in entry["body"]

    again = fresh(connection).write_bills([BillWrite(bill(f"BATCH-{n}"), f"key-{n}") for n in range(5)])
    assert all(o.response.get("reconciled") for o in again)  # a replay of the whole batch creates nothing
    assert [len(bills_numbered(sim, f"BATCH-{n}")) for n in range(5)] == [1] * 5
    lines = bills_numbered(sim, "BATCH-0")[0]["APBILLITEMS"]
    assert lines[0]["ACCOUNTNO"] == "5000" and lines[0]["TASKID"] == "03-300" and lines[0]["COSTTYPEID"] == "S"
    assert lines[0]["VENDORID"] == "V101" and lines[0]["CLASSID"] == "COMM" and lines[0]["LOCATIONID"] == "100"


# --- sessions ---------------------------------------------------------------------------------------------------
def test_a_session_expired_mid_run_is_renewed_once(connection, sim):
    adapter = fresh(connection)
    assert list(adapter.reference("department"))
    assert sim.calls().get(SESSION_CALL) == 1
    stored = Connection.objects.get(pk=connection.pk)
    session = stored.token_state["access_token"]
    assert stored.token_state["companyid"] == demo.COMPANY_ID and stored.token_expires_at
    sim.advance(86400 + 60)  # the gateway's session is now expired; ours does not know yet
    assert list(adapter.reference("class"))  # the same run goes on
    assert list(adapter.reference("location"))
    assert sim.calls().get(SESSION_CALL) == 2
    assert Connection.objects.get(pk=connection.pk).token_state["access_token"] != session


def test_a_session_near_its_timeout_is_renewed_before_it_is_used(connection, sim):
    adapter = fresh(connection)
    assert list(adapter.reference("class"))
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)  # inside the refresh margin
    Connection.objects.filter(pk=connection.pk).update(token_expires_at=soon)
    sim.clear_journal()
    assert list(adapter.reference("class"))
    bodies = [entry["body"] for entry in sim.journal()]
    assert sim.calls().get(SESSION_CALL) == 2 and "<getAPISession" in bodies[0]
    assert "Sign-in" not in str(bodies)  # renewed first, never refused


def test_the_session_is_stored_encrypted(connection, sim):
    from django.db import connection as db

    fresh(connection).reference("account").__next__()
    session = Connection.objects.get(pk=connection.pk).token_state["access_token"]
    with db.cursor() as cursor:
        cursor.execute("SELECT token_state FROM connections_connection WHERE id = %s", [connection.pk])
        (raw,) = cursor.fetchone()
    assert session and session not in str(raw)


# --- exactly once -----------------------------------------------------------------------------------------------
def test_a_create_replayed_after_a_lost_answer_makes_one_bill(connection, sim):
    adapter = fresh(connection)
    record = bill("LOST-1")
    assert adapter.find("bill", record, "lost-key") is None  # the session is open: the next POST is the create
    sim.fault("reset_after_write", method="POST", path=GATEWAY, times=1)
    with pytest.raises(errors.OutcomeUnknown):
        adapter.write("bill", record, "lost-key", None)
    assert len(bills_numbered(sim, "LOST-1")) == 1  # applied, answer lost

    replay = fresh(connection)  # the next attempt looks first
    found = replay.find("bill", record, "lost-key")
    assert found == bills_numbered(sim, "LOST-1")[0]["RECORDNO"]
    blind = replay.write("bill", record, "lost-key", None)  # and even a blind repeat creates nothing
    assert blind.destination_id == found and "reconciled" in blind.response
    assert len(bills_numbered(sim, "LOST-1")) == 1

    updated = replay.write("bill", bill("LOST-1", amount="1300.00"), "lost-key", found)
    assert not updated.created and updated.destination_id == found
    assert bills_numbered(sim, "LOST-1")[0]["TOTALENTERED"] == "1300.00"


def test_a_same_numbered_bill_we_did_not_write_is_a_conflict(connection, sim):
    record = bill("APX-2024-031")  # in the demo company already, keyed in by a clerk
    with pytest.raises(errors.Conflict):
        fresh(connection).find("bill", record, "k")


def test_a_net_credit_is_refused_clearly_before_any_call(connection, sim):
    sim.clear_journal()
    with pytest.raises(errors.ValidationFailed, match="AP adjustment"):
        fresh(connection).write("bill", bill("CR-1", amount="-50.00"), "k", None)
    assert sim.journal() == []


def test_a_closed_period_is_explained(connection, sim):
    sim.config(closed_through="12/31/2026")
    with pytest.raises(errors.ValidationFailed) as caught:
        fresh(connection).write("bill", bill("CLOSED-1"), "closed-key", None)
    assert caught.value.meaning == "closed_period" and caught.value.details[0].number
    assert "closed in Intacct" in str(caught.value)


# --- commitments ------------------------------------------------------------------------------------------------
def commitment(change_orders=()) -> Commitment:
    dims = {"location": "100", "department": "OPS", "project": "2024-001", "task": "03-300", "cost_type": "S"}
    return Commitment(
        native_id="purchase_order_contract:5100000101:777",
        vendor=Ref("5200000205", name="Granite Supply Co.", destination_id="V104"),
        number="PO-777",
        title="Anchor bolts",
        currency="USD",
        status="Approved",
        lines=[CommitmentLine(Decimal("1200.00"), "Anchor bolts", account="5100", dimensions=dims)],
        change_orders=list(change_orders),
        date=dt.date(2026, 11, 1),
        kind="purchase_order",
    )


def test_a_change_order_amends_the_same_purchase_order(connection, sim):
    adapter = fresh(connection)
    assert adapter.find("commitment", commitment(), "po-key") is None
    created = adapter.write("commitment", commitment(), "po-key", None)
    assert created.destination_id.startswith("Purchase Order-") and created.response["TOTAL"] == "1200.00"
    assert fresh(connection).find("commitment", commitment(), "po-key") == created.destination_id
    amended = commitment([ChangeOrder("9001", "1", Decimal("300.00"), "approved", "More bolts")])
    for _ in range(2):  # the same amendment twice rewrites the same lines
        updated = fresh(connection).write("commitment", amended, "po-key", created.destination_id)
    assert updated.destination_id == created.destination_id and updated.response["TOTAL"] == "1500.00"
    docs = [d for d in sim.records("PODOCUMENT") if d.get("REFERENCENO") == "PO-777"]
    assert len(docs) == 1 and len(docs[0]["PODOCUMENTENTRIES"]) == 2
    assert SYSTEMS["intacct"].creates_made(sim, "commitment") == 1
    with pytest.raises(errors.Conflict):
        fresh(connection).find("commitment", commitment(), "another-key")


# --- payment status ---------------------------------------------------------------------------------------------
def test_payment_status_is_read_per_bill_with_the_payments_applied(connection, sim):
    adapter = fresh(connection)
    first = {item.raw["RECORDID"]: item for item in adapter.changed("payment_status", None, "")}
    paid, unpaid = first["BLE-1107"], first["GS-88213"]
    assert paid.record.status == "paid" and paid.record.balance == 0
    assert [p.amount for p in paid.record.payments] == [Decimal("22500.00")]
    assert unpaid.record.status == "open" and unpaid.record.payments == []

    payment = (
        f"<create><APPYMT><FINANCIALENTITY>{demo.BANK}</FINANCIALENTITY><PAYMENTMETHOD>EFT</PAYMENTMETHOD>"
        f"<VENDORID>V104</VENDORID><PAYMENTDATE>11/20/2026</PAYMENTDATE><APPYMTDETAILS><APPYMTDETAIL>"
        f"<RECORDKEY>{unpaid.native_id}</RECORDKEY><TRX_PAYMENTAMOUNT>2000.00</TRX_PAYMENTAMOUNT></APPYMTDETAIL>"
        "</APPYMTDETAILS></APPYMT></create>"
    )
    adapter.client.one(etree.fromstring(payment))  # a clerk pays part of the bill in Intacct
    now = fresh(connection).get("payment_status", unpaid.native_id)
    assert now.record.status == "partly_paid" and now.record.paid == Decimal("2000.00")
    assert len(now.record.payments) == 1 and now.version != unpaid.version
    again = {i.native_id: i.version for i in fresh(connection).changed("payment_status", None, "")}
    assert again[paid.native_id] == paid.version  # unchanged: same version


# --- reference data for the mapping grid -----------------------------------------------------------------------
def test_accounts_and_dimensions_are_listed_with_their_state_and_parents(connection):
    adapter = fresh(connection)
    accounts = {i.code: i for i in adapter.reference("account")}
    assert accounts["5000"].name == "Subcontract Costs" and not accounts["5900"].active
    departments = {i.code: i.active for i in adapter.reference("department")}
    assert departments == {"OPS": True, "PM": True, "EST": False}
    tasks = {i.native_id: i for i in adapter.reference("task")}
    assert tasks["2024-001/03-300"].parent == "2024-001"
    cost_types = {i.native_id for i in adapter.reference("cost_type")}
    assert "2024-001/03-300/S" in cost_types
    assert adapter.reference_kinds >= {"account", "location", "department", "project", "task", "cost_type",
                                       "class", "vendor"}  # fmt: skip


# --- test connection --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "secrets", "verbatim", "hint"),
    [
        ({}, {}, None, None),
        ({}, {"sender_password": "wrong"}, "Sign-in information is incorrect", "sender ID and sender password"),
        ({}, {"user_password": "wrong"}, "Sign-in information is incorrect", "user ID, its password"),
        ({"sender_id": demo.OTHER_SENDER_ID}, {"sender_password": demo.OTHER_SENDER_PASSWORD},
         "is not authorized to make Web Services requests", "Web Services authorizations"),
    ],
)  # fmt: skip
def test_check_names_company_and_user_or_quotes_intacct_with_a_hint(
    sandbox, sim, tenant_a, settings, secrets, verbatim, hint
):
    connection = SYSTEMS["intacct"].connection(tenant_a, sandbox.base_url, **secrets)
    connection.settings.update(settings)
    connection.save()
    result = fresh(connection).check()
    if verbatim is None:
        assert result.ok and demo.COMPANY_ID in result.message and demo.USER_ID in result.message
        assert "GL accounts visible" in result.message
        return
    assert not result.ok and verbatim in result.message and hint in result.message
    assert demo.SENDER_PASSWORD not in result.message and "wrong" not in result.message


# --- every request is a published envelope ----------------------------------------------------------------------
CONTROL = ["senderid", "password", "controlid", "uniqueid", "dtdversion", "includewhitespace"]


def envelope_problems(body: str) -> list[str]:
    root = etree.fromstring(body.encode(), xml.parser())
    problems = []
    if root.tag != "request" or [k.tag for k in root] != ["control", "operation"]:
        problems.append(f"not request(control, operation): {[k.tag for k in root]}")
    if [k.tag for k in root.find("control")] != CONTROL or root.findtext("control/dtdversion") != "3.0":
        problems.append(f"control block: {[k.tag for k in root.find('control')]}")
    operation = root.find("operation")
    if [k.tag for k in operation] != ["authentication", "content"]:
        problems.append("operation(authentication, content)")
    auth = [k.tag for k in operation.find("authentication")]
    if auth not in (["sessionid"], ["login"]):
        problems.append(f"authentication: {auth}")
    functions = operation.find("content")
    if not len(functions) or any(f.tag != "function" or not f.get("controlid") or len(f) != 1 for f in functions):
        problems.append("content must hold functions, each with a control id and one element")
    if auth == ["login"] and [f[0].tag for f in functions] != ["getAPISession"]:
        problems.append("a login request carries getAPISession alone")
    return problems


def test_every_request_sent_is_a_published_envelope(connection, sim):
    adapter = fresh(connection)
    sim.clear_journal()
    vendor = Vendor(native_id="5200009088", name="Envelope Co")
    adapter.write("vendor", vendor, "k", adapter.find("vendor", vendor, "k"))
    adapter.write_bills([BillWrite(bill("ENV-1"), "k1"), BillWrite(bill("ENV-2"), "k2")])
    adapter.write("commitment", commitment(), "k", adapter.find("commitment", commitment(), "k"))
    list(adapter.changed("vendor", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ""))
    list(adapter.changed("payment_status", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ""))
    journal = sim.journal()
    assert journal and all(entry["method"] == "POST" and entry["path"] == GATEWAY for entry in journal)
    assert {entry["body"][:200]: envelope_problems(entry["body"]) for entry in journal} == {
        entry["body"][:200]: [] for entry in journal
    }
    creates = [e["body"] for e in journal if "<create>" in e["body"] or "<create_potransaction>" in e["body"]]
    assert creates and all("<uniqueid>true</uniqueid>" in body for body in creates)


# --- task codes and cost types as one list each, for the mirrors back to Procore --------------------------------
def rename(connection, sim, obj: str, id_field: str, native_id: str, name: str, projects: list[str]) -> None:
    """Rename the rows of one id in the given projects through the gateway, as a person in Intacct would."""
    nodes = []
    for row in sim.records(obj):
        if row[id_field] == native_id and row["PROJECTID"] in projects:
            update = etree.Element("update")
            update.append(xml.Builder().element(obj, {"RECORDNO": row["RECORDNO"], "NAME": name}))
            nodes.append(function(new_controlid("rename"), update))
    assert nodes and all(r.ok for r in fresh(connection).client.execute(nodes, idempotent=False))


def test_task_codes_are_one_list_across_projects_with_versions_that_move_only_on_change(connection, sim):
    sim.seed(
        {
            "PROJECT": [{"PROJECTID": "2019-003", "NAME": "Old Mill Lofts", "PROJECTCATEGORY": "Contract",
                         "PROJECTSTATUS": "Completed", "LOCATIONID": "100", "STATUS": "inactive"}],
            "TASK": [{"TASKID": "02-410", "NAME": "Selective Demolition", "PROJECTID": "2019-003",
                      "TASKSTATUS": "Completed", "STATUS": "active"}],
        }
    )  # fmt: skip
    items = {i.native_id: i for i in fresh(connection).changed("cost_code", None, "")}
    assert set(items) == {code for code, _ in demo.TASKS} | {"02-410"}  # one per code, not one per project
    assert items["03-300"].record == CostCode("03-300", "03-300", "Cast-in-Place Concrete", active=True)
    assert not items["02-410"].record.active  # only on an inactive project: listed, never to be created
    assert all(i.modified_at for i in items.values())
    again = {i.native_id: i.version for i in fresh(connection).changed("cost_code", None, "")}
    assert again == {k: i.version for k, i in items.items()}
    assert fresh(connection).get("cost_code", "03-310").version == items["03-310"].version

    # renamed in one of the three projects: the other two still name it, nothing moves
    rename(connection, sim, "TASK", "TASKID", "03-310", "Concrete Forming", ["2024-001"])
    assert fresh(connection).get("cost_code", "03-310").version == items["03-310"].version
    # renamed in a second one: the new name is what most projects say now
    rename(connection, sim, "TASK", "TASKID", "03-310", "Concrete Forming", ["2024-002"])
    renamed = fresh(connection).get("cost_code", "03-310")
    assert renamed.record.name == "Concrete Forming" and renamed.version != items["03-310"].version
    with pytest.raises(errors.NotFound):
        fresh(connection).get("cost_code", "99-999")


def test_cost_types_are_one_list_and_an_unchanged_company_is_checked_in_one_request(connection, sim):
    adapter = fresh(connection)
    kinds = {i.native_id: i.record for i in adapter.changed("cost_type", None, "")}
    assert {k: (r.code, r.name, r.active) for k, r in kinds.items()} == {
        cid: (cid, name, True) for cid, name in demo.COST_TYPES
    }
    rename(connection, sim, "COSTTYPE", "COSTTYPEID", "E", "Equipment Rental", ["2024-001", "2024-002", "2021-014"])
    assert fresh(connection).get("cost_type", "E").record.name == "Equipment Rental"

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)  # nothing can have changed since then
    sim.clear_journal()
    assert list(fresh(connection).changed("cost_type", later, "")) == []
    assert list(fresh(connection).changed("cost_code", later, "")) == []
    assert len(sim.journal()) == 2  # one request each: has any row or project changed?
    with pytest.raises(errors.Permanent):
        fresh(connection).write("cost_type", kinds["E"], "k", None)  # read only: Procore is where they are written
