"""The outbound HTTP choke point: retry rules, rate-limit hints, typed errors, redaction and call counting."""

import datetime as dt
import email.utils

import pytest
from django.utils import timezone

from connections import errors
from connections import usage as usage_counts
from connections.http import HttpClient, RateBudget, backoff_delay, retry_at_from_headers
from connections.models import ApiUsage, Connection
from syncs.engine import adapter_for

from .systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)


def test_retry_after_in_seconds_and_as_http_date_and_procore_reset():
    now = timezone.now()
    assert retry_at_from_headers({"Retry-After": "30"}, now) == now + dt.timedelta(seconds=30)
    later = (now + dt.timedelta(minutes=5)).replace(microsecond=0)
    assert retry_at_from_headers({"Retry-After": email.utils.format_datetime(later, usegmt=True)}, now) == later
    reset = int(now.timestamp()) + 42
    assert retry_at_from_headers({"X-Rate-Limit-Reset": str(reset)}, now).timestamp() == reset
    assert retry_at_from_headers({}, now) is None


def test_backoff_is_full_jitter_and_capped():
    delays = [backoff_delay(attempt) for attempt in range(1, 12) for _ in range(20)]
    assert min(delays) >= 0 and max(delays) <= 8.0
    assert max(backoff_delay(10) for _ in range(50)) > 1  # grows with attempts


@pytest.fixture
def procore(sandbox, procore_sim, tenant_a):
    procore_sim.seed(preset="demo")
    return SYSTEMS["procore"].connection(tenant_a, sandbox.base_url)


def test_writes_are_not_retried_unless_marked_idempotent(procore, procore_sim):
    client = adapter_for(procore).client.http
    procore_sim.fault("reset_after_write", method="PATCH", path="/vendors/")
    with pytest.raises(errors.OutcomeUnknown):
        client.request(
            "PATCH",
            "/rest/v1.0/vendors/5200000201",
            json={"vendor": {"origin_code": "X1"}},
            params={"company_id": procore.settings["company_id"]},
        )
    assert procore_sim.calls().get("PATCH /rest/v1.0/vendors/{id}") == 1


def test_a_503_on_a_write_not_marked_idempotent_is_not_repeated(procore, procore_sim):
    client = adapter_for(procore).client.http
    procore_sim.fault("status", method="PATCH", path="/vendors/", status=503)
    with pytest.raises(errors.Transient):
        client.request(
            "PATCH",
            "/rest/v1.0/vendors/5200000201",
            json={"vendor": {"origin_code": "X1"}},
            params={"company_id": procore.settings["company_id"]},
        )
    assert procore_sim.calls().get("PATCH /rest/v1.0/vendors/{id}") == 1


def test_redaction_masks_credentials_by_name_and_whole_token_not_identifiers():
    from connections.redaction import redact, redact_mapping, register_secret

    register_secret("s3cr3t-Pa55")
    line = "GET /x?cost_code_id=12&code=oauth-code&client_secret=zz user=admin pw s3cr3t-Pa55 demolition, admin wing"
    masked = redact(line)
    assert "cost_code_id=12" in masked and "code=***" in masked and "client_secret=***" in masked
    assert "s3cr3t-Pa55" not in masked and "demolition, admin wing" in masked and "user=admin" in masked
    payload = {"Description": {"value": "s3cr3t-Pa55 is not a business word"}, "password": "x", "n": "s3cr3t-Pa55"}
    assert redact_mapping(payload) == {
        "Description": {"value": "s3cr3t-Pa55 is not a business word"},
        "password": "***",
        "n": "***",
    }


def test_typed_errors_and_counting(procore, procore_sim):
    client = adapter_for(procore).client.http
    with pytest.raises(errors.NotFound):
        client.request("GET", "/rest/v1.0/vendors/1", params={"company_id": procore.settings["company_id"]})
    procore_sim.fault("truncate", method="GET", path="/projects")
    assert client.request("GET", "/rest/v1.0/projects", params={"company_id": "4264807"}).json()  # read retried
    usage_counts.flush()
    usage = ApiUsage.objects.get(connection=procore)
    assert usage.calls >= 4 and usage.errors >= 2


def test_http_log_lines_carry_no_secret(procore, procore_sim, caplog):
    caplog.set_level("INFO", logger="connections.http")
    client = HttpClient(Connection.objects.get(pk=procore.pk), procore.settings["base_url"])
    with pytest.raises(errors.ApiError):
        client.request("GET", "/rest/v1.0/projects?client_secret=demo-procore-secret&access_token=abc123xyz")
    text = caplog.text
    assert "GET /procore/rest/v1.0/projects" in text
    assert "demo-procore-secret" not in text and "abc123xyz" not in text


