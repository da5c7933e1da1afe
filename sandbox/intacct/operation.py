"""Running a request: the order of the checks, uniqueid bookkeeping and transactions.

Order (developer.intacct.com error handling): the XML is validated first (well-formed, the elements the
DTD requires, known functions), then the sender, then the authentication, then the functions.

``uniqueid=true``: the gateway "checks each function controlid to see whether that operation was already
executed and completed" (facts B5). Completed controlids are kept per company; what a repeat gets back is
unconfirmed, hence the ``duplicate_function`` switch (reject / replay / execute).
"""

from __future__ import annotations

from lxml import etree

from ..core.http import Request, Response
from .context import Call
from .errors import PARSE, Error, IntacctError
from .gateway import (
    FUNCTIONS,
    GATEWAY_PATH,
    WRITES,
    Control,
    Function,
    Result,
    answer,
    auth_block,
    authenticate,
    check_control,
    check_sender_block,
    control_failure,
    invalid_request,
    not_alone,
    read_control,
    read_functions,
    result_block,
    rolled_back,
)
from .sessions import Identity
from .xmlio import parse_request, sub, text


def handle(sim, request: Request) -> Response:
    """Answer one gateway request (any business error is HTTP 200 with an errormessage)."""
    if request.method != "POST":  # GET has been blocked since January 2023
        return control_failure(invalid_request(), None)
    control = None
    try:
        root = parse_request(request.body)
        control = read_control(root)
        operation = check_control(control, root)
        functions = read_functions(operation)
        for function in functions:  # per function, so a test can count creates: "POST /ia/xml/xmlgw.phtml#create"
            sim.calls.count("POST", f"{GATEWAY_PATH}#{function.name}")
        sender = check_sender_block(sim, control, root)
    except IntacctError as error:
        gateway_level = error.errors[0].description2 is None
        return control_failure(error, None if gateway_level else control or Control(uniqueid="false"))
    return _operation(sim, request, control, operation, functions, sender)


def _operation(sim, request: Request, control: Control, operation, functions: list[Function], sender) -> Response:
    root = etree.Element("response")
    block = sub(root, "control")
    sub(block, "status", "success")
    for name in ("senderid", "controlid", "uniqueid"):
        sub(block, name, getattr(control, name))
    sub(block, "dtdversion", control.dtdversion)
    body = sub(root, "operation")
    zone, now = sim.config["session_zone"], sim.clock.time()
    try:
        identity = authenticate(sim, sender, control.senderid, operation)
    except IntacctError as error:
        if error.errors[0].errorno == PARSE:
            return control_failure(error, control)
        auth_block(body, _claimed(operation), "failure", zone, now)
        error.write(body)
        return answer(root, control.pretty)
    call = Call(sim.store, sim.config, sim.clock.now(), now, identity, sim.sessions, sim.result_sets,
                request.base_url)  # fmt: skip
    transaction = operation.get("transaction", "false").lower() == "true"
    results = run(sim, call, functions, transaction, control.uniqueid == "true")
    auth_block(body, identity, "success", zone, now)
    for result in results:
        result_block(body, result)
    sim.count_usage(len(functions))
    return answer(root, control.pretty)


def _claimed(operation: etree._Element) -> Identity:
    """Who a failed login claimed to be (a failed session names nobody)."""
    login = operation.find("authentication/login")
    if login is None:
        return Identity("", "", "")
    return Identity(text(login, "userid", ""), text(login, "companyid", ""), text(login, "locationid", ""))


def run(sim, call: Call, functions: list[Function], transaction: bool, unique: bool) -> list[Result]:
    start = sim.store.snapshot() if transaction else None
    results: list[Result] = []
    for index, function in enumerate(functions):
        result = _run_one(sim, call, function, unique, len(functions) > 1, transaction)
        results.append(result)
        if transaction and result.status == "failure":
            sim.store.restore(start)
            return _abort(results, functions[index + 1 :], sim.config["transaction_failed_status"])
    if transaction and unique:
        done = sim.completed.setdefault(call.identity.companyid.lower(), {})
        done.update({r.function.controlid: r.outcome for r in results})
    return results


def _run_one(sim, call: Call, function: Function, unique: bool, crowded: bool, transaction: bool) -> Result:
    if function.name == "getAPISession" and crowded:
        return Result(function, "failure", errors=not_alone().errors)
    done = sim.completed.setdefault(call.identity.companyid.lower(), {})
    if unique and function.controlid in done:
        mode = sim.config["duplicate_function"]
        if mode == "replay":
            return Result(function, "success", outcome=done[function.controlid])
        if mode == "reject":
            return Result(function, "failure", errors=[_duplicate(sim.config, function.controlid)])
    snapshot = sim.store.snapshot() if function.name in WRITES and not transaction else None
    call.controlid = function.controlid
    try:
        outcome = FUNCTIONS[function.name](call, function.element)
    except IntacctError as error:
        if snapshot is not None:
            sim.store.restore(snapshot)
        return Result(function, "failure", errors=list(error.errors))
    if unique and not transaction:
        done[function.controlid] = outcome
    return Result(function, "success", outcome=outcome)


def _duplicate(config: dict, controlid: str) -> Error:
    spec = config["duplicate_function_error"]
    return Error(
        spec["errorno"],
        spec.get("description", ""),
        spec["description2"].format(controlid=controlid),
        spec.get("correction", ""),
    )


def _abort(results: list[Result], rest: list[Function], failed_status: str) -> list[Result]:
    """Roll-back answers: the failed function keeps its errors plus XL03000009, the others are aborted."""
    failed = results[-1]
    failed.status = failed_status
    failed.errors = [*failed.errors, rolled_back()]
    for result in results[:-1]:
        result.status, result.outcome, result.errors = "aborted", None, [rolled_back()]
    return results + [Result(function, "aborted", errors=[rolled_back()]) for function in rest]
