"""A Procore company with real volume: several projects of different ages, several pages per list.

Built on the base scenario (vendors, cost codes, cost types, maps), it adds per project a subcontract and many
approved pay apps, stamped with their own modification times, so that a read that stops midway, a page that
fails, or an edit that arrives while posting can be seen to lose or double nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import scenario

#: The simulator pages at this size (its `max_per_page` switch), so a few dozen records make several pages.
PAGE = 10


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base_records(today: dt.date) -> dict:
    """The base scenario's company, projects, vendors, cost codes and cost types, without its documents."""
    data, _ = scenario.procore_records(today)
    data["work_order_contracts"], data["requisitions"], data["direct_costs"] = [], [], []
    return data


def subcontract(project_index: int, vendor_id: int) -> dict:
    """A subcontract with one line on 03-310 (subcontract cost type) and one on 06-100 (material)."""
    contract_id = 9_510_000_000 + project_index
    subcontract_type, material_type = 9_400_000_001, 9_400_000_002
    lines = [
        scenario._line(contract_id * 10 + 1, project_index, "03-310", subcontract_type, "500000.00"),
        scenario._line(contract_id * 10 + 2, project_index, "06-100", material_type, "100000.00"),
    ]
    return {
        "id": contract_id,
        "project_id": scenario.PROJECT_IDS[project_index],
        "number": f"SC-V{project_index}",
        "title": "Volume subcontract",
        "status": "Approved",
        "executed": True,
        "vendor_id": vendor_id,
        "line_items": lines,
    }


def pay_app(contract: dict, rid: int, number: int, amount: Decimal, modified: dt.datetime, **extra) -> dict:
    """An approved pay app on the contract's first line, modified at `modified`."""
    day = modified.date().isoformat()
    return {
        "id": rid,
        "project_id": contract["project_id"],
        "commitment_id": contract["id"],
        "number": number,
        "invoice_number": f"INV-{rid}",
        "billing_date": day,
        "requisition_start": day,
        "requisition_end": day,
        "status": "approved",
        "items": [scenario._req_item(rid * 10 + 1, contract["line_items"][0], amount)],
        "created_at": stamp(modified),
        "updated_at": stamp(modified),
        **extra,
    }


def amount_of(rid: int) -> Decimal:
    return Decimal(100 + rid % 1000) + Decimal("0.25")


def projects_of_different_ages(now: dt.datetime, recent: int, older: int) -> tuple[dict, dict[str, Decimal]]:
    """`recent` pay apps on project 0 modified in the last hour, `older` ones on projects 1-2 days ago.

    Returns the records to seed and the expected bills (invoice number -> amount).
    """
    data = base_records(now.date())
    vendors = list(scenario.VENDORS)
    expected = {}
    for index in range(3):
        contract = subcontract(index, vendors[index % 2])
        data["work_order_contracts"].append(contract)
        count = recent if index == 0 else older // 2 + (older % 2 if index == 1 else 0)
        for n in range(count):
            rid = 9_610_000_000 + index * 1000 + n
            age = dt.timedelta(minutes=n) if index == 0 else dt.timedelta(days=10 + index, minutes=n)
            data["requisitions"].append(pay_app(contract, rid, n + 1, amount_of(rid), now - age))
            expected[f"INV-{rid}"] = amount_of(rid)
    return data, expected
