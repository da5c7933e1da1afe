"""What each system supplies to the shared adapter contract suite: its connection, its data, its quirks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
import requests

from connections.models import Connection, Environment
from sandbox.acumatica import demo as acumatica_demo
from sandbox.exact import demo as exact_demo
from sandbox.intacct import demo as intacct_demo
from sandbox.procore import demo as procore_demo
from sandbox.procurify import demo_data as procurify_demo
from sandbox.quickbooks import demo as quickbooks_demo
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
    # Class attributes (not fields), overridden by systems that differ.
    read_method = "GET"  # the HTTP method of the reads the reference listing makes (for faults)
    reads_commitments = True  # whether the system is a source of commitments (lists them per project)
    webhook = None  # a system that sends webhooks builds a signed test delivery here
    commitment_documents = True  # whether its commitments are listed per project for a reconciliation

    def connection(self, tenant, sandbox_url, **secret_overrides) -> Connection:
        raise NotImplementedError

    def seed_vendors(self, sim, count: int) -> None:
        raise NotImplementedError

    def forgeries(self, headers: dict, body: bytes) -> list[tuple[dict, bytes]]:
        """Deliveries that must fail verification: by default the same body with a forged or no header."""
        return [({"Authorization": "Bearer forged"}, body), ({}, body)]

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


class QuickBooks(SystemUnderTest):
    reads_commitments = False  # a source of bills, vendors and payment status only

    def connection(self, tenant, sandbox_url, **secret_overrides):
        secrets = {
            "client_id": quickbooks_demo.CLIENT_ID,
            "client_secret": quickbooks_demo.CLIENT_SECRET,
            "refresh_token": quickbooks_demo.REFRESH_TOKEN,
            "webhook_verifier_token": quickbooks_demo.VERIFIER_TOKEN,
        }
        return Connection.objects.create(
            tenant=tenant,
            system="quickbooks",
            name="QuickBooks",
            environment=Environment.SIMULATOR,
            settings={
                "realm_id": quickbooks_demo.REALM,
                "base_url": f"{sandbox_url}/quickbooks",
                "discovery_url": f"{sandbox_url}/quickbooks-oauth/.well-known/openid-configuration",
            },
            secrets={**secrets, **secret_overrides},
        )

    def seed_vendors(self, sim, count):
        sim.seed(preset="demo")
        sim.seed({"Vendor": [{"DisplayName": f"Vendor {n:04d}"} for n in range(count)]})

    def creates_made(self, sim, entity: str) -> int:
        """Creates and updates share one POST: a create is the one whose body names no Id."""
        path = self.creates[entity].split(" ", 1)[1]
        return sum(
            1
            for entry in sim.journal()
            if entry["method"] == "POST" and entry["path"] == path and '"Id"' not in (entry.get("body") or "")
        )

    @staticmethod
    def webhook(event_id: int, entity="Bill", native_id="145"):
        body = {
            "eventNotifications": [
                {
                    "realmId": quickbooks_demo.REALM,
                    "dataChangeEvent": {
                        "entities": [
                            {
                                "name": entity,
                                "id": native_id,
                                "operation": "Update",
                                "lastUpdated": f"2026-11-21T10:00:{event_id % 60:02d}.000Z",
                            }
                        ]
                    },
                }
            ]
        }
        raw = json.dumps(body).encode()
        digest = hmac.new(quickbooks_demo.VERIFIER_TOKEN.encode(), raw, hashlib.sha256).digest()
        return {"intuit-signature": base64.b64encode(digest).decode()}, raw


class Intacct(SystemUnderTest):
    """Sage Intacct: one XML gateway, so reads and faults are POSTs, and "a token" is an API session."""

    read_method = "POST"
    reads_commitments = False

    def connection(self, tenant, sandbox_url, **secret_overrides):
        # The shared suite spells "the secret that signs us in" client_secret: for Intacct that is the user password.
        if "client_secret" in secret_overrides:
            secret_overrides["user_password"] = secret_overrides.pop("client_secret")
        secrets = {
            "sender_password": intacct_demo.SENDER_PASSWORD,
            "user_id": intacct_demo.USER_ID,
            "user_password": intacct_demo.USER_PASSWORD,
        }
        return Connection.objects.create(
            tenant=tenant,
            system="intacct",
            name="Sage Intacct",
            environment=Environment.SIMULATOR,
            settings={
                "company_id": intacct_demo.COMPANY_ID,
                "sender_id": intacct_demo.SENDER_ID,
                "po_item": "SUBCONTRACT",
                "base_url": f"{sandbox_url}/intacct",
            },
            secrets={**secrets, **secret_overrides},
        )

    def seed_vendors(self, sim, count):
        sim.seed(preset="demo")
        sim.seed(
            {
                "VENDOR": [
                    {"VENDORID": f"V{n:04d}", "NAME": f"Vendor {n:04d}", "STATUS": "active"} for n in range(count)
                ]
            }
        )

    def creates_made(self, sim, entity: str) -> int:
        """Create functions of the entity's object in the requests the gateway received."""
        marker = self.creates[entity]
        return sum(entry["body"].count(marker) for entry in sim.journal() if entry["method"] == "POST")


