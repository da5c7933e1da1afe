"""Operations: health check, Prometheus metrics, worker heartbeat and the status report.

`heartbeat` is re-exported here because its django-q2 schedule names it by the dotted path "syncs.ops.heartbeat".
"""

from .heartbeat import HEARTBEAT_FUNC, ensure_heartbeat_schedule, heartbeat

__all__ = ["HEARTBEAT_FUNC", "ensure_heartbeat_schedule", "heartbeat"]
