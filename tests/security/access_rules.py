"""Who may reach each URL of the application, written down from the product's rules (README: viewer reads,
finance edits mappings, approves and replays, admin also manages connections, integrations and schedules;
superusers see everything), not read from the admin classes under test.

Every URL pattern the resolver knows must be classified here: `rule_for` raises for one that is not, so a new page
fails the table test until someone decides who may open it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

VIEWER, FINANCE, ADMIN, SUPERUSER, NOBODY = "viewer", "finance", "admin", "superuser", "nobody"
RANK = {VIEWER: 1, FINANCE: 2, ADMIN: 3, SUPERUSER: 4, NOBODY: 99}

# Kinds of URL.
PUBLIC = "public"  # anyone, signed in or not
HEALTH = "health"  # probe: anyone, answers 200 or 503
METRICS = "metrics"  # bearer token only; a session is not a token
STAFF = "staff"  # any signed-in staff user; shows nothing tenant-owned by itself
TENANT = "tenant"  # tenant-owned data: least role per method; another tenant's ids read as missing ids
SUPERUSER_ONLY = "superuser-only"
WEBHOOK = "webhook"  # no session: the vendor's signature or secret, else 401
OAUTH_CALLBACK = "oauth-callback"  # signed-in staff, and a state issued to them; none here, so 400


@dataclass(frozen=True)
class Rule:
    """What a URL is and, for TENANT and SUPERUSER_ONLY pages, the least role for GET and for POST.

    A role of None means the view does not take that method (405 for signed-in users).
    """

    kind: str
    get: str | None = None
    post: str | None = None


READ_ONLY = (VIEWER, NOBODY, NOBODY, NOBODY)
SUPER_ALL = (SUPERUSER, SUPERUSER, SUPERUSER, SUPERUSER)

#: app_label.model -> least role to view, add, change, delete, in the object's own tenant.
MODEL_RIGHTS = {
    "connections.tenant": (VIEWER, SUPERUSER, ADMIN, SUPERUSER),
    "connections.membership": (VIEWER, ADMIN, ADMIN, ADMIN),
    "connections.connection": (VIEWER, ADMIN, ADMIN, ADMIN),
    "connections.apiusage": READ_ONLY,
    "mappings.referencerecord": READ_ONLY,
    "mappings.vendormap": (VIEWER, FINANCE, FINANCE, FINANCE),
    "mappings.costcodemap": (VIEWER, FINANCE, FINANCE, FINANCE),
    "mappings.projectmap": (VIEWER, FINANCE, FINANCE, FINANCE),
    "mappings.accountrule": (VIEWER, FINANCE, FINANCE, FINANCE),
    "mappings.mapchange": READ_ONLY,
    "mappings.mappingworkspace": READ_ONLY,
    "syncs.integration": (VIEWER, ADMIN, ADMIN, ADMIN),
    # Every field is read-only; "change" is the replay button's right. Records are never added or deleted by hand.
    "syncs.syncrecord": (VIEWER, NOBODY, FINANCE, NOBODY),
    # The approval queue's "change" is a decision (approve, reject); the invoice reconciliation's is a replay.
    "syncs.approvalqueue": (VIEWER, NOBODY, FINANCE, NOBODY),
    "syncs.billreconciliation": (VIEWER, NOBODY, FINANCE, NOBODY),
    "syncs.syncrun": READ_ONLY,
    "syncs.cursor": (VIEWER, ADMIN, ADMIN, ADMIN),
    "syncs.webhookevent": READ_ONLY,
    "syncs.auditevent": READ_ONLY,
    "syncs.reconcilereport": READ_ONLY,
    "syncs.reconcileline": READ_ONLY,
    # Not tenant-owned: users, groups and the task queue (a schedule names code the worker runs).
    "auth.user": SUPER_ALL,
    "auth.group": SUPER_ALL,
    "django_q.schedule": SUPER_ALL,
    "django_q.success": (SUPERUSER, NOBODY, SUPERUSER, SUPERUSER),
    "django_q.failure": (SUPERUSER, NOBODY, SUPERUSER, SUPERUSER),
    "django_q.ormq": (SUPERUSER, NOBODY, SUPERUSER, SUPERUSER),
}
NOT_TENANT_OWNED = {"auth", "django_q"}

#: (app_label.model, action) -> least role. delete_selected follows the model's delete right.
ACTIONS = {
    ("connections.connection", "test_connection"): ADMIN,
    ("connections.connection", "register_webhooks"): ADMIN,
    ("mappings.referencerecord", "pull_now"): FINANCE,
    ("syncs.integration", "run_now"): FINANCE,
    ("syncs.syncrecord", "replay_records"): FINANCE,
    ("syncs.approvalqueue", "approve_selected"): FINANCE,
    ("syncs.approvalqueue", "reject_selected"): FINANCE,
    ("syncs.auditevent", "export_csv"): VIEWER,
    ("syncs.reconcilereport", "export_csv"): VIEWER,
    ("syncs.reconcilereport", "fix_all"): FINANCE,
    ("syncs.reconcileline", "create_or_update"): FINANCE,
    ("syncs.reconcileline", "export_csv"): VIEWER,
}

#: URL name -> rule, for every named URL that is not a model admin's standard page.
NAMED = {
    "admin:index": Rule(STAFF),
    "admin:login": Rule(PUBLIC),
    "admin:logout": Rule(PUBLIC),  # signing out needs no session (GET is 405)
    "admin:password_change": Rule(STAFF),
    "admin:password_change_done": Rule(STAFF),
    "admin:autocomplete": Rule(STAFF),  # each field's own admin decides; checked with real fields separately
    "admin:jsi18n": Rule(STAFF),
    "admin:view_on_site": Rule(STAFF),  # no model has get_absolute_url: 404 for everyone
    "admin:app_list": Rule(STAFF),
    "admin:auth_user_password_change": Rule(SUPERUSER_ONLY, SUPERUSER, SUPERUSER),
    "admin:syncs_syncrecord_replay": Rule(TENANT, get=NOBODY, post=FINANCE),  # a GET is refused (403)
    "admin:syncs_syncrecord_fix": Rule(TENANT, get=VIEWER, post=FINANCE),  # viewers see it without its forms
    "admin:syncs_approvalqueue_approve": Rule(TENANT, get=NOBODY, post=FINANCE),  # a GET never approves (403)
    "admin:syncs_approvalqueue_reject": Rule(TENANT, get=FINANCE, post=FINANCE),  # GET: the reason form
    "admin:syncs_billreconciliation_csv": Rule(TENANT, get=VIEWER),
    "admin:syncs_billreconciliation_replay": Rule(TENANT, get=NOBODY, post=FINANCE),
    "integration_progress": Rule(TENANT, get=VIEWER),
    "admin:syncs_auditevent_export": Rule(TENANT, get=VIEWER),  # the audit log's CSV, the user's tenants only
    "mappings:index": Rule(TENANT, get=VIEWER),
    "mappings:grid": Rule(TENANT, get=VIEWER),
    "mappings:save_vendor": Rule(TENANT, post=FINANCE),
    "mappings:save_project": Rule(TENANT, post=FINANCE),
    "mappings:save_cost_code": Rule(TENANT, post=FINANCE),
    "mappings:accept_all": Rule(TENANT, post=FINANCE),
    "mappings:pull_now": Rule(TENANT, post=FINANCE),
    "mappings:export_csv": Rule(TENANT, get=VIEWER),
    "mappings:import_csv": Rule(TENANT, post=FINANCE),
    "webhook": Rule(WEBHOOK),
    "oauth_connect": Rule(TENANT, post=ADMIN),
    "oauth_callback": Rule(OAUTH_CALLBACK),
    "healthz": Rule(HEALTH),
    "metrics": Rule(METRICS),
}

#: unnamed patterns, by full route
UNNAMED = {
    "": Rule(PUBLIC),  # the site root redirects to the admin index
    "admin/(?P<url>.*)$": Rule(STAFF),  # the admin's catch-all 404
}
LEGACY_OBJECT_REDIRECT = re.compile(r"^admin/\w+/\w+/<path:object_id>/$")  # redirects to .../change/, no lookup

MODEL_PAGE = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<view>changelist|add|change|history|delete)$")
APPS = ("connections", "mappings", "syncs", "auth", "django_q")


@dataclass(frozen=True)
class Url:
    route: str  # the full route, e.g. "admin/syncs/syncrecord/<path:object_id>/change/"
    name: str  # "namespace:name", or "" for an unnamed pattern
    model: str | None = None  # app_label.model for a model admin page


def walk(patterns=None, prefix="", namespaces=()) -> list[Url]:
    """Every URL pattern of the project, with its full route and namespaced name."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            spaces = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            found += walk(pattern.url_patterns, prefix + str(pattern.pattern), spaces)
        elif isinstance(pattern, URLPattern):
            name = ":".join(namespaces + (pattern.name,)) if pattern.name else ""
            match = MODEL_PAGE.match(name)
            model = f"{match['app']}.{match['model']}" if match else None
            found.append(Url(prefix + str(pattern.pattern), name, model))
    return found


