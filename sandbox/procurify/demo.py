"""The ``demo`` preset and the ``bulk`` bill seeder of the Procurify simulator.

``demo``: Cascade Ridge Builders (see ``demo_data``): 3 offices, departments, 300 people, vendors,
account codes and budget lines, 40 purchase orders in every state with their items, 15 approved
requests awaiting a purchase order, approved bills (most linked to purchase orders), a few draft
and denied ones, and payments for the paid bills.

``bulk``: ``{"bills": N, "days": 30}`` adds N approved bills without purchase orders, their
``last_modified_datetime`` spread evenly over the last ``days`` days (for 2,000-bill backfills).
"""

from __future__ import annotations

from decimal import Decimal

from . import demo_data as d
from .demo_org import Builder, account_for, ledger_of, organisation, pending_items, people_of, purchase_orders

PAYMENT_METHOD = {"id": 1, "name": "Operating account - ACH", "type": 1, "gl_code": "1010"}


def load_demo(sim) -> dict[str, list]:
    """Seed the demo domain; returns the ids created per collection."""
    b = Builder(sim)
    org = organisation(b)
    people = people_of(b, org)
    b.add("clients", {"id": d.CLIENT_ID, "secret": d.CLIENT_SECRET, "domain": d.DOMAIN, "user": people[0]["id"]})
    ledger = ledger_of(b, org)
    pos = purchase_orders(b, org, ledger, people)
    pending_items(b, ledger, people)
    approvers = [p for p in people if p["role"]["name"] == "Approver"]
    billed = _po_bills(b, pos, approvers)
    billed += _service_bills(b, ledger, approvers)
    _payments(b, billed, people[0])
    return b.made


def _history(b: Builder, submitted: float, submitter: dict, approver: dict, paid: float | None) -> list[dict]:
    steps = [
        {"status": 1, "date": b.ago(submitted), "user": submitter["id"]},
        {"status": 2, "date": b.ago(submitted - 1), "user": approver["id"]},
    ]
    if paid is not None:
        steps.append({"status": 4, "date": b.ago(paid), "user": approver["id"]})
    return steps


def _bill(b: Builder, vendor_id: int, number: str, age: float, submitter: dict, approver: dict, **extra) -> dict:
    status = extra.pop("status", 2)
    paid_age = max(age - 10, 0.2) if status == 4 else None
    record = {
        "status": status,
        "vendor": vendor_id,
        "user": submitter["id"],
        "currency": b.of("currencies")[0]["id"],
        "invoice_number": number,
        "invoice_date": b.ago(age + 3),
        "due_date": b.ago(age - 27),
        "submitted_date": b.ago(age),
        "gl_post_date": b.ago(age - 1) if status in (2, 4) else None,
        "last_modified_datetime": b.ago(paid_age if paid_age is not None else max(age - 1, 0.1)),
        "type": 0,
        "payment_terms": "Net 30",
        "note": "",
        "history": _history(b, age, submitter, approver, paid_age) if status in (2, 4) else [],
        **extra,
    }
    bill = b.add("bills", record)
    bill["group"] = 90_000 + bill["id"] % 100_000  # each bill is its own bill group
    return bill


def _po_bills(b: Builder, pos: list[dict], approvers: list[dict]) -> list[dict]:
    """One bill per received purchase order, a line per received order item."""
    bills = []
    for n, po in enumerate(p for p in pos if p["fulfilment_status"] != "empty" and p["state"] != 1):
        status = 4 if po["state"] == 4 or n % 5 == 4 else 2
        purchaser = b.sim.store.get("users", po["purchaser"])
        approver = approvers[n % len(approvers)]
        number = f"INV-{po['id']}-{n:03d}"
        bill = _bill(b, po["pref_vendor"], number, 60 - 2 * n, purchaser, approver, status=status)
        bill["purchase_orders"] = [po["id"]]
        for item in b.of("order_items", purchase_order=po["id"]):
            if Decimal(item["receivedPassQty"]) > 0:
                line = {"bill": bill["id"], "description": item["name"], "sku": item["sku"], "unit": item["unit"]}
                line.update(quantity=item["receivedPassQty"], unit_cost=item["price"], account=item["account"])
                line.update(po=po["id"], orderitem=item["id"], created_at=bill["submitted_date"])
                b.add("bill_items", line | {"received_on": po["last_modified"]})
        bills.append(bill)
    return bills


