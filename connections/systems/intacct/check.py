"""Test connection: a session from the credentials, the company and user it names, one cheap read.

A failure shows Intacct's own message verbatim, with a hint at which credentials to fix: the control block's
sender (the Web Services sender ID and password), the login (user, password, company), or the sender's
authorisation for the company. It signs in afresh and leaves the cached session and the connection's status alone.
"""

from __future__ import annotations

from connections import errors
from connections.systems.base import ConnectionCheck

from . import xml
from .auth import sign_in
from .client import IntacctClient, envelope, function, gateway_url, new_controlid, query_element
from .errors import AuthenticationFailed, SenderRejected, meaning_of

HINTS = {
    "sender": "Check the Web Services sender ID and sender password (the control block's credentials; both are "
    "case-sensitive).",
    "sender_not_authorised": "The sender ID is valid but not authorised for this company: in Intacct, add it under "
    "Company > Setup > Company > Security > Web Services authorizations.",
    "login": "The sender was accepted but the sign-in was not: check the Web Services user ID, its password and the "
    "company ID (and that the user is a Web Services user with access to the entity, if one is set).",
}


def hint_for(exc: errors.ApiError, connection) -> str:
    details = getattr(exc, "details", [])
    if meaning_of(details)[0] == "sender_not_authorised":
        return HINTS["sender_not_authorised"]
    if isinstance(exc, SenderRejected):
        return HINTS["sender"]
    if isinstance(exc, AuthenticationFailed):
        return HINTS["login"]
    if isinstance(exc, errors.RateLimited):
        return "Intacct is limiting requests for this company right now; try again in a minute."
    if isinstance(exc, errors.Transient):
        return f"Could not reach the gateway at {gateway_url(connection)}; try again later."
    return ""


def check_connection(connection) -> ConnectionCheck:
    try:
        answer, result = sign_in(connection)
        api = result.data.find("api")
        sessionid = (api.findtext("sessionid") or "").strip()
        client = IntacctClient(connection)
        node = function(new_controlid("check"), query_element("GLACCOUNT", ["RECORDNO"], pagesize=1))
        auth = xml.Builder().element("sessionid", sessionid)
        read = client.post(gateway_url(connection), envelope(connection, [node], auth), idempotent=True).results[0]
        if not read.ok:
            raise read.error("the test read of GL accounts")
    except errors.ApiError as exc:
        hint = hint_for(exc, connection)
        return ConnectionCheck(False, f"{exc}{' -- ' + hint if hint else ''}")
    data = read.data
    accounts = data.get("totalcount") if data is not None else None
    entity = answer.auth.get("locationid") or "top level"
    return ConnectionCheck(
        True,
        f"Signed in to company {answer.auth.get('companyid')} as {answer.auth.get('userid')} ({entity}); "
        f"session until {answer.auth.get('sessiontimeout') or 'unknown'}; {accounts or 0} GL accounts visible.",
    )
