"""The benchmark, step by step (inside the process `manage.py bench` starts on the bench database).

Each pass starts from freshly seeded simulators and a new integration, runs our flow with a real django-q2 cluster,
then the floor on the same seed. See README "Performance" for what each number means.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.testing import SandboxControl

from . import admin_pages, calls, procs, report, webhook_load, world
from .floor import Floor
from .ours import run_flow, wait_ready
from .progress import Progress

UNLIMITED = {"rate_limit_hourly": 10**9, "rate_limit_spike": 10**9}
LATENCY = {"median_ms": 100, "max_ms": 1000}


@dataclass
class Plan:
    records: int
    workers: int
    latency_records: int
    steady_records: int
    memory_records: int
    rate_limit_records: int
    rate_limit_seconds: float
    webhook_rate: int
    webhook_seconds: float
    admin_records: int
    admin_events: int
    ours_seconds: float  # the time box of one pass of ours (its rate is taken over what it did)
    floor_seconds: float  # the time box of one pass of the floor

    @classmethod
    def of(cls, options) -> Plan:
        n = options["records"]
        quick = options["quick"]
        return cls(
            records=n,
            workers=options["workers"],
            latency_records=min(n, options["latency_records"]),
            steady_records=max(12, n // 100),
            memory_records=max(12, n // 200),
            rate_limit_records=30 if quick else 120,
            rate_limit_seconds=12 if quick else 40,
            webhook_rate=20 if quick else 200,
            webhook_seconds=3 if quick else 30,
            admin_records=10_000 if quick else options["admin_records"],
            admin_events=30_000 if quick else 3 * options["admin_records"],
            ours_seconds=30 if quick else options["pass_seconds"],
            floor_seconds=15 if quick else options["pass_seconds"] / 3,
        )


class Bench:
    STEPS = 11

    def __init__(self, plan: Plan, out: Path):
        self.plan, self.out = plan, out
        self.env = dict(os.environ)
        self.progress = Progress(self.STEPS)
        self.logs = out / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    # --- helpers -------------------------------------------------------------------------------------------------
    def controls(self):
        return SandboxControl(self.sandbox_url, "procore"), SandboxControl(self.sandbox_url, "acumatica")

    def counters(self) -> dict:
        procore, acumatica = self.controls()
        return {"procore": procore.calls(), "acumatica": acumatica.calls()}

    def clear_counters(self) -> None:
        for control in self.controls():
            control.clear_calls()

    def fresh_world(self, records: int, *, latency=None, limits=True) -> None:
        world.seed_simulators(self.sandbox_url, records)
        procore, acumatica = self.controls()
        if limits:
            procore.config(**UNLIMITED)
        for control in (procore, acumatica):
            control.config(latency=latency)

    def ours(self, name: str, records: int, *, latency=None, steady: int = 0, timeout: float | None = None) -> dict:
        self.fresh_world(records, latency=latency)
        self.clear_counters()
        integration = world.wire(self.sandbox_url, name)
        world.quiet_polls()
        cluster = procs.start_cluster(self.env, self.logs / f"cluster-{name}.log", self.plan.workers)
        try:
            wait_ready(cluster, self.plan.workers)
            first = run_flow(integration, records, cluster, self.progress, timeout or self.plan.ours_seconds)
            outcome = {"first": first, "first_calls": self.counters()}
            if steady:
                world.add_requisitions(self.sandbox_url, records, steady)
                self.clear_counters()
                outcome["steady"] = run_flow(integration, steady, cluster, self.progress, self.plan.ours_seconds)
                outcome["steady_calls"] = self.counters()
        finally:
            procs.stop_cluster(cluster)
        outcome["integration"] = integration
        return outcome

    def floor(self, records: int, *, latency=None) -> dict:
        """The floor moving `records` requisitions (or what its time box allows): seconds, records, CPU seconds."""
        self.fresh_world(records, latency=latency)
        before = resource.getrusage(resource.RUSAGE_SELF)
        seconds, moved = Floor(self.sandbox_url, self.plan.workers).run(self.plan.floor_seconds)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return {"seconds": seconds, "records": moved, "cpu": cpu}

    # --- the run ----------------------------------------------------------------------------------------------------
    def run(self, results: dict) -> dict:
        self.progress.begin("starting the simulators")
        self.sandbox, self.sandbox_url = procs.start_sandbox(self.env, self.logs / "sandbox.log")
        try:
            self._passes(results)
            self._rate_limits(results)
            self._webhooks(results)
            self._admin(results)
        finally:
            self.sandbox.stop()
            self.progress.done()
        results["targets"] = report.targets(results)
        return results

    def _passes(self, results: dict) -> None:
        p = self.plan
        self.progress.begin(f"memory: ours, {p.memory_records} records")
        small = self.ours("memory-n", p.memory_records, timeout=p.ours_seconds * 4)["first"]
        self.progress.begin(f"memory: ours, {p.memory_records * 10} records")
        large = self.ours("memory-10n", p.memory_records * 10, timeout=p.ours_seconds * 4)["first"]
        self.progress.begin(f"instant: ours, {p.records} records")
        instant = self.ours("instant", p.records)
        self.instant_integration = instant["integration"]
        self.progress.begin(f"instant: floor, {p.records} records")
        floor = self.floor(p.records)
        first = instant["first"]
        results["instant"] = self._pass(first, floor)
        results["instant"]["worker_cpu_seconds"] = round(first.worker_cpu_seconds, 2)
        results["instant"]["floor_cpu_seconds"] = round(floor["cpu"], 2)
        floor_cpu_per_record = floor["cpu"] / max(floor["records"], 1)
        results["instant"]["own_ms_per_record"] = round(
            max(first.worker_cpu_seconds / max(first.posted, 1) - floor_cpu_per_record, 0) * 1000, 2
        )
        results["memory"] = {
            "small_records": small.posted,
            "large_records": large.posted,
            "small_mib": small.peak_kib_max / 1024,
            "large_mib": large.peak_kib_max / 1024,
            "small_sum_mib": small.peak_kib_sum / 1024,
            "large_sum_mib": large.peak_kib_sum / 1024,
            "instant_pass_mib": first.peak_kib_max / 1024,
            "ratio": round(large.peak_kib_max / max(small.peak_kib_max, 1), 2),
        }
        self.progress.begin(f"latency: ours, {p.latency_records} records")
        # Calls per record are counted on this pass: its first load runs to the end (the instant pass is time-boxed
        # and would leave a backlog that the steady run then works through), then new requisitions arrive.
        latency_pass = self.ours("latency", p.latency_records, latency=LATENCY, steady=p.steady_records)
        latency = latency_pass["first"]
        results["calls"] = {
            "records": latency.posted,
            "first_complete": not latency.timed_out,
            "first": calls.per_record(latency_pass["first_calls"], latency.posted),
            "steady": calls.per_record(latency_pass["steady_calls"], latency_pass["steady"].posted),
            "steady_records": latency_pass["steady"].posted,
            "first_by_endpoint": latency_pass["first_calls"],
            "steady_by_endpoint": latency_pass["steady_calls"],
        }
        self.progress.begin(f"latency: floor, {p.latency_records} records")
        results["latency"] = self._pass(latency, self.floor(p.latency_records, latency=LATENCY))
        results["latency"]["injected"] = LATENCY

    @staticmethod
    def _pass(ours, floor: dict) -> dict:
        floor_rate = floor["records"] / floor["seconds"] if floor["seconds"] else 0.0
        return {
            "records": ours.records,
            "posted": ours.posted,
            "ours_timed_out": ours.timed_out,
            "floor_records": floor["records"],
            "states": ours.states,
            "errors": ours.errors[:5],
            "ours_seconds": round(ours.seconds, 2),
            "floor_seconds": round(floor["seconds"], 2),
            "ours_per_second": round(ours.per_second, 2),
            "floor_per_second": round(floor_rate, 2),
            "ratio": round(ours.per_second / floor_rate, 3) if floor_rate else 0.0,
        }

    def _rate_limits(self, results: dict) -> None:
        """Procore's published example limits (25 per 10 s, 600 per hour) on; how close we run to them."""
        p = self.plan
        self.progress.begin(f"rate limits: {p.rate_limit_records} records")
        self.fresh_world(p.rate_limit_records, limits=False)  # the reset gives Procore a new, idle limiter
        procore, acumatica = self.controls()
        procore.clear_journal()  # from the reset on: the windows are then rebuilt as the limiter opened them
        acumatica.clear_journal()
        integration = world.wire(self.sandbox_url, "ratelimit")
        world.quiet_polls()
        setup_calls = len([entry for entry in procore.journal() if entry["host"] == "api"])
        cluster = procs.start_cluster(self.env, self.logs / "cluster-ratelimit.log", self.plan.workers)
        try:
            wait_ready(cluster, self.plan.workers)
            run_flow(integration, p.rate_limit_records, cluster, self.progress, p.rate_limit_seconds)
        finally:
            procs.stop_cluster(cluster)
        journal = procore.journal()
        spike = procore.config()["rate_limit_spike"]
        api = [entry for entry in journal if entry["host"] == "api"]
        results["rate_limit"] = {
            "limit": spike,
            "window_seconds": 10,
            "calls": len(api) - setup_calls,
            "429s": sum(1 for entry in journal + acumatica.journal() if entry.get("status") == 429),
            "share": round(_window_share(api, 10, spike, setup_calls), 3),
        }

    def _webhooks(self, results: dict) -> None:
        p = self.plan
        self.progress.begin(f"webhooks: {p.webhook_rate}/s for {p.webhook_seconds:.0f} s")
        connection = self.instant_integration.source
        web, url = procs.start_web(self.env, self.logs / "web.log", procs.free_port())
        try:
            hook = f"{url}/webhooks/{connection.uuid}/"
            webhook_load.load(hook, "bench-hook-secret", 20, 1)  # warm up: every server thread has its connection
            results["webhook"] = webhook_load.load(
                hook, "bench-hook-secret", p.webhook_rate, p.webhook_seconds,
                self.progress,
            )
        finally:
            web.stop()

    def _admin(self, results: dict) -> None:
        p = self.plan
        self.progress.begin(f"admin: {p.admin_records:,} rows, {p.admin_events:,} events")
        started = time.monotonic()
        admin_pages.seed(self.instant_integration, p.admin_records, p.admin_events, self.progress)
        seeded = time.monotonic() - started
        pages = {
            "dashboard (admin index)": "/admin/",
            "ledger list": "/admin/syncs/syncrecord/",
            "ledger search": f"/admin/syncs/syncrecord/?q=INV-B{p.admin_records // 2:07d}",
        }
        results["admin"] = {
            "records": p.admin_records,
            "events": p.admin_events,
            "seed_seconds": round(seeded, 1),
            "pages": admin_pages.measure(self.instant_integration.tenant, pages),
        }


def _window_share(entries: list[dict], seconds: int, limit: int, skip: int = 0) -> float:
    """Calls per window as a share of `limit`, windows counted the way the vendor counts them: a window opens at
    the first call after the last one closed and lasts `seconds`. `entries` are every call since the limiter was
    new, so the windows are the limiter's own; the first `skip` calls (setting up the integration) only place the
    windows. The mean over the windows the flow opened, but the last (cut short when the run ended)."""
    stamps = sorted(dt.datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp() for entry in entries)
    windows: list[list[int]] = []  # [index of the call that opened it, calls]
    opened = None
    for index, stamp in enumerate(stamps):
        if opened is None or stamp >= opened + seconds:
            opened = stamp
            windows.append([index, 0])
        windows[-1][1] += 1
    flow = [calls for first, calls in windows if first >= skip]
    full = flow[:-1] or flow
    return sum(full) / len(full) / limit if full else 0.0