def rule_for(url: Url) -> Rule:
    """The rule of a URL; KeyError (naming it) when nobody has decided who may open it."""
    if url.name in NAMED:
        return NAMED[url.name]
    if not url.name and url.route in UNNAMED:
        return UNNAMED[url.route]
    if not url.name and LEGACY_OBJECT_REDIRECT.match(url.route):
        return Rule(STAFF)
    if url.model in MODEL_RIGHTS:
        view, add, change, delete = MODEL_RIGHTS[url.model]
        kind = SUPERUSER_ONLY if url.model.split(".")[0] in NOT_TENANT_OWNED else TENANT
        page = MODEL_PAGE.match(url.name)["view"]
        return {
            "changelist": Rule(kind, view, view),  # POST = an action; each action is checked on its own
            "add": Rule(kind, add, add),
            "change": Rule(kind, view, change),
            "history": Rule(kind, view, view),
            "delete": Rule(kind, delete, delete),
        }[page]
    raise KeyError(f"URL {url.name or url.route!r} is not classified in tests/security/access_rules.py")


def path_for(url: Url, values: dict[str, str]) -> str:
    """The concrete path of a route with its parameters replaced by `values` (KeyError for an unknown one)."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), url.route)  # regex routes first
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    return "/" + route.replace("^", "").replace("$", "")


def allowed(role_needed: str | None, actor_role: str | None) -> bool:
    if role_needed is None or actor_role is None:
        return False
    return RANK[actor_role] >= RANK[role_needed]
