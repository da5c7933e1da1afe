"""Field overrides: a value a person sets on one ledger record, used instead of the source's when it is posted.

A flow allows only the fields named in its options (`{"ap_bills": {"overrides": ["date"]}}`), e.g. the posting
date of a bill whose period is closed in the ERP. The override is stored on the record (`SyncRecord.overrides`),
applied to the canonical record before it is mapped, shown on the preview, and every change is audited with the
person and the reason.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError

from connections import errors

#: field -> (label, help, parser from the text a person typed). Only fields of the document header.
FIELDS = {
    "date": ("Posting date", "The document date the destination posts on (e.g. when its period is closed).", "date"),
    "due_date": ("Due date", "When the bill is due.", "date"),
    "description": ("Description", "The description written on the destination document.", "text"),
    "number": ("Document number", "The vendor's document number, as the destination keeps it.", "text"),
}


def allowed(options: dict) -> list[str]:
    """The fields the flow lets a person override, in a stable order."""
    named = options.get("overrides") or []
    return [name for name in FIELDS if name in named]


def parse(name: str, text: str):
    """The typed value of an override typed as text; ValidationError naming the field when it cannot be read."""
    label, _help, kind = FIELDS[name]
    text = (text or "").strip()
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"{label}: '{text}' is not a date (YYYY-MM-DD).") from None
    if not text or len(text) > 255:
        raise ValidationError(f"{label}: give between 1 and 255 characters.")
    return text


def clean(options: dict, values: dict) -> dict[str, str]:
    """Overrides as stored (text), after checking each field is allowed by the flow and readable.

    An empty value removes the override. Raises ValidationError listing every problem."""
    permitted, cleaned, problems = allowed(options), {}, []
    for name, text in values.items():
        if not (text or "").strip():
            continue
        if name not in permitted:
            problems.append(f"The flow does not allow overriding '{name}'.")
            continue
        try:
            value = parse(name, text)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        cleaned[name] = value.isoformat() if isinstance(value, dt.date) else value
    if problems:
        raise ValidationError(problems)
    return cleaned


def apply(record, overrides: dict, options: dict):
    """The canonical record with the record's overrides the flow allows (a copy; the stored record is untouched)."""
    usable = {name: text for name, text in (overrides or {}).items() if name in allowed(options)}
    if not usable:
        return record
    names = {field.name for field in dataclasses.fields(record)}
    record = copy.deepcopy(record)
    for name, text in usable.items():
        if name not in names:
            continue  # e.g. a due date on a commitment: nothing to change
        try:
            setattr(record, name, parse(name, text))
        except ValidationError as exc:
            raise errors.Permanent(f"Override of {FIELDS[name][0].lower()}: {' '.join(exc.messages)}") from None
    return record
