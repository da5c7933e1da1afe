"""django-q2 entry points. They take ids, never model instances."""


def requeue_needs_mapping(integration_id: int) -> int:
    """Re-try every record of an integration waiting in needs_mapping; returns how many were queued.

    Called when a map row is saved, so blocked records go on by themselves.
    """
    from .engine import requeue_blocked

    return requeue_blocked(integration_id)
