"""What each system supplies to the shared adapter contract suite: its connection, its data, its quirks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from connections.models import Connection, Environment
from sandbox.acumatica import demo as acumatica_demo
from sandbox.procore import demo as procore_demo
from syncs.canonical import CostCode, Vendor


@dataclass
class SystemUnderTest:
    key: str
    token_call: str  # the simulator's counter name of a token request
    token_lifetime: int
    read_path: str  # a path fragment of the reads the reference listing makes (for faults)
    creates: dict = field(default_factory=dict)  # entity -> the simulator's counter name of a create call
    # A vendor and a cost code as the other side of an integration gives them (to be created here).
    other_vendor: Vendor | None = None
    other_cost_code: CostCode | None = None

    def connection(self, tenant, sandbox_url, **secret_overrides) -> Connection:
        raise NotImplementedError

    def seed_vendors(self, sim, count: int) -> None:
        raise NotImplementedError

    def creates_made(self, sim, entity: str) -> int:
        """How many create calls of `entity` the simulator received."""
        return sim.calls().get(self.creates[entity], 0)


class Procore(SystemUnderTest):
    def connection(self, tenant, sandbox_url, **secret_overrides):
        secrets = {
            "client_id": procore_demo.CLIENT_ID,
            "client_secret": procore_demo.CLIENT_SECRET,
            "webhook_secret": "contract-hook",
        }
        return Connection.objects.create(
            tenant=tenant,
            system="procore",
            name="Procore",
            environment=Environment.SIMULATOR,
            settings={
                "company_id": str(procore_demo.COMPANY_ID),
                "standard_cost_code_list_id": str(procore_demo.STANDARD_LIST_ID),
                "base_url": f"{sandbox_url}/procore",
                "login_url": f"{sandbox_url}/procore-login",
            },
            secrets={**secrets, **secret_overrides},
        )

    def seed_vendors(self, sim, count):
        sim.seed(preset="demo")
        sim.seed(
            {
                "vendors": [
                    {
                        "id": 8_000_000_000 + n,
                        "company_id": procore_demo.COMPANY_ID,
                        "name": f"Vendor {n:04d}",
                        "is_active": True,
                    }
                    for n in range(count)
                ]
            }
        )

    @staticmethod
    def webhook(event_id: int, resource="Direct Costs", project_id=5_100_000_101, resource_id=5_700_000_701):
        body = {
            "id": event_id,
            "ulid": f"01J{event_id:023d}",
            "resource_name": resource,
            "resource_id": resource_id,
            "project_id": project_id,
            "event_type": "update",
            "company_id": procore_demo.COMPANY_ID,
            "api_version": "v2",
            "timestamp": "2026-11-21T10:00:00Z",
        }
        return {"Authorization": "Bearer contract-hook"}, json.dumps(body).encode()


class Acumatica(SystemUnderTest):
    def connection(self, tenant, sandbox_url, **secret_overrides):
        secrets = {
            "client_id": acumatica_demo.CLIENT_GUID,
            "client_secret": acumatica_demo.CLIENT_SECRET,
            "username": acumatica_demo.USERNAME,
            "password": acumatica_demo.PASSWORD,
            "push_header_value": "contract-push",
        }
        return Connection.objects.create(
            tenant=tenant,
            system="acumatica",
            name="Acumatica",
            environment=Environment.SIMULATOR,
            settings={
                "instance_url": f"{sandbox_url}/acumatica",
                "endpoint_version": "23.200.001",
                "tenant_name": acumatica_demo.TENANT,
                "push_header_name": "X-Hook-Secret",
            },
            secrets={**secrets, **secret_overrides},
        )

    def seed_vendors(self, sim, count):
        sim.seed(preset="demo")
        sim.seed(
            {
                "Vendor": [
                    {"VendorID": f"V{n:04d}", "VendorName": f"Vendor {n:04d}", "Status": "Active"} for n in range(count)
                ]
            }
        )

    def creates_made(self, sim, entity: str, call: str = "") -> int:
        """Acumatica creates and updates with the same PUT: a create is the one sent with `If-None-Match: *`."""
        path = (call or self.creates[entity]).split(" ", 1)[1]
        return sum(
            1
            for entry in sim.journal()
            if entry["method"] == "PUT"
            and entry["path"].endswith(path)
            and any(name.lower() == "if-none-match" for name in entry.get("headers") or {})
        )

    @staticmethod
    def webhook(event_id: int, query="MLC-Bills", reference="000123"):
        body = {
            "Inserted": [{"ReferenceNbr": reference, "Status": "Closed", "Balance": 0}],
            "Deleted": [{"ReferenceNbr": reference, "Status": "Open", "Balance": 100}],
            "Query": query,
            "CompanyId": acumatica_demo.TENANT,
            "Id": f"7d1a3c9e-0000-4000-8000-{event_id:012d}",
            "TimeStamp": 638000000000000000 + event_id,
            "AdditionalInfo": {},
        }
        return {"X-Hook-Secret": "contract-push"}, json.dumps(body).encode()


SYSTEMS = {
    "procore": Procore(
        "procore",
        "POST /oauth/token",
        5400,
        "/vendors",
        creates={"vendor": "POST /rest/v1.0/vendors", "cost_code": "POST /rest/v1.0/standard_cost_codes"},
        other_vendor=Vendor(native_id="ACMEDRY", name="Acme Drywall Inc.", code="ACMEDRY"),
        other_cost_code=CostCode(native_id="09250", code="09250", name="Gypsum Board Assemblies"),
    ),
    "acumatica": Acumatica(
        "acumatica",
        "POST /identity/connect/token",
        3600,
        "/Vendor",
        creates={
            "vendor": "PUT /entity/Default/23.200.001/Vendor",
            "cost_code": "PUT /entity/Default/23.200.001/CostCode",
            "commitment": "PUT /entity/Default/23.200.001/PurchaseOrder",
        },
        other_vendor=Vendor(native_id="5200009001", name="Acme Drywall Inc."),
        other_cost_code=CostCode(native_id="5310009001", code="09-250", name="Gypsum Board Assemblies"),
    ),
}