class Exact(SystemUnderTest):
    """Exact Online: a read-only source, connected through the simulator's consent page (no secret to type in)."""

    commitment_documents = False  # purchase orders are posted to Procore, never reconciled

    def forgeries(self, headers: dict, body: bytes) -> list[tuple[dict, bytes]]:
        """Exact signs the body (HashCode), not a header: a changed key, and a HashCode that is not the body's."""
        content, _, _ = body.partition(b',"HashCode"')
        return [
            (headers, body.replace(exact_demo.gid("po:1").encode(), exact_demo.gid("po:2").encode())),
            (headers, content + b',"HashCode":"' + b"A" * 64 + b'"}'),
            ({"Authorization": "Bearer forged"}, content + b"}"),
        ]

    def connection(self, tenant, sandbox_url, **secret_overrides):
        from connections.oauth import store_grant
        from connections.systems.exact.auth import ExactOAuth

        secrets = {
            "client_id": exact_demo.CLIENT_ID,
            "client_secret": exact_demo.CLIENT_SECRET,
            "webhook_secret": exact_demo.WEBHOOK_SECRET,
        }
        connection = Connection.objects.create(
            tenant=tenant,
            system="exact",
            name="Exact Online",
            environment=Environment.SIMULATOR,
            settings={"region": "nl", "division": str(exact_demo.MAIN), "base_url": f"{sandbox_url}/exact-nl"},
            secrets=secrets,
        )
        redirect_uri = exact_demo.REDIRECT_URIS[0]
        code = self.consent(ExactOAuth().authorize_url(connection, redirect_uri, "contract"), redirect_uri)["code"]
        store_grant(connection, ExactOAuth().exchange_code(connection, code, redirect_uri, {}))
        if secret_overrides:
            # Other credentials from now on: the next token request (not the stored access token) meets them.
            connection.secrets = {**secrets, **secret_overrides}
            connection.token_state = {"refresh_token": connection.token_state["refresh_token"]}
            connection.save()
        return connection

    @staticmethod
    def consent(url: str, redirect_uri: str, decision: str = "allow") -> dict:
        """Go through the simulator's consent page at `url` as the user would; the query it redirects back with."""
        http = requests.Session()
        page = http.get(url, timeout=10)
        form = lxml.html.fromstring(page.text).forms[0]
        action = urljoin(page.url, form.action)
        answer = http.post(action, data={**dict(form.fields), "decision": decision}, allow_redirects=False, timeout=10)
        location = answer.headers["Location"]
        assert location.startswith(redirect_uri), location
        return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}

    def seed_vendors(self, sim, count):
        sim.seed(preset="demo")
        sim.seed(
            {
                "Accounts": [
                    {"Code": f"{5000 + n}", "Name": f"Vendor {n:04d}", "IsSupplier": True, "Status": "A"}
                    for n in range(count)
                ]
            }
        )

    @staticmethod
    def webhook(event_id: int, topic="PurchaseOrders", key=None, action="Update", division=None):
        content = {
            "Topic": topic,
            "ClientId": exact_demo.CLIENT_ID,
            "Division": division or exact_demo.MAIN,
            "Action": action,
            "Key": key or exact_demo.gid("po:1"),
            "ExactOnlineEndpoint": "https://start.exactonline.nl/api/v1/...",
            "EventCreatedOn": f"2026-11-21T10:00:{event_id % 60:02d}.{event_id:03d}",
        }
        raw = json.dumps(content, separators=(",", ":")).encode()
        code = hmac.new(exact_demo.WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest().upper()
        return {}, b'{"Content":' + raw + b',"HashCode":"' + code.encode() + b'"}'


class Procurify(SystemUnderTest):
    """Procurify: one host per customer domain (a path segment in the sandbox); a source of purchase orders and bills
    that keeps no project list; its purchase orders are posted to the ERP, never reconciled."""

    commitment_documents = False

    def connection(self, tenant, sandbox_url, **secret_overrides):
        secrets = {"client_id": procurify_demo.CLIENT_ID, "client_secret": procurify_demo.CLIENT_SECRET}
        return Connection.objects.create(
            tenant=tenant,
            system="procurify",
            name="Procurify",
            environment=Environment.SIMULATOR,
            settings={
                "subdomain": procurify_demo.DOMAIN,
                "base_url": f"{sandbox_url}/procurify/{procurify_demo.DOMAIN}",
                "requests_per_minute": "6000",  # the budget is tested on its own (tests/contract/test_procurify.py)
            },
            secrets={**secrets, **secret_overrides},
        )

    def seed_vendors(self, sim, count):
        sim.seed(preset="demo")
        sim.seed(
            {
                "vendors": [
                    {"id": 90_000 + n, "name": f"Vendor {n:04d}", "active": True, "type": 4, "email": []}
                    for n in range(count)
                ]
            }
        )


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
    "quickbooks": QuickBooks(
        "quickbooks",
        "POST /oauth2/v1/tokens/bearer",
        3600,
        "/query",
        creates={"vendor": f"POST /v3/company/{quickbooks_demo.REALM}/vendor"},
        other_vendor=Vendor(native_id="5100000001", name="Acme Drywall Inc.", email="ap@acmedrywall.example.com"),
    ),
    "intacct": Intacct(
        "intacct",
        "POST /ia/xml/xmlgw.phtml#getAPISession",
        86400,
        "/ia/xml/xmlgw.phtml",
        creates={"vendor": "<create><VENDOR>", "bill": "<create><APBILL>", "commitment": "<create_potransaction>"},
        other_vendor=Vendor(native_id="5200009001", name="Acme Drywall Inc."),
    ),
    "exact": Exact("exact", "POST /api/oauth2/token", 600, "/bulk/CRM/Accounts"),
    "procurify": Procurify(
        "procurify",
        f"POST /{procurify_demo.DOMAIN}/oauth/token",
        86400,
        "/api/v3/vendors",
        creates={
            "vendor": f"POST /{procurify_demo.DOMAIN}/api/v3/vendors/",
            "account": f"POST /{procurify_demo.DOMAIN}/api/v3/account-codes/",
        },
        other_vendor=Vendor(native_id="V20077", name="Acme Drywall Inc.", code="V20077"),
    ),
}
