"""One request through the gateway: control, authentication, then each function.

The three error levels are answered where the vendor answers them (developer.intacct.com error
handling; SDK response tests):

- control: malformed XML, a missing control element, a bad dtdversion (``XL03000003``, HTTP 200) and bad
  sender credentials (``XMLGW_JPP0002``, HTTP 401, control holding only ``status``); nothing runs;
- authentication: bad login, unknown or expired session, sender not authorised for the company
  (``XL03000006``); ``<errormessage>`` under ``<operation>``, no ``<result>``; nothing runs;
- function: each ``<result>`` carries its own ``<errormessage>``; under ``transaction="true"`` the first
  failure rolls everything back and the other functions answer ``aborted`` with ``XL03000009``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from ..core.http import Response
from . import crud, purchasing, queries
from .context import Call, Outcome
from .errors import (
    INVALID_REQUEST,
    ROLLED_BACK,
    ROLLED_BACK_TEXT,
    SENDER_LOGIN,
    Error,
    IntacctError,
    business,
    fail,
    gateway,
    parse_error,
)
from .objects import SPECS
from .records import find
from .sessions import Identity, check_login, check_sender, iso, not_authorised, sender_may_use, sign_in_failure
from .xmlio import children, serialize, sub, text

GATEWAY_PATH = "/ia/xml/xmlgw.phtml"
CONTENT_TYPE = "text/xml; charset=UTF-8"
SENDER_TEXT = "Sign-in information is incorrect. Please check your request."


def api_session(call: Call, element: etree._Element) -> Outcome:
    """getAPISession: a session for the caller, optionally for another entity (empty = top level)."""
    wanted = element.find("locationid")
    location = call.identity.locationid if wanted is None else (wanted.text or "").strip()
    if location and find(call.store, SPECS["LOCATION"], location) is None:
        raise business(f"Invalid entity '{location}'.", "Give the id of an entity of the company.")
    identity = Identity(call.identity.userid, call.identity.companyid, location)
    session = call.sessions.open(identity, call.epoch, call.config["session_duration"])
    holder = etree.Element("data")
    api = sub(holder, "api")
    sub(api, "sessionid", session.sessionid)
    sub(api, "endpoint", call.base_url + GATEWAY_PATH)
    sub(api, "locationid", session.locationid)
    return Outcome(data=holder)


FUNCTIONS = {
    "getAPISession": api_session,
    "create": crud.create,
    "update": crud.update,
    "delete": crud.delete,
    "read": crud.read,
    "readByName": crud.read_by_name,
    "readByQuery": queries.read_by_query,
    "readMore": queries.read_more,
    "query": queries.query,
    "create_potransaction": purchasing.create,
    "update_potransaction": purchasing.update,
    "delete_potransaction": purchasing.delete,
}
WRITES = {"create", "update", "delete", "create_potransaction", "update_potransaction", "delete_potransaction"}


@dataclass
class Control:
    senderid: str = ""
    controlid: str = ""
    uniqueid: str = "true"  # the documented default
    dtdversion: str = ""
    pretty: bool = False


@dataclass
class Function:
    name: str
    controlid: str
    element: etree._Element


@dataclass
class Result:
    function: Function
    status: str
    outcome: Outcome | None = None
    errors: list[Error] | None = None


def answer(root: etree._Element, pretty: bool = False, status: int = 200) -> Response:
    return Response(status, serialize(root, pretty), [("Content-Type", CONTENT_TYPE)])


def control_failure(error: IntacctError, control: Control | None) -> Response:
    """A control-level failure: <errormessage> next to <control>; gateway errors keep only <status>."""
    root = etree.Element("response")
    block = sub(root, "control")
    sub(block, "status", "failure")
    if control is not None:
        _echo(block, control)
    error.write(root)
    return answer(root, control.pretty if control else False, error.http_status)


def _echo(block: etree._Element, control: Control) -> None:
    sub(block, "senderid", control.senderid)
    sub(block, "controlid", control.controlid)
    sub(block, "uniqueid", control.uniqueid)
    sub(block, "dtdversion", "3.0")  # the version the gateway answers in, whatever was asked


def read_control(root: etree._Element) -> Control:
    """What the control block says, as far as it can be read (echoed back even on failure)."""
    control = Control()
    if root.tag != "request":
        raise parse_error(f"Element '{root.tag}': expected 'request'")
    block = root.find("control")
    if block is None:
        raise parse_error("Element 'request': missing child element 'control'")
    control.senderid = text(block, "senderid", "")
    control.controlid = text(block, "controlid", "")
    control.uniqueid = (text(block, "uniqueid") or "true").lower()
    control.dtdversion = text(block, "dtdversion", "")
    control.pretty = (text(block, "includewhitespace") or "false").lower() == "true"
    return control


def check_control(control: Control, root: etree._Element) -> etree._Element:
    """The operation element; a structural problem is an XL03000003 on the control level."""
    block = root.find("control")
    for name in ("senderid", "password", "controlid", "dtdversion"):
        if block.find(name) is None:
            raise parse_error(f"Element 'control': missing child element '{name}'")
    if control.dtdversion != "3.0":
        raise parse_error(f"dtdversion '{control.dtdversion}' is not valid; this gateway speaks 3.0")
    if control.uniqueid not in ("true", "false"):
        raise parse_error(f"uniqueid '{control.uniqueid}' is not valid; use true or false")
    operation = root.find("operation")
    if operation is None:
        raise parse_error("Element 'request': missing child element 'operation'")
    return operation


def read_functions(operation: etree._Element) -> list[Function]:
    content = operation.find("content")
    if content is None or not children(content):
        raise parse_error("Element 'content': one or more 'function' elements expected")
    functions = []
    for element in children(content):
        inner = children(element)
        controlid = element.get("controlid", "")
        if element.tag != "function" or len(inner) != 1:
            raise parse_error(f"Element '{element.tag}': expected one 'function' holding exactly one function")
        if not 1 <= len(controlid) <= 256:
            raise parse_error("Element 'function': attribute 'controlid' is required (1 to 256 characters)")
        if inner[0].tag not in FUNCTIONS:
            raise parse_error(f"Element '{inner[0].tag}': this element is not expected in 'function'")
        functions.append(Function(inner[0].tag, controlid, inner[0]))
    return functions


def check_sender_block(sim, control: Control, root: etree._Element) -> dict:
    password = text(root.find("control"), "password", "")
    sender = check_sender(sim.store, control.senderid, password)
    if sender is None:
        raise gateway(SENDER_LOGIN, SENDER_TEXT, sim.config["sender_failure_http_status"])
    return sender


def authenticate(sim, sender: dict, senderid: str, operation: etree._Element) -> Identity:
    """The caller's identity, from a login or a live session; IntacctError (auth level) otherwise."""
    block = operation.find("authentication")
    if block is None:
        raise parse_error("Element 'operation': missing child element 'authentication'")
    now, duration = sim.clock.time(), sim.config["session_duration"]
    sessionid = text(block, "sessionid")
    if sessionid is not None:
        session = sim.sessions.use(sessionid, now, duration, sim.config["session_sliding"])
        if not sender_may_use(sender, session.companyid):
            raise not_authorised(senderid, session.companyid)
        return Identity(session.userid, session.companyid, session.locationid, session)
    login = block.find("login")
    if login is None:
        raise parse_error("Element 'authentication': expected 'login' or 'sessionid'")
    identity = Identity(text(login, "userid", ""), text(login, "companyid", ""), text(login, "locationid", ""))
    if not sender_may_use(sender, identity.companyid):
        raise not_authorised(senderid, identity.companyid)
    if check_login(sim.store, identity.userid, identity.companyid, text(login, "password", "")) is None:
        raise sign_in_failure()
    identity.session = sim.sessions.open(identity, now, duration)
    return identity


