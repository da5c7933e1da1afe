"""`manage.py bench --quick` end to end: it starts what it needs, runs every measurement, writes every metric."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_writes_every_metric_and_the_ratio_line(tmp_path):
    # The bench runs as an operator would run it: the project's settings, not the test run's.
    env = {**os.environ, "ENV_FILE": "", "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("FIELD_ENCRYPTION_KEY", "bq6HgjHcVFCF5VPiWYk7AqEKFEm7j7S1b8n1Ff6mK0E=")
    done = subprocess.run(
        [sys.executable, "manage.py", "bench", "--quick", "--output", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ours/floor = " in done.stdout
    results = json.loads((tmp_path / "latest.json").read_text())
    for name in ("instant", "latency"):
        assert results[name]["posted"] > 0 and results[name]["floor_records"] > 0
        assert results[name]["ours_per_second"] > 0 and results[name]["ratio"] > 0
    assert results["instant"]["own_ms_per_record"] >= 0
    for phase in ("first", "steady"):
        calls = results["calls"][phase]
        assert set(calls) == {"reads", "lookups", "writes", "token", "total"}
        assert calls["writes"] >= 0.9  # every posted record was written once (a PUT per bill)
    assert results["memory"]["small_mib"] > 10 and results["memory"]["ratio"] > 0
    assert results["rate_limit"]["calls"] > 0 and results["rate_limit"]["429s"] >= 0
    assert results["webhook"]["ok"] == results["webhook"]["sent"] and results["webhook"]["p99_ms"] > 0
    assert set(results["admin"]["pages"]) == {"dashboard (admin index)", "ledger list", "ledger search"}
    pages = results["admin"]["pages"].values()
    assert all(page["status"] == 200 and page["queries"] > 0 for page in pages), results["admin"]
    assert {row["key"] for row in results["targets"]} == {
        "ratio_latency", "own_work", "calls_steady", "memory", "rate_limit", "webhook", "admin"
    }  # fmt: skip
    assert not list(tmp_path.glob("bench-*.sqlite3")), "the bench database is dropped after the run"
