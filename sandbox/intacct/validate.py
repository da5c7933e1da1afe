"""Reference checks for transaction lines: accounts, dimensions, the project -> task -> cost type chain,
the vendor, and the closed-period rule.

Each failure is a function-level business error naming the line and the value, the way Intacct names
them in its messages (the exact wording is not published; the meaning is what a client must act on).
"""

from __future__ import annotations

from ..core.store import Store
from .context import Call
from .errors import business
from .objects import DIMENSIONS, SPECS
from .records import find, is_active, parse_date


def vendor(store: Store, vendorid: str, what: str = "the transaction") -> dict:
    record = find(store, SPECS["VENDOR"], vendorid)
    if record is None:
        raise business(f"Invalid Vendor '{vendorid}' specified for {what}.", "Select an existing vendor.")
    if not is_active(record):
        raise business(f"Vendor '{vendorid}' is inactive.", "Activate the vendor or select an active vendor.")
    if str(record.get("ONHOLD", "false")).lower() == "true":
        raise business(f"Vendor '{vendorid}' is on hold.", "Take the vendor off hold, then try again.")
    return record


def line(call: Call, fields: dict, number: int, account_required: bool = True) -> None:
    """Check one line's account and dimensions; raises a business error on the first problem."""
    where = f"line {number}"
    account = fields.get("ACCOUNTNO", "")
    if account_required and not account and not fields.get("ACCOUNTLABEL"):
        raise business(f"Enter an account number on {where}, and try again.")
    if account:
        _active(call.store, "GLACCOUNT", account, where, "GL account")
    for name, object_name in DIMENSIONS.items():
        if fields.get(name):
            _active(call.store, object_name, fields[name], where, SPECS[object_name].label)
    _chain(call.store, fields, where)
    if call.config["location_required"] and not fields.get("LOCATIONID"):
        raise business(f"A location is required on {where}.", "Enter a LOCATIONID on every line.")


def _active(store: Store, object_name: str, value: str, where: str, label: str) -> dict:
    record = find(store, SPECS[object_name], value)
    if record is None:
        raise business(f"Invalid {label} '{value}' on {where}.", f"Select an existing {label.lower()}.")
    if not is_active(record):
        raise business(f"{label} '{value}' on {where} is inactive.", f"Activate the {label.lower()} or pick another.")
    return record


def _chain(store: Store, fields: dict, where: str) -> None:
    """TASKID needs PROJECTID and must belong to it; COSTTYPEID needs both and must belong to the task."""
    project, task, cost_type = fields.get("PROJECTID"), fields.get("TASKID"), fields.get("COSTTYPEID")
    if task and not project:
        raise business(f"A task requires a project on {where}.", "Enter PROJECTID with TASKID.")
    if cost_type and not (project and task):
        raise business(f"A cost type requires a project and a task on {where}.", "Enter PROJECTID and TASKID.")
    if project:
        record = find(store, SPECS["PROJECT"], project)
        if str(record.get("PROJECTSTATUS", "")).lower() in ("completed", "closed", "cancelled"):
            raise business(f"Project '{project}' on {where} is {record['PROJECTSTATUS'].lower()}.")
    if task:
        _scoped(store, "TASK", task, {"PROJECTID": project}, where, f"for project '{project}'")
    if cost_type:
        scope = {"PROJECTID": project, "TASKID": task}
        _scoped(store, "COSTTYPE", cost_type, scope, where, f"for project '{project}' and task '{task}'")


def _scoped(store: Store, object_name: str, value: str, scope: dict, where: str, context: str) -> None:
    label = SPECS[object_name].label
    record = find(store, SPECS[object_name], value, scope)
    if record is None:
        raise business(f"Invalid {label} '{value}' {context} on {where}.", f"Select a {label.lower()} {context}.")
    if not is_active(record):
        raise business(f"{label} '{value}' on {where} is inactive.", f"Activate the {label.lower()} or pick another.")


def open_period(call: Call, when: str, what: str) -> None:
    """Postings dated on or before the ``closed_through`` switch are refused (the books are closed)."""
    closed = parse_date(call.config["closed_through"])
    posted = parse_date(when)
    if closed is not None and posted is not None and posted <= closed:
        raise business(
            f"The {what} date {when} is in a closed period. The books are closed through "
            f"{closed.strftime('%m/%d/%Y')}.",
            "Use a date in an open period, or ask your administrator to reopen the period.",
        )


def date_field(value: str | None, name: str) -> None:
    if value and parse_date(value) is None:
        raise business(f"{name} '{value}' is not a valid date.", "Dates are mm/dd/yyyy.")
