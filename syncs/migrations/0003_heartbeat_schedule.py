"""Create the django-q2 schedule that runs syncs.ops.heartbeat every minute (read by /healthz)."""

from django.db import migrations


def create_schedule(apps, schema_editor):
    from syncs.ops.heartbeat import ensure_heartbeat_schedule

    ensure_heartbeat_schedule(apps.get_model("django_q", "Schedule"))


def remove_schedule(apps, schema_editor):
    from syncs.ops.heartbeat import HEARTBEAT_FUNC

    apps.get_model("django_q", "Schedule").objects.filter(func=HEARTBEAT_FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("syncs", "0002_worker_heartbeat"),
        ("django_q", "0014_schedule_cluster"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
