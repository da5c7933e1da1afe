"""Vendor calls by kind, from the simulators' own counters (`GET /_sandbox/<system>/calls`)."""

from __future__ import annotations

KINDS = ("reads", "lookups", "writes", "token")


def kind_of(system: str, key: str) -> str:
    """'GET /rest/v1.0/requisitions/{id}/detail' on procore -> 'reads'.

    Token: any grant. Writes: any other non-GET. Look-ups: reads on the destination side (Acumatica), which look a
    document up before or after writing it. Reads: everything read from the source (lists, details, reference).
    """
    method, _, path = key.partition(" ")
    if "token" in path or "/auth/login" in path:
        return "token"
    if method not in ("GET", "HEAD"):
        return "writes"
    return "lookups" if system == "acumatica" else "reads"


def by_kind(counters: dict[str, dict[str, int]]) -> dict[str, int]:
    """{system: {endpoint: count}} -> {kind: count}."""
    totals = dict.fromkeys(KINDS, 0)
    for system, endpoints in counters.items():
        for key, count in endpoints.items():
            totals[kind_of(system, key)] += count
    return totals


def per_record(counters: dict[str, dict[str, int]], posted: int) -> dict[str, float]:
    totals = by_kind(counters)
    result = {kind: round(count / max(posted, 1), 3) for kind, count in totals.items()}
    result["total"] = round(sum(totals.values()) / max(posted, 1), 3)
    return result
