"""Progress of long work: a run counts records done out of queued; a pull and a CSV import from the grid write a job the
page polls; the management commands draw the same progress in the terminal; the JSON is tenant-scoped."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from mappings.models import ReferenceRecord
from syncs.models import Job, JobKind, JobStatus, SyncRun
from syncs.progress import TerminalBar

from .approval_world import bill_puts

pytestmark = pytest.mark.django_db(transaction=True)
VENDORS_CSV = "source_id,destination_id\n9200000001,STARFRAME\n9200000002,APEXCONC\n9200000003,BRIGHTLINE\n"


def test_a_run_counts_done_out_of_queued_and_the_page_json_shows_it(wired, acumatica_sim, client, viewer, make_user,
                                                                    tenant_b):  # fmt: skip
    from syncs import engine

    run = engine.run_flow(wired.pk, "ap_bills", "manual")
    run.refresh_from_db()
    assert run.total == 6 == bill_puts(acumatica_sim)
    assert run.done == run.total  # each queued record had its attempt, inline in the tests
    client.force_login(viewer)
    answer = client.get(reverse("integration_progress", args=[wired.pk]))
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    shown = next(item for item in answer.json()["runs"] if item["id"] == run.pk)
    assert (shown["done"], shown["total"], shown["running"]) == (6, 6, False)
    page = client.get(reverse("admin:syncs_syncrun_changelist")).content.decode()
    assert "6 / 6" in page and "syncs/progress.js" in page
    client.force_login(make_user("other", tenant=tenant_b, role="admin"))
    assert client.get(reverse("integration_progress", args=[wired.pk])).status_code == 404


def test_pull_and_import_from_the_grid_leave_finished_jobs_with_their_steps(wired, client, finance):
    client.force_login(finance)
    before = ReferenceRecord.objects.count()
    response = client.post(reverse("mappings:pull_now", args=[wired.pk]))
    assert response.status_code == 302
    job = Job.objects.get(integration=wired, kind=JobKind.PULL)
    kinds = len(wired.source.spec.adapter_class().reference_kinds) + len(
        wired.destination.spec.adapter_class().reference_kinds
    )
    assert (job.status, job.total, job.done) == (JobStatus.SUCCEEDED, kinds, kinds), job.message
    assert ReferenceRecord.objects.count() == before  # the same lists: nothing new, nothing lost

    upload = io.BytesIO(VENDORS_CSV.encode())
    upload.name = "vendors.csv"
    client.post(reverse("mappings:import_csv", args=[wired.pk, "vendors"]), {"file": upload})
    job = Job.objects.get(integration=wired, kind=JobKind.IMPORT)
    assert (job.status, job.total, job.done) == (JobStatus.SUCCEEDED, 3, 3), job.message
    bad = io.BytesIO(b"source_id,destination_id\n9200000001,NO-SUCH\n")
    bad.name = "bad.csv"
    assert client.post(reverse("mappings:import_csv", args=[wired.pk, "vendors"]), {"file": bad}).status_code == 400
    refused = Job.objects.filter(integration=wired, kind=JobKind.IMPORT).order_by("-pk").first()
    assert refused.status == JobStatus.FAILED and "nothing was imported" in refused.message
    shown = client.get(reverse("integration_progress", args=[wired.pk])).json()["jobs"]
    assert [job["status"] for job in shown] == ["failed", "succeeded", "succeeded"]
    grid = client.get(reverse("mappings:grid", args=[wired.pk])).content.decode()
    assert 'id="job-progress"' in grid and "syncs/progress.js" in grid


def test_the_commands_draw_a_bar_on_stderr(wired, acumatica_sim, tmp_path):
    err, out = io.StringIO(), io.StringIO()
    call_command("pull_reference", str(wired.destination_id), "--kinds", "vendor,account", stderr=err, stdout=out)
    lines = err.getvalue().splitlines()
    assert lines[-1].startswith("pull [##############################] 2/2")
    assert "vendor: seen" in out.getvalue()

    path = tmp_path / "vendors.csv"
    path.write_text(VENDORS_CSV)
    err = io.StringIO()
    call_command("import_maps", str(wired.pk), "vendors", str(path), stderr=err, stdout=io.StringIO())
    assert err.getvalue().splitlines()[-1].startswith("import [##############################] 3/3")

    err = io.StringIO()
    call_command("run_flow", str(wired.pk), "ap_bills", "--backfill", stderr=err, stdout=io.StringIO())
    assert err.getvalue().splitlines()[-1].startswith("ap_bills [##############################] 6/6 posted 6")
    assert SyncRun.objects.get(integration=wired).total == 6


def test_a_terminal_bar_redraws_in_place_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = TerminalBar(screen, label="x")
    bar.start(4)
    for _ in range(4):
        bar.step()
    bar.finish("ok")
    text = screen.getvalue()
    assert text.count("\r") == 6 and text.endswith("x [" + "#" * 30 + "] 4/4 ok\n")
    assert "\r\x1b[2Kx [###############...............] 2/4" in text
