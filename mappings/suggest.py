"""Match suggestions: for each unmapped item, the candidates on the other side most likely to be the same thing.

Ranked by, in order of confidence: the same code, the same normalised name ("Star Framing, LLC" = "star framing"),
then fuzzy similarity of the normalised names. Items and candidates are anything with `code` and `name`.
"""

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

EXACT_CODE = 1.0
SAME_NAME = 0.97
#: fuzzy scores are scaled below SAME_NAME so that a normalised-name match always ranks first
FUZZY_SCALE = 0.95
MIN_SCORE = 0.6
#: a best candidate this close to the runner-up is ambiguous and never accepted in bulk
AMBIGUITY_MARGIN = 0.03

LEGAL_SUFFIXES = frozenset(
    "llc llp lp ltd limited inc incorporated co company corp corporation plc gmbh bv nv sa sas sarl ag pc pllc "
    "pty srl spa oy ab as kg ug".split()
)
ABBREVIATIONS = {
    "bros": "brothers",
    "svc": "services",
    "svcs": "services",
    "service": "services",
    "elec": "electric",
    "electrical": "electric",
    "mech": "mechanical",
    "const": "construction",
    "constr": "construction",
    "contr": "contractors",
    "contracting": "contractors",
    "intl": "international",
    "mfg": "manufacturing",
    "natl": "national",
    "assoc": "associates",
    "dist": "distribution",
    "supplies": "supply",
    "plbg": "plumbing",
    "st": "street",
    "mtn": "mountain",
    "hvac": "hvac",
}


@dataclass
class Suggestion:
    item: Any
    candidate: Any
    score: float
    reason: str  # "same code" | "same name" | "similar name"


@lru_cache(maxsize=50000)
def normalise(name: str) -> str:
    """Lower case, no accents or punctuation, '&' as 'and', common abbreviations expanded, no legal suffixes."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("+", " and ")
    # "B.V." and "L.L.C." lose their dots before punctuation becomes spaces, so they stay one word.
    text = re.sub(r"\b((?:[a-z]\.){2,})", lambda m: m.group(1).replace(".", ""), text)
    text = re.sub(r"\(.*?\)", " ", text)  # "(do not use)", "(old)": remarks, not names
    words = [ABBREVIATIONS.get(word, word) for word in re.findall(r"[a-z0-9]+", text)]
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def similarity(left: str, right: str, floor: float = 0.0) -> float:
    """Fuzzy similarity of two normalised names, insensitive to word order; 0 when surely below `floor`."""
    if not left or not right:
        return 0.0
    best = 0.0
    for a, b in ((left, right), (" ".join(sorted(left.split())), " ".join(sorted(right.split())))):
        matcher = SequenceMatcher(None, a, b)
        # The cheap upper bounds skip most pairs of a large candidate list.
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        best = max(best, matcher.ratio())
    return best


def score(item, candidate, floor: float = 0.0) -> tuple[float, str]:
    """How likely `candidate` is the same thing as `item`, and why (fuzzy scores below `floor` may read 0)."""
    code, other_code = _code(item), _code(candidate)
    if code and code == other_code:
        return EXACT_CODE, "same code"
    name, other = normalise(item.name), normalise(candidate.name)
    if name and name == other:
        return SAME_NAME, "same name"
    return round(similarity(name, other, floor / FUZZY_SCALE) * FUZZY_SCALE, 4), "similar name"


def _code(obj) -> str:
    return re.sub(r"\s+", "", str(getattr(obj, "code", "") or "")).lower()


def suggest(items, candidates, limit: int = 3, min_score: float = MIN_SCORE) -> list[Suggestion]:
    """Up to `limit` candidates per item scoring at least `min_score`, best first within each item."""
    candidates = list(candidates)
    result = []
    for item in items:
        scored = [Suggestion(item, cand, *score(item, cand, min_score)) for cand in candidates]
        scored = [s for s in scored if s.score >= min_score]
        scored.sort(key=lambda s: (-s.score, str(getattr(s.candidate, "name", ""))))
        result.extend(scored[:limit])
    return result


def best_per_item(suggestions: list[Suggestion]) -> dict[int, tuple[Suggestion, bool]]:
    """{id(item): (best suggestion, unambiguous)} from `suggest` output (which lists each item's best first).

    The best is ambiguous when the runner-up scores almost as well, or when the runner-up's name contains every
    word of the item's ("ABC Supply" could be "ABC Supply Co" or "ABC Supply Northwest"). A same code is never
    ambiguous. Bulk accept takes only unambiguous suggestions.
    """
    ranked: dict[int, list[Suggestion]] = {}
    for suggestion in suggestions:
        ranked.setdefault(id(suggestion.item), []).append(suggestion)
    return {key: (found[0], _is_clear(found)) for key, found in ranked.items()}


def _is_clear(ranked: list[Suggestion]) -> bool:
    best = ranked[0]
    if best.reason == "same code" or len(ranked) == 1:
        return True
    runner_up = ranked[1]
    if best.score - runner_up.score < AMBIGUITY_MARGIN:
        return False
    words = set(normalise(best.item.name).split())
    return not (words and words <= set(normalise(runner_up.candidate.name).split()))
