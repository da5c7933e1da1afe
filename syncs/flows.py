"""Flows, declared as data: which source entity becomes which destination entity, and how it is triggered."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Flow:
    key: str
    label: str
    source_entity: str  # entity the source adapter reads, e.g. "bill"
    destination_entity: str  # entity the destination adapter writes, e.g. "bill"
    trigger: str = "schedule+webhook"
    options: dict = field(default_factory=dict)


FLOWS: dict[str, Flow] = {}
