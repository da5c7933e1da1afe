"""Settings for the test suite: the real settings with a fixed test key and development defaults."""

import os

os.environ.setdefault("ENV_FILE", "")
os.environ.setdefault("DEBUG", "true")
# A fixed, public key: the test database holds only test secrets.
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "bq6HgjHcVFCF5VPiWYk7AqEKFEm7j7S1b8n1Ff6mK0E=")

from .settings import *  # noqa: E402,F403

Q_CLUSTER = {**Q_CLUSTER, "sync": False}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
