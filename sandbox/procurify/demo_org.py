"""The demo organisation: offices, departments, people, vendors, account codes, purchase orders.

Deterministic in content (a fixed random seed) and placed in time relative to the simulator clock,
so "modified in the last N days" polls find the records.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from . import demo_data as d
from .context import stamp


class Builder:
    """Seeds one domain's records through the simulator, remembering what it made."""

    def __init__(self, sim, rng_seed: int = 11):
        self.sim = sim
        self.rng = random.Random(rng_seed)
        self.now = sim.clock.now()
        self.made: dict[str, list] = {}

    def ago(self, days: float, hours: float = 0) -> str:
        return stamp(self.now - timedelta(days=days, hours=hours))

    def day(self, days: float) -> str:
        return (self.now - timedelta(days=days)).strftime("%Y-%m-%d")

    def add(self, collection: str, record: dict) -> dict:
        record.setdefault("domain", d.DOMAIN)
        stored = self.sim.seed_record(collection, record)
        self.made.setdefault(collection, []).append(stored["id"])
        return stored

    def of(self, collection: str, **match) -> list[dict]:
        rows = [r for r in self.sim.store.all(collection) if r.get("domain") == d.DOMAIN]
        return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def organisation(b: Builder) -> dict[str, dict]:
    currency = b.add("currencies", {"name": "USD", "rate": "1.000000", "base": True, "description": "US Dollar"})
    offices = []
    for name, hq, line, city, postal, state, tz in d.OFFICES:
        address = {"addressLineOne": line, "city": city, "postalCode": postal, "state_province": state}
        offices.append(
            b.add(
                "locations",
                {
                    "name": name,
                    "headquarter": hq,
                    "currency": currency["id"],
                    "phoneOne": "+1 503 555 0100",
                    "email": f"{city.lower()}@cascaderidge.example",
                    "address": {**address, "country": "United States"},
                    "locationTimezone": tz,
                    "active": True,
                    "external_id": f"LOC-{city[:3].upper()}",
                    "created_at": b.ago(900),
                },
            )
        )
    departments = {}
    for name, where, prefix in d.DEPARTMENTS:
        for index in where:
            office = offices[index]
            row = {"name": f"{name} - {office['name'].split()[0]}", "branch": office["id"], "active": True}
            row["external_id"] = f"{prefix}-{office['external_id'][4:]}"
            departments[(name, index)] = b.add("departments", row)
    return {"currency": currency, "offices": offices, "departments": departments}


