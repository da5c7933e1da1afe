"""The consent page a QuickBooks user sees when an app asks to connect: pick a company, then Connect or Cancel.

A real HTML form, so browser tests click through it the way a user does; the answer is a POST back to the same
URL, which redirects to the app's redirect_uri.
"""

from __future__ import annotations

from html import escape

from ..core.http import Response

HIDDEN = ("client_id", "response_type", "scope", "redirect_uri", "state")

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Connect to QuickBooks</title></head>
<body>
<main>
<h1>Connect {app} to QuickBooks</h1>
<p>{app} wants access to your company's accounting data ({scope}).</p>
<form method="post" action="{action}">
{hidden}
<label for="realmId">Company</label>
<select id="realmId" name="realmId">
{options}
</select>
<button type="submit" name="decision" value="allow" id="connect">Connect</button>
<button type="submit" name="decision" value="deny" id="cancel">Cancel</button>
</form>
</main>
</body>
</html>
"""


def _html(text: str, status: int = 200) -> Response:
    return Response(status, text.encode(), [("Content-Type", "text/html; charset=utf-8")])


def page(app: dict, params: dict, companies: list[dict], action: str) -> Response:
    hidden = "\n".join(f'<input type="hidden" name="{name}" value="{escape(params.get(name, ""))}">' for name in HIDDEN)
    options = "\n".join(f'<option value="{escape(c["id"])}">{escape(c["CompanyName"])}</option>' for c in companies)
    return _html(
        PAGE.format(
            app=escape(app.get("name", app["id"])),
            scope=escape(params.get("scope", "")),
            action=escape(action),
            hidden=hidden,
            options=options,
        )
    )


def error_page(message: str, status: int) -> Response:
    """Errors that must not go back to an unverified redirect_uri are shown to the user instead."""
    return _html(
        f"<!doctype html><html><body><h1>Something's not right</h1><p>{escape(message)}</p></body></html>", status
    )
