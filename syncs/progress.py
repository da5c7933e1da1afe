"""Progress of long work: records done out of queued for a sync run, steps done for a pull, an import or a backfill.

Pages show it as a bar that a small script (static/syncs/progress.js) refreshes from `integration_progress`, a
JSON answer per integration; management commands show the same bar in the terminal (`TerminalBar`, on stderr).
Work reports through a tracker with one interface (`start`, `step`, `finish`, `fail`), so the code that pulls or
imports does not care who watches: a `JobTracker` writes a Job row (at most a few times a second), a
`TerminalBar` draws a line, `NO_PROGRESS` does nothing.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import F
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from connections.tenancy import scope_queryset

from .models import Integration, Job, JobStatus, RunStatus, SyncRun

#: seconds between two writes of a Job row (a fast import must not write once per row)
WRITE_EVERY = 0.25
#: runs and jobs shown on a page: the running ones and those finished this recently (seconds)
RECENT = 600


# --- sync runs ----------------------------------------------------------------------------------------------------
def run_queued(run: SyncRun | None, count: int) -> None:
    """`count` more records of the run were queued for posting."""
    if run is not None and run.pk and count:
        SyncRun.objects.filter(pk=run.pk).update(total=F("total") + count)


def run_advanced(run_id: int | None, count: int = 1) -> None:
    """`count` queued records of the run have had their attempt (whatever its outcome)."""
    if run_id and count:
        SyncRun.objects.filter(pk=run_id).update(done=F("done") + count)


def run_progress(run: SyncRun) -> str:
    """A run's "done of total" with a bar, which the page's script refreshes while the run is under way."""
    done, total = run_fraction(run)
    live = run.status == RunStatus.RUNNING or done < total
    url = reverse("integration_progress", args=[run.integration_id]) if live else ""
    return format_html(
        '<span class="run-progress" data-progress-url="{}" data-run="{}"><progress max="{}" value="{}"></progress> '
        '<span class="progress-text">{} / {}</span></span>',
        url, run.pk, max(total, 1), done, done, total,
    )  # fmt: skip


def run_fraction(run: SyncRun) -> tuple[int, int]:
    """(done, total) of a run, never more done than queued (a record posted twice by a retry counts once)."""
    return min(run.done, run.total), run.total


# --- trackers -----------------------------------------------------------------------------------------------------
class NoProgress:
    def start(self, total: int, message: str = "") -> None: ...

    def step(self, count: int = 1, message: str = "") -> None: ...

    def finish(self, message: str = "") -> None: ...

    def fail(self, message: str) -> None: ...


NO_PROGRESS = NoProgress()


class JobTracker(NoProgress):
    """Progress written to a Job row, for the pages' progress bars."""

    def __init__(self, job: Job):
        self.job = job
        self._written = 0.0

    @classmethod
    def begin(cls, integration, kind: str, label: str) -> JobTracker:
        return cls(Job.objects.create(integration=integration, kind=kind, label=label[:300]))

    def start(self, total: int, message: str = "") -> None:
        self.job.total, self.job.done = max(total, 0), 0
        self._write(message, force=True)

    def step(self, count: int = 1, message: str = "") -> None:
        self.job.done += count
        if self.job.total and self.job.done > self.job.total:
            self.job.total = self.job.done
        self._write(message)

    def finish(self, message: str = "") -> None:
        self.job.total = max(self.job.total, self.job.done)
        self.job.done = self.job.total
        self._end(JobStatus.SUCCEEDED, message)

    def fail(self, message: str) -> None:
        self._end(JobStatus.FAILED, message)

    def _end(self, status: str, message: str) -> None:
        self.job.status, self.job.finished_at = status, timezone.now()
        self._write(message, force=True)

    def _write(self, message: str, force: bool = False) -> None:
        if message:
            self.job.message = message[:2000]
        now = time.monotonic()
        if force or now - self._written >= WRITE_EVERY:
            self._written = now
            Job.objects.filter(pk=self.job.pk).update(
                total=self.job.total, done=self.job.done, status=self.job.status, message=self.job.message,
                finished_at=self.job.finished_at,
            )  # fmt: skip


class TerminalBar(NoProgress):
    """A progress bar on one line of a terminal (stderr), redrawn in place: `[#####.....]  50/100  message`.

    On a stream that is not a terminal (a log file, CI), it prints one line per tenth of the way instead."""

    WIDTH = 30

    def __init__(self, stream=None, label: str = ""):
        self.stream = stream or sys.stderr
        self.label = label
        self.total, self.done, self.message = 0, 0, ""
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._tenth = -1

    def start(self, total: int, message: str = "") -> None:
        self.total, self.done, self.message = max(total, 0), 0, message
        self._draw()

    def step(self, count: int = 1, message: str = "") -> None:
        self.done += count
        self.total = max(self.total, self.done)
        self.message = message or self.message
        self._draw()

    def finish(self, message: str = "") -> None:
        self.total = max(self.total, self.done)
        self.done = self.total
        self.message = message or self.message
        self._draw(end=True)

    def fail(self, message: str) -> None:
        self.message = message
        self._draw(end=True)

    def line(self) -> str:
        width = self.WIDTH
        filled = round(width * self.done / self.total) if self.total else 0
        count = f"{self.done}/{self.total}" if self.total else f"{self.done}/?"
        label = f"{self.label} " if self.label else ""
        return f"{label}[{'#' * filled}{'.' * (width - filled)}] {count} {self.message}".rstrip()

    def _draw(self, end: bool = False) -> None:
        if self._tty:
            self.stream.write("\r\x1b[2K" + self.line() + ("\n" if end else ""))
        else:
            tenth = (10 * self.done // self.total) if self.total else 0
            if not end and tenth == self._tenth:
                return
            self._tenth = tenth
            self.stream.write(self.line() + "\n")
        self.stream.flush()


# --- the JSON the pages poll --------------------------------------------------------------------------------------
def _run_json(run: SyncRun) -> dict:
    done, total = run_fraction(run)
    return {
        "id": run.pk,
        "flow": run.flow,
        "status": run.status,
        "status_label": run.get_status_display(),
        "done": done,
        "total": total,
        "running": run.status == RunStatus.RUNNING or done < total,
    }


def _job_json(job: Job) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": f"{job.get_kind_display()}: {job.label}" if job.label else job.get_kind_display(),
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "running": job.status == JobStatus.RUNNING,
    }


def snapshot(integration) -> dict:
    """The integration's running (and recently finished) runs and jobs."""
    since = timezone.now() - dt.timedelta(seconds=RECENT)
    runs = SyncRun.objects.filter(integration=integration, started_at__gte=since).order_by("-started_at")[:20]
    jobs = Job.objects.filter(integration=integration, started_at__gte=since).order_by("-started_at")[:20]
    return {"integration": integration.pk, "runs": [_run_json(r) for r in runs], "jobs": [_job_json(j) for j in jobs]}


@staff_member_required
@require_GET
def integration_progress(request, pk: int):
    """GET /progress/<integration id>.json: what the integration is doing now (another tenant's id: 404)."""
    integration = get_object_or_404(scope_queryset(Integration.objects.all(), request.user), pk=pk)
    response = JsonResponse(snapshot(integration))
    response["Cache-Control"] = "no-store"
    return response
