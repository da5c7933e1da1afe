"""Per-request context handed to Procore endpoint handlers."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.http import HttpError, Request, Response
from ..core.store import Store
from . import listing


def error(status: int, message) -> HttpError:
    return HttpError(Response.json({"errors": message}, status))


@dataclass
class Ctx:
    request: Request
    store: Store
    config: dict
    company_id: int | None
    now: str  # Procore timestamp of this request on the simulator clock
    params: dict = field(default_factory=dict)

    def require(self, name: str) -> str:
        """A required query parameter; 400 when missing."""
        value = self.params.get(name) or self.request.arg(name)
        if not value:
            raise error(400, f"{name} is missing")
        return value

    def int_id(self, name: str) -> int:
        try:
            return int(self.require(name))
        except ValueError as exc:
            raise error(400, f"{name} is invalid") from exc

    def company(self, company_id: int) -> dict:
        """A company the app is installed in; 403 otherwise (Procore's wording)."""
        company = self.store.get("companies", company_id)
        if company is None or not company.get("app_installed", True):
            raise error(403, "App is not connected to this company")
        return company

    def project(self, project_id: int | None = None) -> dict:
        """The project named by ``project_id``, visible to the calling company, or 404/403."""
        project_id = project_id if project_id is not None else self.int_id("project_id")
        project = self.store.get("projects", project_id)
        if project is None or (self.company_id and project.get("company_id") != self.company_id):
            raise error(404, "Not Found")
        permitted = self.config.get("permitted_projects")
        if permitted is not None and project_id not in permitted:
            raise error(403, "You do not have access to this project")
        return project

    def record(self, collection: str, record_id: int, **match) -> dict:
        record = self.store.get(collection, record_id)
        if record is None or any(record.get(k) != v for k, v in match.items()):
            raise error(404, "Not Found")
        return record

    def listing(self, records: list[dict], filters: set[str], render) -> Response:
        """Filter, sort and paginate stored records, then render the page."""
        records = listing.apply_filters(records, self.request, filters)
        records = listing.apply_sort(records, self.request)
        page, headers = listing.paginate(records, self.request, self.config)
        return Response.json([render(r) for r in page], headers=headers)

    def body(self, wrapper: str) -> dict:
        """The JSON body, unwrapped from Procore's ``{"<resource>": {...}}`` envelope when present."""
        body = self.request.json() or {}
        if not isinstance(body, dict):
            raise error(400, "body must be a JSON object")
        return body.get(wrapper, body) if isinstance(body.get(wrapper), dict) else body
