"""Description patterns of account rules, kept safe to run in the shared workers.

Finance users write these patterns, and Python's regular expressions backtrack: `(a+)+$` against a long description
can hold a worker for minutes. A pattern is accepted only if it cannot backtrack badly: no quantifier or
alternative inside a repeated group, no back-references or look-arounds, at most two unbounded repeats; and the
text it is matched against is cut to a fixed length, so the work per line is bounded whatever the pattern.
"""

from __future__ import annotations

import re
from re import _constants as sre  # the parser's node names; stable across 3.11-3.13
from re import _parser as sre_parse

#: Descriptions longer than this are matched on their first MATCH_LENGTH characters.
MATCH_LENGTH = 300
MAX_UNBOUNDED_REPEATS = 2
_FORBIDDEN = {sre.GROUPREF, sre.GROUPREF_EXISTS, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)} - {None}


class UnsafePattern(ValueError):
    """A pattern that could take unbounded time (or is not a regular expression at all)."""


def check_regex(source: str) -> None:
    """Raise UnsafePattern unless `source` is a regular expression that is safe to run on any description."""
    try:
        tree = sre_parse.parse(source)
    except re.error as exc:
        raise UnsafePattern(f"Not a valid regular expression: {exc}") from exc
    unbounded = _walk(tree, inside_repeat=False)
    if unbounded > MAX_UNBOUNDED_REPEATS:
        raise UnsafePattern(
            f"Not accepted: more than {MAX_UNBOUNDED_REPEATS} open-ended repeats (*, + or {{n,}}); use fewer"
        )


def _walk(nodes, inside_repeat: bool) -> int:
    """Check the parsed nodes; returns how many unbounded repeats they hold."""
    unbounded = 0
    for op, argument in nodes:
        if op in _FORBIDDEN:
            raise UnsafePattern("Not accepted: back-references and look-arounds are not allowed")
        if op in _REPEATS:
            low, high, body = argument
            if inside_repeat:
                raise UnsafePattern(
                    "Not accepted: a repeat inside a repeated group (such as (a+)+) can run for minutes"
                )
            unbounded += high == sre.MAXREPEAT
            unbounded += _walk(body, inside_repeat=True)
        elif op == sre.SUBPATTERN:
            unbounded += _walk(argument[-1], inside_repeat)
        elif op == sre.BRANCH:
            if inside_repeat:
                raise UnsafePattern(
                    "Not accepted: alternatives inside a repeated group (such as (a|ab)*) can run for minutes"
                )
            unbounded += sum(_walk(branch, inside_repeat) for branch in argument[1])
    return unbounded


def bounded(text: str) -> str:
    return (text or "")[:MATCH_LENGTH]
