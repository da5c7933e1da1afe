"""``manage.py bench``: the Procore -> Acumatica bills flow measured against a floor and the vendors' limits.

It starts what it needs (the simulators, a fresh database, a django-q2 cluster, a web server), prints one table
with each target met or not and the `ours/floor = X.XX` line, and writes the results as JSON under bench-results/.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Benchmark the sync against a minimal floor client and the vendors' limits (see README, Performance)."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=10_000, help="approved requisitions to post (N)")
        parser.add_argument("--latency-records", type=int, default=1_000,
                            help="records of the realistic-latency pass (at most N)")  # fmt: skip
        parser.add_argument("--workers", type=int, default=8, help="cluster workers (and floor threads)")
        parser.add_argument("--admin-records", type=int, default=1_000_000, help="ledger rows for the admin pages")
        parser.add_argument("--pass-seconds", type=float, default=120,
                            help="time box of one pass of ours (the floor gets a third); rates are over what is done")
        parser.add_argument("--quick", action="store_true", help="a small smoke run (about a minute)")
        parser.add_argument("--output", default=str(settings.BASE_DIR / "bench-results"))
        parser.add_argument("--inner", action="store_true", help=__import__("argparse").SUPPRESS)

    def handle(self, *args, **options):
        if options["quick"]:
            options["records"] = min(options["records"], 120)
            options["latency_records"] = min(options["latency_records"], 48)
            options["workers"] = min(options["workers"], 4)
        out = Path(options["output"])
        if not options["inner"]:
            from bench.launch import launch

            forwarded = [arg for arg in sys.argv[2:] if arg != "--inner"]
            code = launch(forwarded, out, self.stderr.write)
            if code:
                raise SystemExit(code)
            return
        self._inner(options, out)

    def _inner(self, options, out: Path) -> None:
        from bench import report
        from bench.launch import machine
        from bench.runner import Bench, Plan

        plan = Plan.of(options)
        results = {
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "records": plan.records,
            "workers": plan.workers,
            "quick": options["quick"],
            "database": os.environ.get("BENCH_DATABASE", "SQLite"),
            "broker": os.environ.get("BENCH_BROKER", "ORM"),
            "machine": machine(),
        }
        Bench(plan, out).run(results)
        path = report.write(results, out)
        self.stdout.write(report.table(results))
        self.stdout.write(f"Results: {path}")
