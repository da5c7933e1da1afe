"""The outer half of `manage.py bench`: a fresh database and environment, then the run in a child process.

The child (and the worker cluster and web server it starts) read the bench database from DATABASE_URL, so the
settings of every process agree without touching the developer's own database. SQLite: a file under the output
folder. PostgreSQL (DATABASE_URL points at one): a database `bench_<pid>` created on that server and dropped after.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .procs import MANAGE, ROOT

#: A fixed, public key: the bench database holds only the simulators' demo credentials.
BENCH_FIELD_KEY = "bq6HgjHcVFCF5VPiWYk7AqEKFEm7j7S1b8n1Ff6mK0E="


def machine() -> dict:
    with open("/proc/meminfo") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return {"nproc": os.cpu_count(), "ram_gib": round(total_kib / 1024 / 1024, 1), "python": platform.python_version()}


def ensure_redis(url: str, write) -> str:
    """REDIS_URL as the broker when the client library is installed and the server answers (started if local)."""
    if importlib.util.find_spec("redis") is None:
        write("REDIS_URL is set, but the `redis` package is not installed: the ORM broker is used instead.")
        return ""
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port",
                        str(urlsplit(url).port or 6379), "--save", "", "--appendonly", "no"], check=False)  # fmt: skip
    return url


class Database:
    def __init__(self, base_url: str, out: Path):
        self.base_url = base_url
        self.postgres = base_url.split("://", 1)[0] in ("postgres", "postgresql", "pgsql")
        if self.postgres:
            self.name = f"bench_{os.getpid()}"
            parts = urlsplit(base_url)
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        else:
            self.path = out / f"bench-{os.getpid()}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def label(self) -> str:
        return "PostgreSQL" if self.postgres else "SQLite"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.base_url.replace("postgresql://", "postgres://", 1), autocommit=True) as db:
            db.execute(sql)

    def create(self) -> None:
        if self.postgres:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def launch(args: list[str], out: Path, write) -> int:
    """Create the database, migrate it, run `manage.py bench --inner ...` on it, drop it. Returns the exit code."""
    out.mkdir(parents=True, exist_ok=True)
    database = Database(os.environ.get("DATABASE_URL", ""), out) if os.environ.get("DATABASE_URL") else None
    database = database or Database("sqlite://", out)
    redis_url = ensure_redis(os.environ["REDIS_URL"], write) if os.environ.get("REDIS_URL") else ""
    env = {
        **os.environ,
        "ENV_FILE": "",
        # Development mode: the simulators live on loopback, which production settings refuse as a vendor address.
        "DEBUG": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "FIELD_ENCRYPTION_KEY": os.environ.get("FIELD_ENCRYPTION_KEY") or BENCH_FIELD_KEY,
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "BENCH_DATABASE": database.label(),
        "BENCH_BROKER": "Redis" if redis_url else f"ORM ({database.label()})",
    }
    database.create()
    try:
        subprocess.run([*MANAGE, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        return subprocess.run([*MANAGE, "bench", "--inner", *args], env=env, cwd=ROOT).returncode
    finally:
        database.drop()


def python() -> str:
    return sys.executable
