"""Intacct's answers and `errormessage` blocks as typed errors.

An answer fails at one of three levels: the control (the whole request: sender credentials, XML syntax, the
gateway's rate limit GW-0010), the authentication (no function ran: wrong user credentials, an expired session,
a sender not authorised for the company), or one function (only that function failed, unless the operation was a
transaction). Every error keeps Intacct's number, description, description2 and correction verbatim, plus our
reading of it where the meaning is known (a closed period, an inactive account or dimension, a repeated control
id, a record that already exists), so the ledger and the audit trail show both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from lxml import etree

from connections import errors

from . import xml

RATE_LIMITED = "GW-0010"
ROLLED_BACK = "XL03000009"
PARSE_ERROR = "XL03000003"
SENDER_REJECTED = "XMLGW_JPP0002"
ALREADY_EXISTS = "BL34000061"

#: (meaning, pattern over number and texts, what it means for a person)
MEANINGS = (
    (
        "duplicate_controlid",
        re.compile(r"already (been )?executed|cannot be repeated|control ?id .*(already|used|duplicate)", re.I),
        "Intacct has already run a function with this control id: the document was created by an earlier attempt.",
    ),
    (
        "closed_period",
        re.compile(r"period.{0,40}closed|closed.{0,40}period|books are closed|closed through", re.I),
        "The document's date falls in a period that is closed in Intacct: reopen the period or change the date, "
        "then replay.",
    ),
    (
        "inactive_dimension",
        re.compile(r"\binactive\b|not active", re.I),
        "An account or dimension on the document is inactive in Intacct: reactivate it, or map the line to an "
        "active one, then replay.",
    ),
    (
        "already_exists",
        re.compile(ALREADY_EXISTS + r"|already exists", re.I),
        "Intacct already holds a record with this ID.",
    ),
    (
        "sender_not_authorised",
        re.compile(r"not authori[sz]ed to make web services|invalid web services authori[sz]ation", re.I),
        "The Web Services sender ID is not authorised for this company: in Intacct, Company > Setup > Company > "
        "Security > Web Services authorizations, add the sender ID.",
    ),
)


@dataclass
class ErrorDetail:
    number: str
    description: str = ""
    description2: str = ""
    correction: str = ""

    def text(self) -> str:
        words = " ".join(part for part in (self.description, self.description2) if part)
        correction = f" Correction: {self.correction}" if self.correction else ""
        return f"{self.number}: {words}{correction}".strip()

    def as_dict(self) -> dict:
        return {
            "errorno": self.number,
            "description": self.description,
            "description2": self.description2,
            "correction": self.correction,
        }


def error_details(block: etree._Element | None) -> list[ErrorDetail]:
    if block is None:
        return []
    return [
        ErrorDetail(
            (node.findtext("errorno") or "").strip(),
            (node.findtext("description") or "").strip(),
            (node.findtext("description2") or "").strip(),
            (node.findtext("correction") or "").strip(),
        )
        for node in block.findall("error")
    ]


def meaning_of(details: list[ErrorDetail]) -> tuple[str, str]:
    """(meaning, explanation) of the first error whose number or text we recognise; ("", "") otherwise."""
    for detail in details:
        words = f"{detail.number} {detail.description} {detail.description2} {detail.correction}"
        for meaning, pattern, explanation in MEANINGS:
            if pattern.search(words):
                return meaning, explanation
    return "", ""


class IntacctErrorMixin:
    """Intacct's own error blocks on a typed error: `details` (verbatim), `meaning`, `layer`."""

    details: list[ErrorDetail]
    meaning: str = ""
    layer: str = ""

    def errors_dict(self) -> list[dict]:
        return [detail.as_dict() for detail in self.details]


def describe(layer: str, details: list[ErrorDetail], what: str = "") -> tuple[str, str]:
    meaning, explanation = meaning_of(details)
    verbatim = "; ".join(detail.text() for detail in details) or "no error message"
    prefix = f"Intacct refused {what}" if what else f"Intacct {layer} failure"
    message = f"{prefix}: {verbatim}"
    if explanation:
        message += f" -- {explanation}"
    return message, meaning


def typed(base: type[errors.ApiError], layer: str, details: list[ErrorDetail], what: str = "", **kwargs):
    """An instance of a subclass of `base` carrying Intacct's error blocks."""
    message, meaning = describe(layer, details, what)
    cls = _CLASSES.setdefault(base, type(f"Intacct{base.__name__}", (IntacctErrorMixin, base), {}))
    exc = cls(message, body=" | ".join(d.text() for d in details), **kwargs)
    exc.details, exc.meaning, exc.layer = details, meaning, layer
    return exc


