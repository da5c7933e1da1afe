"""CompaniesStructure: the company and branch structure, read the way Acumatica reads inquiries.

The documented way is ``PUT /CompaniesStructure?$expand=Results`` with the inquiry's parameters (none
here) in the body; the answer is one record whose ``Results`` are the rows (BranchID, BranchName,
CompanyID, CompanyName, statuses...). A GET of an inquiry is not documented to give the rows (it gives a
blank record); the ``inquiry_get_results`` switch lets a GET answer the rows too, for the other reading.
Rows are stored flat in the ``CompaniesStructure`` collection, one per branch.
"""

from __future__ import annotations

from ..core.http import Response
from .crud import Call
from .records import new_id
from .render import lines, system
from .values import http_error


def _record(call: Call, with_results: bool) -> dict:
    out = system({"id": new_id()}, 1)  # inquiry rows have no persistent id
    if with_results and "Results" in call.view().expand:
        schema = call.contract.entity(call.schema.details["Results"])
        rows = sorted(call.store.all("CompaniesStructure"), key=lambda r: (r.get("CompanyID"), r.get("BranchID")))
        out["Results"] = lines(schema, rows)
    return out


def put(call: Call) -> Response:
    body = call.request.json()
    if body is not None and not isinstance(body, dict):
        raise http_error(400, "The request body must be an entity.")
    return Response.json(_record(call, True))


def get_list(call: Call) -> Response:
    return Response.json([_record(call, bool(call.config["inquiry_get_results"]))])
