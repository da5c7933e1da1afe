"""Every connection gets an hourly reference pull from the moment it exists."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from connections.models import Connection

from .pull import drop_pull_schedule, ensure_pull_schedule


@receiver(post_save, sender=Connection, dispatch_uid="mappings-pull-schedule")
def schedule_reference_pull(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        transaction.on_commit(lambda: ensure_pull_schedule(instance))


@receiver(post_delete, sender=Connection, dispatch_uid="mappings-drop-pull-schedule")
def drop_reference_pull(sender, instance, **kwargs):
    drop_pull_schedule(instance.pk)
