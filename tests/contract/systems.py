"""What each system supplies to the shared adapter contract suite: its connection, its data, its quirks."""

from __future__ import annotations

import json
from dataclasses import dataclass

from connections.models import Connection, Environment
from sandbox.acumatica import demo as acumatica_demo
from sandbox.procore import demo as procore_demo


@dataclass
class SystemUnderTest:
    key: str
    token_call: str  # the simulator's counter name of a token request
    token_lifetime: int
    read_path: str  # a path fragment of the reads the reference listing makes (for faults)

    def connection(self, tenant, sandbox_url, **secret_overrides) -> Connection:
        raise NotImplementedError

    def seed_vendors(self, sim, count: int) -> None:
        raise NotImplementedError


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

    webhook = None


SYSTEMS = {
    "procore": Procore("procore", "POST /oauth/token", 5400, "/vendors"),
    "acumatica": Acumatica("acumatica", "POST /identity/connect/token", 3600, "/Vendor"),
}
