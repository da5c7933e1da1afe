"""The QuickBooks query language, the subset the service accepts.

``SELECT * | COUNT(*) FROM <Entity> [WHERE <cond> [AND <cond>]...] [ORDERBY <field> [ASC|DESC][, ...]]
[STARTPOSITION n] [MAXRESULTS n]`` where a condition is ``field = | < | > | <= | >= value``, ``field IN (v, ...)``
or ``field LIKE 'text%'``. No OR, no projections, no joins. Keywords and property names are case-insensitive,
strings are single-quoted with backslash escapes, STARTPOSITION is 1-based and MAXRESULTS at most 1000.
Name lists hide inactive rows unless the statement filters on ``Active``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import faults
from .entities import Entity, lookup
from .jsonio import parse_time

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:\\.|[^'\\])*')|(?P<op><=|>=|!=|<>|=|<|>)|(?P<punct>[(),*])|(?P<word>[A-Za-z0-9_.:+\-]+))"
)
UNSUPPORTED = {"OR", "JOIN", "GROUP", "HAVING", "NOT"}


@dataclass
class Condition:
    path: list[str]
    op: str
    values: list


@dataclass
class Statement:
    entity: Entity
    count: bool = False
    where: list[Condition] = field(default_factory=list)
    order: list[tuple[list[str], bool]] = field(default_factory=list)
    start: int = 1
    max_results: int | None = None


def tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip().rstrip(";")
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            faults.invalid_query(f'QueryParserError: Encountered " {text[pos : pos + 10]!r} " at column {pos + 1}')
        kind = match.lastgroup
        value = match.group(kind)
        out.append((kind, re.sub(r"\\(.)", r"\1", value[1:-1]) if kind == "string" else value))
        pos = match.end()
    return out


class Parser:
    def __init__(self, text: str):
        self.items = tokens(text)
        self.pos = 0

    def peek(self) -> str:
        return self.items[self.pos][1].upper() if self.pos < len(self.items) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.items):
            faults.invalid_query('QueryParserError: Encountered "<EOF>"')
        item = self.items[self.pos]
        if expected and item[1].upper() != expected:
            faults.invalid_query(f'QueryParserError: Encountered " {item[1]} ", was expecting {expected}')
        if item[0] == "word" and item[1].upper() in UNSUPPORTED:
            faults.invalid_query(f'QueryParserError: Encountered " {item[1]} "; {item[1].upper()} is not supported')
        self.pos += 1
        return item

    def statement(self) -> Statement:
        self.take("SELECT")
        count = self.peek() == "COUNT"
        if count:
            for part in ("COUNT", "(", "*", ")"):
                self.take(part)
        else:
            self.take("*")
        self.take("FROM")
        name = self.take()[1]
        entity = lookup(name)
        if entity is None:
            faults.invalid_query(f"QueryValidationError: invalid context declaration: {name}")
        stmt = Statement(entity, count)
        self.clauses(stmt)
        return stmt

    def clauses(self, stmt: Statement) -> None:
        while self.pos < len(self.items):
            word = self.take()[1].upper()
            if word == "WHERE":
                stmt.where.append(self.condition())
                while self.peek() == "AND":
                    self.take()
                    stmt.where.append(self.condition())
            elif word in ("ORDERBY", "ORDER"):
                if word == "ORDER":
                    self.take("BY")
                stmt.order = self.ordering()
            elif word in ("STARTPOSITION", "MAXRESULTS"):
                value = self.integer()
                if word == "STARTPOSITION":
                    stmt.start = value
                else:
                    stmt.max_results = value
            else:
                faults.invalid_query(f'QueryParserError: Encountered " {word} "')

    def integer(self) -> int:
        raw = self.take()[1]
        if not raw.isdigit():
            faults.invalid_query(f'QueryParserError: Encountered " {raw} ", was expecting an integer')
        if int(raw) < 1:
            faults.invalid_query(f"QueryValidationError: value {raw} is too small. Min allowed value is 1")
        return int(raw)

    def condition(self) -> Condition:
        path = self.take()[1].split(".")
        kind, op = self.take()
        op = op.upper()
        if op == "IN":
            self.take("(")
            values = [self.value()]
            while self.peek() == ",":
                self.take(",")
                values.append(self.value())
            self.take(")")
            return Condition(path, "IN", values)
        if op == "LIKE":
            return Condition(path, "LIKE", [self.value()])
        if kind != "op" or op in ("!=", "<>"):
            faults.invalid_query(f'QueryParserError: Encountered " {op} "; operator not supported')
        return Condition(path, op, [self.value()])

    def value(self):
        kind, raw = self.take()
        if kind == "string":
            return raw
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        return raw

    def ordering(self) -> list[tuple[list[str], bool]]:
        keys = []
        while True:
            path = self.take()[1].split(".")
            descending = False
            if self.peek() in ("ASC", "DESC"):
                descending = self.take()[1].upper() == "DESC"
            keys.append((path, descending))
            if self.peek() != ",":
                return keys
            self.take(",")


def parse(text: str) -> Statement:
    if not text or not text.strip():
        faults.required("query")
    return Parser(text).statement()


# -- evaluation --------------------------------------------------------------------------------------------


def resolve(record: dict, path: list[str]):
    """The value at a dotted property path (case-insensitive); a reference compares by its value."""
    value = record
    for part in path:
        if not isinstance(value, dict):
            return None
        # the store's own "id" key and private "_" fields are not properties
        key = (
            part
            if part in value
            else next((k for k in value if k.lower() == part.lower() and k != "id" and not k.startswith("_")), None)
        )
        value = value.get(key) if key else None
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _comparable(left, right):
    """Both sides as one comparable type: booleans, numbers, timestamps/dates, else case-insensitive text."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left, (right if isinstance(right, bool) else str(right).lower() == "true")
    if isinstance(left, int | Decimal):
        try:
            return Decimal(str(left)), Decimal(str(right))
        except InvalidOperation:
            return str(left), str(right)
    text = str(left)
    if re.match(r"\d{4}-\d{2}-\d{2}", text) and re.match(r"\d{4}-\d{2}-\d{2}", str(right)):
        if "T" in text or "T" in str(right):
            return parse_time(text), parse_time(str(right))
        return text, str(right)
    return text.lower(), str(right).lower()


