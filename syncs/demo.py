"""The demo tenant's connections and integrations, wired to the simulators' demo data (see sandbox/)."""


def connection_specs(sandbox_url: str) -> list[dict]:
    """Connections of the demo tenant, using the credentials the simulators' demo preset accepts."""
    return [
        {
            "system": "procore",
            "name": "Procore (simulator)",
            "settings": {
                "company_id": "4264807",
                "base_url": f"{sandbox_url}/procore",
                "login_url": f"{sandbox_url}/procore-login",
            },
            "secrets": {"client_id": "demo-procore-client", "client_secret": "demo-procore-secret"},
        },
    ]


def seed_integrations(tenant, connections) -> None:
    """Create the demo integrations between the demo connections."""
