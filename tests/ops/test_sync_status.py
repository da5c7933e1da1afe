"""`manage.py sync_status`: counts by state and the last run per integration, as a table or JSON."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from syncs.models import RecordState, RunStatus, SyncRecord, SyncRun
from tests.factories import build_tenant_world

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("sync_status", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def worlds(world_a, tenant_b, make_user, add_records):
    integration = world_a["Integration"]
    add_records(integration, posted=3, needs_mapping=2)
    now = timezone.now()
    # The world's own run is "running"; push it into the past and add a newer, finished one.
    SyncRun.objects.filter(integration=integration).update(started_at=now - timedelta(hours=2))
    latest = SyncRun.objects.create(
        integration=integration, flow="vendors_both_ways", status=RunStatus.SUCCEEDED, counts={"posted": 3, "read": 5}
    )
    SyncRun.objects.filter(pk=latest.pk).update(started_at=now - timedelta(minutes=10), finished_at=now)
    world_b = build_tenant_world(tenant_b, make_user)
    add_records(world_b["Integration"], dead=1)
    return world_a, world_b, latest


def test_json_has_counts_for_every_state_and_the_newest_run(worlds):
    world_a, world_b, latest = worlds
    report = json.loads(run("--json"))

    assert [item["tenant"] for item in report] == ["alpha", "bravo"]
    alpha = report[0]
    assert alpha["id"] == world_a["Integration"].pk
    assert alpha["name"] == "Integration alpha"
    expected = dict.fromkeys(RecordState.values, 0) | {
        "pending": 1,
        "awaiting_approval": 1,
        "posted": 3,
        "needs_mapping": 2,
    }
    assert alpha["records"] == expected
    assert alpha["last_run"]["id"] == latest.pk
    assert alpha["last_run"]["flow"] == "vendors_both_ways"
    assert alpha["last_run"]["status"] == "succeeded"
    assert alpha["last_run"]["counts"] == {"posted": 3, "read": 5}
    assert alpha["last_run"]["finished_at"] is not None
    assert report[1]["records"]["dead"] == 1
    assert report[1]["last_run"]["status"] == "running"
    assert report[1]["last_run"]["finished_at"] is None


def test_json_lists_each_flow_of_an_integration_with_its_own_counts(world_a, add_records):
    integration = world_a["Integration"]
    integration.flows = ["ap_bills", "vendors_back"]
    integration.save()
    SyncRecord.objects.create(
        integration=integration, flow="vendors_back", source_id="V1", idempotency_key="flow-v1", state="posted"
    )
    SyncRun.objects.create(integration=integration, flow="vendors_back", status=RunStatus.SUCCEEDED)
    alpha = json.loads(run("--json", "--tenant", "alpha"))[0]

    assert [flow["key"] for flow in alpha["flows"]] == ["ap_bills", "vendors_back"]
    bills, vendors = alpha["flows"]
    # The world's one ap_bills record waits for approval; its other record belongs to no flow of this list.
    assert sum(bills["records"].values()) == 1 and bills["records"]["awaiting_approval"] == 1
    assert bills["last_run"] is None
    assert vendors["records"]["posted"] == 1 and vendors["last_run"]["status"] == "succeeded"
    assert "By flow:" in run()


def test_tenant_filter(worlds):
    report = json.loads(run("--json", "--tenant", "bravo"))
    assert [item["tenant"] for item in report] == ["bravo"]

    with pytest.raises(CommandError, match="No tenant with slug 'nobody'"):
        run("--tenant", "nobody")


def test_table_shows_counts_under_state_headings_and_last_runs(worlds):
    world_a, _, _ = worlds
    lines = run().splitlines()

    headings = lines[0].split()
    assert headings == ["id", "tenant", "integration", "on", *RecordState.values]
    assert set(lines[1]) == {"-", " "}
    alpha_row = next(line for line in lines[2:] if " alpha " in line)
    cells = alpha_row.split()
    # "Integration alpha" is two words; the state counts are the last cells, in heading order.
    states = len(RecordState.values)
    counts = dict(zip(RecordState.values, (int(cell) for cell in cells[-states:]), strict=True))
    assert counts == dict.fromkeys(RecordState.values, 0) | {
        "pending": 1,
        "awaiting_approval": 1,
        "posted": 3,
        "needs_mapping": 2,
    }
    assert "Last runs:" in lines
    last = next(line for line in lines if line.startswith(f"  {world_a['Integration'].pk} Integration alpha:"))
    assert "vendors_both_ways succeeded started" in last
    assert "(posted=3, read=5)" in last


def test_table_for_one_tenant_and_never_run(tenant_a, make_connection):
    from syncs.models import Integration

    Integration.objects.create(
        tenant=tenant_a,
        name="Quiet one",
        source=make_connection(tenant_a, "procore"),
        destination=make_connection(tenant_a, "acumatica"),
    )
    text = run("--tenant", "alpha")

    assert "Quiet one" in text
    assert "Quiet one: never run" in text


def test_no_integrations():
    assert run().strip() == "No integrations."
    assert json.loads(run("--json")) == []
