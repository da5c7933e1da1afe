"""The demo company's commitments as Procore holds them, built from ``sandbox/demo_story.py``.

Work order contracts and purchase order contracts with their line items, and the commitment change orders
(approved ones amend their commitment's revised total, pending ones do not). Line and change order ids are
numbered in story order, so the same story gives the same ids on every run.
"""

from __future__ import annotations

from .. import demo_story as story

LINE_IDS, CHANGE_ORDER_IDS = 5_500_100_001, 5_900_000_100
COLLECTIONS = {story.SUBCONTRACT: "work_order_contracts", story.PURCHASE_ORDER: "purchase_order_contracts"}


def _line(line_id: int, line: story.Line, cost_code_id: int, type_id: int) -> dict:
    return {
        "id": line_id,
        "description": line.description,
        "amount": line.amount,
        "quantity": "1.0",
        "unit_cost": line.amount,
        "uom": "LS",
        "cost_code_id": cost_code_id,
        "line_item_type_id": type_id,
        "origin_id": None,
    }


def _contract(item: story.Commitment, project_id: int, vendor_id: int, lines: list[dict]) -> dict:
    record = {
        "id": item.procore_id,
        "project_id": project_id,
        "number": item.number,
        "title": item.title,
        "status": item.status,
        "executed": item.status == "Approved",
        "accounting_method": "amount",
        "vendor_id": vendor_id,
        "origin_id": None,
        "deleted_at": None,
        "line_items": lines,
    }
    if item.kind == story.SUBCONTRACT:  # 10 % held back once signed; the one still out for signature says 5 %
        record["retainage_percent"] = "10.0" if item.status == "Approved" else "5.0"
    return record


def _change_order(co_id: int, project_id: int, contract_id: int, order: story.ChangeOrder) -> dict:
    return {
        "id": co_id,
        "project_id": project_id,
        "contract_id": contract_id,
        "number": order.number,
        "title": order.title,
        "description": order.title,
        "status": order.status,
        "grand_total": order.amount,
        "executed": order.status == "approved",
        "paid": False,
        "origin_id": None,
    }


def portfolio(cost_code_id, cost_types: dict[str, int]) -> dict[str, list]:
    """Every story commitment as a Procore contract, plus the change orders.

    ``cost_code_id(project_index, full_code)`` gives a project's cost code id; ``cost_types`` maps a story cost
    type code ("S", "M") to its line item type id.
    """
    data: dict[str, list] = {"work_order_contracts": [], "purchase_order_contracts": [], "commitment_change_orders": []}
    line_id, co_id = LINE_IDS, CHANGE_ORDER_IDS
    for item in story.COMMITMENTS:
        project = story.project(item.project)
        index = story.PROJECTS.index(project)
        lines = []
        for line in item.lines:
            lines.append(_line(line_id, line, cost_code_id(index, line.cost_code), cost_types[line.cost_type]))
            line_id += 1
        vendor_id = story.vendor(item.vendor).procore_id
        data[COLLECTIONS[item.kind]].append(_contract(item, project.procore_id, vendor_id, lines))
        for order in item.change_orders:
            data["commitment_change_orders"].append(_change_order(co_id, project.procore_id, item.procore_id, order))
            co_id += 1
    return data
