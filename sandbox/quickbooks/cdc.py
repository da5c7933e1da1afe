"""Change data capture: ``GET /v3/company/{realmId}/cdc?entities=Bill,Vendor&changedSince=<ISO time>``.

Answers every object of the listed entities changed at or after ``changedSince``, deleted transactions as
``{"domain", "status": "Deleted", "Id", "MetaData": {"LastUpdatedTime"}}`` stubs, one QueryResponse per entity
(an empty ``{}`` for an entity with no changes). The look-back is at most 30 days and one answer holds at
most 1,000 objects: the oldest changes are kept, the rest must be fetched with a later ``changedSince``.
"""

from __future__ import annotations

from datetime import timedelta

from . import faults
from .entities import lookup
from .jsonio import parse_time

LOOKBACK = timedelta(days=30)


def _since(sim, raw: str | None):
    if not raw:
        faults.required("changedSince")
    try:
        since = parse_time(raw)
    except ValueError:
        faults.validation(
            "2030", "Invalid ID", f"changedSince should be a valid date time. Supplied value:{raw}", "changedSince"
        )
    if sim.clock.now() - since > LOOKBACK:
        if sim.config["cdc_too_old"] == "error":
            faults.validation(
                "4001",
                "Invalid query",
                "QueryValidationError: changedSince cannot be more than 30 days in the past",
                "changedSince",
            )
        since = sim.clock.now() - LOOKBACK
    return since


def _entities(raw: str | None):
    if not raw:
        faults.required("entities")
    out = []
    for name in (part.strip() for part in raw.split(",") if part.strip()):
        entity = lookup(name)
        if entity is None:
            faults.validation(
                "4001", "Invalid query", f"QueryValidationError: invalid context declaration: {name}", "entities"
            )
        out.append(entity)
    return out


def _shown(sim, entity, record: dict) -> dict:
    if record.get("_deleted"):
        return sim.books.stub(record, with_time=True)
    if entity.kind == "name" and record.get("Active") is False and sim.config["cdc_inactive_as_deleted"]:
        return sim.books.stub(record, with_time=True)
    return sim.books.render(record)


def changes(sim, realm: str, entities_raw: str | None, since_raw: str | None) -> dict:
    """The CDCResponse body for one company."""
    entities = _entities(entities_raw)
    since = _since(sim, since_raw)
    found = []
    for order, entity in enumerate(entities):
        for record in sim.books.every(entity, realm):
            updated = parse_time(record["MetaData"]["LastUpdatedTime"])
            if updated >= since:
                found.append((updated, order, record))
    found.sort(key=lambda item: (item[0], item[1], int(item[2]["Id"])))
    kept = found[: sim.config["cdc_max_objects"]]
    responses = []
    for order, entity in enumerate(entities):
        rows = [_shown(sim, entity, record) for _, o, record in kept if o == order]
        if not rows:
            responses.append({})
            continue
        block = {entity.name: rows, "startPosition": 1, "maxResults": len(rows)}
        if sim.config["cdc_total_count"]:
            block["totalCount"] = len(rows)
        responses.append(block)
    return {"CDCResponse": [{"QueryResponse": responses}], "time": sim.envelope_time()}
