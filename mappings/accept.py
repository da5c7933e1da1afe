"""Accepting suggestions, one at a time or every unambiguous one above a score. Each becomes an audited map row."""

from django.db import transaction

from .grid import Blocking, cost_code_rows, project_rows, vendor_rows
from .models import ChangeSource, CostCodeMap, ProjectMap, VendorMap
from .resolve import Maps
from .services import requeue_on_commit, save_map

DEFAULT_THRESHOLD = 0.9


def _map_reference(model, integration, source, destination, user, via, requeue):
    row = model.objects.filter(integration=integration, source=source).first()
    row = row or model(integration=integration, source=source)
    row.destination = destination
    return save_map(row, user, via, requeue=requeue)


def map_vendor(integration, source, destination, user, via=ChangeSource.GRID, requeue=True) -> VendorMap:
    """Point a source vendor at a destination vendor (creating or changing its map row)."""
    return _map_reference(VendorMap, integration, source, destination, user, via, requeue)


def map_project(integration, source, destination, user, via=ChangeSource.GRID, requeue=True) -> ProjectMap:
    """Point a source project, job, class or cost center at a destination project."""
    return _map_reference(ProjectMap, integration, source, destination, user, via, requeue)


def map_cost_code(
    integration, cost_code, cost_type, account, user, dimensions=None, via=ChangeSource.GRID, requeue=True
):
    """Point a source cost code + cost type at a destination GL account and dimensions."""
    row = CostCodeMap.objects.filter(integration=integration, cost_code=cost_code, cost_type=cost_type).first()
    row = row or CostCodeMap(integration=integration, cost_code=cost_code, cost_type=cost_type)
    row.account = account
    if dimensions is not None:
        row.dimensions = dimensions
    return save_map(row, user, via, requeue=requeue)


@transaction.atomic
def accept_all(integration, user, threshold: float = DEFAULT_THRESHOLD) -> dict[str, int]:
    """Accept every unambiguous suggestion scoring at least `threshold` for unmapped vendors and cost codes."""
    maps = Maps(integration)
    # Blocked counts play no part in what is accepted.
    rows = vendor_rows(integration, maps, Blocking())
    accepted = {"vendor": 0, "cost_code": 0, "project": 0}
    for row in rows:
        if _acceptable(row, threshold):
            map_vendor(integration, row.source, row.suggestion.candidate, user, ChangeSource.SUGGESTION, False)
            accepted["vendor"] += 1
    for row in project_rows(integration, maps, Blocking()):
        if _acceptable(row, threshold):
            map_project(integration, row.source, row.suggestion.candidate, user, ChangeSource.SUGGESTION, False)
            accepted["project"] += 1
    for row in cost_code_rows(integration, maps, Blocking()):
        if _acceptable(row, threshold):
            candidate = row.suggestion.candidate
            map_cost_code(
                integration, row.cost_code, row.cost_type, candidate, user, via=ChangeSource.SUGGESTION, requeue=False
            )
            accepted["cost_code"] += 1
    if any(accepted.values()):
        requeue_on_commit(integration.pk)
    return accepted


def _acceptable(row, threshold: float) -> bool:
    return not row.mapped and row.suggestion is not None and row.clear and row.suggestion.score >= threshold
