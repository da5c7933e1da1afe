"""Every end-to-end test here also proves our clients send only documented requests.

After each test, the requests the Procore and Acumatica simulators received (their journals) are checked against
the vendors' published contracts: documented path and method, documented query parameters, a body that matches the
request schema. Token endpoints live outside the API contracts and are left to the simulators' own checks.
"""

import pytest

from tests.conformance.framework import Contract, check_request

#: system -> path prefixes that are not part of its published API contract (identity and token hosts)
OUTSIDE_CONTRACT = {"procore": ("/oauth/",), "acumatica": ("/identity/",)}


@pytest.fixture(scope="session")
def contracts():
    return {system: Contract.load(system) for system in OUTSIDE_CONTRACT}


@pytest.fixture(autouse=True)
def only_documented_requests(request, contracts):
    yield
    problems = []
    for system, fixture in (("procore", "procore_sim"), ("acumatica", "acumatica_sim")):
        sim = request.node.funcargs.get(fixture)
        if sim is None:
            continue
        for entry in sim.journal():
            if entry.get("host") == "login" or entry["path"].startswith(OUTSIDE_CONTRACT[system]):
                continue
            found = check_request(contracts[system], entry["method"], entry["path"], entry["query"], entry["body"])
            problems += [f"{system}: {entry['method']} {entry['path']}: {problem}" for problem in found]
    assert not sorted(set(problems)), "requests outside the published contract:\n" + "\n".join(sorted(set(problems)))
