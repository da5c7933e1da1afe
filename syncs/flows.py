"""Flows, declared as data: which source entity becomes which destination entity, and how it is triggered.

A flow names canonical entities only; which systems it joins is the integration's business. The engine checks
that the source adapter reads `source_entity` and the destination adapter writes `destination_entity`.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Flow:
    key: str
    label: str
    source_entity: str  # entity the source adapter reads, e.g. "bill"
    destination_entity: str  # entity the destination adapter writes, e.g. "bill"
    trigger: str = "schedule+webhook"
    options: dict = field(default_factory=dict)


FLOWS: dict[str, Flow] = {
    flow.key: flow
    for flow in (
        Flow(
            key="ap_bills",
            label="Approved supplier invoices -> AP bills",
            source_entity="bill",
            destination_entity="bill",
        ),
    )
}


def flow_choices() -> list[tuple[str, str]]:
    return [(key, flow.label) for key, flow in FLOWS.items()]
