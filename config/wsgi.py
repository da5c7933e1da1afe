"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Refuse to serve with keys that cannot read the stored secrets: fail at start, not on the first sync.
from connections.crypto import verify_keys_can_read_canary  # noqa: E402

verify_keys_can_read_canary()
