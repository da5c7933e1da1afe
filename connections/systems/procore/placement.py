"""Where a document written to Procore goes: its project, and each line's cost code and cost type as Procore ids.

The resolver gives destination values as the mappings store them, not as Procore ids: a project by its project
number (or id), a cost code by its full code (e.g. "03-300"), a cost type by its code, or its name (e.g. "S",
"Subcontract"). Procore lines take ids, and cost codes are per project, so each value is looked up in the project's
own lists (read once per adapter). An id given as such is accepted too.

The project is read from `record.project.destination_id`, else from each line's `dimensions["project"]`; a Procore
commitment or direct cost belongs to exactly one project, so lines on different projects are refused.
A line's cost code comes from `dimensions["cost_code"]`, else `cost_code.destination_id`; its cost type from
`dimensions["cost_type"]`, else `cost_type.destination_id`.
"""

from __future__ import annotations

from decimal import Decimal

from connections import errors


def _text(value) -> str:
    return str(value or "").strip()


class Placement:
    """Look-ups of projects, cost codes and cost types for writes, cached for the adapter's life."""

    def __init__(self, client):
        self.client = client
        self._projects: list[dict] | None = None
        self._cost_codes: dict[int, list[dict]] = {}
        self._cost_types: list[dict] | None = None

    def project_id(self, record) -> int:
        """The one Procore project of `record` (its header's, else its lines')."""
        header = _text(getattr(record.project, "destination_id", None)) if record.project else ""
        from_lines = {_text(line.dimensions.get("project")) for line in record.lines} - {""}
        values = ({header} if header else set()) | from_lines
        if not values:
            raise errors.ValidationFailed(
                f"{self._what(record)} names no Procore project (neither on the document nor on its lines)"
            )
        ids = {self._project(value, record) for value in values}
        if len(ids) > 1:
            raise errors.ValidationFailed(
                f"{self._what(record)} is on several Procore projects ({', '.join(sorted(values))}); "
                "a Procore commitment or direct cost belongs to one project"
            )
        return ids.pop()

    def _project(self, value: str, record) -> int:
        if self._projects is None:
            self._projects = list(self.client.projects())
        for project in self._projects:
            if value in (str(project["id"]), _text(project.get("project_number"))):
                return int(project["id"])
        raise errors.ValidationFailed(f"{self._what(record)}: Procore has no active project {value!r}")

    def cost_code_id(self, project_id: int, line) -> int | None:
        """The project's cost code for the line, or None when the line carries none."""
        value = _text(line.dimensions.get("cost_code")) or _text(line.cost_code and line.cost_code.destination_id)
        if not value:
            return None
        if project_id not in self._cost_codes:
            self._cost_codes[project_id] = list(self.client.cost_codes(project_id))
        rows = self._cost_codes[project_id]
        for fields in (("id",), ("full_code",), ("code",)):
            found = [row for row in rows if any(_text(row.get(name)) == value for name in fields)]
            if found:
                return int(found[0]["id"])
        raise errors.ValidationFailed(f"cost code {value!r} does not exist in Procore project {project_id}")

    def cost_type_id(self, project_id: int, line) -> int | None:
        """The cost type (Procore "line item type") of the line, or None when the line carries none."""
        value = _text(line.dimensions.get("cost_type")) or _text(line.cost_type and line.cost_type.destination_id)
        if not value:
            return None
        if self._cost_types is None:
            self._cost_types = list(self.client.line_item_types(project_id))
        for match in (
            lambda row: _text(row.get("id")) == value,
            lambda row: _text(row.get("code")) == value,
            lambda row: _text(row.get("name")).casefold() == value.casefold(),
        ):
            found = [row for row in self._cost_types if match(row)]
            if found:
                return int(found[0]["id"])
        raise errors.ValidationFailed(f"cost type {value!r} does not exist in Procore")

    def coded_lines(self, project_id: int, record, key: str) -> list[dict]:
        """The record's lines as Procore's line item sync calls take them: `origin_id` (`<key>:<source line id>`,
        or the position when the source gives none or repeats one), `amount` (Decimal), cost code and cost type."""
        seen: set[str] = set()
        out = []
        for position, line in enumerate(record.lines, start=1):
            name = line.native_id if line.native_id and line.native_id not in seen else f"#{position}"
            seen.add(name)
            item = {"origin_id": f"{key}:{name}"[:255], "amount": Decimal(line.amount)}
            code, cost_type = self.cost_code_id(project_id, line), self.cost_type_id(project_id, line)
            if code:
                item["cost_code_id"] = code
            if cost_type:
                item["line_item_type_id"] = cost_type
            out.append(item)
        return out

    @staticmethod
    def _what(record) -> str:
        return f"{type(record).__name__.lower()} {record.number or record.native_id}"
