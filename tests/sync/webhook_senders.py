"""Webhook deliveries as each vendor sends them, signed with any secret, and the ways a delivery can be forged.

Used by the webhook matrix and the burst test. Connections are made directly (no simulator is called): the inbox
only verifies, stores and enqueues. Bodies come from the contract suite's builders (tests/contract/systems.py) and
are signed here with the connection's own secret, so two tenants can hold different secrets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from connections.models import Connection, Environment
from sandbox.acumatica import demo as acumatica_demo
from sandbox.exact import demo as exact_demo
from sandbox.procore import demo as procore_demo
from sandbox.quickbooks import demo as quickbooks_demo
from tests.contract.systems import SYSTEMS

#: Systems that send webhooks (Procurify and Intacct are read on a schedule only).
SENDERS = ("acumatica", "exact", "procore", "quickbooks")
NOWHERE = "http://127.0.0.1:9"  # the inbox never calls the vendor; a closed port proves it
PUSH_HEADER = "X-Hook-Secret"
_EXACT = re.compile(rb'\A\{"Content":(?P<content>.*),"HashCode":"[0-9A-F]{64}"\}\Z', re.DOTALL)


def connection(key: str, tenant, secret: str) -> Connection:
    """A connection of `key` whose webhooks are signed with `secret`."""
    settings, secrets = {
        "procore": (
            {"company_id": str(procore_demo.COMPANY_ID), "base_url": NOWHERE, "login_url": NOWHERE},
            {"client_id": "cid", "client_secret": "csecret", "webhook_secret": secret},
        ),
        "acumatica": (
            {
                "instance_url": NOWHERE,
                "endpoint_version": "23.200.001",
                "tenant_name": acumatica_demo.TENANT,
                "push_header_name": PUSH_HEADER,
            },
            {"client_id": "G", "client_secret": "S", "username": "u", "password": "p", "push_header_value": secret},
        ),
        "quickbooks": (
            {"realm_id": quickbooks_demo.REALM, "base_url": NOWHERE},
            {"client_id": "cid", "client_secret": "csecret", "webhook_verifier_token": secret},
        ),
        "exact": (
            {"region": "nl", "division": str(exact_demo.MAIN), "base_url": NOWHERE},
            {"client_id": exact_demo.CLIENT_ID, "client_secret": "csecret", "webhook_secret": secret},
        ),
    }[key]
    return Connection.objects.create(
        tenant=tenant,
        system=key,
        name=f"{key} {tenant.slug}",
        environment=Environment.SIMULATOR,
        settings=settings,
        secrets=secrets,
    )


def body_of(key: str, n: int) -> bytes:
    """The n-th distinct event's body, unsigned for Exact (it signs inside the body: see `signed`)."""
    if key == "quickbooks":  # the legacy format has no id: distinct events are distinct bodies
        _, body = SYSTEMS[key].webhook(n, native_id=str(100_000 + n))
    else:
        _, body = SYSTEMS[key].webhook(n)
    if key == "exact":
        return _EXACT.match(body).group("content")
    return body


def signed(key: str, body: bytes, secret: str) -> tuple[dict, bytes]:
    """Headers and body of a delivery of `body` signed with `secret`, as the vendor sends it."""
    if key == "procore":
        return {"Authorization": f"Bearer {secret}"}, body
    if key == "acumatica":
        return {PUSH_HEADER: secret}, body
    if key == "quickbooks":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        return {"intuit-signature": base64.b64encode(digest).decode()}, body
    code = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().upper()
    return {}, b'{"Content":' + body + b',"HashCode":"' + code.encode() + b'"}'


def delivery(key: str, n: int, secret: str) -> tuple[dict, bytes]:
    return signed(key, body_of(key, n), secret)


def forgeries(key: str, n: int, secret: str) -> dict[str, tuple[dict, bytes]]:
    """The n-th event with its signature missing, wrong or cut short."""
    headers, body = delivery(key, n, secret)
    if key == "exact":
        content = body_of(key, n)
        good = body.rsplit(b'"HashCode":"', 1)[1][:64]
        return {
            "missing": ({}, b'{"Content":' + content + b"}"),
            "wrong": ({}, b'{"Content":' + content + b',"HashCode":"' + b"0" * 64 + b'"}'),
            "truncated": ({}, b'{"Content":' + content + b',"HashCode":"' + good[:40] + b'"}'),
            "altered body": ({}, body.replace(b"PurchaseOrders", b"PurchaseInvoices")),
        }
    ((name, value),) = headers.items()
    forged = {
        "missing": ({}, body),
        "wrong": ({name: value[:-6] + "forged"}, body),
        "truncated": ({name: value[: len(value) // 2]}, body),
        "empty": ({name: ""}, body),
    }
    if key == "quickbooks":  # the only header that signs the body; Procore and Acumatica send a static secret
        forged["altered body"] = (headers, body.replace(b'"Update"', b'"Delete"'))
    return forged
