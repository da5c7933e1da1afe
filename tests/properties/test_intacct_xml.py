"""Intacct XML both ways, under hostile and random input.

Outgoing: any text (controls, surrogates, markup, entities) yields a request our own hardened parser reads back,
with the forbidden characters removed and said so. Incoming: mutations of a valid gateway answer (cut, flipped,
spliced with declarations, external DTDs, entity bombs and control characters) end in a typed error or an
answer, never another exception.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connections import errors
from connections.systems.intacct import xml
from connections.systems.intacct.errors import read_answer

BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<response><control><status>success</status><senderid>mlc</senderid>'
    b"<controlid>c-1</controlid><uniqueid>true</uniqueid><dtdversion>3.0</dtdversion></control><operation>"
    b"<authentication><status>success</status><userid>api</userid><companyid>acme</companyid></authentication>"
    b"<result><status>success</status><function>readByQuery</function><controlid>q-1</controlid>"
    b'<data listtype="vendor" count="1" totalcount="1" numremaining="0"><vendor><RECORDNO>7</RECORDNO>'
    b"<VENDORID>V-7</VENDORID><NAME>Acme &amp; Sons</NAME><APBILLITEMS><item><AMOUNT>10.00</AMOUNT></item>"
    b"</APBILLITEMS></vendor></data></result></operation></response>"
)

HOSTILE = [
    b'<!DOCTYPE response SYSTEM "http://127.0.0.1:9/evil.dtd">',
    b'<!DOCTYPE response PUBLIC "-//X//Y" "file:///etc/passwd">',
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">',
    b"&x;",
    b"&#0;",
    b"\x00\x01\x1b\x7f",
    b"\xff\xfe",
    b"<![CDATA[",
    b"<?xml-stylesheet href='http://127.0.0.1:9/x'?>",
    b"</response>",
    b"<errormessage><error><errorno>XL03000003</errorno></error></errormessage>",
]


def _mutate(body: bytes, draw) -> bytes:
    kind = draw(st.sampled_from(["cut", "flip", "splice", "hostile", "repeat"]))
    at = draw(st.integers(0, len(body)))
    if kind == "cut":
        return body[:at]
    if kind == "flip":
        return body[:at] + bytes([draw(st.integers(0, 255))]) + body[at + 1 :]
    if kind == "splice":
        return body[:at] + draw(st.binary(max_size=40)) + body[at:]
    if kind == "hostile":
        return body[:at] + draw(st.sampled_from(HOSTILE)) + body[at:]
    return body[:at] + body[at : at + draw(st.integers(1, 200))] * draw(st.integers(2, 50)) + body[at:]


@st.composite
def mutated_answers(draw):
    body = VALID
    for _ in range(draw(st.integers(1, 3))):
        body = _mutate(body, draw)
    return body


def test_the_valid_answer_reads():
    answer = read_answer(VALID)
    assert answer.results[0].status == "success"
    assert xml.record(answer.results[0].node.find("data/vendor"))["NAME"] == "Acme & Sons"


@BOUNDED
@given(mutated_answers())
def test_a_mutated_answer_ends_in_a_typed_error_or_an_answer(body):
    try:
        answer = read_answer(body)
    except errors.ApiError as exc:
        assert "/etc/" not in str(exc) or b"/etc/" in body  # nothing read from disk reaches the message
        return
    for result in answer.results:  # what the adapters do next with an answer must not blow up either
        for node in result.node.iter():
            if isinstance(node.tag, str):
                xml.record(node)


@BOUNDED
@given(st.text(max_size=200))
def test_any_outgoing_text_becomes_a_request_our_parser_reads_back(value):
    builder = xml.Builder()
    root = builder.element("request", {"function": {"create": {"VENDOR": {"NAME": value}}}})
    body = xml.to_bytes(root)
    cleaned, removed = xml.strip_forbidden(value)
    parsed = xml.parse(body)
    assert parsed.findtext("function/create/VENDOR/NAME") == cleaned
    assert bool(builder.stripped) == bool(removed)
    assert b"<!DOCTYPE" not in body and b"<!ENTITY" not in body
