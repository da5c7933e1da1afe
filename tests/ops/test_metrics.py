"""/metrics: Prometheus text format, counts that match the database, and who may read it."""

import re

import pytest
from django_q.brokers import get_broker

from connections.models import ApiUsage
from syncs.models import Integration, RecordState, RunStatus, SyncRun, WebhookEvent, WebhookStatus
from syncs.ops.metrics import escape_label
from tests.factories import build_tenant_world

pytestmark = pytest.mark.django_db

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({NAME})(\{{(?:[a-zA-Z_]\w*={LABEL_VALUE})(?:,[a-zA-Z_]\w*={LABEL_VALUE})*\}})? (\S+)$")
LABEL = re.compile(rf"([a-zA-Z_]\w*)=({LABEL_VALUE})")


def unescape(quoted):
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), quoted[1:-1])


def parse(text):
    """Strict parse: every line is HELP, TYPE or a sample of a family announced by both. Returns types, samples."""
    assert text.endswith("\n")
    helps, types, samples = set(), {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            assert re.fullmatch(NAME, name) and name not in helps, line
            helps.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name in helps and name not in types and kind in ("gauge", "counter"), line
            types[name] = kind
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            name, labels, value = match.groups()
            assert name in types, f"sample before its TYPE: {line!r}"
            key = (name, tuple(sorted((k, unescape(v)) for k, v in LABEL.findall(labels or ""))))
            assert key not in samples, f"duplicate series: {line!r}"
            samples[key] = float(value)
    return types, samples


def value(samples, name, **labels):
    return samples[(name, tuple(sorted((k, str(v)) for k, v in labels.items())))]


@pytest.fixture
def populated(world_a, tenant_b, make_user, add_records):
    integration = world_a["Integration"]  # already holds one pending record
    add_records(integration, posted=3, failed=2, dead=1)
    world_b = build_tenant_world(tenant_b, make_user)
    add_records(world_b["Integration"], needs_mapping=4)
    ApiUsage.objects.filter(connection=world_a["Connection"]).update(calls=120, errors=7, rate_limited=2)
    SyncRun.objects.create(integration=integration, flow="f", status=RunStatus.SUCCEEDED)
    SyncRun.objects.create(integration=integration, flow="f", status=RunStatus.SUCCEEDED)
    WebhookEvent.objects.create(connection=world_a["Connection"], event_id="e2", body="{}", status=WebhookStatus.FAILED)
    broker = get_broker()
    broker.enqueue("payload-1")
    broker.enqueue("payload-2")
    return world_a, world_b


def test_every_line_parses_and_counts_match_the_rows(client, populated):
    world_a, world_b = populated
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    types, samples = parse(response.content.decode())

    assert types == {
        "mlconnector_ledger_records": "gauge",
        "mlconnector_api_calls_total": "counter",
        "mlconnector_api_errors_total": "counter",
        "mlconnector_api_rate_limited_total": "counter",
        "mlconnector_queue_depth": "gauge",
        "mlconnector_sync_runs_total": "counter",
        "mlconnector_webhook_events": "gauge",
    }
    a, b = world_a["Integration"].pk, world_b["Integration"].pk
    expected_a = {"pending": 1, "awaiting_approval": 1, "posted": 3, "failed": 2, "dead": 1}  # the world holds two
    for state in RecordState.values:
        assert value(samples, "mlconnector_ledger_records", integration=a, tenant="alpha", state=state) == (
            expected_a.get(state, 0)
        )
    assert value(samples, "mlconnector_ledger_records", integration=b, tenant="bravo", state="needs_mapping") == 4
    assert value(samples, "mlconnector_ledger_records", integration=b, tenant="bravo", state="pending") == 1
    ledger = [key for key in samples if key[0] == "mlconnector_ledger_records"]
    assert len(ledger) == 2 * len(RecordState.values)

    procore = world_a["Connection"].pk
    assert value(samples, "mlconnector_api_calls_total", connection=procore, system="procore") == 120
    assert value(samples, "mlconnector_api_errors_total", connection=procore, system="procore") == 7
    assert value(samples, "mlconnector_api_rate_limited_total", connection=procore, system="procore") == 2
    # The Acumatica connection has no usage row yet: it reports zeros rather than nothing.
    acumatica = Integration.objects.get(pk=a).destination_id
    assert value(samples, "mlconnector_api_calls_total", connection=acumatica, system="acumatica") == 0

    assert value(samples, "mlconnector_queue_depth") == 2
    assert value(samples, "mlconnector_sync_runs_total", integration=a, status="succeeded") == 2
    assert value(samples, "mlconnector_sync_runs_total", integration=a, status="running") == 1  # from the world
    assert value(samples, "mlconnector_sync_runs_total", integration=b, status="failed") == 0
    assert value(samples, "mlconnector_webhook_events", status="received") == 2  # one per world
    assert value(samples, "mlconnector_webhook_events", status="failed") == 1
    assert value(samples, "mlconnector_webhook_events", status="processed") == 0


def test_no_customer_typed_names_in_labels(client, populated):
    text = client.get("/metrics").content.decode()
    for name in ("Alpha Construction", "Bravo Builders", "Integration alpha", "Procore alpha", "Invoice of"):
        assert name not in text


def test_an_unreachable_broker_drops_only_the_queue_sample(client, populated, monkeypatch):
    def down():
        raise ConnectionError("redis down")

    monkeypatch.setattr("syncs.ops.metrics.get_broker", down)
    response = client.get("/metrics")

    assert response.status_code == 200
    types, samples = parse(response.content.decode())
    assert "mlconnector_queue_depth" in types
    assert not [key for key in samples if key[0] == "mlconnector_queue_depth"]
    assert [key for key in samples if key[0] == "mlconnector_ledger_records"]


def test_label_values_are_escaped():
    assert escape_label('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    assert unescape('"' + escape_label('a"b\\c\nd') + '"') == 'a"b\\c\nd'


class TestAccess:
    """METRICS_TOKEN set: a matching bearer token is required. Unset: DEBUG or a direct loopback client only."""

    @pytest.fixture(autouse=True)
    def _no_debug(self, settings):
        settings.DEBUG = False
        settings.METRICS_TOKEN = ""

    def test_token_required_when_set(self, client, settings):
        settings.METRICS_TOKEN = "s3cret-token"

        missing = client.get("/metrics")
        assert missing.status_code == 401
        assert missing["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"mlconnector" not in missing.content
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
        assert client.get("/metrics", HTTP_AUTHORIZATION="Basic s3cret-token").status_code == 401
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-and-more").status_code == 401
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
        assert client.get("/metrics", HTTP_AUTHORIZATION="bearer s3cret-token").status_code == 200

    def test_token_applies_even_to_loopback_and_debug(self, client, settings):
        settings.METRICS_TOKEN = "s3cret-token"
        settings.DEBUG = True
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 401

    def test_without_token_loopback_is_allowed(self, client):
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200

    def test_without_token_remote_clients_are_refused(self, client):
        response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 403
        assert b"METRICS_TOKEN" in response.content

    def test_without_token_proxied_requests_from_loopback_are_refused(self, client):
        # A reverse proxy on the same host makes every client look like 127.0.0.1.
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403

    def test_without_token_debug_allows_anyone(self, client, settings):
        settings.DEBUG = True
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
