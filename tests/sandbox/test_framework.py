"""The shared sandbox machinery: control API, clock, faults, counters, connection faults."""

from __future__ import annotations

import threading

import pytest
import requests

from sandbox.core.counters import endpoint_key
from sandbox.core.faults import FaultBook


def test_endpoint_key_groups_numeric_ids_and_guids():
    assert endpoint_key("get", "/rest/v1.0/projects/5100000101/direct_costs/7") == (
        "GET /rest/v1.0/projects/{id}/direct_costs/{id}"
    )
    assert endpoint_key("PUT", "/entity/Default/24.200.001/Bill/6f1c3a2e-1b2c-4d5e-8f90-0a1b2c3d4e5f") == (
        "PUT /entity/Default/24.200.001/Bill/{id}"
    )


def test_fault_book_times_skip_and_regex():
    book = FaultBook()
    book.add({"kind": "status", "method": "PATCH", "path": r"/requisitions/\d+$", "times": 2, "skip": 1})
    assert book.take("GET", "/rest/v1.0/requisitions/1") == {}
    assert book.take("PATCH", "/rest/v1.0/requisitions/1") == {}  # skipped once
    assert "status" in book.take("PATCH", "/rest/v1.0/requisitions/1")
    assert "status" in book.take("PATCH", "/rest/v1.0/requisitions/1")
    assert book.take("PATCH", "/rest/v1.0/requisitions/1") == {}  # used up
    with pytest.raises(ValueError):
        book.add({"kind": "explode"})


def test_unknown_prefix_and_unknown_control(sandbox_server, http):
    assert http.get(sandbox_server.url("nowhere") + "/x").status_code == 404
    assert http.post(f"{sandbox_server.base_url}/_sandbox/nowhere/reset").status_code == 404
    assert http.post(f"{sandbox_server.base_url}/_sandbox/procore/explode").status_code == 404


def test_clock_advance_and_set(procore_ctl):
    before = procore_ctl.clock()["epoch"]
    after = procore_ctl.advance(7200)["epoch"]
    assert 7200 <= after - before < 7210
    assert procore_ctl.set_clock("2030-01-02T03:04:05Z")["now"].startswith("2030-01-02T03:04:0")
    procore_ctl.reset()
    assert abs(procore_ctl.clock()["offset"]) < 1


def test_config_rejects_unknown_switch(procore_ctl):
    with pytest.raises(RuntimeError, match="unknown switches"):
        procore_ctl.config(no_such_switch=True)
    assert procore_ctl.config(missing_company_status=400)["missing_company_status"] == 400
    procore_ctl.reset()
    assert procore_ctl.config()["missing_company_status"] == 404


def test_reset_empties_records_faults_and_counters(procore_ctl, sandbox_server, http):
    procore_ctl.seed(preset="demo")
    procore_ctl.fault("status", path="/projects", times=None)
    http.get(sandbox_server.url("procore") + "/rest/v1.0/projects")
    assert procore_ctl.records("projects") and procore_ctl.faults() and procore_ctl.calls()
    procore_ctl.reset()
    assert procore_ctl.records("projects") == []
    assert procore_ctl.faults() == []
    assert procore_ctl.calls() == {}


def test_status_fault_with_retry_after(procore_ctl, sandbox_server, http):
    procore_ctl.fault("status", method="GET", path="/projects", status=503, retry_after=7)
    first = http.get(sandbox_server.url("procore") + "/rest/v1.0/projects")
    second = http.get(sandbox_server.url("procore") + "/rest/v1.0/projects")
    assert (first.status_code, first.headers["Retry-After"]) == (503, "7")
    assert second.status_code == 401  # the fault fired once; now the real checks run


def test_latency_fault_delays_answer(procore_ctl, sandbox_server, http):
    procore_ctl.fault("latency", path="/companies", ms=300)
    response = http.get(sandbox_server.url("procore") + "/rest/v1.0/companies")
    assert response.elapsed.total_seconds() >= 0.3


def test_truncate_fault_cuts_body_short(procore_ctl, sandbox_server, http):
    procore_ctl.fault("truncate", path="/oauth/token")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        http.post(sandbox_server.url("procore-login") + "/oauth/token", data={"grant_type": "client_credentials"})


def test_framed_truncate_sends_a_complete_answer_with_a_cut_body(procore_ctl, sandbox_server, http):
    procore_ctl.fault("truncate", path="/oauth/token", framed=True, keep=5)
    response = http.post(sandbox_server.url("procore-login") + "/oauth/token", data={"grant_type": "x"})
    assert len(response.content) == 5 and response.headers["Content-Length"] == "5"


def test_hang_after_write_applies_then_holds_the_answer(procore_ctl, sandbox_server, http):
    from sandbox.procore import demo

    procore_ctl.seed(preset="demo")
    before = len(procore_ctl.records("vendors"))
    login = {"grant_type": "client_credentials", "client_id": demo.CLIENT_ID, "client_secret": demo.CLIENT_SECRET}
    token = http.post(sandbox_server.url("procore-login") + "/oauth/token", data=login).json()["access_token"]
    procore_ctl.fault("hang_after_write", method="POST", path="/vendors", ms=2000)
    headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(demo.COMPANY_ID)}
    body = {"company_id": demo.COMPANY_ID, "vendor": {"name": "Held"}}
    with pytest.raises(requests.ReadTimeout):
        http.post(sandbox_server.url("procore") + "/rest/v1.0/vendors", json=body, headers=headers, timeout=0.5)
    assert len(procore_ctl.records("vendors")) == before + 1  # applied although no answer came