def matches(record: dict, cond: Condition) -> bool:
    value = resolve(record, cond.path)
    if value is None:
        return False
    if cond.op == "LIKE":
        pattern = "".join(".*" if ch == "%" else re.escape(ch) for ch in str(cond.values[0]))
        return re.fullmatch(pattern, str(value), re.IGNORECASE | re.DOTALL) is not None
    if cond.op == "IN":
        return any(a == b for a, b in (_comparable(value, item) for item in cond.values))
    left, right = _comparable(value, cond.values[0])
    return {"=": left == right, "<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[cond.op]


def default_order(entity: Entity) -> list[tuple[list[str], bool]]:
    """Name lists come back by name, transactions newest first (as the recorded responses are ordered)."""
    if entity.kind == "name":
        return [([entity.label], False), (["Id"], False)]
    return [(["TxnDate"], True), (["Id"], True)]


def _sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | Decimal):
        return (1, Decimal(int(value)) if isinstance(value, bool) else Decimal(str(value)))
    text = str(value)
    if re.match(r"\d{4}-\d{2}-\d{2}T", text):
        return (2, parse_time(text).timestamp())
    if text.isdigit():
        return (1, Decimal(text))
    return (3, text.lower())


def ordered(records: list[dict], keys: list[tuple[list[str], bool]]) -> list[dict]:
    for path, descending in reversed(keys):
        records = sorted(records, key=lambda r, p=path: _sort_key(resolve(r, p)), reverse=descending)
    return records


def run(stmt: Statement, records: list[dict], max_cap: int, over_limit: str) -> tuple[list[dict] | int, int]:
    """Filter, order and page; returns (page or count, start position)."""
    if stmt.entity.kind == "name" and not any(c.path[-1].lower() == "active" for c in stmt.where):
        stmt.where.append(Condition(["Active"], "=", [True]))
    rows = [r for r in records if all(matches(r, c) for c in stmt.where)]
    if stmt.count:
        return len(rows), stmt.start
    size = stmt.max_results or 100
    if size > max_cap:
        if over_limit == "error":
            faults.invalid_query(f"QueryValidationError: value {size} is too large. Max allowed value is {max_cap}")
        size = max_cap
    rows = ordered(rows, stmt.order or default_order(stmt.entity))
    return rows[stmt.start - 1 : stmt.start - 1 + size], stmt.start
