from django.apps import AppConfig


class SyncsConfig(AppConfig):
    name = "syncs"
    verbose_name = "Syncs and audit trail"

    def ready(self):
        from django.db.models.signals import post_migrate, post_save

        from .models import Integration
        from .tasks import ensure_global_schedules

        post_migrate.connect(ensure_global_schedules, sender=self)
        post_save.connect(_schedule_polls, sender=Integration, dispatch_uid="schedule-integration-polls")


def _schedule_polls(sender, instance, **kwargs):
    from .tasks import ensure_poll_schedule

    ensure_poll_schedule(instance)
