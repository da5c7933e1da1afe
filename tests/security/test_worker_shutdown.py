"""A worker cluster told to stop (SIGTERM, as every process manager does) exits within 10 seconds: idle, and busy
with short tasks while more wait in the broker (those stay there for the next cluster)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GRACE = 10.0  # seconds a process manager commonly waits before SIGKILL (docker stop's default)


@pytest.fixture(scope="module")
def cluster_env(tmp_path_factory):
    """The real settings (not the test ones, whose tasks run inline) on a fresh SQLite file, migrated."""
    db = tmp_path_factory.mktemp("qcluster") / "db.sqlite3"
    env = {
        **os.environ,
        "ENV_FILE": "",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{db}",
        "FIELD_ENCRYPTION_KEY": "bq6HgjHcVFCF5VPiWYk7AqEKFEm7j7S1b8n1Ff6mK0E=",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "Q_WORKERS": "2",
    }
    manage(env, "migrate", "-v0")
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120)


def start_cluster(env, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    wait_for(log, "running.", count=1)
    return process


def wait_for(log: Path, text: str, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while log.read_text().count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} never appeared {count} times:\n{log.read_text()}"
        time.sleep(0.1)


def seconds_to_exit(process: subprocess.Popen) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()  # only the process this test started
    return time.monotonic() - started


def test_an_idle_cluster_stops_promptly(cluster_env, tmp_path):
    process = start_cluster(cluster_env, tmp_path / "idle.log")
    time.sleep(2)
    assert seconds_to_exit(process) < GRACE
    assert process.returncode == 0


def test_a_busy_cluster_stops_within_the_grace_period(cluster_env, tmp_path):
    """Two 3-second tasks running and six more queued: the cluster finishes what it holds, starts no backlog."""
    code = "from django_q.tasks import async_task\nfor _ in range(8): async_task('time.sleep', 3)"
    manage(cluster_env, "shell", "-c", code)
    log = tmp_path / "busy.log"
    process = start_cluster(cluster_env, log)
    wait_for(log, "processing", count=2)
    elapsed = seconds_to_exit(process)
    started = log.read_text().count("processing")
    assert elapsed < GRACE, f"stopped after {elapsed:.1f} s, having started {started} tasks:\n{log.read_text()}"
    assert started <= 4, "the cluster ran more of the backlog than it held when told to stop"
