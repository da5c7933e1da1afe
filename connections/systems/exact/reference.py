"""Exact reference data: GL accounts, cost centers, cost units, projects and suppliers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connections.systems.base import ReferenceItem

from .client import ExactClient
from .values import code, day

KINDS = frozenset({"account", "cost_center", "cost_unit", "project", "vendor"})


def _open(end_date, today: dt.date) -> bool:
    end = day(end_date)
    return end is None or end >= today


def reference(client: ExactClient, kind: str) -> Iterator[ReferenceItem]:
    today = dt.date.today()
    if kind == "account":
        for row in client.gl_accounts():
            data = {"type": row.get("Type"), "type_description": row.get("TypeDescription") or ""}
            yield ReferenceItem("account", str(row["ID"]), code(row.get("Code")), row.get("Description") or "",
                                not row.get("IsBlocked"), data=data)  # fmt: skip
    elif kind == "cost_center":
        # Listed by code: documents name a cost center by its code only, so a project map row on a cost center
        # must carry the code as the id it matches lines by.
        for row in client.cost_centers():
            active = row.get("Active") is not False and _open(row.get("EndDate"), today)
            center = code(row.get("Code"))
            yield ReferenceItem("cost_center", center or str(row["ID"]), center, row.get("Description") or "",
                                active, data={"id": str(row["ID"])})  # fmt: skip
    elif kind == "cost_unit":
        for row in client.cost_units():
            yield ReferenceItem("cost_unit", str(row["ID"]), code(row.get("Code")), row.get("Description") or "",
                                _open(row.get("EndDate"), today))  # fmt: skip
    elif kind == "project":
        for row in client.projects():
            yield ReferenceItem("project", str(row["ID"]), code(row.get("Code")), row.get("Description") or "",
                                _open(row.get("EndDate"), today))  # fmt: skip
    elif kind == "vendor":
        for row in client.suppliers():
            active = not row.get("Blocked")
            data = {"vat_number": row.get("VATNumber") or "", "email": row.get("Email") or ""}
            yield ReferenceItem("vendor", str(row["ID"]), code(row.get("Code")), row.get("Name") or "", active,
                                data=data)  # fmt: skip
    else:
        raise ValueError(f"Exact lists no reference data of kind {kind!r}")


def lookup(rows: Iterator[dict]) -> dict[str, dict]:
    """id -> row, for codes a document names only by id (a purchase entry's project and supplier)."""
    return {str(row["ID"]): row for row in rows}
