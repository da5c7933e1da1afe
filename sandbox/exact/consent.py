"""The authorization page: ``GET /api/oauth2/auth`` shows a sign-in and consent form, its submission
redirects to the client's redirect_uri with ``code`` and ``state`` (or ``error=access_denied``).

The client and its registered redirect URI are checked before anything is shown; a mismatch is an error
page, never a redirect. ``force_login=1`` leaves the sign-in fields empty even when the demo prefill is on.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from urllib.parse import urlencode

from ..core.http import Request, Response
from .auth import OAuth

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Exact Online - Authorize {app}</title></head>
<body>
<main>
<h1>Exact Online</h1>
<p><strong>{app}</strong> wants access to your Exact Online administrations.</p>
{error}
<form method="post" action="{action}" id="consent">
<input type="hidden" name="request_id" value="{request_id}">
<p><label for="username">Username</label> <input id="username" name="username" value="{username}"></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" value="{password}"></p>
<p><button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></p>
</form>
</main>
</body></html>
"""
ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Exact Online - Error</title></head>
<body><h1>Exact Online</h1><p class="error">{message}</p></body></html>
"""
#: how long a shown form may be submitted
FORM_LIFETIME = 600


def _html(text: str, status: int = 200) -> Response:
    return Response(status, text.encode(), [("Content-Type", "text/html; charset=utf-8")])


def _error_page(message: str) -> Response:
    return _html(ERROR_PAGE.format(message=escape(message)), 400)


class Consent:
    def __init__(self, oauth: OAuth):
        self.oauth = oauth
        self.pending: dict[str, dict] = {}

    def show(self, region: str, request: Request) -> Response:
        """GET: validate the authorization request and render the form."""
        args = {name: request.arg(name) or "" for name in ("client_id", "redirect_uri", "response_type", "state")}
        client = self.oauth.store.get("clients", args["client_id"])
        if client is None:
            return _error_page("Unknown client_id.")
        if args["redirect_uri"] not in client.get("redirect_uris", []):
            return _error_page("The redirect_uri does not match the one registered for this app.")
        if args["response_type"] != "code":
            return _error_page("response_type must be code.")
        request_id = secrets.token_urlsafe(24)
        self.pending[request_id] = {
            **args,
            "region": region,
            "expires_at": self.oauth.clock.time() + FORM_LIFETIME,
            "prefill": request.arg("force_login", "0") != "1",
        }
        return self._form(request, request_id, client)

    def _form(self, request: Request, request_id: str, client: dict, error: str = "") -> Response:
        entry = self.pending[request_id]
        demo = self.oauth.config["consent_prefill"] if entry["prefill"] else None
        user = self.oauth.store.get("users", demo) if demo else None
        page = PAGE.format(
            app=escape(client.get("name", client["id"])),
            action=escape(_path_of(request.base_url) + "/api/oauth2/auth"),
            request_id=escape(request_id),
            username=escape(user["UserName"]) if user else "",
            password=escape(user["password"]) if user else "",
            error=f'<p class="error" role="alert">{escape(error)}</p>' if error else "",
        )
        return _html(page)

    def submit(self, region: str, request: Request) -> Response:
        """POST: sign the user in and redirect with a code (allow) or access_denied (deny)."""
        form = request.form()
        entry = self.pending.get(form.get("request_id", ""))
        if entry is None or entry["region"] != region or entry["expires_at"] <= self.oauth.clock.time():
            return _error_page("This sign-in form has expired. Start again from the application.")
        client = self.oauth.store.get("clients", entry["client_id"])
        if form.get("decision") != "allow":
            self.pending.pop(form["request_id"])
            return _redirect(entry, {"error": "access_denied"})
        user = self._user(region, form)
        if user is None:
            return self._form(request, form["request_id"], client, "Invalid username or password.")
        self.pending.pop(form["request_id"])
        code = self.oauth.issue_code(region, client["id"], user["id"], entry["redirect_uri"])
        return _redirect(entry, {"code": code})

    def _user(self, region: str, form: dict) -> dict | None:
        for user in self.oauth.store.all("users"):
            if user["UserName"] == form.get("username") and user.get("region", "nl") == region:
                return user if hmac.compare_digest(user["password"], form.get("password", "")) else None
        return None


def _path_of(base_url: str) -> str:
    """'http://host:port/exact-nl' -> '/exact-nl'."""
    return "/" + base_url.split("/", 3)[-1] if base_url.count("/") >= 3 else ""


def _redirect(entry: dict, params: dict) -> Response:
    if entry["state"]:
        params["state"] = entry["state"]
    uri = entry["redirect_uri"]
    location = uri + ("&" if "?" in uri else "?") + urlencode(params)
    return Response(302, b"", [("Location", location), ("Cache-Control", "no-store")])
