"""The published reference entries this simulator serves (``contract/endpoints.json``, see its SOURCE.md).

Responses list every documented property of an endpoint, as Exact does when no $select is given, so the
property names, their Edm types, key fields and which fields a POST or PUT may set all come from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PATH = Path(__file__).with_name("contract") / "endpoints.json"


@dataclass(frozen=True)
class Prop:
    name: str
    type: str
    key: bool
    post: bool
    put: bool

    @property
    def is_edm(self) -> bool:
        return self.type.startswith("Edm.")


@dataclass
class Endpoint:
    key: str
    uri: str
    methods: tuple[str, ...]
    props: tuple[Prop, ...]
    by_name: dict[str, Prop] = field(init=False)

    def __post_init__(self):
        self.by_name = {prop.name: prop for prop in self.props}

    @property
    def key_prop(self) -> Prop:
        return next(prop for prop in self.props if prop.key)


@cache
def endpoints() -> dict[str, Endpoint]:
    raw = json.loads(PATH.read_text())["endpoints"]
    return {
        key: Endpoint(
            key=key,
            uri=entry["uri"],
            methods=tuple(entry["methods"]),
            props=tuple(
                Prop(p["name"], p["type"], p["primaryKey"], p.get("post", False), p.get("put", False))
                for p in entry["properties"]
            ),
        )
        for key, entry in raw.items()
    }


def endpoint(key: str) -> Endpoint:
    return endpoints()[key]
