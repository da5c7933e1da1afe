"""Senders, users and API sessions.

Senders (Web Services credentials) and company users are records seeded through the control API
(collections ``senders`` and ``users``). A session is created by ``getAPISession`` and lives on the
simulator clock: its timeout is "now + duration" and slides with every call that uses it (facts B3).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..core.store import Store
from .errors import SIGN_IN, SIGN_IN_TEXT, Error, IntacctError


@dataclass
class Session:
    sessionid: str
    userid: str
    companyid: str
    locationid: str
    expires: float


@dataclass
class Identity:
    """Who a request runs as, for the authentication block of the answer."""

    userid: str
    companyid: str
    locationid: str
    session: Session | None = None


class SessionBook:
    def __init__(self):
        self.sessions: dict[str, Session] = {}

    def open(self, identity: Identity, now: float, duration: float) -> Session:
        """A session for this user, company and entity; the same one again while it is alive."""
        for session in self.sessions.values():
            same = (session.userid, session.companyid, session.locationid)
            if same == (identity.userid, identity.companyid, identity.locationid) and session.expires > now:
                session.expires = now + duration
                return session
        session = Session(secrets.token_urlsafe(24) + "..", identity.userid, identity.companyid,
                          identity.locationid, now + duration)  # fmt: skip
        self.sessions[session.sessionid] = session
        return session

    def use(self, sessionid: str, now: float, duration: float, sliding: bool) -> Session:
        session = self.sessions.get(sessionid)
        if session is None or session.expires <= now:
            self.sessions.pop(sessionid, None)
            raise sign_in_failure()
        if sliding:
            session.expires = now + duration
        return session

    def expire_all(self) -> int:
        count = len(self.sessions)
        self.sessions.clear()
        return count


def sign_in_failure() -> IntacctError:
    return IntacctError([Error(SIGN_IN, "", SIGN_IN_TEXT, "")])


def not_authorised(senderid: str, companyid: str) -> IntacctError:
    """The FAQ's answer when a sender is not on the company's Web Services authorisation list."""
    return IntacctError(
        [
            Error(
                SIGN_IN,
                "Invalid Web Services Authorization",
                f"The sender ID '{senderid}' is not authorized to make Web Services requests to company ID "
                f"'{companyid}'.",
                "Contact the company administrator to grant Web Services authorization to this sender ID.",
            )
        ]
    )


def check_sender(store: Store, senderid: str, password: str) -> dict | None:
    sender = store.get("senders", senderid)
    if sender is None or not secrets.compare_digest(str(sender.get("password", "")), password):
        return None
    return sender


def sender_may_use(sender: dict, companyid: str) -> bool:
    companies = sender.get("companies")
    return companies is None or companyid.lower() in [str(c).lower() for c in companies]


def check_login(store: Store, userid: str, companyid: str, password: str) -> dict | None:
    user = store.get("users", f"{userid}@{companyid}".lower())
    if user is None or not secrets.compare_digest(str(user.get("password", "")), password):
        return None
    if str(user.get("status", "active")).lower() != "active":
        return None
    return user


def iso(epoch: float, zone: str) -> str:
    """sessiontimestamp / sessiontimeout form: ISO 8601 with an offset, to the second."""
    return datetime.fromtimestamp(epoch, UTC).astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