def test_html_fault_answers_200_with_a_page_and_changes_nothing(procore_ctl, sandbox_server, http):
    procore_ctl.fault("html", method="GET", path="/companies")
    response = http.get(sandbox_server.url("procore") + "/rest/v1.0/companies")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert http.get(sandbox_server.url("procore") + "/rest/v1.0/companies").status_code == 401  # fired once


def test_a_fault_with_contains_fires_only_for_the_matching_request():
    book = FaultBook()
    book.add({"kind": "status", "path": "/Bill", "times": None, "contains": "INV-7"})
    assert book.take("PUT", "/Bill", '{"VendorRef": "INV-8"}') == {}
    assert "status" in book.take("PUT", "/Bill", '{"VendorRef": "INV-7"}')
    assert "status" in book.take("GET", "/Bill", "$filter=VendorRef eq 'INV-7'\n")


def test_call_counts_are_exact_under_concurrency(procore_ctl, sandbox_server):
    url = sandbox_server.url("procore") + "/rest/v1.0/projects/123/direct_costs"

    def hammer():
        with requests.Session() as session:
            for _ in range(10):
                session.get(url)

    threads = [threading.Thread(target=hammer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert procore_ctl.calls()["GET /rest/v1.0/projects/{id}/direct_costs"] == 200


def test_journal_records_requests_without_credentials(procore_ctl, sandbox_server, http):
    http.get(
        sandbox_server.url("procore") + "/rest/v1.0/projects?company_id=7&page=2&page=3",
        headers={"Authorization": "Bearer very-private", "Procore-Company-Id": "7"},
    )
    http.post(
        sandbox_server.url("procore-login") + "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "abc", "client_secret": "hush"},
    )
    first, second = procore_ctl.journal()
    assert (first["method"], first["path"], first["host"]) == ("GET", "/rest/v1.0/projects", "api")
    assert first["query"] == {"company_id": ["7"], "page": ["2", "3"]}
    assert first["headers"]["authorization"] == "[redacted]"
    assert first["headers"]["procore-company-id"] == "7"
    assert first["status"] == 401
    assert (second["host"], second["path"]) == ("login", "/oauth/token")
    assert "grant_type=client_credentials" in second["body"] and "client_id=abc" in second["body"]
    assert "hush" not in second["body"] and "very-private" not in repr(procore_ctl.journal())


def test_journal_cleared_by_delete_and_reset_and_bounded(procore_ctl, sandbox_server, http):
    from sandbox.core.journal import Journal

    http.post(sandbox_server.url("procore") + "/rest/v1.0/vendors", json={"vendor": {"name": "x" * 70000}})
    (entry,) = procore_ctl.journal()
    assert len(entry["body"].encode()) == 64 * 1024
    assert procore_ctl.clear_journal() == [] and procore_ctl.journal() == []
    http.get(sandbox_server.url("procore") + "/rest/v1.0/companies")
    assert len(procore_ctl.journal()) == 1
    procore_ctl.reset()
    assert procore_ctl.journal() == []
    small = Journal(size=3)
    for n in range(5):
        small.record(method="get", path=f"/{n}", host="api", query={}, headers={}, body=b"", at="now")
    assert [e["path"] for e in small.entries()] == ["/2", "/3", "/4"]


def test_the_journal_redacts_credentials_in_xml_bodies_too():
    from sandbox.core.journal import REDACTED, redact_body

    body = (
        b"<request><control><senderid>acme</senderid><password>sender-pw</password></control>"
        b"<operation><authentication><login><userid>ap</userid><password>user-pw</password></login>"
        b"</authentication></operation><sessionid>sess-1</sessionid></request>"
    )
    text = redact_body(body, "application/xml")
    assert "sender-pw" not in text and "user-pw" not in text and "sess-1" not in text
    assert text.count(REDACTED) == 3 and "<senderid>acme</senderid>" in text and "<userid>ap</userid>" in text


def test_latency_switch_delays_every_vendor_route_with_a_median_and_a_cap(sandbox_server, http):
    """The generic `latency` switch: every simulator has it, each vendor call waits a log-normal draw."""
    import statistics
    import time

    from sandbox.testing import SandboxControl

    acumatica = SandboxControl(sandbox_server.base_url, "acumatica")
    with pytest.raises(RuntimeError, match="latency"):
        acumatica.config(latency={"median_ms": 50, "max_ms": 10})
    assert acumatica.config(latency={"median_ms": 40, "max_ms": 120})["latency"] == {"median_ms": 40, "max_ms": 120}
    durations = []
    for _ in range(30):
        started = time.monotonic()
        http.get(sandbox_server.url("acumatica") + "/entity")
        durations.append(time.monotonic() - started)
    assert 0.025 <= statistics.median(durations) <= 0.09
    assert max(durations) < 0.12 + 0.1  # capped at max_ms (plus the answer itself)
    started = time.monotonic()
    http.get(f"{sandbox_server.base_url}/_sandbox/acumatica/calls")  # control routes never wait
    assert time.monotonic() - started < 0.03
    acumatica.reset()
    assert acumatica.config()["latency"] is None
    started = time.monotonic()
    http.get(sandbox_server.url("acumatica") + "/entity")
    assert time.monotonic() - started < 0.03
