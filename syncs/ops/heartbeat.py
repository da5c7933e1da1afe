"""Worker heartbeat: a django-q2 scheduled task that stamps a row, read by /healthz.

Why a task and a row rather than django-q2's own cluster `Stat`: with the ORM broker the Stat is written to Django's
cache, and the default LocMemCache is private to each process, so the web server would never see a worker. A row
written by a task also proves the whole path works (scheduler -> broker -> worker -> database), not only that a
process exists.
"""

import socket
from datetime import timedelta

from django.utils import timezone

HEARTBEAT_FUNC = "syncs.ops.heartbeat"
HEARTBEAT_SCHEDULE_NAME = "Worker heartbeat (health check)"

# The schedule fires every minute, but the django-q2 sentinel looks at schedules only every ~30 s and a worker
# polls the broker once a second, so consecutive beats can be slightly more than 60 s apart. A 60 s limit would
# make /healthz fail for a second or two every minute on a perfectly healthy idle cluster; 90 s still catches a
# missed beat within the next scheduler pass.
HEARTBEAT_MAX_AGE = timedelta(seconds=90)


def heartbeat() -> str:
    """Record that a worker on this host is executing tasks. Scheduled every minute; returns the host name."""
    from syncs.models import WorkerHeartbeat

    # One row per host, not per process: worker pids change on every reincarnation and rows would pile up.
    name = socket.gethostname()[:200]
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
    return name


def last_heartbeat():
    """The most recent heartbeat of any worker, or None."""
    from syncs.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def ensure_heartbeat_schedule(schedule_model=None):
    """Create the every-minute heartbeat schedule, or repair it; idempotent. Returns the Schedule.

    Run by migration syncs 0003 (which passes its historical Schedule model), so every migrated database has it.
    An existing schedule keeps its next_run, so running this again does not shift the beat.
    """
    if schedule_model is None:
        from django_q.models import Schedule as schedule_model

    wanted = {"name": HEARTBEAT_SCHEDULE_NAME, "schedule_type": "I", "minutes": 1, "repeats": -1}  # "I": minutes
    schedules = schedule_model.objects.filter(func=HEARTBEAT_FUNC)
    schedule = schedules.order_by("pk").first()
    if schedule is None:
        return schedule_model.objects.create(func=HEARTBEAT_FUNC, next_run=timezone.now(), **wanted)
    changed = [name for name, value in wanted.items() if getattr(schedule, name) != value]
    if changed:
        for name in changed:
            setattr(schedule, name, wanted[name])
        schedule.save(update_fields=changed)
    # Duplicates (e.g. added by hand in the admin) would only beat more often, but keep exactly one.
    schedules.exclude(pk=schedule.pk).delete()
    return schedule
