"""What a function handler sees: the store, the switches, the clock and who is calling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from .errors import business
from .objects import LISTS, ObjectSpec
from .records import DATE, IntacctStore, stamp
from .sessions import Identity, SessionBook


@dataclass
class ResultSet:
    """A readByQuery result kept for readMore: the ids still to send, in order."""

    object: str
    remaining: list[int]
    fields: list[str] | None
    sessionid: str
    expires: float
    total: int = 0
    pagesize: int = 100


@dataclass
class Call:
    store: IntacctStore
    config: dict
    now: datetime
    epoch: float
    identity: Identity
    sessions: SessionBook
    result_sets: dict[str, ResultSet]
    base_url: str
    controlid: str = ""

    def stamp(self) -> str:
        """A WHENCREATED/WHENMODIFIED stamp for now, in the zone the gateway writes them in."""
        return stamp(self.now, self.config["timestamp_zone"])

    def today(self) -> str:
        return datetime.strptime(self.stamp(), "%m/%d/%Y %H:%M:%S").strftime(DATE)


@dataclass
class Outcome:
    """A successful function: a <data> element, a legacy <key>, or nothing."""

    data: etree._Element | None = None
    key: str | None = None


def check_fields(call: Call, spec: ObjectSpec, fields: dict, update: bool = False) -> None:
    """Refuse fields the object does not have (custom fields only when the switch lists them)."""
    allowed = set(spec.fields) | set(call.config["custom_fields"].get(spec.name, []))
    if update:
        allowed.add("RECORDNO")  # names the record to update
    if spec.lines:
        allowed.add(spec.lines)
    for name in fields:
        if name not in allowed:
            raise business(
                f"The field {name} is not a valid field for the {spec.label} object.",
                "Check the field name and the object definition (lookup), then try again.",
            )
    for line in fields.get(spec.lines, []) if spec.lines else []:
        if not isinstance(line, dict):
            raise business(f"Each {LISTS[spec.lines]} must hold fields.")
        for name in line:
            if name not in spec.line_fields:
                raise business(f"The field {name} is not a valid field for {LISTS[spec.lines]}.")
