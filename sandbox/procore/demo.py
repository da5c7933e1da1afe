"""The Procore side of the "Summit Builders" demo data set.

Projects, vendors, cost codes and commitments come from ``sandbox/demo_story.py``, shared with the Acumatica
demo; requisitions and direct costs are Procore's own. Fixed credentials and ids, so the demo tenant and the
tests can name them: client ``demo-procore-client`` / ``demo-procore-secret``, company 4264807.
"""

from __future__ import annotations

from datetime import timedelta

from .. import demo_story as story
from .demo_portfolio import portfolio
from .listing import stamp

CLIENT_ID = "demo-procore-client"
CLIENT_SECRET = "demo-procore-secret"
COMPANY_ID = 4264807
COMPANY_NAME = "Summit Builders"

PROJECTS = [(p.procore_id, p.number, p.name, p.active) for p in story.PROJECTS]  # id, number, name, active
#: (id, name) of every Procore vendor; Sierra Landscaping is not here (Acumatica only)
VENDORS = [(v.procore_id, v.name) for v in story.VENDORS if v.procore_id]
INACTIVE_VENDORS = {v.procore_id for v in story.VENDORS if v.procore_id and not v.active}
#: code, full_code, name: the story's cost codes (the same codes are Acumatica's CostCodeIDs)
COST_CODES = [(c.code.split("-", 1)[1], c.code, c.name) for c in story.COST_CODES]
COST_TYPES = [
    # id, code, name, base_type (the published enum has no "labor" in answers, so Labor is "other")
    (5_400_000_401, "L", "Labor", "other"),
    (5_400_000_402, "M", "Material", "materials"),
    (5_400_000_403, "S", "Subcontract", "commitment"),
    (5_400_000_404, "E", "Equipment", "equipment"),
    (5_400_000_405, "O", "Other", "other"),
]
STANDARD_LIST_ID = 5_320_000_001
STANDARD_LISTS = [
    # id, name, is_erp_list, available_to_use_on_new_projects. The first holds the standard cost codes and is
    # the ERP-integrated one; the second is an empty retired list, so a client has to pick a list, not guess.
    (STANDARD_LIST_ID, "Summit Builders Standard", True, True),
    (5_320_000_002, "Legacy CSI 1995", False, False),
]
LABOR, MATERIAL, SUBCONTRACT = 5_400_000_401, 5_400_000_402, 5_400_000_403


def cost_code_id(project_index: int, full_code: str) -> int:
    """Demo cost codes are per project: ids 5_300_00P_0NN."""
    position = [c[1] for c in COST_CODES].index(full_code)
    return 5_300_000_000 + project_index * 1000 + position + 1


def _base(sim) -> dict:
    return {
        "clients": [{"id": CLIENT_ID, "secret": CLIENT_SECRET, "name": "ml-connector demo"}],
        "companies": [{"id": COMPANY_ID, "name": COMPANY_NAME, "is_active": True, "app_installed": True}],
        "projects": [
            {
                "id": pid,
                "company_id": COMPANY_ID,
                "project_number": number,
                "name": name,
                "active": active,
                "origin_id": None,
                "origin_data": None,
                "origin_code": number,
            }
            for pid, number, name, active in PROJECTS
        ],
        "vendors": [
            {
                "id": vid,
                "company_id": COMPANY_ID,
                "name": name,
                "is_active": vid not in INACTIVE_VENDORS,
                "origin_id": None,
                "origin_code": None,
                "synced_to_erp": False,
            }
            for vid, name in VENDORS
        ],
        "line_item_types": [
            {
                "id": tid,
                "company_id": COMPANY_ID,
                "code": code,
                "name": name,
                "base_type": base,
                "origin_id": None,
            }
            for tid, code, name, base in COST_TYPES
        ],
        "standard_cost_code_lists": [
            {
                "id": list_id,
                "company_id": COMPANY_ID,
                "name": name,
                "is_erp_list": erp,
                "available_to_use_on_new_projects": usable,
            }
            for list_id, name, erp, usable in STANDARD_LISTS
        ],
        "standard_cost_codes": [
            {
                "id": 5_310_000_001 + position,
                "company_id": COMPANY_ID,
                "standard_cost_code_list_id": STANDARD_LIST_ID,
                "parent_id": None,
                "code": full,
                "full_code": full,
                "name": name,
                "origin_id": None,
                "origin_data": None,
            }
            for position, (_code, full, name) in enumerate(COST_CODES)
        ],
        "cost_codes": [
            {
                "id": cost_code_id(index, full),
                "project_id": pid,
                "code": code,
                "full_code": full,
                "name": name,
                "parent_id": None,
                "origin_id": None,
                "standard_cost_code_id": 5_310_000_001 + [c[1] for c in COST_CODES].index(full),
                "line_item_type_ids": [LABOR, MATERIAL, SUBCONTRACT],
            }
            for index, (pid, *_rest) in enumerate(PROJECTS)
            for code, full, name in COST_CODES
        ],
    }


def _line(line_id, project_index, full_code, type_id, amount, description):
    return {
        "id": line_id,
        "description": description,
        "amount": amount,
        "quantity": "1.0",
        "unit_cost": amount,
        "uom": "LS",
        "cost_code_id": cost_code_id(project_index, full_code),
        "line_item_type_id": type_id,
        "origin_id": None,
    }


def _item(item_id, contract_line, scheduled, previous, this_period, retainage, description):
    return {
        "id": item_id,
        "item_type": "contract_item",
        "line_item_id": contract_line["id"],
        "cost_code_id": contract_line["cost_code_id"],
        "line_item_type_id": contract_line["line_item_type_id"],
        "description_of_work": description,
        "scheduled_value": scheduled,
        "work_completed_from_previous_application": previous,
        "work_completed_this_period": this_period,
        "materials_presently_stored": "0.00",
        "work_completed_retainage_retained_this_period": retainage,
        "materials_stored_retainage_currently_retained": "0.00",
        "position": 1,
    }


