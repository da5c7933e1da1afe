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
