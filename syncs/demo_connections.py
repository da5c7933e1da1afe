"""Pieces the demo integrations share: a Procore company of their own beside the demo's, and saving a connection."""


def sibling_procore(procore_settings: dict, procore_secrets: dict, company_id) -> dict:
    """Fields of a connection to another Procore company with the demo service account's credentials (no webhook
    secret: the demo's hooks are set up on its own connection)."""
    return {
        "system": "procore",
        "settings": {**procore_settings, "company_id": str(company_id), "standard_cost_code_list_id": ""},
        "secrets": {key: value for key, value in procore_secrets.items() if key != "webhook_secret"},
    }


def save_connection(tenant, name: str, values: dict, settings: dict | None = None):
    """Create or update the tenant's connection `name`; changed credentials drop its tokens."""
    from connections.models import Connection, Environment

    connection = Connection.objects.filter(tenant=tenant, name=name).first() or Connection(tenant=tenant, name=name)
    connection.system, connection.environment = values["system"], Environment.SIMULATOR
    connection.settings = values["settings"] if settings is None else settings
    if dict(connection.secrets or {}) != values["secrets"]:
        connection.secrets, connection.token_state = values["secrets"], {}
    connection.save()
    return connection