def _requisitions(contracts: dict, today) -> list[dict]:
    """Pay applications on Riverside's SC-001 (Star Framing) and SC-002 (Apex Concrete), vendors on both sides."""
    by_number = {c["number"]: c for c in contracts["work_order_contracts"]}
    sc1, sc2 = by_number["SC-001"], by_number["SC-002"]
    riverside = PROJECTS[0][0]

    def req(rid, contract, number, status, items, days_ago):
        end = today - timedelta(days=days_ago)
        return {
            "id": rid,
            "project_id": riverside,
            "commitment_id": contract["id"],
            "number": number,
            "invoice_number": f"{contract['number']}-{number:02d}",
            "billing_date": end.isoformat(),
            "period_id": 5_650_000_000 + number,
            "requisition_start": (end - timedelta(days=30)).isoformat(),
            "requisition_end": end.isoformat(),
            "status": status,
            "erp_status": "not_ready",
            "payment_date": None,
            "origin_id": None,
            "origin_data": None,
            "items": items,
        }

    f1, f2 = sc1["line_items"]
    c1, c2 = sc2["line_items"]
    return [
        req(
            5_600_000_601,
            sc1,
            1,
            "approved",
            [
                _item(5_600_100_001, f1, "380000.00", "0.00", "76000.00", "7600.00", "Framing levels 1-2"),
                _item(5_600_100_002, f2, "40000.00", "0.00", "12500.00", "1250.00", "Lumber delivered"),
            ],
            35,
        ),
        req(
            5_600_000_602,
            sc1,
            2,
            "under_review",
            [_item(5_600_100_003, f1, "380000.00", "76000.00", "57000.00", "5700.00", "Framing level 3")],
            5,
        ),
        req(
            5_600_000_603,
            sc2,
            1,
            "approved",
            [
                _item(5_600_100_004, c1, "150000.00", "0.00", "90000.00", "9000.00", "Footings formwork"),
                _item(5_600_100_005, c2, "210000.00", "0.00", "63000.00", "6300.00", "Footings poured"),
            ],
            40,
        ),
        req(
            5_600_000_604,
            sc2,
            2,
            "approved_as_noted",
            [
                _item(5_600_100_006, c1, "150000.00", "90000.00", "60000.00", "6000.00", "Wall formwork"),
                _item(5_600_100_007, c2, "210000.00", "63000.00", "84000.00", "8400.00", "Walls poured"),
            ],
            8,
        ),
    ]


def _direct_costs(today) -> list[dict]:
    """Riverside's costs from Granite Supply (on both sides) and without a vendor, and one invoice from Keystone
    Roofing, the vendor only Procore knows: its bill waits until the vendor exists in Acumatica."""
    riverside, granite = PROJECTS[0][0], story.vendor(story.GRANITE).procore_id
    pinecrest = story.project("2025-002")
    keystone = story.vendor(story.KEYSTONE).procore_id

    def cost(did, kind, status, invoice, vendor, days_ago, lines, project_id=riverside):
        day = (today - timedelta(days=days_ago)).isoformat()
        return {
            "id": did,
            "project_id": project_id,
            "direct_cost_type": kind,
            "status": status,
            "invoice_number": invoice,
            "vendor_id": vendor,
            "description": lines[0]["description"],
            "direct_cost_date": day,
            "received_date": day,
            "payment_date": None,
            "origin_id": None,
            "line_items": lines,
        }

    return [
        cost(
            5_700_000_701,
            "invoice",
            "approved",
            "GS-88412",
            granite,
            12,
            [
                _line(5_700_100_001, 0, "03-300", MATERIAL, "4375.20", "Anchor bolts and embeds"),
                _line(5_700_100_002, 0, "01-500", MATERIAL, "612.80", "Temporary fencing panels"),
            ],
        ),
        cost(
            5_700_000_702,
            "invoice",
            "pending",
            "GS-88530",
            granite,
            3,
            [_line(5_700_100_003, 0, "03-310", MATERIAL, "2210.00", "Form release agent and ties")],
        ),
        cost(
            5_700_000_703,
            "expense",
            "approved",
            None,
            None,
            9,
            [_line(5_700_100_004, 0, "01-500", MATERIAL, "189.99", "Site office supplies")],
        ),
        cost(
            5_700_000_704,
            "payroll",
            "approved",
            None,
            None,
            7,
            [_line(5_700_100_005, 0, "01-500", LABOR, "3840.00", "Site labor week 27")],
        ),
        cost(
            5_700_000_705,
            "invoice",
            "approved",
            "KR-1043",
            keystone,
            6,
            [_line(5_700_100_006, story.PROJECTS.index(pinecrest), "07-500", MATERIAL, "3180.00", "Roof drains")],
            pinecrest.procore_id,
        ),
    ]


def load_demo(sim) -> dict[str, list]:
    """Load the demo set into a Procore simulator; returns {collection: [ids]}."""
    now = sim.clock.now()
    today = now.date()
    data = _base(sim)
    contracts = portfolio(cost_code_id, {"S": SUBCONTRACT, "M": MATERIAL})
    data.update(contracts)
    data["requisitions"] = _requisitions(contracts, today)
    data["direct_costs"] = _direct_costs(today)
    created = {}
    for collection, records in data.items():
        for record in records:
            record.setdefault("updated_at", stamp(now - timedelta(days=1)))
            record.setdefault("created_at", stamp(now - timedelta(days=30)))
            created.setdefault(collection, []).append(sim.seed_record(collection, record)["id"])
    return created
