"""A backfill larger than Exact's minute budget spreads over the next minute instead of failing.

Slow by nature: the simulator's minute window follows the wall clock (our client reads its reset time from the
`X-RateLimit-Minutely-Reset` header and compares it with ours), so the test waits for a real minute boundary.
"""

import pytest

from sandbox.exact import demo
from sandbox.testing import SandboxControl
from syncs.engine import adapter_for
from tests.conformance.exact import ExactContract, check_request
from tests.contract.systems import SYSTEMS

pytestmark = pytest.mark.django_db(transaction=True)

MINUTE_BUDGET = 10
PAGE = 60  # Exact's rows per page on the document endpoints
EXTRA_ORDERS = (MINUTE_BUDGET + 1) * PAGE  # with the demo's own orders: two pages more than the minute allows


@pytest.fixture
def sim(sandbox):
    control = SandboxControl(sandbox.base_url, "exact")
    control.reset()
    control.seed(preset="demo")
    control.config(minutely_limit=10_000, daily_limit=100_000)
    yield control
    sent = [entry for entry in control.journal() if entry["path"].startswith("/api/v1/")]
    contract = ExactContract.load()
    assert [p for e in sent for p in check_request(contract, e["method"], e["path"], e["query"], e["body"])] == []


def test_a_backfill_larger_than_the_minute_budget_spreads_and_meets_no_429(sim, sandbox, tenant_a):
    exact = SYSTEMS["exact"].connection(tenant_a, sandbox.base_url)
    orders = [
        {"OrderNumber": 1000 + n, "Supplier": demo.gid("acc:2001"), "OrderDate": "2024-06-01T00:00:00.000",
         "Description": f"Levering {n}", "OrderStatus": 10,
         "PurchaseOrderLines": [{"Description": "Zand", "QuantityInPurchaseUnits": "2", "UnitPrice": "10.00",
                                 "CostCenter": "100"}]}
        for n in range(EXTRA_ORDERS)
    ]  # fmt: skip
    sim.seed({"PurchaseOrders": orders})
    sim.config(minutely_limit=MINUTE_BUDGET)
    sim.clear_journal()
    items = list(adapter_for(exact).changed("commitment", None))
    assert len({item.native_id for item in items}) == len(orders) + len(demo.PURCHASE_ORDERS)
    sent = [entry for entry in sim.journal() if entry["path"].startswith("/api/v1/")]
    pages = -(-(len(orders) + len(demo.PURCHASE_ORDERS)) // PAGE)
    assert pages > MINUTE_BUDGET
    assert len(sent) == pages and [entry["status"] for entry in sent] == [200] * pages  # zero 429s
    assert len({entry["at"][:16] for entry in sent}) >= 2  # the calls spread over more than one minute
