"""How requisitions (subcontractor invoices) and direct costs look on the wire, per published version.

- ``/requisitions/{id}/detail`` is an **array of detail lines** (``item_type``, ``cost_code_id``, amounts),
  with no requisition header, commitment or ``items`` around it;
- requisition items carry a flat ``cost_code_id`` and ``line_item_id`` (the commitment line). The published
  item schemas have no ``line_item_type_id``; the ``requisition_item_line_item_type`` switch adds one for
  clients that were written against that assumption (off by default, so the default is the contract);
- requisitions carry a ``summary`` (the G702 figures) in v1.0 and v1.1; v1.1 adds ``vendor_id`` and ``items``;
- the direct cost **list** has ``vendor`` as a string (the name) beside ``vendor_id`` and ``vendor_name``; the
  v1.0 **show** has ``vendor{id, name}`` and ``line_items_count`` but no line items; the v1.1 show adds
  ``line_items``, ``company`` and ``project``.
"""

from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal

from ..core.store import Store
from .render import cost_line, find_contract, money, pick, total

AMOUNT_FIELDS = (
    "scheduled_value",
    "work_completed_from_previous_application",
    "work_completed_this_period",
    "materials_presently_stored",
    "work_completed_retainage_from_previous_application",
    "work_completed_retainage_retained_this_period",
    "materials_stored_retainage_currently_retained",
)
DONE_FIELDS = ("work_completed_from_previous_application", "work_completed_this_period", "materials_presently_stored")


def _amounts(item: dict) -> dict:
    out = {name: money(item.get(name)) for name in AMOUNT_FIELDS}
    done = total([item], *DONE_FIELDS)
    scheduled = Decimal(out["scheduled_value"])
    out["total_completed_and_stored_to_date"] = money(done)
    out["total_completed_and_stored_to_date_percent"] = money(done * 100 / scheduled if scheduled else 0)
    return out


def requisition_item(item: dict, with_type: bool) -> dict:
    """An entry of /contract_items (and of the v1.1 ``items``)."""
    out = pick(item, "id", "cost_code_id", "line_item_id", "description_of_work", "comment")
    out["item_type"] = item.get("item_type", "contract_item")
    out["position"] = item.get("position", 1)
    out.update(_amounts(item))
    if with_type and item.get("line_item_type_id") is not None:
        out["line_item_type_id"] = item["line_item_type_id"]
    return out


def change_order_item(item: dict) -> dict:
    """An entry of /change_order_items: no item_type; names the commitment line and the change order."""
    out = pick(item, "id", "cost_code_id", "line_item_id", "description_of_work", "change_order_package_id")
    out["commitment_line_item_id"] = item.get("line_item_id")
    out["position"] = item.get("position", 1)
    out.update(_amounts(item))
    return out


def detail_line(item: dict, number: int) -> dict:
    """One line of /requisitions/{id}/detail."""
    out = pick(item, "id", "cost_code_id", "description_of_work")
    out["item_type"] = item.get("item_type", "contract_item")
    out["item_number"] = item.get("position", number)
    out.update(_amounts(item))
    done = Decimal(out["total_completed_and_stored_to_date"])
    retained = total(
        [item], "work_completed_retainage_from_previous_application", "work_completed_retainage_retained_this_period"
    )
    out["balance_to_finish"] = money(Decimal(out["scheduled_value"]) - done)
    # in the published detail line (RestV10RequisitionsRequisitionIdDetailGet), not in the contract item schema
    out["materials_stored_retainage_retained_this_period"] = money(
        item.get("materials_stored_retainage_retained_this_period")
    )
    out["work_completed_retainage_currently_retained"] = money(retained)
    out["total_retainage_currently_retained"] = money(
        retained + Decimal(out["materials_stored_retainage_currently_retained"])
    )
    return out


def _this_period(items: list[dict]) -> tuple[Decimal, Decimal]:
    claimed = total(items, "work_completed_this_period", "materials_presently_stored")
    retained = total(
        items, "work_completed_retainage_retained_this_period", "materials_stored_retainage_currently_retained"
    )
    return claimed, retained


def _net(record: dict) -> Decimal:
    claimed, retained = _this_period(record.get("items", []))
    return claimed - retained


class PreviousCertificates:
    """What the earlier requisitions of a commitment certified (claimed less retained), for many requisitions.

    Built once per answer from one pass over the stored requisitions (a list page renders up to 100 of them, and
    scanning every requisition once per rendered row made a page of a 10,000-requisition company take seconds).
    Per commitment the net amounts are summed in number order, so each look-up is a bisection.
    """

    def __init__(self, store: Store):
        self.store = store
        self._by_commitment: dict | None = None
        self._sums: dict = {}

    def previous(self, record: dict) -> Decimal:
        if self._by_commitment is None:
            self._by_commitment = {}
            for other in self.store.all("requisitions"):
                self._by_commitment.setdefault(other.get("commitment_id"), []).append(other)
        siblings = self._by_commitment.get(record.get("commitment_id"), [])
        number = record.get("number", 0)
        key = record.get("commitment_id")
        try:
            if key not in self._sums:
                ordered = sorted(siblings, key=lambda r: r.get("number", 0))
                running, sums = Decimal(0), [Decimal(0)]
                for other in ordered:
                    running += _net(other)
                    sums.append(running)
                self._sums[key] = ([r.get("number", 0) for r in ordered], sums)
            numbers, sums = self._sums[key]
            return sums[bisect_left(numbers, number)]
        except TypeError:  # numbers that do not compare (a malformed seed): add them up one by one
            return sum((_net(r) for r in siblings if r.get("number", 0) < number), Decimal(0))


