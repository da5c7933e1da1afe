"""Payment status from the ERP, written back on the Procore invoice it came from.

Requisitions (subcontractor invoices): each ERP payment becomes one contract payment on the requisition's
commitment, linked to the requisition and carrying the ERP payment in `origin_id`; partial payments are separate
payments. `origin_id` is unique per company and one ERP check may pay several invoices, so it names the payment
and the document it paid: `<payment id>@<document id>`. Existing payments are found by it before anything is
created, so a payment is written once however often the status is read. A fully paid requisition also gets its
`payment_date`. Direct costs: their only documented payment field, `payment_date`, is set when the bill is paid.
Fields are written only when they differ from what Procore holds.
"""

from __future__ import annotations

from connections.systems.base import WriteResult
from syncs.canonical import Payment, PaymentStatus

PAID = "paid"


def payment_origin_id(status: PaymentStatus, payment: Payment) -> str:
    document = payment.bill.native_id if payment.bill and payment.bill.native_id else status.native_id
    return f"{payment.native_id}@{document}"


def paid_on(status: PaymentStatus) -> str | None:
    """The date a fully paid document was settled (its last payment), else None."""
    if status.status != PAID or not status.payments:
        return None
    return max(payment.date for payment in status.payments).isoformat()


class ProcorePayments:
    """Write a canonical PaymentStatus onto a requisition or a direct cost."""

    def __init__(self, client):
        self.client = client

    def write_status(self, native_id: str, status: PaymentStatus) -> WriteResult:
        kind, project_id, record_id = native_id.split(":")
        if kind == "requisition":
            sent, response = self._requisition(project_id, record_id, status)
        elif kind == "direct_cost":
            sent, response = self._direct_cost(project_id, record_id, status)
        else:
            raise ValueError(f"not a Procore invoice id: {native_id!r}")
        return WriteResult(destination_id=native_id, created=bool(sent), sent=sent, response=response)

    def _requisition(self, project_id: str, requisition_id: str, status: PaymentStatus) -> tuple[dict, dict]:
        requisition = self.client.requisition(project_id, requisition_id)
        contract_id = requisition["commitment_id"]
        known = {str(row.get("origin_id") or "") for row in self.client.contract_payments(project_id, contract_id)}
        sent, response = {}, {}
        for payment in status.payments:
            origin_id = payment_origin_id(status, payment)
            if origin_id in known:
                continue
            fields = {
                "amount": str(payment.amount),
                "date": payment.date.isoformat(),
                "invoice_number": requisition.get("invoice_number") or "",
                "requisition_id": int(requisition_id),
                "origin_id": origin_id,
            }
            if payment.reference:
                fields["check_number"] = payment.reference
            answer = self.client.create_contract_payment(project_id, contract_id, fields)
            known.add(origin_id)
            sent.setdefault("contract_payments", []).append(fields)
            response.setdefault("contract_payments", []).append(answer.get("id"))
        settled = paid_on(status)
        if settled and (requisition.get("payment_date") or "")[:10] != settled:
            sent["requisition"] = {"payment_date": settled}
            answer = self.client.update_requisition(project_id, requisition_id, contract_id, sent["requisition"])
            response["payment_date"] = answer.get("payment_date")
        return sent, response

    def _direct_cost(self, project_id: str, direct_cost_id: str, status: PaymentStatus) -> tuple[dict, dict]:
        settled = paid_on(status)
        if not settled:
            return {}, {}
        current = self.client.direct_cost(project_id, direct_cost_id)
        if (current.get("payment_date") or "")[:10] == settled:
            return {}, {}
        fields = {"payment_date": settled}
        answer = self.client.update_direct_cost(project_id, direct_cost_id, fields)
        return {"direct_cost": fields}, {"payment_date": answer.get("payment_date")}
