"""The rest of the demo company's portfolio: one subcontract and one purchase order on each newer project,
and a few change orders (approved ones amend their commitment's revised total, pending ones do not).

Amounts follow a fixed pattern so the demo is the same on every run and a reader can check a total by hand.
"""

from __future__ import annotations

from decimal import Decimal

TRADES = [
    # (work order title, cost code, purchase order title, cost code)
    ("Structural steel erection", "06-100", "Anchor bolts and base plates", "03-300"),
    ("Storefront and glazing", "01-500", "Glazing materials", "01-500"),
    ("Roofing and sheet metal", "06-100", "Roofing membrane", "06-100"),
    ("Site concrete", "03-300", "Ready-mix concrete", "03-300"),
    ("Electrical rough-in", "26-100", "Switchgear", "26-100"),
]


def _line(line_id, cost_code_id, type_id, amount: Decimal, description: str) -> dict:
    value = f"{amount:.2f}"
    return {
        "id": line_id,
        "description": description,
        "amount": value,
        "quantity": "1.0",
        "unit_cost": value,
        "uom": "LS",
        "cost_code_id": cost_code_id,
        "line_item_type_id": type_id,
        "origin_id": None,
    }


def portfolio(projects, vendors, cost_code_id, subcontract: int, material: int) -> dict[str, list]:
    """Contracts of both kinds and change orders for ``projects`` [(index, id), ...]."""
    data: dict[str, list] = {"work_order_contracts": [], "purchase_order_contracts": [], "commitment_change_orders": []}
    for n, (index, project_id) in enumerate(projects):
        wo_title, wo_code, po_title, po_code = TRADES[n % len(TRADES)]
        wo_id, po_id = 5_500_001_000 + n * 10, 5_500_001_001 + n * 10
        base = Decimal(120_000 + 15_000 * n)
        data["work_order_contracts"].append({
            "id": wo_id, "project_id": project_id, "number": f"SC-{n + 201:03d}", "title": wo_title,
            "status": "Approved", "executed": True, "accounting_method": "amount", "retainage_percent": "10.0",
            "vendor_id": vendors[(n + 5) % len(vendors)][0], "origin_id": None, "deleted_at": None,
            "line_items": [
                _line(5_500_200_000 + n * 10, cost_code_id(index, wo_code), subcontract, base, wo_title),
                _line(5_500_200_001 + n * 10, cost_code_id(index, wo_code), material, base / 10, "Materials allowance"),
            ],
        })  # fmt: skip
        data["purchase_order_contracts"].append({
            "id": po_id, "project_id": project_id, "number": f"PO-{n + 201:03d}", "title": po_title,
            "status": "Approved", "executed": True, "accounting_method": "amount",
            "vendor_id": vendors[4][0], "origin_id": None, "deleted_at": None,
            "line_items": [_line(5_500_200_005 + n * 10, cost_code_id(index, po_code), material,
                                 Decimal(18_000 + 2_500 * n), po_title)],
        })  # fmt: skip
        if n % 3 == 0:
            data["commitment_change_orders"].append(
                _change_order(5_900_000_100 + n, project_id, wo_id, "approved", Decimal(4_500 + 500 * n), "Added scope")
            )
        if n % 4 == 1:
            data["commitment_change_orders"].append(
                _change_order(5_900_000_200 + n, project_id, wo_id, "pending", Decimal(2_750), "Pending field change")
            )
    return data


def _change_order(co_id, project_id, contract_id, status, amount: Decimal, title: str) -> dict:
    return {
        "id": co_id,
        "project_id": project_id,
        "contract_id": contract_id,
        "number": "1" if status == "approved" else "2",
        "title": title,
        "description": title,
        "status": status,
        "grand_total": f"{amount:.2f}",
        "executed": status == "approved",
        "paid": False,
        "origin_id": None,
    }
