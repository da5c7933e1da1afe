"""The processes a benchmark run starts (simulators, worker cluster, web server) and what /proc says of them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]


class Process:
    """A child process in its own session, stopped (with its children) by its own id."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self.handle = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self, timeout: float = 30) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.handle.close()

    def tree(self) -> list[int]:
        """This process and every descendant."""
        return [self.pid, *descendants(self.pid)]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def peak_kib(pid: int) -> int:
    """VmHWM (peak resident set) of one process, in KiB; 0 once it is gone."""
    try:
        match = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time one process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_sandbox(env: dict, log: Path) -> tuple[Process, str]:
    """`manage.py runsandbox` on a free port; returns the process and its base URL once it answers."""
    process = Process([*MANAGE, "runsandbox", "--port", "0"], env, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r"Sandbox serving at (http://\S+)", log.read_text(errors="replace"))
        if match:
            url = match.group(1)
            if requests.get(f"{url}/_sandbox/", timeout=5).ok:
                return process, url
        if process.popen.poll() is not None:
            break
        time.sleep(0.2)
    process.stop()
    raise RuntimeError(f"the sandbox did not start; see {log}")


def start_cluster(env: dict, log: Path, workers: int) -> Process:
    return Process([*MANAGE, "qcluster"], {**env, "Q_WORKERS": str(workers)}, log)


def stop_cluster(cluster: Process) -> None:
    """Stop a pass's cluster without waiting for the work it still holds (its numbers are taken), and empty the
    broker, so nothing of this pass is run by the next pass's cluster."""
    from django_q.brokers import get_broker

    cluster.stop(timeout=5)
    get_broker().purge_queue()


def start_web(env: dict, log: Path, port: int, workers: int = 2, threads: int = 8) -> tuple[Process, str]:
    """gunicorn (a project dependency) with threaded workers; returns the process and its URL once it answers.

    Database connections are kept between requests, as in production (CONN_MAX_AGE): opening one per request costs
    more than the webhook view itself (a PostgreSQL backend per connection; closing SQLite's last connection
    checkpoints its log). The workers' heartbeat file is in memory (/dev/shm), as gunicorn advises: on a disk it
    costs a file system write each time a worker wakes, that is on every request."""
    args = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads), "--worker-class", "gthread", "--log-level", "warning"]  # fmt: skip
    if Path("/dev/shm").is_dir():
        args += ["--worker-tmp-dir", "/dev/shm"]
    process = Process(args, {"CONN_MAX_AGE": "60", **env}, log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/healthz", timeout=10)
            return process, url
        except requests.RequestException:
            if process.popen.poll() is not None:
                break
            time.sleep(0.3)
    process.stop()
    raise RuntimeError(f"the web server did not start; see {log}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
