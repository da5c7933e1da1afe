"""The demo's webhooks, set up once its web server answers (`manage.py demo_webhooks`, run by scripts/run.sh).

A vendor checks a webhook's address when it is set up (Exact posts an empty body to it and refuses the subscription
unless it is answered), so this cannot happen while the demo is seeded, before the web server is up. Each simulator
connection of the demo tenant is set up as an admin would set it up: through the vendor's API where it has one
(syncs/webhook_setup.py: Procore's hook, Exact's subscriptions), else on the vendor's own screen, which for the demo
is the simulator's control API (Acumatica's push notification destination). Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from connections.models import Connection, Environment

from .webhook_setup import WebhooksNotSupported, entities_read, set_up

#: Demo connection name -> how its webhook destination is configured on the vendor's own screen.
ON_VENDOR_SCREEN: dict[str, str] = {"Acumatica (simulator)": "acumatica"}


@dataclass(frozen=True)
class Outcome:
    connection: Connection
    ok: bool
    message: str

    def __str__(self) -> str:
        return f"{self.connection}: {self.message}"


def callback_url(base_url: str, connection) -> str:
    return base_url.rstrip("/") + reverse("webhook", args=[connection.uuid])


def set_up_demo(tenant, base_url: str, sandbox_url: str) -> list[Outcome]:
    """Point every webhook-capable simulator connection of `tenant` at this web server (`base_url`)."""
    from connections.errors import ApiError

    outcomes = []
    connections = Connection.objects.filter(tenant=tenant, environment=Environment.SIMULATOR).order_by("name")
    for connection in connections:
        if not connection.spec.webhook:
            continue
        url = callback_url(base_url, connection)
        try:
            if connection.name in ON_VENDOR_SCREEN:
                message = _on_vendor_screen(connection, url, sandbox_url)
            else:
                message = f"webhooks at {url}: {set_up(connection, url, keep_secret=True).summary}"
            outcomes.append(Outcome(connection, True, message))
        except WebhooksNotSupported as exc:
            outcomes.append(Outcome(connection, True, f"{exc}; the demo polls it"))
        except (ApiError, RuntimeError, OSError) as exc:  # RuntimeError/OSError: a simulator's control API
            outcomes.append(Outcome(connection, False, f"webhooks not set up: {exc}"))
    return outcomes


def _on_vendor_screen(connection, url: str, sandbox_url: str) -> str:
    """Acumatica's push notifications are configured on its SM302000 screen, not through its API: the demo sets the
    destination and its one secret header through the simulator, with the values stored on the connection."""
    from sandbox.testing import SandboxControl

    if not entities_read(connection):
        return "nothing to push: no enabled integration reads from it"
    header, secret = connection.settings.get("push_header_name"), connection.secrets.get("push_header_value")
    if not header or not secret:
        raise WebhooksNotSupported("the connection has no push notification header name and value")
    control = SandboxControl(sandbox_url, ON_VENDOR_SCREEN[connection.name])
    control.action("push_destination", url=url, header_name=header, header_value=secret)
    return f"push notifications to {url} (inquiries: {connection.settings.get('push_queries') or 'the defaults'})"