def test_acumatica_wrong_endpoint_version_is_a_clear_error(sandbox, acumatica_sim, tenant_a):
    acumatica_sim.seed(preset="demo")
    connection = SYSTEMS["acumatica"].connection(tenant_a, sandbox.base_url)
    connection.settings = {**connection.settings, "endpoint_version": "17.200.001"}
    connection.save()
    adapter = adapter_for(Connection.objects.get(pk=connection.pk))
    with pytest.raises(errors.Permanent, match="endpoint version mismatch") as caught:
        list(adapter.reference("vendor"))
    assert "23.200.001" in str(caught.value)
    assert adapter.check().ok is False


# --- rate limits as budgets -------------------------------------------------------------------------------------
def window(remaining: int, reset_in: float, limit: int = 25) -> dict:
    reset = int(timezone.now().timestamp() + reset_in)
    return {
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(reset),
    }


def test_a_spent_window_raises_with_its_reset_time_and_a_short_one_is_waited_out(monkeypatch):
    slept = []
    monkeypatch.setattr("connections.http.time.sleep", slept.append)
    budget = RateBudget()
    budget.observe({})  # an answer without the headers tells nothing
    budget.spend("GET", "https://api.example/x")
    assert budget.remaining is None and slept == []

    budget.observe(window(remaining=5, reset_in=600))
    budget.spend("GET", "https://api.example/x")
    assert budget.remaining == 4  # counted down between answers

    budget.observe(window(remaining=1, reset_in=600))
    with pytest.raises(errors.RateLimited) as caught:
        budget.spend("GET", "https://api.example/x")
    assert caught.value.retry_at == budget.reset_at and budget.reset_at > timezone.now() + dt.timedelta(minutes=9)
    assert slept == []  # never a long sleep

    budget.observe(window(remaining=0, reset_in=2))
    budget.spend("GET", "https://api.example/x")
    assert len(slept) == 1 and 0 < slept[0] <= 2  # a window about to reset is waited out, then the call goes

    budget.observe(window(remaining=0, reset_in=-5))
    budget.spend("GET", "https://api.example/x")  # a window already reset does not hold calls back
    assert len(slept) == 1


def test_budgets_are_per_connection_and_base_url(procore):
    first = RateBudget.of(procore, "https://api.example/rest")
    assert RateBudget.of(procore, "https://api.example/rest/") is first
    assert RateBudget.of(procore, "https://login.example") is not first
    other = Connection.objects.create(tenant=procore.tenant, system="procore", name="Other", settings=procore.settings)
    assert RateBudget.of(other, "https://api.example/rest") is not first


def test_calls_stop_before_the_server_would_answer_429(procore, procore_sim):
    procore_sim.config(rate_limit_hourly=4)
    client = adapter_for(Connection.objects.get(pk=procore.pk)).client
    procore_sim.clear_journal()
    with pytest.raises(errors.RateLimited) as caught:
        for _ in range(6):
            list(client.projects())
    sent = [entry for entry in procore_sim.journal() if entry["path"] == "/rest/v1.0/projects"]
    assert 1 <= len(sent) < 4 and all(entry["status"] == 200 for entry in sent)  # the budget ran dry here, not there
    assert caught.value.retry_at > timezone.now() + dt.timedelta(minutes=30)  # the hourly window's reset
    usage_counts.flush()
    assert ApiUsage.objects.get(connection=procore).rate_limited == 0


def test_a_connection_paces_itself_to_its_requests_per_minute_before_the_erp_refuses(sandbox, acumatica_sim, tenant_a):
    """Acumatica's licence counts requests per minute and announces nothing: the connection's own limit paces us."""
    acumatica_sim.seed(preset="reference")
    acumatica_sim.config(requests_per_minute=6)
    connection = SYSTEMS["acumatica"].connection(tenant_a, sandbox.base_url)
    connection.settings = {**connection.settings, "requests_per_minute": 4}
    connection.save()
    client = adapter_for(Connection.objects.get(pk=connection.pk)).client
    sent = []
    with pytest.raises(errors.RateLimited) as caught:
        for _ in range(10):
            client.request("GET", "Vendor", params={"$top": 1})
            sent.append(1)
    assert caught.value.retry_at is not None
    assert len(sent) == 3  # the token request counted too: four calls in the minute, then we stop on our own
    assert acumatica_sim.calls().get("GET /entity/Default/23.200.001/Vendor") == 3
    usage_counts.flush()
    assert ApiUsage.objects.get(connection=connection).rate_limited == 0  # no 429 was ever answered


def test_a_spent_ten_second_window_is_waited_out_not_rescheduled(procore, procore_sim):
    """Procore's spike window resets within 10 s: the calls go on after the reset, and none is answered 429."""
    procore_sim.config(rate_limit_spike=4)
    client = adapter_for(Connection.objects.get(pk=procore.pk)).client
    procore_sim.clear_journal()
    for _ in range(7):
        list(client.projects())  # would raise RateLimited if the wait were handed to a rescheduled task
    sent = [entry for entry in procore_sim.journal() if entry["path"] == "/rest/v1.0/projects"]
    assert len(sent) == 7 and all(entry["status"] == 200 for entry in sent)
