"""Vendors: ``/api/v3/vendors/`` list, create, get, put and patch.

Each endpoint answers the serializer the published spec names for it: the list and PATCH answer
``OptimizedVendor``, GET and POST ``VendorDetail``, PUT ``Vendor``. Unknown body fields are ignored
(Django REST framework drops them); invalid ones answer 400 with the field errors.
"""

from __future__ import annotations

import re

from . import listing, shapes
from .context import Ctx, field_errors

#: VendorTypeEnum of the published schema (the prose table also names 1 OTHER and 5 EMPLOYEE; the
#: schema does not accept them, and the schema wins)
VENDOR_TYPES = (2, 3, 4, 6, 7)
REQUIRED = ("email", "name", "overall_score", "type")
SCORE = re.compile(r"^\d{0,2}(?:\.\d{0,3})?$")
MAX_LENGTHS = {
    "name": 150,
    "addressLineOne": 300,
    "addressLineTwo": 300,
    "postalCode": 20,
    "city": 50,
    "state_province": 40,
    "country": 80,
    "phoneOne": 20,
    "phoneTwo": 20,
    "fax": 20,
    "contact": 50,
    "url": 200,
    "external_id": 100,
    "po_pdf_labels": 200,
}
WRITABLE = (
    *shapes.VENDOR_TEXT,
    *shapes.VENDOR_REFS,
    "name",
    "active",
    "email",
    "currency",
    "tax",
    "type",
    "default_payment_method",
    "is_1099_eligible",
    "overall_score",
    "is_auto_email_po_enabled",
    "po_pdf_labels",
)
FILTERS = [
    ("name", "exact", "name"),
    ("external_id", "exact", "external_id"),
    ("type", "int", "type"),
    ("search", "text", "name"),
]
ORDER = {"name": "name", "id": "id", "dateModified": "dateModified", "external_id": "external_id"}


def _check_field(name: str, value) -> str | None:
    """The DRF message for one invalid field value, or None."""
    if name == "name" and (not isinstance(value, str) or not value.strip()):
        return "This field may not be blank."
    if name == "type" and value not in VENDOR_TYPES:
        return f'"{value}" is not a valid choice.'
    if name == "email" and (not isinstance(value, list) or not all(isinstance(v, str) and "@" in v for v in value)):
        return "Enter a valid email address."
    if name == "overall_score" and value is not None and not SCORE.match(str(value)):
        return "Ensure that there are no more than 5 digits in total."
    if name in ("active", "is_auto_email_po_enabled") and not isinstance(value, bool):
        return "Must be a valid boolean."
    limit = MAX_LENGTHS.get(name)
    if limit and isinstance(value, str) and len(value) > limit:
        return f"Ensure this field has no more than {limit} characters."
    return None


def validate(body: dict, partial: bool) -> dict:
    """The writable fields of a vendor body; 400 with every problem found."""
    errors = {}
    if not partial:
        errors.update({name: ["This field is required."] for name in REQUIRED if name not in body})
    for name, value in body.items():
        if name in WRITABLE and (problem := _check_field(name, value)):
            errors[name] = [problem]
    if errors:
        raise field_errors(errors)
    fields = {name: body[name] for name in WRITABLE if name in body}
    if fields.get("overall_score") is not None:
        fields["overall_score"] = str(fields["overall_score"])
    return fields


def list_vendors(ctx: Ctx) -> dict:
    rows = ctx.all("vendors")
    if (ctx.request.arg("exclude_other") or "").lower() == "true":
        rows = [r for r in rows if r.get("type") != 1]
    return listing.listing(ctx, rows, FILTERS, lambda r: shapes.vendor(r, "optimized"), ORDER)


def get_vendor(ctx: Ctx) -> dict:
    return listing.single(shapes.vendor(ctx.record("vendors", ctx.params["id"]), "detail"))


def create_vendor(ctx: Ctx):
    fields = validate(ctx.body(), partial=False)
    record = {"active": True, "is_auto_email_po_enabled": False, "po_pdf_labels": "", **fields}
    record["dateModified"] = ctx.now
    ctx.insert("vendors", record)
    return 201, listing.single(shapes.vendor(record, "detail"))


def put_vendor(ctx: Ctx) -> dict:
    record = ctx.record("vendors", ctx.params["id"])
    record.update(validate(ctx.body(), partial=False), dateModified=ctx.now)
    return listing.single(shapes.vendor(record, "plain"))


def patch_vendor(ctx: Ctx) -> dict:
    record = ctx.record("vendors", ctx.params["id"])
    record.update(validate(ctx.body(), partial=True), dateModified=ctx.now)
    return listing.single(shapes.vendor(record, "optimized"))
