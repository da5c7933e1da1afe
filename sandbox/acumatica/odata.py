"""The OData v3 ``$filter`` subset Acumatica accepts, compiled to a predicate over stored records.

Supported: eq ne gt ge lt le, and/or/not, parentheses, 'strings' (with '' escapes), numbers, true/false/
null, datetimeoffset'...', datetime'...', date'...', guid'...', substringof/startswith/endswith/tolower/
toupper, and linked paths such as MainContact/Email. Strings compare case-insensitively, as the
database collation does. Anything else raises ``FilterError``; the caller decides the status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from ..core.clock import parse_iso

TOKEN = re.compile(
    r"""\s*(?:
      (?P<typed>(?:datetimeoffset|datetime|date|guid)'(?:[^']|'')*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<number>-?\d+(?:\.\d+)?)[mMdDfFlL]?
    | (?P<punct>[(),])
    | (?P<name>[A-Za-z_][\w.]*(?:/[A-Za-z_]\w*)*)
    )""",
    re.X,
)
COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "ge": lambda a, b: a is not None and b is not None and a >= b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "le": lambda a, b: a is not None and b is not None and a <= b,
}
FUNCTIONS = {
    "substringof": lambda needle, hay: (needle or "").lower() in (hay or "").lower(),
    "startswith": lambda hay, prefix: (hay or "").lower().startswith((prefix or "").lower()),
    "endswith": lambda hay, suffix: (hay or "").lower().endswith((suffix or "").lower()),
    "tolower": lambda text: (text or "").lower(),
    "toupper": lambda text: (text or "").upper(),
}
Expr = Callable[[dict], object]


class FilterError(ValueError):
    """A $filter the simulator (and Acumatica) cannot evaluate."""


def bad_filter(message: str) -> FilterError:
    return FilterError(f"Invalid $filter: {message}")


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text.rstrip()):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise bad_filter(f"unexpected text at {text[pos : pos + 20]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _literal(kind: str, text: str):
    if kind == "number":
        return Decimal(text)
    if kind == "string":
        return text[1:-1].replace("''", "'")
    prefix, _, quoted = text.partition("'")
    value = quoted[:-1].replace("''", "'")
    if prefix == "guid":
        return value.lower()
    return parse_iso(value)


def _coerce(left, right):
    """Bring two operands to comparable types (datetimes, decimals, case-folded strings)."""
    if isinstance(left, datetime) or isinstance(right, datetime):
        return _as_datetime(left), _as_datetime(right)
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return _as_decimal(left), _as_decimal(right)
    if isinstance(left, str) and isinstance(right, str):
        return left.lower(), right.lower()
    return left, right


def _as_datetime(value):
    if value is None or isinstance(value, datetime):
        return value
    try:
        return parse_iso(str(value))
    except ValueError:
        return None


def _as_decimal(value):
    if value is None or isinstance(value, bool):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class Parser:
    def __init__(self, text: str, fields: set[str]):
        self.tokens = tokenize(text)
        self.pos = 0
        self.fields = fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise bad_filter("unexpected end")
        self.pos += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "name" and token[1].lower() in words:
            self.pos += 1
            return token[1].lower()
        return None

    def expect(self, punct: str) -> None:
        if self.take() != ("punct", punct):
            raise bad_filter(f"expected {punct!r}")

    def parse(self) -> Expr:
        expr = self.or_expr()
        if self.peek() is not None:
            raise bad_filter(f"unexpected {self.peek()[1]!r}")
        return expr

    def or_expr(self) -> Expr:
        left = self.and_expr()
        while self.keyword("or"):
            right = self.and_expr()
            left = (lambda a, b: lambda r: bool(a(r)) or bool(b(r)))(left, right)
        return left

    def and_expr(self) -> Expr:
        left = self.not_expr()
        while self.keyword("and"):
            right = self.not_expr()
            left = (lambda a, b: lambda r: bool(a(r)) and bool(b(r)))(left, right)
        return left

    def not_expr(self) -> Expr:
        if self.keyword("not"):
            inner = self.not_expr()
            return lambda r: not inner(r)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.operand()
        op = self.keyword(*COMPARE)
        if op is None:
            return left
        right, compare = self.operand(), COMPARE[op]
        return lambda r: compare(*_coerce(left(r), right(r)))

    def operand(self) -> Expr:
        kind, text = self.take()
        if (kind, text) == ("punct", "("):
            inner = self.or_expr()
            self.expect(")")
            return inner
        if kind in ("string", "number", "typed"):
            value = _literal(kind, text)
            return lambda r: value
        if kind == "name" and text.lower() in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[text.lower()]
            return lambda r: value
        if kind == "name" and self.peek() == ("punct", "("):
            return self.call(text)
        if kind == "name":
            return self.field(text)
        raise bad_filter(f"unexpected {text!r}")

    def call(self, name: str) -> Expr:
        function = FUNCTIONS.get(name.lower())
        if function is None:
            raise bad_filter(f"unsupported function {name}")
        self.expect("(")
        args = [self.or_expr()]
        while self.peek() == ("punct", ","):
            self.pos += 1
            args.append(self.or_expr())
        self.expect(")")
        return lambda r: function(*(arg(r) for arg in args))

    def field(self, path: str) -> Expr:
        head = path.split("/")[0]
        if head not in self.fields:
            raise bad_filter(f"unknown field {path}")
        parts = path.split("/")

        def get(record):
            value = record
            for part in parts:
                value = value.get(part) if isinstance(value, dict) else None
            return value

        return get


def compile_filter(text: str, fields: set[str]) -> Expr:
    """A predicate for ``$filter`` over records with the given (top-level) fields."""
    return Parser(text, fields).parse()
