"""A small Procore -> Acumatica world for the finance screens: two projects, six approved invoices, every map done
(the fixtures `wired`, `finance` and `viewer` live in conftest.py)."""

from syncs.models import Integration
from tests.sync import scenario


def small_world(data: dict) -> dict:
    """Four requisitions and two direct costs over two projects, out of the e2e scenario's forty."""
    projects = set(scenario.PROJECT_IDS[:2])
    data["requisitions"] = [
        r for r in data["requisitions"] if r["project_id"] in projects and r["id"] % 100 < 2 and r["id"] % 10 < 2
    ]
    data["direct_costs"] = [
        d for d in data["direct_costs"] if d["project_id"] in projects and d["id"] % 100 == 0
    ]
    return data


def set_options(integration: Integration, **flow_options) -> Integration:
    Integration.objects.filter(pk=integration.pk).update(options={"ap_bills": flow_options})
    integration.refresh_from_db()
    return integration


def plain(value):
    return value.get("value") if isinstance(value, dict) else value


def bills_by_number(acumatica_sim) -> dict[str, dict]:
    found = {}
    for bill in acumatica_sim.records("Bill"):
        number = plain(bill.get("VendorRef"))
        assert number not in found, f"bill {number} was posted twice"
        found[number] = bill
    return found


def bill_puts(acumatica_sim) -> int:
    return sum(count for name, count in acumatica_sim.calls().items() if name.startswith("PUT ") and "Bill" in name)