def _service_bills(b: Builder, ledger: dict, approvers: list[dict]) -> list[dict]:
    """Bills without a purchase order (services), in several states."""
    bills = []
    services = [c for c in d.CATALOGUE if c[4] in ("5100", "5200", "5300", "5400", "6110", "6400")]
    submitters = [p for p in b.of("users") if p["role"]["name"] == "Requester"]
    for n in range(18):
        name, sku, unit, price, code, vendor_index = services[n % len(services)]
        status = 0 if n >= 16 else (3 if n == 15 else (4 if n % 4 == 3 else 2))
        vendor = ledger["vendors"][vendor_index]
        number = f"SVC-{vendor_index:02d}-{1000 + n}"
        bill = _bill(b, vendor["id"], number, 75 - 4 * n, submitters[n], approvers[n], status=status)
        line = {"bill": bill["id"], "description": name, "sku": sku, "unit": unit, "unit_cost": price}
        line.update(quantity=str(1 + n % 3), account=account_for(b, ledger, code)["id"])
        b.add("bill_items", line | {"created_at": bill["submitted_date"], "received_on": bill["submitted_date"]})
        bills.append(bill)
    return bills


def _payments(b: Builder, bills: list[dict], creator: dict) -> None:
    """A payment per paid bill, plus one scheduled payment for the oldest approved bill."""
    approved = [bill for bill in bills if bill["status"] == 2]
    for bill in [x for x in bills if x["status"] == 4] + approved[:1]:
        paid = bill["status"] == 4
        lines = b.of("bill_items", bill=bill["id"])
        amount = str(sum((Decimal(x["quantity"]) * Decimal(x["unit_cost"]) for x in lines), Decimal("0")))
        moment = bill["last_modified_datetime"]
        payment = {
            "status": 5 if paid else 9,
            "amount": amount,
            "currency": bill["currency"],
            "payment_date": moment[:10],
            "processing_date": moment[:10],
            "posted_date": moment[:10] if paid else None,
            "created_at": moment,
            "updated_at": moment,
            "bills": [bill["id"]],
            "method": PAYMENT_METHOD,
            "creator": creator["id"],
            "memo": f"Payment for {bill['invoice_number']}",
            "reference_number": f"ACH-{bill['id']}",
        }
        payment = b.add("payments", payment)
        bill["payment"] = payment["id"]
        if not paid:
            bill["status"] = 7  # Payment Approved


def load_bulk(sim, options: dict) -> list:
    """Add ``bills`` approved bills spread over the last ``days`` days; seeds the demo first if needed."""
    count, days = int(options.get("bills", 0)), float(options.get("days", 30))
    b = Builder(sim, rng_seed=int(options.get("seed", 17)))
    if not b.of("vendors"):
        load_demo(sim)
    vendors, users = b.of("vendors"), [u for u in b.of("users") if u["role"]["name"] == "Requester"]
    approver = next(u for u in b.of("users") if u["role"]["name"] == "Approver")
    ledger = {"accounts": {(a["department"], _code(sim, a)): a for a in b.of("accounts")}}
    start = len(b.of("bills"))
    for n in range(count):
        age = days * (count - n) / (count + 1)
        name, sku, unit, price, code, vendor_index = d.CATALOGUE[n % len(d.CATALOGUE)]
        number = f"BULK-{start + n:06d}"
        bill = _bill(b, vendors[vendor_index % len(vendors)]["id"], number, age, users[n % len(users)], approver)
        bill["last_modified_datetime"] = b.ago(age)
        for line_no in range(1 + n % 2):
            line = {"bill": bill["id"], "description": name, "sku": sku, "unit": unit, "unit_cost": price}
            line.update(quantity=str(1 + line_no), account=account_for(b, ledger, code)["id"])
            b.add("bill_items", line | {"created_at": bill["submitted_date"], "received_on": bill["submitted_date"]})
    return b.made.get("bills", [])


def _code(sim, account: dict) -> str:
    return sim.store.get("account_codes", account["account_code"])["code"]
