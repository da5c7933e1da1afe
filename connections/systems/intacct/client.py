"""Sage Intacct XML gateway client: one POST endpoint, all through connections/http.py.

Every request is an envelope: `control` (sender id and password, a request control id, `uniqueid`, dtdversion
3.0), then one `operation` holding the authentication (a session id) and the `content` functions, each with its
own control id. Several functions travel in one request where that saves calls, and each answers with its own
`result`, which the caller applies to its own record.

The session comes from `getAPISession` (auth.py), is cached encrypted on the connection through
connections/tokens.py, renewed before its timeout, and renewed once when the gateway answers an authentication
failure (an expired session): no function runs when authentication fails, so the request is sent again as is.
Reads are retried by the HTTP layer on 5xx; writes are not (their repeat is settled by `uniqueid` and a look-up).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests

from connections import errors
from connections.http import HttpClient, retry_at_from_headers
from connections.models import Connection
from connections.tokens import get_access_token

from . import xml
from .errors import AuthenticationFailed, Result, control_error, error_details, read_answer

GATEWAY_PATH = "/ia/xml/xmlgw.phtml"
DEFAULT_HOST = "https://api.intacct.com"
DTD_VERSION = "3.0"
PAGE_SIZE = 500  # query accepts up to 2000; each page is one API transaction


def gateway_url(connection) -> str:
    return (connection.settings.get("base_url") or DEFAULT_HOST).rstrip("/") + GATEWAY_PATH


def allowed_endpoint(connection, endpoint: str) -> bool:
    """Session ids are only ever sent to Intacct's hosts, or to the configured gateway's host."""
    host = urlsplit(endpoint).hostname or ""
    configured = urlsplit(gateway_url(connection)).hostname or ""
    scheme_ok = urlsplit(endpoint).scheme == "https" or host == configured
    return scheme_ok and (host == configured or host == "intacct.com" or host.endswith(".intacct.com"))


def new_controlid(prefix: str = "mlc") -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def function(controlid: str, body) -> xml.etree._Element:
    """`<function controlid=..>` around one function element."""
    node = xml.etree.Element("function", {"controlid": controlid})
    node.append(body)
    return node


def envelope(connection, functions: list, auth, *, unique: bool = False, transaction: bool = False) -> bytes:
    """The request document; `auth` is an `<authentication>` child (a session id or a login)."""
    build = xml.Builder()
    root = xml.etree.Element("request")
    root.append(
        build.element(
            "control",
            {
                "senderid": connection.settings.get("sender_id", ""),
                "password": connection.secrets.get("sender_password", ""),
                "controlid": new_controlid("req"),
                "uniqueid": bool(unique),
                "dtdversion": DTD_VERSION,
                "includewhitespace": False,
            },
        )
    )
    operation = xml.etree.SubElement(root, "operation", {"transaction": "true" if transaction else "false"})
    authentication = xml.etree.SubElement(operation, "authentication")
    authentication.append(auth)
    content = xml.etree.SubElement(operation, "content")
    for item in functions:
        content.append(item)
    return xml.to_bytes(root)


def http_error(response: requests.Response) -> errors.ApiError | None:
    """A 4xx/5xx that carries an Intacct error block (GW-0010 with 429, a refused sender with 401...)."""
    if b"<errormessage" not in (response.content or b""):
        return None
    try:
        root = xml.parse(response.content)
    except xml.UnsafeXml:
        return None
    details = error_details(root.find("errormessage"))
    if not details:
        return None
    exc = control_error(details, retry_at=retry_at_from_headers(response.headers))
    exc.status = response.status_code
    return exc


class IntacctClient:
    """Calls on behalf of one Intacct connection."""

    def __init__(self, connection):
        self.connection = connection
        self.http = HttpClient(connection, gateway_url(connection).removesuffix(GATEWAY_PATH))
        self._session: tuple[str, str] | None = None  # (session id, endpoint)

    # --- session ---------------------------------------------------------------------------------------------
    def session(self, rejected: str | None = None) -> tuple[str, str]:
        """(session id, endpoint URL): the cached session, or a new one when it is near its timeout or was
        `rejected` by the gateway."""
        from .auth import fetch_session

        # Asked on every request (one row read): a session near its timeout is renewed before it is used.
        sessionid = get_access_token(self.connection.pk, fetch_session, rejected=rejected)
        if self._session is None or self._session[0] != sessionid:
            state = Connection.objects.get(pk=self.connection.pk).token_state or {}
            endpoint = state.get("endpoint") or ""
            if not endpoint or not allowed_endpoint(self.connection, endpoint):
                endpoint = gateway_url(self.connection)
            self._session = (sessionid, endpoint)
        return self._session

    # --- requests --------------------------------------------------------------------------------------------
    def execute(
        self, functions: list, *, unique: bool = False, transaction: bool = False, idempotent: bool = True
    ) -> list[Result]:
        """Send functions in one request; the results in the order of `functions`.

        `unique` sends uniqueid=true: the gateway refuses a function whose control id already ran. `idempotent`
        lets the HTTP layer repeat the request after a 5xx; pass False for writes whose repeat must be settled by
        a look-up instead.
        """
        rejected = None
        for attempt in (1, 2):
            sessionid, url = self.session(rejected)
            auth = xml.Builder().element("sessionid", sessionid)
            body = envelope(self.connection, functions, auth, unique=unique, transaction=transaction)
            try:
                answer = self.post(url, body, idempotent=idempotent)
            except AuthenticationFailed:
                if attempt == 2:
                    raise
                rejected = sessionid  # expired or revoked: renew it once, nothing ran
                continue
            return self._in_order(functions, answer.results)
        raise AssertionError("unreachable")

    def post(self, url: str, body: bytes, *, idempotent: bool):
        response = self.http.request(
            "POST",
            url,
            data=body,
            headers={"Content-Type": "application/xml"},
            idempotent=idempotent,
            error_mapper=http_error,
        )
        return read_answer(response.content)

    @staticmethod
    def _in_order(functions: list, results: list[Result]) -> list[Result]:
        by_id = {result.controlid: result for result in results}
        ordered = []
        for node in functions:
            result = by_id.get(node.get("controlid"))
            if result is None:
                raise errors.OutcomeUnknown(f"Intacct answered without a result for function {node.get('controlid')}")
            ordered.append(result)
        return ordered

    def one(self, body, *, what: str = "", **kwargs) -> Result:
        """Run one function; its typed error when it fails."""
        result = self.execute([function(new_controlid(), body)], **kwargs)[0]
        if not result.ok:
            raise result.error(what)
        return result

    # --- reads -----------------------------------------------------------------------------------------------
    def query(self, obj: str, select: list[str], flt=None, *, order: str = "RECORDNO") -> Iterator[dict]:
        """Every record of `obj` matching `flt` (see `filter_element`), paged by offset in a stable order."""
        offset = 0
        while True:
            result = self.one(query_element(obj, select, flt, order=order, offset=offset))
            rows = result.records()
            yield from rows
            if not rows or result.remaining() == 0:
                return
            offset += len(rows)

    def read(self, obj: str, keys: list[str], fields: str = "*") -> list[dict]:
        """Whole records (with their lines) by RECORDNO, several per function."""
        if not keys:
            return []
        build = xml.Builder()
        body = build.element("read", {"object": obj, "keys": ",".join(keys), "fields": fields, "returnFormat": "xml"})
        return self.one(body).records()


def filter_element(build: xml.Builder, flt) -> xml.etree._Element:
    """("equalto", field, value) | ("and"/"or", [filters]) | ("greaterthanorequalto", field, value) | ..."""
    operator = flt[0]
    node = xml.etree.Element(operator)
    if operator in ("and", "or"):
        for part in flt[1]:
            node.append(filter_element(build, part))
        return node
    build.children(node, {"field": flt[1]})
    values = flt[2] if isinstance(flt[2], list) else [flt[2]]
    for value in values:
        node.append(build.element("value", value))
    return node


def query_element(obj: str, select: list[str], flt=None, *, order="RECORDNO", offset=0, pagesize=PAGE_SIZE):
    build = xml.Builder()
    node = xml.etree.Element("query")
    select_node = xml.etree.SubElement(node, "select")
    for name in select:
        select_node.append(build.element("field", name))
    node.append(build.element("object", obj))
    if flt is not None:
        xml.etree.SubElement(node, "filter").append(filter_element(build, flt))
    if order:
        orderby = xml.etree.SubElement(xml.etree.SubElement(node, "orderby"), "order")
        orderby.append(build.element("field", order))
        xml.etree.SubElement(orderby, "ascending")
    node.append(build.element("pagesize", pagesize))
    node.append(build.element("offset", offset))
    return node
