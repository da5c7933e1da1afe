"""Production settings fail loudly and pass Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "ENV_FILE": "",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "x7Hq2-" + "Kp9vLm3Zr8TbW1nYc4Fd6Gs0Jk5Qa2Ue7Io9Px3Rt8Vw1Bz4My6Nh",
    "ALLOWED_HOSTS": "connector.example.com",
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "DATABASE_URL": "sqlite:///:memory:",
    "METRICS_TOKEN": "m3tr1cs-" + "t0ken-long-enough-for-production",
}


def manage(*args, **overrides):
    # Only the variables under test: nothing a test process set for itself (e.g. for Playwright) leaks in.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD and not k.startswith("SECURE_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "overrides, names",
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"FIELD_ENCRYPTION_KEY": None}, "FIELD_ENCRYPTION_KEY"),
        ({"FIELD_ENCRYPTION_KEY": "not-a-key"}, "FIELD_ENCRYPTION_KEY"),
        ({"FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode() + ",oops"}, "FIELD_ENCRYPTION_KEY entry 2"),
        ({"DATABASE_URL": "nonsense://"}, "DATABASE_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"METRICS_TOKEN": None}, "METRICS_TOKEN"),
        ({"Q_TIMEOUT": "600", "SYNC_CLAIM_TIMEOUT_SECONDS": "610"}, "SYNC_CLAIM_TIMEOUT_SECONDS"),
    ],
)
def test_bad_or_missing_production_values_stop_the_start_and_name_the_variable(overrides, names):
    result = manage("check", **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert names in result.stderr


def test_several_keys_are_accepted_newest_first():
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    result = manage("check", FIELD_ENCRYPTION_KEY=keys)
    assert result.returncode == 0, result.stderr
