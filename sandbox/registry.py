"""Which simulators exist: one line per system, mapping its control name to its class.

Adding a system (``intacct``, ``exact``, ``qbo``, ``procurify``) is one line here plus its package; the
class declares its own URL prefixes.
"""

from __future__ import annotations

import importlib

from .core.app import SandboxApp

SIMULATORS: dict[str, str] = {
    "procore": "sandbox.procore.simulator.ProcoreSimulator",
    "acumatica": "sandbox.acumatica.simulator.AcumaticaSimulator",
    "exact": "sandbox.exact.simulator.ExactSimulator",
    "intacct": "sandbox.intacct.simulator.IntacctSimulator",
    "procurify": "sandbox.procurify.simulator.ProcurifySimulator",
    "quickbooks": "sandbox.quickbooks.simulator.QuickBooksSimulator",
}


def load(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def build_app(systems: list[str] | None = None) -> SandboxApp:
    """A fresh WSGI app with one new simulator per system (all of them by default)."""
    names = systems or list(SIMULATORS)
    return SandboxApp([load(SIMULATORS[name])() for name in names])
