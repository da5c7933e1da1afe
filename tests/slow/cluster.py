"""Real django-q2 clusters for the crash tests: started as `manage.py qcluster` against the test database (the
one the test process also uses, whichever DATABASE_URL the run has), killed the way a machine dies.

Each cluster runs in its own process group, so SIGKILL takes the whole cluster (sentinel, workers, monitor,
pusher) at once, as a power cut or the kernel's OOM killer would, and only the processes the test started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "ml-connector"  # the cluster name of config/settings.py: both brokers key their queue by it


def database_url() -> str:
    """The URL of the database this test process is using (the test database, already created)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def cluster_env(redis_url: str = "", **overrides) -> dict:
    """The real settings (not the test ones, whose tasks run inline) on the test database."""
    return {
        **os.environ,
        "ENV_FILE": "",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,  # tasks are signed: the test process enqueues with the same key
        "FIELD_ENCRYPTION_KEY": os.environ.get("FIELD_ENCRYPTION_KEY", "bq6HgjHcVFCF5VPiWYk7AqEKFEm7j7S1b8n1Ff6mK0E="),
        "REDIS_URL": redis_url,
        "Q_WORKERS": "1",
        "HTTP_READ_TIMEOUT": "30",
        **{name: str(value) for name, value in overrides.items()},
    }


class Cluster:
    """One `manage.py qcluster` process group."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: "running." in self.text(), f"cluster never started:\n{self.text()}", timeout=60)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the whole cluster at once: nothing gets to finish, commit or acknowledge."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), falling back to SIGKILL of its own group."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def enqueue(func: str, *args, redis_url: str = "") -> None:
    """Put a task in the broker the clusters read (the test settings would otherwise run it inline)."""
    from django_q.conf import Conf
    from django_q.tasks import async_task

    broker = None
    if redis_url:
        from django_q.brokers.redis_broker import Redis

        saved, Conf.REDIS = Conf.REDIS, redis_url
        try:
            broker = Redis(list_key=QUEUE)
        finally:
            Conf.REDIS = saved
    else:
        from django_q.brokers.orm import ORM

        broker = ORM(list_key=QUEUE)
    async_task(func, *args, sync=False, broker=broker)


def wait_until(condition, message: str, timeout: float = 60, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(interval)
