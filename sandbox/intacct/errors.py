"""The gateway's error blocks: ``errormessage/error{errorno, description, description2, correction}``.

Numbers and texts the vendor publishes are used as published:

- ``XL03000003`` XML parse/schema error, control level (developer.intacct.com error-handling page);
- ``XL03000006`` sign-in failures and the sender-not-authorised case, authentication level (SDK tests, FAQ);
- ``XL03000009`` transaction rolled back, on every other function of a failed transaction (SDK tests);
- ``XMLGW_JPP0002`` bad sender credentials, control level, HTTP 401 (SDK RequestHandlerTest);
- ``GW-0010`` rate limit (HTTP 429) and ``GW-0011`` invalid request (error-handling page);
- ``BL34000061`` + ``BL01001973`` a record with the same id already exists / could not create (facts, .NET SDK);
- ``Query Failed`` + "Object definition X not found" for a bad object in a query (SDK ResultTest).

Business-rule failures whose number Intacct does not publish (closed period, inactive dimension, bad
reference...) carry the published generic ``BL01001973`` with the specific reason in description2 and a
correction, so a client can only rely on what a real gateway is known to send: the number says "business
error", the text says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

PARSE = "XL03000003"
SIGN_IN = "XL03000006"
ROLLED_BACK = "XL03000009"
SENDER_LOGIN = "XMLGW_JPP0002"
RATE_LIMIT = "GW-0010"
INVALID_REQUEST = "GW-0011"
DUPLICATE = "BL34000061"
GENERIC = "BL01001973"
QUERY_FAILED = "Query Failed"

ROLLED_BACK_TEXT = "The entire transaction in this operation has been rolled back due to an error."
SIGN_IN_TEXT = "Sign-in information is incorrect"


@dataclass
class Error:
    errorno: str
    description: str = ""
    description2: str | None = ""
    correction: str | None = ""

    def write(self, parent: etree._Element) -> None:
        node = etree.SubElement(parent, "error")
        etree.SubElement(node, "errorno").text = self.errorno
        etree.SubElement(node, "description").text = self.description
        # Gateway (GW-) errors publish only errorno and description.
        for name in ("description2", "correction"):
            value = getattr(self, name)
            if value is not None:
                etree.SubElement(node, name).text = value


@dataclass
class IntacctError(Exception):
    """Raised by any layer; the layer that catches it decides where the errormessage goes."""

    errors: list[Error] = field(default_factory=list)
    http_status: int = 200

    def __post_init__(self):
        super().__init__(self.errors[0].errorno if self.errors else "error")

    def write(self, parent: etree._Element) -> etree._Element:
        block = etree.SubElement(parent, "errormessage")
        for error in self.errors:
            error.write(block)
        return block


def fail(errorno: str, description2: str, correction: str = "", description: str = "") -> IntacctError:
    return IntacctError([Error(errorno, description, description2, correction)])


def parse_error(detail: str) -> IntacctError:
    return fail(PARSE, f"XML Parse schema error: {detail}")


def business(description2: str, correction: str = "") -> IntacctError:
    return fail(GENERIC, description2, correction)


def not_found_object(name: str, in_query: bool = False) -> IntacctError:
    return fail(QUERY_FAILED if in_query else GENERIC, f"Object definition {name} not found")


def duplicate(label: str, value: str, verb: str = "create") -> IntacctError:
    return IntacctError(
        [
            Error(DUPLICATE, "", f"Another {label} with the given value(s) {value} already exists", "Use a new id."),
            Error(GENERIC, "", f"Could not {verb} {label} record!", ""),
        ]
    )


def gateway(errorno: str, description: str, http_status: int) -> IntacctError:
    return IntacctError([Error(errorno, description, None, None)], http_status)
