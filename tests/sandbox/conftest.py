"""Fixtures for the simulator tests: one sandbox server per session, state reset before each test."""

from __future__ import annotations

import pytest
import requests

from sandbox.testing import SandboxControl


@pytest.fixture(scope="session")
def sandbox_server(sandbox):
    """The suite's one sandbox server (tests/conftest.py), under the name these tests use."""
    return sandbox


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture
def procore_ctl(sandbox_server) -> SandboxControl:
    control = SandboxControl(sandbox_server.base_url, "procore")
    control.reset()
    return control


@pytest.fixture
def acumatica_ctl(sandbox_server) -> SandboxControl:
    control = SandboxControl(sandbox_server.base_url, "acumatica")
    control.reset()
    return control
