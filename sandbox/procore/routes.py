"""Every route the Procore simulator serves, written as the published path templates.

Each route names its API version explicitly: a resource that exists in v1.0 only answers 404 under
v1.1, as in Procore, where every resource is versioned on its own. The conformance suite checks this
table against ``sandbox/procore/contract/``.
"""

from __future__ import annotations

import re

from . import commitments as cm
from . import direct_costs as dc
from . import payments, reads, reference, requisition_writes, requisitions, webhooks

V10, V11, V20 = "/rest/v1.0", "/rest/v1.1", "/rest/v2.0"
WO, PO = "/work_order_contracts", "/purchase_order_contracts"
DCS = "/projects/{project_id}/direct_costs"
CCO = V10 + "/projects/{project_id}/commitment_change_orders"
HOOKS1, HOOKS2 = V10 + "/webhooks/hooks", V20 + "/companies/{company_id}/webhooks/hooks"


def _contract_routes() -> list[tuple]:
    routes = []
    for base, kind, id_name in ((WO, "work_order_contracts", "work_order_contract_id"),
                                (PO, "purchase_order_contracts", "purchase_order_contract_id")):  # fmt: skip
        lines = f"{V10}{base}/{{{id_name}}}/line_items"
        routes += [
            ("GET", V10 + base, cm.contracts, {"kind": kind}),
            ("POST", V10 + base, cm.create_contract, {"kind": kind}),
            ("PATCH", V10 + base + "/sync", cm.sync_contracts, {"kind": kind}),
            ("GET", V10 + base + "/{id}", cm.contract, {"kind": kind}),
            ("PATCH", V10 + base + "/{id}", cm.patch_contract, {"kind": kind}),
            ("DELETE", V10 + base + "/{id}", cm.delete_contract, {"kind": kind}),
            ("GET", lines, cm.contract_lines, {"kind": kind, "alias": id_name}),
            ("POST", lines, cm.create_contract_line, {"kind": kind, "alias": id_name}),
            ("PATCH", lines + "/sync", cm.sync_contract_lines, {"kind": kind, "alias": id_name}),
            ("GET", lines + "/{id}", cm.contract_line, {"kind": kind, "alias": id_name}),
            ("PATCH", lines + "/{id}", cm.patch_contract_line, {"kind": kind, "alias": id_name}),
            ("DELETE", lines + "/{id}", cm.delete_contract_line, {"kind": kind, "alias": id_name}),
        ]
    return routes


def _requisition_routes() -> list[tuple]:
    routes = []
    for version, base in (("1.0", V10), ("1.1", V11)):
        routes += [
            ("GET", base + "/requisitions", requisitions.requisitions, {"version": version}),
            ("GET", base + "/requisitions/{id}", requisitions.show, {"version": version}),
            ("PATCH", base + "/requisitions/{id}", requisitions.patch, {"version": version}),
            ("POST", base + "/requisitions", requisition_writes.create, {"version": version}),
            ("DELETE", base + "/requisitions/{id}", requisition_writes.delete, {"version": version}),
        ]
    routes.append(("GET", V10 + "/requisitions/{requisition_id}/detail", requisitions.detail, {}))
    for kind in requisitions.ITEM_KINDS:
        routes += [
            ("GET", f"{V10}/requisitions/{{requisition_id}}/{kind}", requisitions.items, {"item_kind": kind}),
            ("GET", f"{V10}/requisitions/{{requisition_id}}/{kind}/{{id}}", requisitions.item, {"item_kind": kind}),
        ]
    for kind in requisition_writes.ITEM_WRAPPERS:  # the published single-item updates (deprecated for bulk)
        path = f"{V10}/requisitions/{{requisition_id}}/{kind}/{{id}}"
        routes.append(("PATCH", path, requisition_writes.patch_item, {"item_kind": kind}))
    routes.append(("PATCH", V10 + "/requisitions/{requisition_id}/bulk_item_update",
                   requisition_writes.bulk_item_update, {}))  # fmt: skip
    routes.append(("PATCH", V20 + "/companies/{company_id}/projects/{project_id}/requisitions/{id}/payment_details",
                   requisitions.payment_details, {}))  # fmt: skip
    return routes


