"""Which Procore document a bill becomes: a requisition on its vendor's commitment, or a direct cost of type invoice.

A bill becomes a direct cost (bill_writes.py) unless the flow asked for a requisition where one can be made
(`Bill.document` = REQUISITION_IF_COMMITTED) and the bill's vendor holds an approved commitment on the bill's
project (requisition_writes.py). The choice is made once, when the document is created: a written document keeps
its kind (its native id says which: `requisition:<project>:<id>` or `direct_cost:<project>:<id>`), and the
WriteResult's `rule` says why it was chosen, so the ledger shows it.
"""

from __future__ import annotations

from connections import errors
from connections.systems.base import WriteResult
from syncs.canonical import Bill

from .bill_writes import ProcoreBillWriter
from .placement import Placement
from .requisition_writes import REQUISITION_IF_COMMITTED, ProcoreRequisitionWriter

RULE_NO_COMMITMENT = "direct cost of type invoice: the vendor holds no approved commitment on Procore project {project}"


class ProcoreBillRouter:
    """Find and write bills as requisitions or direct costs, by our key."""

    def __init__(self, placement: Placement, direct: ProcoreBillWriter, requisitions: ProcoreRequisitionWriter):
        self.placement = placement
        self.direct = direct
        self.requisitions = requisitions

    def find(self, record: Bill, key: str) -> str | None:
        """Our requisition or direct cost (origin_id = key) in the bill's project."""
        if record.document == REQUISITION_IF_COMMITTED:
            found = self.requisitions.find(self.placement.project_id(record), key)
            if found:
                return found
        return self.direct.find(record, key)

    def write(self, record: Bill, key: str, existing_id: str | None) -> WriteResult:
        if existing_id and existing_id.startswith("requisition:"):
            _, existing_project, requisition_id = existing_id.split(":")
            project_id = self.placement.project_id(record)
            if int(existing_project) != project_id:
                raise errors.ValidationFailed(
                    f"bill {record.number} is on Procore project {project_id}, but it was written as {existing_id}"
                )
            return self.requisitions.update(project_id, requisition_id, record, key)
        if existing_id or record.document != REQUISITION_IF_COMMITTED:
            return self.direct.write(record, key, existing_id)
        project_id = self.placement.project_id(record)
        commitment = self.requisitions.commitment_for(project_id, record)
        if commitment is not None:
            return self.requisitions.create(project_id, commitment, record, key)
        result = self.direct.write(record, key, None)
        result.response = {**(result.response or {}), "rule": RULE_NO_COMMITMENT.format(project=project_id)}
        return result
