"""Our side of a pass: the Procore -> Acumatica `ap_bills` flow run to completion by a real django-q2 cluster."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import procs
from .progress import Progress

#: states a record of this benchmark ends in (anything else means there is still work under way)
SETTLED = ("posted", "failed", "dead", "needs_mapping", "conflict", "skipped")


@dataclass
class FlowResult:
    records: int
    posted: int = 0
    seconds: float = 0.0
    states: dict = field(default_factory=dict)
    worker_cpu_seconds: float = 0.0
    peak_kib_max: int = 0  # the largest peak of one cluster process
    peak_kib_sum: int = 0  # the peaks of all cluster processes added up
    errors: list = field(default_factory=list)
    timed_out: bool = False

    @property
    def per_second(self) -> float:
        return self.posted / self.seconds if self.seconds else 0.0


def run_flow(integration, expected: int, cluster: procs.Process, progress: Progress, timeout: float) -> FlowResult:
    """Enqueue one run of the flow for the cluster, wait until `expected` more records are settled."""
    from django.db.models import Count
    from django_q.tasks import async_task

    from syncs.models import SyncRecord

    records = SyncRecord.objects.filter(integration=integration, flow="ap_bills")
    settled_before = records.filter(state__in=SETTLED).count()
    idle_cpu = _idle_cpu_per_second(cluster)
    cpu_before = sum(procs.cpu_seconds(pid) for pid in cluster.tree())
    started = time.monotonic()
    async_task("syncs.tasks.run_flow_task", integration.pk, "ap_bills", "manual")
    result = FlowResult(records=expected)
    deadline = started + timeout
    while True:
        settled = records.filter(state__in=SETTLED).count() - settled_before
        progress.update(settled, expected)
        if settled >= expected:
            break
        if cluster.popen.poll() is not None:
            result.errors.append("the worker cluster stopped")
            break
        if time.monotonic() > deadline:
            result.timed_out = True  # the rate is taken over what was done in the time allowed
            break
        time.sleep(0.3)
    result.seconds = time.monotonic() - started
    tree = cluster.tree()
    spent = sum(procs.cpu_seconds(pid) for pid in tree) - cpu_before
    result.worker_cpu_seconds = max(spent - idle_cpu * result.seconds, 0.0)  # without the broker's idle polling
    peaks = [procs.peak_kib(pid) for pid in tree]
    result.peak_kib_max, result.peak_kib_sum = max(peaks, default=0), sum(peaks)
    result.states = dict(records.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    result.posted = records.filter(state="posted").count() - settled_before
    failures = records.exclude(state__in=("posted", "pending", "posting")).values_list("last_error", flat=True)[:3]
    result.errors.extend(error for error in failures if error)
    return result


def wait_ready(cluster: procs.Process, workers: int, timeout: float = 60) -> None:
    """Wait until the cluster has forked its workers (a cluster takes seconds to start on a busy machine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(cluster.tree()) < workers + 3:
        time.sleep(0.2)
    time.sleep(1.0)


def _idle_cpu_per_second(cluster: procs.Process, seconds: float = 2.0) -> float:
    """CPU the idle cluster burns per second (polling the broker, heartbeats): not work done for records."""
    before = sum(procs.cpu_seconds(pid) for pid in cluster.tree())
    time.sleep(seconds)
    return max(sum(procs.cpu_seconds(pid) for pid in cluster.tree()) - before, 0.0) / seconds
