"""The OData v3 ``$filter`` subset Exact clients use, compiled to a predicate over typed row values.

Operators eq ne gt ge lt le, and/or/not, parentheses; literals 'text' (with '' escapes), guid'..',
datetime'..' (Exact local time, no offset), numbers with an optional L/M/D suffix, true/false/null;
functions trim, tolower, toupper, substringof, startswith, endswith. Strings compare case-insensitively,
as Exact's database collation does. Anything else is a 400 in Exact's error envelope.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from .values import odata_error, parse_local

TOKEN = re.compile(
    r"""\s*(?:
      (?P<typed>(?:datetime|guid)'(?:[^']|'')*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<number>-?\d+(?:\.\d+)?)[LlMmDdFf]?
    | (?P<punct>[(),])
    | (?P<name>[A-Za-z_]\w*)
    )""",
    re.X,
)
COMPARE = ("eq", "ne", "gt", "ge", "lt", "le")
FUNCTIONS: dict[str, Callable] = {
    "trim": lambda text: (text or "").strip(),
    "tolower": lambda text: (text or "").lower(),
    "toupper": lambda text: (text or "").upper(),
    "substringof": lambda needle, hay: (needle or "").lower() in (hay or "").lower(),
    "startswith": lambda hay, prefix: (hay or "").lower().startswith((prefix or "").lower()),
    "endswith": lambda hay, suffix: (hay or "").lower().endswith((suffix or "").lower()),
}
Getter = Callable[[str], object]
Expr = Callable[[Getter], object]


def bad(message: str):
    return odata_error(400, f"Invalid $filter: {message}")


def compare(op: str, left, right) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        left, right = left.lower(), right.lower()
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if left is None or right is None:
        return False
    try:
        return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
    except TypeError:
        return False


class Parser:
    def __init__(self, text: str, names: set[str]):
        self.tokens = self._tokenize(text)
        self.names = names
        self.pos = 0

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens, pos, end = [], 0, len(text.rstrip())
        while pos < end:
            match = TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise bad(f"unexpected text at {text[pos : pos + 20]!r}")
            tokens.append((match.lastgroup, match.group(match.lastgroup)))
            pos = match.end()
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1].lower() != value):
            raise bad(f"expected {value or 'more'} at token {self.pos + 1}")
        self.pos += 1
        return token

    def at_word(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "name" and token[1].lower() in words:
            return token[1].lower()
        return None

    def parse(self) -> Expr:
        expr = self.disjunction()
        if self.peek() is not None:
            raise bad(f"unexpected {self.peek()[1]!r}")
        return expr

    def disjunction(self) -> Expr:
        parts = [self.conjunction()]
        while self.at_word("or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda get: any(p(get) for p in parts))

    def conjunction(self) -> Expr:
        parts = [self.negation()]
        while self.at_word("and"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda get: all(p(get) for p in parts))

    def negation(self) -> Expr:
        if self.at_word("not"):
            self.take()
            inner = self.negation()
            return lambda get: not inner(get)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.operand()
        op = self.at_word(*COMPARE)
        if not op:
            return left
        self.take()
        right = self.operand()
        return lambda get: compare(op, left(get), right(get))

    def operand(self) -> Expr:
        kind, text = self.take()
        if kind == "punct" and text == "(":
            inner = self.disjunction()
            self.take(")")
            return inner
        if kind == "name":
            return self._name(text)
        if kind == "punct":
            raise bad(f"unexpected {text!r}")
        value = literal(kind, text)
        return lambda get: value

    def _name(self, text: str) -> Expr:
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lambda get: lowered == "true"
        if lowered == "null":
            return lambda get: None
        if lowered in FUNCTIONS and self.peek() == ("punct", "("):
            return self._call(FUNCTIONS[lowered])
        if text not in self.names:
            raise bad(f"property '{text}' does not exist")
        return lambda get: get(text)

    def _call(self, function: Callable) -> Expr:
        self.take("(")
        args = [self.disjunction()]
        while self.peek() == ("punct", ","):
            self.take()
            args.append(self.disjunction())
        self.take(")")
        return lambda get: function(*(arg(get) for arg in args))


def literal(kind: str, text: str):
    if kind == "number":
        return Decimal(text.rstrip("LlMmDdFf"))
    if kind == "string":
        return text[1:-1].replace("''", "'")
    prefix, _, quoted = text.partition("'")
    value = quoted[:-1].replace("''", "'")
    if prefix == "guid":
        return value.lower()
    try:
        return parse_local(value)
    except ValueError as exc:
        raise bad(f"bad datetime {value!r}") from exc


def compile_filter(text: str, names: set[str]) -> Expr:
    """A predicate taking a getter (property name -> typed value)."""
    return Parser(text, names).parse()


def typed(edm: str, value):
    """A stored value as the type $filter compares it with."""
    if value is None:
        return None
    if edm == "Edm.DateTime":
        return parse_local(value) if not isinstance(value, datetime) else value
    if edm in ("Edm.Double", "Edm.Decimal", "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte"):
        return Decimal(str(value))
    if edm == "Edm.Guid":
        return str(value).lower()
    return value
