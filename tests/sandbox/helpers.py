"""Small helpers shared by the simulator tests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def link_rels(link_header: str) -> dict[str, dict]:
    """Parse a Link header into {rel: query dict}."""
    rels = {}
    for part in filter(None, (p.strip() for p in link_header.split(","))):
        url, _, rel = part.partition(";")
        name = rel.split("=", 1)[1].strip().strip('"')
        parsed = urlsplit(url.strip()[1:-1])
        rels[name] = {"url": parsed, **{k: v[0] for k, v in parse_qs(parsed.query).items()}}
    return rels
