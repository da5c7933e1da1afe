from django.apps import AppConfig
from django.core import checks


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = "Tenants and connections"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import throttle  # noqa: F401  (connects the sign-in failure signals)

        checks.register(check_encryption_keys)
        post_migrate.connect(_write_canary, sender=self)


def _write_canary(**kwargs):
    from .crypto import verify_keys_can_read_canary

    verify_keys_can_read_canary(create_if_missing=True)


def check_encryption_keys(app_configs=None, **kwargs):
    """Every management command (runserver, qcluster, migrate...) refuses to run with keys that cannot decrypt."""
    from .crypto import SecretDecryptionError, verify_keys_can_read_canary

    try:
        verify_keys_can_read_canary(create_if_missing=False)
    except SecretDecryptionError as exc:
        return [checks.Error(str(exc), hint="Fix FIELD_ENCRYPTION_KEY.", id="connections.E001")]
    return []