def _direct_cost_routes() -> list[tuple]:
    routes = []
    for version, base in (("1.0", V10), ("1.1", V11)):
        routes += [
            ("GET", base + DCS, dc.direct_costs, {"version": version}),
            ("POST", base + DCS, dc.create, {"version": version}),
            ("GET", base + DCS + "/{id}", dc.show, {"version": version}),
            ("PATCH", base + DCS + "/{id}", dc.patch, {"version": version}),
            ("DELETE", base + DCS + "/{id}", dc.delete, {"version": version}),
        ]
    lines = V10 + DCS + "/{direct_cost_id}/line_items"
    return routes + [
        ("PATCH", V10 + DCS + "/sync", dc.sync, {}),
        ("GET", V10 + DCS + "/line_items", dc.all_lines, {}),
        ("PATCH", V10 + DCS + "/line_items/sync", dc.sync_lines, {}),
        ("GET", lines, dc.lines, {}),
        ("POST", lines, dc.create_line, {}),
        ("GET", lines + "/{id}", dc.line, {}),
        ("PATCH", lines + "/{id}", dc.patch_line, {}),
        ("DELETE", lines + "/{id}", dc.delete_line, {}),
    ]


REFERENCE = [
    ("GET", V10 + "/me", reads.me, {"exempt": True}),
    ("GET", V10 + "/companies", reads.companies, {"exempt": True}),
    ("GET", V10 + "/projects", reads.projects, {}),
    ("GET", V11 + "/projects", reads.projects, {}),
    ("GET", V10 + "/projects/{id}", reads.project, {}),
    ("GET", V10 + "/vendors", reads.vendors, {}),
    ("POST", V10 + "/vendors", reference.create_vendor, {}),
    ("PATCH", V10 + "/vendors/sync", reference.sync_vendors, {}),
    ("GET", V10 + "/vendors/{id}", reads.vendor, {}),
    ("PATCH", V10 + "/vendors/{id}", reference.patch_vendor, {}),
    ("GET", V10 + "/companies/{company_id}/vendors/inactive", reads.inactive_vendors, {}),
    ("PATCH", V10 + "/companies/{company_id}/vendors/inactive/{id}", reference.reactivate_vendor, {}),
    ("GET", V10 + "/cost_codes", reads.cost_codes, {}),
    ("POST", V10 + "/cost_codes", reference.create_cost_code, {}),
    ("PATCH", V10 + "/cost_codes/sync", reference.sync_cost_codes, {}),
    ("GET", V10 + "/cost_codes/{id}", reads.cost_code, {}),
    ("PATCH", V10 + "/cost_codes/{id}", reference.patch_cost_code, {}),
    ("GET", V10 + "/line_item_types", reads.line_item_types, {}),
    ("POST", V10 + "/line_item_types", reference.create_line_item_type, {}),
    ("PATCH", V10 + "/line_item_types/sync", reference.sync_line_item_types, {}),
    ("GET", V10 + "/line_item_types/{id}", reads.line_item_type, {}),
    ("PATCH", V10 + "/line_item_types/{id}", reference.patch_line_item_type, {}),
    ("GET", V10 + "/standard_cost_codes", reads.standard_cost_codes, {}),
    ("POST", V10 + "/standard_cost_codes", reference.create_standard_cost_code, {}),
    ("PATCH", V10 + "/standard_cost_codes/sync", reference.sync_standard_cost_codes, {}),
    ("GET", V10 + "/standard_cost_codes/{id}", reads.standard_cost_code, {}),
    ("PATCH", V10 + "/standard_cost_codes/{id}", reference.patch_standard_cost_code, {}),
    ("DELETE", V10 + "/standard_cost_codes/{id}", reference.delete_standard_cost_code, {}),
    ("GET", V10 + "/standard_cost_code_lists", reads.standard_cost_code_lists, {}),
    ("GET", V10 + "/standard_cost_code_lists/{id}", reads.standard_cost_code_list, {}),
]
COMMITMENTS = [
    ("GET", V10 + "/commitments", cm.commitments, {}),
    ("GET", V10 + "/commitments/{id}", cm.commitment, {}),
    ("GET", CCO, cm.change_orders, {}),
    ("POST", CCO, cm.create_change_order, {}),
    ("GET", CCO + "/{id}", cm.change_order, {}),
    ("PATCH", CCO + "/{id}", cm.patch_change_order, {}),
    ("DELETE", CCO + "/{id}", cm.delete_change_order, {}),
    ("GET", V10 + "/contract_payments", payments.payments, {}),
    ("POST", V10 + "/contract_payments", payments.create, {}),
    ("GET", V10 + "/contract_payments/{id}", payments.payment, {}),
    ("PATCH", V10 + "/contract_payments/{id}", payments.patch, {}),
    ("DELETE", V10 + "/contract_payments/{id}", payments.delete, {}),
]
WEBHOOKS = [
    ("GET", HOOKS1, webhooks.hooks, {}),
    ("POST", HOOKS1, webhooks.create_hook, {}),
    ("PATCH", HOOKS1 + "/{id}", webhooks.patch_hook, {}),
    ("DELETE", HOOKS1 + "/{id}", webhooks.delete_hook, {}),
    ("GET", HOOKS1 + "/{hook_id}/triggers", webhooks.triggers, {}),
    ("POST", HOOKS1 + "/{hook_id}/triggers", webhooks.create_trigger, {}),
    ("POST", HOOKS1 + "/{hook_id}/triggers/bulk", webhooks.bulk_create_triggers, {}),
    ("DELETE", HOOKS1 + "/{hook_id}/triggers/bulk", webhooks.bulk_delete_triggers, {}),
    ("DELETE", HOOKS1 + "/{hook_id}/triggers/{id}", webhooks.delete_trigger, {}),
    ("GET", HOOKS1 + "/{hook_id}/deliveries", webhooks.deliveries, {}),
    ("GET", V10 + "/webhooks/resources", webhooks.resources, {}),
    ("GET", HOOKS2, webhooks.hooks_v2, {}),
    ("POST", HOOKS2, webhooks.create_hook_v2, {}),
    ("GET", HOOKS2 + "/{id}", webhooks.hook_v2, {}),
    ("PATCH", HOOKS2 + "/{id}", webhooks.patch_hook_v2, {}),
    ("DELETE", HOOKS2 + "/{id}", webhooks.delete_hook_v2, {}),
    ("GET", HOOKS2 + "/{hook_id}/triggers", webhooks.triggers_v2, {}),
    ("POST", HOOKS2 + "/{hook_id}/triggers", webhooks.create_trigger_v2, {}),
    ("POST", HOOKS2 + "/{hook_id}/triggers/bulk", webhooks.bulk_create_triggers, {}),
    ("DELETE", HOOKS2 + "/{hook_id}/triggers/bulk", webhooks.bulk_delete_triggers, {}),
    ("DELETE", HOOKS2 + "/{hook_id}/triggers/{id}", webhooks.delete_trigger_v2, {}),
    ("GET", HOOKS2 + "/{hook_id}/deliveries", webhooks.deliveries_v2, {}),
    ("GET", V20 + "/companies/{company_id}/webhooks/resources", webhooks.resources_v2, {}),
]
ROUTES = REFERENCE + _contract_routes() + COMMITMENTS + _requisition_routes() + _direct_cost_routes() + WEBHOOKS


def _compile(template: str) -> re.Pattern:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)))


def _literal_segments(template: str) -> int:
    return sum(1 for part in template.split("/") if part and "{" not in part)


#: (method, compiled pattern, handler, extra params) with literal segments first (``/sync`` before ``/{id}``)
COMPILED = [
    (method, _compile(template), handler, extra)
    for method, template, handler, extra in sorted(ROUTES, key=lambda r: -_literal_segments(r[1]))
]


def templates() -> list[tuple[str, str]]:
    """(method, path template) of every route, for the conformance suite."""
    return [(method, template) for method, template, _handler, _extra in ROUTES]