def people_of(b: Builder, org: dict) -> list[dict]:
    """300 people spread over the departments; the first is the integration's API user."""
    depts = list(org["departments"].values())
    roles = [role for role in d.ROLES for _ in range(role[3])]
    people = []
    for n in range(d.HEADCOUNT):
        first, last = d.FIRST_NAMES[n % len(d.FIRST_NAMES)], d.LAST_NAMES[(n // len(d.FIRST_NAMES)) % 20]
        dept = depts[n % len(depts)]
        role_id, role_name, role_type, _ = roles[n]
        email = d.API_USER_EMAIL if n == 0 else f"{first}.{last}{n}@cascaderidge.example".lower()
        row = {
            "firstName": "Integration" if n == 0 else first,
            "lastName": "API" if n == 0 else last,
            "email": email,
            "department": dept["id"],
            "location": dept["branch"],
            "role": {"id": role_id, "name": role_name, "type": role_type},
            "is_active": n % 47 != 46,  # a few people have left
            "position": role_name,
            "phone": None,
            "created_at": b.ago(800 - n),
            "updated_at": b.ago(30 + n % 60),
        }
        people.append(b.add("users", row))
        people[-1]["user"] = people[-1]["id"] + 70_000  # the auth user id differs from the profile id
    return people


def ledger_of(b: Builder, org: dict) -> dict:
    vendors = []
    for n, (name, vtype, city, state, erp_id, is_1099) in enumerate(d.VENDORS):
        vendors.append(
            b.add(
                "vendors",
                {
                    "name": name,
                    "active": True,
                    "type": vtype,
                    "addressLineOne": f"{100 + 37 * n} Industrial Way",
                    "city": city,
                    "state_province": state,
                    "postalCode": f"9{7000 + 111 * n}"[:5],
                    "country": "United States",
                    "phoneOne": f"+1 503 555 {1000 + n}",
                    "email": [f"ap@{name.split()[0].lower()}.example"],
                    "contact": "Accounts Receivable",
                    "external_id": erp_id,
                    "currency": org["currency"]["id"],
                    "is_1099_eligible": is_1099,
                    "overall_score": None,
                    "dateModified": b.ago(120 - n),
                },
            )
        )
    codes = {}
    for code, description, kind, active in d.ACCOUNT_CODES:
        codes[code] = b.add("account_codes", {"code": code, "description": description, "account_type": kind})
        codes[code]["active"] = active
    accounts = {}
    for (name, _), dept in org["departments"].items():
        for code in d.SPEND[name]:
            row = {"account_code": codes[code]["id"], "department": dept["id"], "budget": "250000.00", "active": True}
            accounts[(dept["id"], code)] = b.add("accounts", row)
    return {"vendors": vendors, "codes": codes, "accounts": accounts}


def account_for(b: Builder, ledger: dict, code: str) -> dict:
    """A budget line on this code in some department that may spend on it."""
    choices = [acct for (dept_id, c), acct in ledger["accounts"].items() if c == code]
    return b.rng.choice(choices)


def purchase_orders(b: Builder, org: dict, ledger: dict, people: list[dict]) -> list[dict]:
    purchasers = [p for p in people if p["role"]["name"] == "Purchaser"]
    requesters = [p for p in people if p["role"]["name"] == "Requester"]
    # state, fulfilment, item status, received share
    plan = [(0, "empty", 2, 0)] * 14 + [(0, "partial", 5, 0.5)] * 6 + [(0, "full", 3, 1)] * 8
    plan += [(3, "full", 6, 1)] * 6 + [(4, "full", 6, 1)] * 4 + [(1, "empty", 4, 0)] * 2
    pos = []
    for n, (state, fulfilment, item_status, share) in enumerate(plan):
        product = d.CATALOGUE[n % len(d.CATALOGUE)]
        vendor = ledger["vendors"][product[5]]
        contract = b.add("contracts", {"name": f"{vendor['name']} supply agreement"})
        office = org["offices"][n % 3]
        created = 88 - 2 * n
        po = {
            "purchaser": purchasers[n % len(purchasers)]["id"],
            "pref_vendor": vendor["id"],
            "location": office["id"],
            "contract": contract["id"],
            "currency": org["currency"]["id"],
            "date": b.ago(created),
            "promise_date": b.ago(created - 14),
            "last_modified": b.ago(max(created - 3, 0.5)),
            "state": state,
            "fulfilment_status": fulfilment,
            "closed_date": b.ago(created - 20) if state == 3 else None,
            "freight": "0.00" if n % 3 else "125.00",
            "other": "0.00",
            "version": 1,
            "comment": None,
            "PO_Num": None,
        }
        for party in ("buyer", "receiver"):
            address = office["address"]
            po.update({f"{party}_{key}": address.get(key, "") for key in address})
            po.update({f"{party}_name": "Cascade Ridge Builders", f"{party}_contact": office["name"]})
        po = b.add("purchase_orders", po)
        requester = requesters[n % len(requesters)]
        _po_lines(b, ledger, po, requester, item_status, share, n)
        pos.append(po)
    return pos


def _po_lines(b: Builder, ledger: dict, po: dict, requester: dict, status: int, share: float, n: int) -> None:
    order_num = 7000 + n
    for line in range(1 + n % 3):
        name, sku, unit, price, code, _ = d.CATALOGUE[(n + line * 5) % len(d.CATALOGUE)]
        quantity = Decimal(b.rng.choice([1, 2, 4, 10, 24, 40]))
        b.add(
            "order_items",
            _item(b, ledger, po, requester, status, (name, sku, unit, price, code), quantity, share)
            | {"orderNum": order_num, "num": str(line + 1), "PO_line_num": line + 1},
        )


def _item(b: Builder, ledger, po, requester, status, product, quantity: Decimal, share: float) -> dict:
    name, sku, unit, price, code = product
    received = (quantity * Decimal(str(share))).quantize(Decimal("1"))
    return {
        "name": name,
        "sku": sku,
        "unit": unit,
        "price": price,
        "quantity": str(quantity),
        "account": account_for(b, ledger, code)["id"],
        "currency": po["currency"] if po else 1,
        "pref_vendor": po["pref_vendor"] if po else ledger["vendors"][0]["id"],
        "purchase_order": po["id"] if po else None,
        "purchaser": po["purchaser"] if po else None,
        "requester": requester["id"],
        "status": status,
        "order_status": 3 if po else 1,
        "order_uuid": b.sim.uuid_for("orders", f"{requester['id']}-{name}"),
        "approved_datetime": po["date"] if po else b.ago(5),
        "submitted_date": po["date"] if po else b.ago(6),
        "created_at": po["date"] if po else b.ago(6),
        "last_modified": po["last_modified"] if po else b.ago(5),
        "receivedPassQty": str(received),
        "receivedFailQty": "0",
    }


def pending_items(b: Builder, ledger: dict, people: list[dict]) -> None:
    """Approved requests not yet on a purchase order (status 0 PURCHASE_PENDING)."""
    requesters = [p for p in people if p["role"]["name"] == "Requester"]
    for n in range(15):
        product = d.CATALOGUE[(3 * n) % len(d.CATALOGUE)][:5]
        item = _item(b, ledger, None, requesters[n], 0, product, Decimal(1 + n % 5), 0)
        vendor_index = d.CATALOGUE[(3 * n) % len(d.CATALOGUE)][5]
        item.update(pref_vendor=ledger["vendors"][vendor_index]["id"], orderNum=8000 + n, num="1")
        if n >= 12:  # still awaiting approval
            item.update(order_status=0, approved_datetime=None)
        b.add("order_items", item)
