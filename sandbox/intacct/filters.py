"""Conditions of both query languages, and their evaluation against stored records.

``readByQuery`` takes an SQL-like string (``VENDORID = 'V100' AND WHENMODIFIED > '04/19/2024 12:00:00'``)
and ``query`` takes the element filter (``<and><greaterthan><field/><value/></greaterthan>...</and>``);
both become the same small tree:

``("and"|"or", [conds])``, ``("not", cond)``, ``("cmp", op, field, value)``, ``("in", field, values, negate)``,
``("like", field, pattern, negate)``, ``("null", field, negate)``, ``("between", field, low, high)``.

Comparison is typed the way a user expects: dates and time stamps as moments, numbers as numbers,
everything else as text (case-sensitive unless the query asks otherwise).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from .records import parse_when
from .xmlio import children

OPS = {"=": "eq", "!=": "ne", "<>": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
ELEMENT_OPS = {
    "equalto": "eq",
    "notequalto": "ne",
    "lessthan": "lt",
    "lessthanorequalto": "le",
    "greaterthan": "gt",
    "greaterthanorequalto": "ge",
}
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:\\.|''|[^'\\])*')|(?P<op><=|>=|<>|!=|=|<|>)|(?P<punct>[(),])|(?P<word>[^\s(),=<>!']+))"
)


class FilterError(ValueError):
    """The query cannot be understood (answered as a function failure)."""


# -- the SQL-like readByQuery string -----------------------------------------------------------------------


def tokenize(query: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    query = query.strip()
    while position < len(query):
        match = _TOKEN.match(query, position)
        if not match or match.end() == position:
            raise FilterError(f"cannot read the query near: {query[position:position + 20]!r}")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "str":
            value = value[1:-1].replace("\\'", "'").replace("''", "'")
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.at = tokens, 0

    def peek(self, word: str | None = None) -> bool:
        if self.at >= len(self.tokens):
            return False
        kind, value = self.tokens[self.at]
        return word is None or (kind in ("word", "punct") and value.upper() == word)

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise FilterError("the query ends too early")
        self.at += 1
        return self.tokens[self.at - 1]

    def expect(self, word: str) -> None:
        if not self.peek(word):
            raise FilterError(f"expected {word} in the query")
        self.at += 1

    def expression(self):
        conds = [self.term()]
        while self.peek("OR"):
            self.at += 1
            conds.append(self.term())
        return conds[0] if len(conds) == 1 else ("or", conds)

    def term(self):
        conds = [self.factor()]
        while self.peek("AND"):
            self.at += 1
            conds.append(self.factor())
        return conds[0] if len(conds) == 1 else ("and", conds)

    def factor(self):
        if self.peek("NOT"):
            self.at += 1
            return ("not", self.factor())
        if self.peek("("):
            self.at += 1
            inner = self.expression()
            self.expect(")")
            return inner
        return self.predicate()

    def predicate(self):
        kind, field = self.take()
        if kind != "word":
            raise FilterError(f"expected a field name, got {field!r}")
        field = field.upper()
        if self.peek("IS"):
            self.at += 1
            negate = self._not()
            self.expect("NULL")
            return ("null", field, negate)
        negate = self._not()
        if self.peek("LIKE"):
            self.at += 1
            return ("like", field, self.value(), negate)
        if self.peek("IN"):
            self.at += 1
            return ("in", field, self.values(), negate)
        kind, op = self.take()
        if kind != "op" or negate:
            raise FilterError(f"expected an operator after {field}")
        return ("cmp", OPS[op], field, self.value())

    def _not(self) -> bool:
        if self.peek("NOT"):
            self.at += 1
            return True
        return False

    def value(self) -> str:
        kind, value = self.take()
        if kind not in ("str", "word"):
            raise FilterError(f"expected a value, got {value!r}")
        return value

    def values(self) -> list[str]:
        self.expect("(")
        values = [self.value()]
        while self.peek(","):
            self.at += 1
            values.append(self.value())
        self.expect(")")
        return values


def parse_sql(query: str | None):
    """The readByQuery string as a condition tree; an empty query matches everything (None)."""
    if not (query or "").strip():
        return None
    parser = _Parser(tokenize(query))
    tree = parser.expression()
    if parser.at != len(parser.tokens):
        raise FilterError(f"unexpected {parser.tokens[parser.at][1]!r} in the query")
    return tree


# -- the element filter of query ---------------------------------------------------------------------------


def parse_element(element: etree._Element):
    """One operator element of ``<filter>`` as a condition tree."""
    tag, kids = element.tag, children(element)
    if tag in ("and", "or"):
        if len(kids) < 2:
            raise FilterError(f"<{tag}> needs at least two conditions")
        return (tag, [parse_element(kid) for kid in kids])
    fields = [kid.text.strip().upper() for kid in kids if kid.tag == "field" and kid.text]
    values = [(kid.text or "").strip() for kid in kids if kid.tag == "value"]
    if len(fields) != 1:
        raise FilterError(f"<{tag}> needs exactly one <field>")
    field = fields[0]
    if tag in ELEMENT_OPS and len(values) == 1:
        return ("cmp", ELEMENT_OPS[tag], field, values[0])
    if tag in ("in", "notin") and values:
        return ("in", field, values, tag == "notin")
    if tag in ("like", "notlike") and len(values) == 1:
        return ("like", field, values[0], tag == "notlike")
    if tag in ("isnull", "isnotnull") and not values:
        return ("null", field, tag == "isnotnull")
    if tag == "between" and len(values) == 2:
        return ("between", field, values[0], values[1])
    raise FilterError(f"<{tag}> is not a filter operator, or has the wrong number of values")


def fields_of(tree) -> set[str]:
    if tree is None:
        return set()
    if tree[0] in ("and", "or"):
        return set().union(*(fields_of(cond) for cond in tree[1]))
    if tree[0] == "not":
        return fields_of(tree[1])
    return {tree[2] if tree[0] == "cmp" else tree[1]}


# -- evaluation ----------------------------------------------------------------------------------------------


def matches(tree, record: dict, caseless: bool = False) -> bool:
    if tree is None:
        return True
    kind = tree[0]
    if kind == "and":
        return all(matches(cond, record, caseless) for cond in tree[1])
    if kind == "or":
        return any(matches(cond, record, caseless) for cond in tree[1])
    if kind == "not":
        return not matches(tree[1], record, caseless)
    if kind == "null":
        empty = record.get(tree[1]) in (None, "")
        return empty != tree[2]
    actual = record.get(tree[2] if kind == "cmp" else tree[1])
    if kind == "cmp":
        return _compare(tree[1], actual, tree[3], caseless)
    if kind == "in":
        found = any(_compare("eq", actual, value, caseless) for value in tree[2])
        return found != tree[3]
    if kind == "like":
        return _like(actual, tree[2], caseless) != tree[3]
    low, high = tree[2], tree[3]
    return _compare("ge", actual, low, caseless) and _compare("le", actual, high, caseless)


def typed(left, right, caseless: bool):
    """Both sides as moments, numbers or text, whichever both can be."""
    left, right = "" if left is None else str(left), str(right)
    when_left, when_right = parse_when(left), parse_when(right)
    if when_left and when_right:
        return when_left, when_right
    try:
        return Decimal(left), Decimal(right)
    except (InvalidOperation, ValueError):
        pass
    return (left.lower(), right.lower()) if caseless else (left, right)


def _compare(op: str, actual, expected: str, caseless: bool) -> bool:
    if isinstance(actual, list | dict):
        return False
    left, right = typed(actual, expected, caseless)
    try:
        return {
            "eq": left == right,
            "ne": left != right,
            "lt": left < right,
            "le": left <= right,
            "gt": left > right,
            "ge": left >= right,
        }[op]
    except TypeError:
        return False


def _like(actual, pattern: str, caseless: bool) -> bool:
    if actual is None or isinstance(actual, list | dict):
        return False
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, str(actual), re.IGNORECASE if caseless else 0) is not None
