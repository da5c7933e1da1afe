"""Every end-to-end test here also proves our clients send only documented requests.

After each test, the requests the Procore, Acumatica and Procurify simulators received (their journals) are checked
against the vendors' published contracts: documented path and method, documented query parameters, a body that
matches the request schema. Token endpoints live outside the API contracts (except Procurify's, which its spec
documents) and are left to the simulators' own checks. Sage
Intacct publishes envelopes rather than a schema per call: every answer our client parsed is checked against the
published envelope structure, and every request must have gone to the documented gateway.
"""

import datetime as dt

import pytest

from sandbox.testing import SandboxControl
from tests.conformance.framework import Contract, check_request
from tests.conformance.intacct import EnvelopeContract

#: system -> path prefixes that are not part of its published API contract (identity and token hosts)
OUTSIDE_CONTRACT = {"procore": ("/oauth/",), "acumatica": ("/identity/",), "procurify": ()}


@pytest.fixture(scope="session")
def contracts():
    return {system: Contract.load(system) for system in OUTSIDE_CONTRACT}


@pytest.fixture(autouse=True)
def only_documented_requests(request, contracts):
    yield
    problems = []
    for system, fixture in (("procore", "procore_sim"), ("acumatica", "acumatica_sim"), ("procurify", "procurify_sim")):
        sim = request.node.funcargs.get(fixture)
        if sim is None:
            continue
        for entry in sim.journal():
            if entry.get("host") == "login" or entry["path"].startswith(OUTSIDE_CONTRACT[system]):
                continue
            found = check_request(contracts[system], entry["method"], entry["path"], entry["query"], entry["body"])
            problems += [f"{system}: {entry['method']} {entry['path']}: {problem}" for problem in found]
    assert not sorted(set(problems)), "requests outside the published contract:\n" + "\n".join(sorted(set(problems)))


@pytest.fixture
def intacct_sim(sandbox):
    control = SandboxControl(sandbox.base_url, "intacct")
    control.reset()
    control.seed(preset="demo")
    return control


@pytest.fixture(autouse=True)
def intacct_answers_follow_the_published_envelopes(request, monkeypatch):
    from connections.systems.intacct import client

    answers, parse = [], client.read_answer

    def recording(content):
        answers.append(content)
        return parse(content)

    monkeypatch.setattr(client, "read_answer", recording)
    yield
    sim = request.node.funcargs.get("intacct_sim")
    if sim is None:
        return
    envelope, contract = EnvelopeContract.load(), Contract.load("intacct")
    problems = {problem for body in answers for problem in envelope.check(body)}
    for entry in sim.journal():
        if contract.operation(entry["method"], entry["path"]) is None:
            problems.add(f"undocumented request {entry['method']} {entry['path']}")
    assert answers, "the test read nothing from Intacct"
    assert not problems, "Intacct answers or requests outside the published contract:\n" + "\n".join(sorted(problems))


@pytest.fixture
def procore_acumatica(tenant_a, sandbox, procore_sim, acumatica_sim):
    """The Procore -> Acumatica scenario seeded on both simulators and wired: (integration, what should post)."""
    from . import scenario

    data, expected = scenario.procore_records(dt.date.today())
    procore_sim.seed(data)
    acumatica_sim.seed(preset="reference")
    return scenario.wire(tenant_a, sandbox.base_url), expected
