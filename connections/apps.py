from django.apps import AppConfig
from django.core import checks


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = "Tenants and connections"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import throttle  # noqa: F401  (connects the sign-in failure signals)
        from .usage import connect_flushes

        checks.register(check_encryption_keys)
        post_migrate.connect(_write_canary, sender=self)
        post_migrate.connect(_schedule_maintenance, sender=self)
        connect_flushes()


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


def _schedule_maintenance(**kwargs):
    """One repeating schedule per maintenance task a system declares (e.g. keeping Exact refresh tokens alive)."""
    from django_q.models import Schedule

    from .registry import SYSTEMS

    for spec in SYSTEMS.values():
        for func, minutes in spec.maintenance:
            Schedule.objects.update_or_create(
                name=f"maintenance:{func}",
                defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1},
            )