def auth_block(parent: etree._Element, identity: Identity, status: str, zone: str, now: float) -> None:
    block = sub(parent, "authentication")
    sub(block, "status", status)
    sub(block, "userid", identity.userid)
    sub(block, "companyid", identity.companyid)
    sub(block, "locationid", identity.locationid)
    if status == "success":
        sub(block, "sessiontimestamp", iso(now, zone))
        sub(block, "sessiontimeout", iso(identity.session.expires, zone))


def result_block(parent: etree._Element, result: Result) -> None:
    block = sub(parent, "result")
    sub(block, "status", result.status)
    sub(block, "function", result.function.name)
    sub(block, "controlid", result.function.controlid)
    if result.errors:
        IntacctError(result.errors).write(block)
    elif result.outcome is not None and result.outcome.key is not None:
        sub(block, "key", result.outcome.key)
    elif result.outcome is not None and result.outcome.data is not None:
        block.append(copy.deepcopy(result.outcome.data))


def rolled_back() -> Error:
    return Error(ROLLED_BACK, "", ROLLED_BACK_TEXT, "")


def invalid_request() -> IntacctError:
    return gateway(INVALID_REQUEST, "Invalid Request", 400)


def not_alone() -> IntacctError:
    return fail("BL01001973", "getAPISession must be the only function in its request.", "Send it on its own.")
