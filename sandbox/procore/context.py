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
    #: (resource name, event type, record, collection) for the webhook deliveries this request causes
    events: list[tuple[str, str, dict, str]] = field(default_factory=list)
    owner: object = None  # the simulator, for state kept outside the store (webhook delivery logs)

    def arg(self, name: str) -> str | None:
        """A path parameter, else a query parameter, else a top-level field of a JSON body."""
        value = self.params.get(name) or self.request.arg(name)
        if value:
            return value
        body = self.request.json() if self.request.method in ("POST", "PATCH", "PUT", "DELETE") else None
        found = body.get(name) if isinstance(body, dict) else None
        return str(found) if found not in (None, "") else None

    def require(self, name: str) -> str:
        """A required parameter; 400 when missing."""
        value = self.arg(name)
        if not value:
            raise error(400, f"{name} is missing")
        return value

    def int_id(self, name: str) -> int:
        try:
            return int(self.require(name))
        except ValueError as exc:
            raise error(400, f"{name} is invalid") from exc

    def path_id(self, name: str = "id") -> int:
        try:
            return int(self.params[name])
        except (KeyError, ValueError) as exc:
            raise error(404, "Not Found") from exc

    def company(self, company_id: int | None = None) -> dict:
        """A company the app is installed in; 403 otherwise (Procore's wording)."""
        company_id = company_id if company_id is not None else self.int_id("company_id")
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
        """Filter and paginate stored records (always in id order), then render the page."""
        records = listing.apply_filters(records, self.request, filters)
        page, headers = listing.paginate(listing.in_id_order(records), self.request, self.config)
        return Response.json([render(r) for r in page], headers=headers)

    def json_body(self) -> dict:
        body = self.request.json() or {}
        if not isinstance(body, dict):
            raise error(400, "body must be a JSON object")
        return body

    def body(self, wrapper: str) -> dict:
        """The object under ``wrapper`` in the JSON body (Procore's ``{"<resource>": {...}}`` envelope).

        The envelope is what the published request schemas show; a body without it is a 400, so a client
        that sends bare fields finds out here and not in production.
        """
        inner = self.json_body().get(wrapper)
        if not isinstance(inner, dict):
            raise error(400, {wrapper: ["is missing"]})
        return inner

    def emit(self, resource_name: str, event_type: str, record: dict, collection: str) -> None:
        """Note a webhook event (``create``/``update``/``delete``) for the simulator to deliver."""
        self.events.append((resource_name, event_type, record, collection))
