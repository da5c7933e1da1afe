"""GET /healthz: database, django-q2 broker and worker heartbeat, for load balancers and uptime probes.

Unauthenticated by design, so it says nothing about tenants: only check names, pass/fail and short reasons.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM

from .heartbeat import HEARTBEAT_MAX_AGE, last_heartbeat

logger = logging.getLogger(__name__)


class CheckFailed(Exception):
    """A health check found a problem; the message is the public reason."""


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_broker() -> dict:
    broker = get_broker()
    if isinstance(broker, ORM):
        # The ORM broker's ping() always answers True; reading its queue table is the real test.
        broker.queue_size()
    elif not broker.ping():
        raise CheckFailed("broker did not answer ping")
    return {}


def check_worker() -> dict:
    beat_at = last_heartbeat()
    limit = int(HEARTBEAT_MAX_AGE.total_seconds())
    if beat_at is None:
        raise CheckFailed(f"no worker heartbeat in the last {limit} s (none recorded; is qcluster running?)")
    age = (timezone.now() - beat_at).total_seconds()
    if age > limit:
        raise CheckFailed(f"no worker heartbeat in the last {limit} s (last one {int(age)} s ago)")
    return {"age_seconds": round(max(age, 0.0), 1)}


CHECKS = {"database": check_database, "broker": check_broker, "worker": check_worker}


def run_check(name, check) -> dict:
    """Run one check; never raises. Unexpected errors are logged in full but reported by type and first line."""
    try:
        return {"status": "ok", **check()}
    except CheckFailed as exc:
        return {"status": "fail", "reason": str(exc)}
    except Exception as exc:  # a health check must report, not crash
        logger.warning("Health check %s failed", name, exc_info=True)
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        return {"status": "fail", "reason": f"{type(exc).__name__}: {first_line}".rstrip(": ")}


def run_checks() -> dict:
    checks = {name: run_check(name, check) for name, check in CHECKS.items()}
    status = "ok" if all(result["status"] == "ok" for result in checks.values()) else "fail"
    return {"status": status, "checks": checks}


@never_cache
@require_safe
def healthz(request):
    """200 when every check passes, 503 otherwise; the body names what failed and why."""
    report = run_checks()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
