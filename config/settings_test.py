"""Settings for the test suite: the real settings with a fixed test key and development defaults."""

import os

os.environ.setdefault("ENV_FILE", "")
os.environ.setdefault("DEBUG", "true")
# A fixed, public key: the test database holds only test secrets.
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "bq6HgjHcVFCF5VPiWYk7AqEKFEm7j7S1b8n1Ff6mK0E=")

from .settings import *  # noqa: E402,F403

Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405  (tasks run inline, in the test)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: concurrency tests need SQLite's real locking with its busy timeout.
    # One file per test process, so two suites running side by side never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