def summary(store: Store, record: dict, contract_record: dict, certified: PreviousCertificates | None = None) -> dict:
    """The G702 figures of one requisition, published under ``summary``."""
    items = record.get("items", [])
    claimed, retained = _this_period(items)
    previous = (certified or PreviousCertificates(store)).previous(record)
    original = total(contract_record.get("line_items", []), "amount")
    approved = (
        total(
            [
                o
                for o in store.find("commitment_change_orders", contract_id=contract_record.get("id"))
                if o.get("status") == "approved"
            ],
            "grand_total",
        )
        if contract_record
        else Decimal(0)
    )
    to_date = total(items, "work_completed_from_previous_application") + claimed
    return {
        "original_contract_sum": money(original),
        "net_change_by_change_orders": money(approved),
        "contract_sum_to_date": money(original + approved),
        "total_completed_and_stored_to_date": money(to_date),
        "completed_work_retainage_amount": money(retained),
        "stored_materials_retainage_amount": money(0),
        "total_retainage": money(retained),
        "total_earned_less_retainage": money(to_date - retained),
        "less_previous_certificates_for_payment": money(previous),
        "current_payment_due": money(claimed - retained),
        "balance_to_finish_including_retainage": money(original + approved - to_date + retained),
    }


REQUISITION_FIELDS = (
    "id",
    "project_id",
    "commitment_id",
    "number",
    "invoice_number",
    "billing_date",
    "period_id",
    "requisition_start",
    "requisition_end",
    "status",
    "erp_status",
    "payment_date",
    "origin_id",
    "origin_data",
    "created_at",
    "updated_at",
)


def requisition(
    store: Store,
    record: dict,
    version: str,
    with_type: bool = False,
    certified: PreviousCertificates | None = None,
    items: bool = True,
) -> dict:
    """A requisition header as /requisitions and /requisitions/{id} publish it in ``version`` (1.0 or 1.1).
    A list passes one ``certified`` for its whole page. v1.1 lists and shows carry ``items`` only when asked for
    (``view=extended`` or ``view=items``: RestV11RequisitionsGet / RestV11RequisitionsIdGet)."""
    out = pick(record, *REQUISITION_FIELDS)
    contract_record = find_contract(store, record.get("commitment_id")) or {}
    vendor = store.get("vendors", contract_record.get("vendor_id")) or {}
    claimed = _this_period(record.get("items", []))[0]
    out.update(vendor_name=vendor.get("name"), total_claimed_amount=money(claimed))
    is_po = store.get("purchase_order_contracts", record.get("commitment_id")) is not None
    out["commitment_type"] = "PurchaseOrderContract" if is_po else "WorkOrderContract"
    out["contract_name"] = contract_record.get("title")
    out["final"] = bool(record.get("final", False))
    out["deletable"] = record.get("status") == "draft"
    out["summary"] = summary(store, record, contract_record, certified)
    if version == "1.1":
        out["vendor_id"] = vendor.get("id")
        if items:
            out["items"] = [requisition_item(item, with_type) for item in record.get("items", [])]
    return out


DIRECT_COST_FIELDS = (
    "id",
    "direct_cost_type",
    "status",
    "description",
    "invoice_number",
    "direct_cost_date",
    "received_date",
    "payment_date",
    "terms",
    "origin_id",
    "origin_data",
    "created_at",
    "updated_at",
    "deleted_at",
)


def direct_cost_row(store: Store, record: dict) -> dict:
    """An entry of the direct cost list (v1.0 and v1.1): ``vendor`` is the vendor's name as a string."""
    out = pick(record, *DIRECT_COST_FIELDS)
    grand = money(total(record.get("line_items", []), "amount"))
    out.update(grand_total=grand, amount=grand)
    vendor = store.get("vendors", record.get("vendor_id"))
    out["vendor_id"] = vendor["id"] if vendor else None
    out["vendor_name"] = vendor.get("name") if vendor else None
    out["vendor"] = out["vendor_name"]
    return out


def direct_cost(store: Store, record: dict, version: str) -> dict:
    """A direct cost as its show (and create/update) publishes it in ``version`` (1.0 or 1.1)."""
    out = pick(record, *DIRECT_COST_FIELDS)
    out["grand_total"] = money(total(record.get("line_items", []), "amount"))
    vendor = store.get("vendors", record.get("vendor_id"))
    out["vendor"] = {"id": vendor["id"], "name": vendor.get("name")} if vendor else None
    out["vendor_id"] = vendor["id"] if vendor else None
    out["vendor_name"] = vendor.get("name") if vendor else None
    out["line_items_count"] = len(record.get("line_items", []))
    out["attachments_count"] = 0
    out["attachments"] = []
    if version == "1.1":
        project = store.get("projects", record.get("project_id")) or {}
        owner = store.get("companies", project.get("company_id")) or {}
        out["project"] = {"id": project.get("id"), "name": project.get("name")}
        out["company"] = {"id": owner.get("id"), "name": owner.get("name")}
        out["line_items"] = [cost_line(store, line) for line in record.get("line_items", [])]
    return out


def direct_cost_line(store: Store, line: dict, record: dict, across: bool = False) -> dict:
    """A direct cost line item as /direct_costs/{id}/line_items publishes it; ``across`` for the project-wide
    /direct_costs/line_items, whose published item has no ``origin_data``."""
    project = store.get("projects", record.get("project_id")) or {}
    out = cost_line(store, line, project)
    out["holder"] = {"id": record["id"], "holder_type": "DirectCost"}
    if across:
        out.pop("origin_data", None)
    return out
