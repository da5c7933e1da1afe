"""Intacct sessions: `getAPISession` with the user's login, cached through connections/tokens.py.

The session id is stored encrypted in the connection's token_state with the endpoint the gateway named for it,
the user and the company; its lifetime is the gateway's `sessiontimeout` minus `sessiontimestamp` (the session
slides with every call, so this is a lower bound). Refused credentials (sender or user) raise InvalidGrant, which
moves the connection to `reauth_required` with Intacct's message instead of retrying.
"""

from __future__ import annotations

from connections import errors
from connections.http import HttpClient
from connections.tokens import InvalidGrant, TokenGrant

from . import xml
from .client import GATEWAY_PATH, envelope, function, gateway_url, http_error, new_controlid
from .errors import AuthenticationFailed, SenderRejected, read_answer

DEFAULT_SESSION_SECONDS = 3600


def login_element(connection) -> xml.etree._Element:
    secrets = connection.secrets
    return xml.Builder().element(
        "login",
        {
            "userid": secrets.get("user_id", ""),
            "companyid": connection.settings.get("company_id", ""),
            "password": secrets.get("user_password", ""),
            "locationid": connection.settings.get("location_id") or None,
        },
    )


def sign_in(connection):
    """One getAPISession request with the login (it must be alone in its request); the parsed answer."""
    url = gateway_url(connection)
    http = HttpClient(connection, url.removesuffix(GATEWAY_PATH))
    body = envelope(connection, [function(new_controlid("session"), xml.etree.Element("getAPISession"))],
                    login_element(connection))  # fmt: skip
    response = http.request(
        "POST", url, data=body, headers={"Content-Type": "application/xml"}, idempotent=True, error_mapper=http_error
    )
    answer = read_answer(response.content)
    result = answer.results[0] if answer.results else None
    if result is None or not result.ok:
        raise result.error("the session request") if result else errors.Permanent("Intacct gave no session")
    return answer, result


def fetch_session(connection, token_state: dict) -> TokenGrant:
    """A new session for the connection (the Fetcher of connections/tokens.py)."""
    try:
        answer, result = sign_in(connection)
    except (SenderRejected, AuthenticationFailed, errors.ValidationFailed) as exc:
        raise InvalidGrant(str(exc)) from exc
    api = result.data.find("api") if result.data is not None else None
    sessionid = (api.findtext("sessionid") or "").strip() if api is not None else ""
    if not sessionid:
        raise errors.Permanent("Intacct answered getAPISession without a session id")
    return TokenGrant(
        sessionid,
        answer.session_seconds or DEFAULT_SESSION_SECONDS,
        extra={
            "endpoint": (api.findtext("endpoint") or "").strip(),
            "userid": answer.auth.get("userid", ""),
            "companyid": answer.auth.get("companyid", ""),
            "locationid": (api.findtext("locationid") or "").strip(),
        },
    )