_CLASSES: dict[type, type] = {}


def details_of(exc: BaseException) -> list[dict]:
    """Intacct's verbatim error blocks of an exception raised here (empty for any other)."""
    return exc.errors_dict() if isinstance(exc, IntacctErrorMixin) else []


# --- the answer ----------------------------------------------------------------------------------------------------
@dataclass
class Result:
    function: str
    controlid: str
    status: str
    node: etree._Element
    errors: list[ErrorDetail] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def key(self) -> str:
        """What a legacy function (create_potransaction...) answers: the key of the document it wrote."""
        return (self.node.findtext("key") or "").strip()

    @property
    def data(self) -> etree._Element | None:
        return self.node.find("data")

    def records(self) -> list[dict]:
        data = self.data
        return [] if data is None else [xml.record(kid) for kid in data if isinstance(kid.tag, str)]

    def remaining(self) -> int:
        data = self.data
        value = (data.get("numremaining") if data is not None else None) or "0"
        return int(value) if value.isdigit() else 0

    def error(self, what: str = "") -> errors.ApiError:
        """The typed error of this failed (or aborted) function."""
        return typed(errors.ValidationFailed, "function", self.errors, what or f"the {self.function} function")


@dataclass
class Answer:
    root: etree._Element
    results: list[Result]
    auth: dict

    @property
    def session_seconds(self) -> int | None:
        """How long the session lives from now: sessiontimeout minus sessiontimestamp (both with offsets)."""
        stamp, timeout = self.auth.get("sessiontimestamp"), self.auth.get("sessiontimeout")
        try:
            return int((dt.datetime.fromisoformat(timeout) - dt.datetime.fromisoformat(stamp)).total_seconds())
        except (TypeError, ValueError):
            return None


class AuthenticationFailed(errors.AuthExpired):
    """The operation's authentication failed: no function ran, so the request may be sent again."""


def read_answer(body: bytes) -> Answer:
    """Parse an answer and raise the typed error of a control or authentication failure."""
    try:
        root = xml.parse(body)
    except xml.MalformedXml as exc:
        # A cut or garbled answer says nothing about the request: read again, or look a write up before repeating.
        raise errors.OutcomeUnknown(f"Intacct answer unreadable: {exc}") from exc
    except xml.UnsafeXml as exc:
        raise errors.Permanent(f"Intacct answer refused: {exc}") from exc
    if root.tag != "response":
        raise errors.Permanent(f"Intacct answered <{root.tag}>, not a <response>")
    control_failed = (root.findtext("control/status") or "").strip() == "failure"
    if control_failed or root.find("errormessage") is not None:
        raise control_error(error_details(root.find("errormessage")))
    operation = root.find("operation")
    if operation is None:
        raise errors.Permanent("Intacct answered without an operation block")
    auth_node = operation.find("authentication")
    auth = {kid.tag: (kid.text or "").strip() for kid in auth_node} if auth_node is not None else {}
    if auth.get("status") == "failure" or operation.find("errormessage") is not None:
        raise typed(AuthenticationFailed, "authentication", error_details(operation.find("errormessage")))
    results = [
        Result(
            (node.findtext("function") or "").strip(),
            (node.findtext("controlid") or "").strip(),
            (node.findtext("status") or "").strip(),
            node,
            error_details(node.find("errormessage")),
        )
        for node in operation.findall("result")
    ]
    return Answer(root, results, auth)


def control_error(details: list[ErrorDetail], retry_at=None) -> errors.ApiError:
    numbers = {detail.number for detail in details}
    if RATE_LIMITED in numbers:
        when = retry_at or timezone.now() + dt.timedelta(seconds=60)
        return typed(errors.RateLimited, "control", details, retry_at=when)
    if SENDER_REJECTED in numbers or meaning_of(details)[0] == "sender_not_authorised":
        return typed(SenderRejected, "control", details)
    if any(number.startswith("XL03000006") for number in numbers):
        return typed(SenderRejected, "control", details)
    if PARSE_ERROR in numbers:
        return typed(errors.Permanent, "control", details)
    return typed(errors.Transient if not numbers else errors.Permanent, "control", details)


class SenderRejected(errors.AuthExpired):
    """The control block's sender credentials were refused (or the sender is not authorised)."""
