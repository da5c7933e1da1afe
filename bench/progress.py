"""A one-line progress bar on stderr: the current step, a bar for its records, the time since the start."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, steps: int, stream=None, width: int = 30):
        self.steps, self.step, self.width = steps, 0, width
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.label = ""
        self.shown = ""

    def begin(self, label: str) -> None:
        self.step += 1
        self.label = label
        self.update(0, 0)

    def update(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else 0
        bar = "#" * filled + "-" * (self.width - filled)
        counts = f" {done}/{total}" if total else ""
        elapsed = time.monotonic() - self.started
        line = f"[{self.step}/{self.steps}] {self.label[:38]:<38} [{bar}]{counts} {elapsed:6.0f}s"
        if line != self.shown:  # only what changed, so a log of the run stays short
            self.shown = line
            self.stream.write("\r" + line[:110].ljust(110))
            self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
