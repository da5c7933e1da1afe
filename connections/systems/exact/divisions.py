"""Which division a connection works in: the user's current one, or another one the user may use."""

from __future__ import annotations

from django.db import transaction

from connections.models import Connection

from .client import ExactClient


def available(client: ExactClient, current) -> dict[str, str]:
    """Division code -> description, for the divisions the signed-in user may use."""
    return {str(row["Code"]): row.get("Description") or "" for row in client.divisions(str(current))}


def choose_division(connection: Connection) -> str:
    """Keep the configured division when the user may use it, else take the current one; say which."""
    client = ExactClient(connection)
    me = client.me()
    current = str(me["CurrentDivision"])
    divisions = available(client, current)
    configured = str((connection.settings or {}).get("division") or "")
    chosen = configured if configured in divisions else current
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        row.settings = {**row.settings, "division": chosen}
        row.save(update_fields=["settings", "updated_at"])
    connection.settings = row.settings
    note = ""
    if configured and configured != chosen:
        note = f" Division {configured} is not one this user may use; it was replaced."
    others = ", ".join(f"{code} ({name})" for code, name in sorted(divisions.items()) if code != chosen)
    return (
        f"Connected as {me.get('UserName') or me.get('FullName') or 'the Exact user'}; every call uses division "
        f"{chosen} ({divisions.get(chosen, '')}).{note}" + (f" Also available: {others}." if others else "")
    )


def describe(client: ExactClient) -> tuple[bool, str]:
    """For "Test connection": whether the configured division is one the user may use, and the choices."""
    me = client.me()
    divisions = available(client, me["CurrentDivision"])
    chosen = client.division
    listing = ", ".join(f"{code} ({name})" for code, name in sorted(divisions.items()))
    if chosen not in divisions:
        return False, f"Division {chosen} is not one this user may use. Available: {listing}."
    return True, f"Signed in as {me.get('UserName') or me.get('FullName')}; division {chosen}. Available: {listing}."
