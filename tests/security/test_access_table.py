"""One table over every URL the resolver knows: for each role, another tenant's user and an anonymous visitor,
GET and POST with tenant A's ids in the URL. Nobody outside tenant A learns anything of A's objects, nobody
changes what their role does not allow, and nothing answers 500."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import resolve

from .access_rules import (
    HEALTH,
    METRICS,
    MODEL_PAGE,
    NOBODY,
    OAUTH_CALLBACK,
    PUBLIC,
    STAFF,
    SUPERUSER,
    SUPERUSER_ONLY,
    TENANT,
    WEBHOOK,
    Rule,
    Url,
    allowed,
    path_for,
    rule_for,
    walk,
)
from .world import METRICS_TOKEN, MISSING_ID, body, leaks, request_rolled_back

pytestmark = pytest.mark.django_db
OBJECT_PARAMS = {"object_id", "pk", "source_id", "connection_uuid", "id"}
OK = (200, 302, 400)  # 400: a form or upload refused with its reason


def params_of(url: Url) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", url.route))


def model_of(url: Url) -> str | None:
    if url.model:
        return url.model
    match = re.match(r"^admin/(\w+)/(\w+)/", url.route)
    return f"{match[1]}.{match[2]}" if match else None


def values_for(url: Url, world) -> dict:
    """Tenant A's ids for the URL's parameters."""
    objects, a = world.objects_a(), world.a
    connection = a["exact"] if url.name == "oauth_connect" else a["Connection"]
    obj = objects.get(model_of(url) or "")
    if url.name == "admin:view_on_site":
        obj = a["Connection"]
    return {
        "object_id": obj.pk if obj is not None else MISSING_ID,
        "id": a["Membership"].user.pk,
        "content_type_id": world.extra["content_type"].pk,
        "app_label": "syncs",
        "url": "no/such/page/",
        "pk": a["Integration"].pk,
        "source_id": a["ProjectMap"].source_id if url.name == "mappings:save_project" else a["ReferenceRecord"].pk,
        "kind": "vendors",
        "connection_uuid": connection.uuid,
        "system": "exact",
    }


def missing_values(values: dict) -> dict:
    """The same URL with ids nobody has."""
    missing = {key: MISSING_ID for key in ("object_id", "id", "pk", "source_id")}
    return {**values, **missing, "connection_uuid": uuid.uuid4()}


def post_data(url: Url, world) -> dict:
    """A POST that would do something real for someone allowed to (A's own ids in the form)."""
    a = world.a
    return {
        "mappings:save_vendor": {"destination": a["VendorMap"].destination_id},
        "mappings:save_project": {"destination": a["ProjectMap"].destination_id},
        "mappings:save_cost_code": {"cost_code": "03-310", "cost_type": "S", "account": a["CostCodeMap"].account_id},
    }.get(url.name, {"post": "yes"})


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/admin/login/" in response.get("Location", "")


def expected(rule: Rule, actor, method: str, object_url: bool) -> str:
    """'login', 'ok', 'denied', 'not-allowed' (405), 'foreign' (as for a missing id), or a status like '401'."""
    kind = rule.kind
    if kind == PUBLIC:
        return "any"
    if kind == HEALTH:
        return "health" if method == "GET" else "405"
    if kind == METRICS:
        return "401" if method == "GET" else "405"
    if kind == WEBHOOK:
        return "401" if method == "POST" else "405"
    if actor.role is None:
        return "login"
    if kind == STAFF:
        return "any"
    if kind == OAUTH_CALLBACK:
        return "400" if method == "GET" else "405"
    needed = rule.get if method == "GET" else rule.post
    if needed is None:
        return "not-allowed"
    if kind == SUPERUSER_ONLY:
        return "ok" if actor.role == SUPERUSER and needed != NOBODY else "denied"
    assert kind == TENANT
    if object_url and actor.tenant not in (None, "alpha"):
        return "foreign"
    return "ok" if allowed(needed, actor.role) and needed != NOBODY else "denied"


def judge(outcome: str, response, missing_status: int | None) -> str | None:
    """None when the response is what the outcome asks, else what is wrong."""
    status = response.status_code
    if status >= 500 and outcome != "health":
        return f"answered {status}"
    checks = {
        "any": lambda: True,
        "health": lambda: status in (200, 503),
        "login": lambda: is_login_redirect(response),
        "ok": lambda: status in OK and not is_login_redirect(response),
        "denied": lambda: status == 403,
        "not-allowed": lambda: status == 405,
        "foreign": lambda: status == missing_status and status >= 400,
    }
    ok = checks[outcome]() if outcome in checks else status == int(outcome)
    if ok:
        return None
    extra = f" (a missing id answers {missing_status})" if outcome == "foreign" else ""
    return f"expected {outcome}, got {status}{extra}"


def check_one(url: Url, rule: Rule, actor, method: str, world) -> list[str]:
    values = values_for(url, world)
    path = path_for(url, values)
    where = f"{method} {path} as {actor.name}"
    object_url = bool(params_of(url) & OBJECT_PARAMS) and url.name != "admin:auth_user_password_change"
    outcome = expected(rule, actor, method, object_url)
    data = post_data(url, world) if method == "POST" else None
    response, changes = request_rolled_back(actor, method, path, data)
    missing_status = None
    if outcome == "foreign":
        missing_status = request_rolled_back(actor, method, path_for(url, missing_values(values)), data)[0].status_code
    if url.name == "admin:logout":
        actor.login_again()
    problems = []
    verdict = judge(outcome, response, missing_status)
    if verdict:
        problems.append(f"{where}: {verdict}")
    may_write = outcome in ("ok", "any") and method == "POST" and rule.kind != PUBLIC
    if changes and not may_write:
        problems.append(f"{where}: changed {changes} ({outcome})")
    found = leaks(actor, body(response))
    if found:
        problems.append(f"{where}: shows {found}'s data")
    return problems


def test_every_url_pattern_is_classified():
    urls = walk()
    unclassified = []
    for url in urls:
        try:
            rule_for(url)
        except KeyError as exc:
            unclassified.append(str(exc))
    assert unclassified == []
    # The walk reaches everything the brief of the application names, including custom admin pages.
    names = {url.name for url in urls}
    for name in (
        "admin:syncs_syncrecord_replay",
        "mappings:grid",
        "mappings:export_csv",
        "mappings:import_csv",
        "oauth_connect",
        "oauth_callback",
        "webhook",
        "healthz",
        "metrics",
    ):
        assert name in names, name


def test_an_unclassified_page_fails_the_table():
    with pytest.raises(KeyError, match="not classified"):
        rule_for(Url("admin/syncs/newthing/", "admin:syncs_newthing_changelist", "syncs.newthing"))
    with pytest.raises(KeyError, match="not classified"):
        rule_for(Url("reports/", "reports"))


def test_every_url_for_every_actor(world):
    problems = []
    for url in walk():
        rule = rule_for(url)
        for actor in world.actors:
            for method in ("GET", "POST"):
                problems += check_one(url, rule, actor, method, world)
    assert problems == [], "\n".join(problems)


def test_each_path_resolves_to_its_own_pattern(world):
    """The substituted paths reach the pattern under test (not a catch-all), so the table tests what it says."""
    for url in walk():
        path = path_for(url, values_for(url, world))
        assert resolve(path).route.replace("^", "") == url.route.replace("^", ""), (url, path)


def test_metrics_answer_to_the_token_only(world, client):
    assert client.get("/metrics").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200 and "mlconnector_ledger_records" in response.content.decode()


def test_model_pages_cover_every_registered_admin():
    from django.contrib import admin

    from .access_rules import MODEL_RIGHTS

    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(MODEL_RIGHTS), registered ^ set(MODEL_RIGHTS)
    assert all(MODEL_PAGE.match(f"admin:{label.replace('.', '_')}_change") for label in registered)


# --- admin actions and forms with another tenant's ids ------------------------------------------------------------
#: actions whose effect on tenant A's own object the snapshots must see, proving they would see a foreign one
EFFECTS = {
    ("syncs.syncrecord", "replay_records"),
    ("syncs.integration", "run_now"),
    ("mappings.vendormap", "delete_selected"),
    ("syncs.cursor", "delete_selected"),
}


def tenant_admins():
    from django.contrib import admin

    from .access_rules import MODEL_RIGHTS, NOT_TENANT_OWNED

    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if label.split(".")[0] not in NOT_TENANT_OWNED:
            yield label, model_admin, MODEL_RIGHTS[label]


def test_every_admin_action_is_classified():
    from .access_rules import ACTIONS

    unknown = [
        (label, name)
        for label, model_admin, _ in tenant_admins()
        for _, name, _ in model_admin._get_base_actions()
        if name != "delete_selected" and (label, name) not in ACTIONS
    ]
    assert unknown == [], f"classify these admin actions in tests/security/access_rules.ACTIONS: {unknown}"


def test_admin_actions_on_tenant_a_objects(world):
    """Each action, by each actor, on tenant A's object: only A's members with the right role change anything."""
    from django.urls import reverse

    from .access_rules import ACTIONS

    problems, objects = [], world.objects_a()
    for label, model_admin, rights in tenant_admins():
        url = reverse(f"admin:{label.replace('.', '_')}_changelist")
        for _, name, _ in model_admin._get_base_actions():
            needed = rights[3] if name == "delete_selected" else ACTIONS[(label, name)]
            data = {"action": name, "_selected_action": [str(objects[label].pk)], "index": "0", "post": "yes"}
            for actor in world.actors:
                response, changes = request_rolled_back(actor, "POST", url, data)
                where = f"{name} on {label} as {actor.name}"
                may = actor.role is not None and actor.tenant in ("alpha", None) and allowed(needed, actor.role)
                if response.status_code >= 500:
                    problems.append(f"{where}: answered {response.status_code}")
                if changes and not may:
                    problems.append(f"{where}: changed {changes}")
                if may and (label, name) in EFFECTS and not changes:
                    problems.append(f"{where}: the allowed action changed nothing (the check would be blind)")
                if leaks(actor, body(response)):
                    problems.append(f"{where}: shows the other tenant's data")
    assert problems == [], "\n".join(problems)


def grid_posts(own: dict, foreign: dict) -> list[tuple[str, str, dict, str]]:
    """(what, url, data, the foreign id) for each id-bearing field of the grid's save views."""
    from django.urls import reverse

    pk, source = own["Integration"].pk, own["ReferenceRecord"].pk
    vendor_url = reverse("mappings:save_vendor", args=[pk, source])
    code_url = reverse("mappings:save_cost_code", args=[pk])
    code = {"cost_code": "03-310", "cost_type": "S", "account": own["CostCodeMap"].account_id}
    own_vendor = {"destination": own["VendorMap"].destination_id}
    return [
        ("vendor in the URL", reverse("mappings:save_vendor", args=[pk, foreign["ReferenceRecord"].pk]), own_vendor,
         str(foreign["ReferenceRecord"].pk)),
        ("destination vendor", vendor_url, {"destination": foreign["VendorMap"].destination_id},
         str(foreign["VendorMap"].destination_id)),
        ("account", code_url, {**code, "account": foreign["CostCodeMap"].account_id},
         str(foreign["CostCodeMap"].account_id)),
        ("dimension", code_url, {**code, "dim_subaccount": foreign["dimension"].pk}, str(foreign["dimension"].pk)),
        ("integration in the URL", reverse("mappings:save_vendor", args=[foreign["Integration"].pk, source]),
         own_vendor, str(foreign["Integration"].pk)),
    ]  # fmt: skip


def answer(actor, url, data):
    """Status and the messages shown after a POST, with ids blanked so a foreign and a missing id compare equal."""
    response, changes = request_rolled_back(actor, "POST", url, data)
    storage = getattr(response.wsgi_request, "_messages", None)
    shown = [str(m) for m in getattr(storage, "_queued_messages", [])]  # this request's messages only
    return response, changes, [re.sub(r"\d+", "#", text) for text in shown]


def with_missing(url: str, data: dict, foreign_id: str) -> tuple[str, dict]:
    """The same request with the foreign id replaced by an id nobody has."""
    in_data = {key: MISSING_ID if str(value) == foreign_id else value for key, value in data.items()}
    if in_data != data:
        return url, in_data
    return re.sub(rf"/{foreign_id}/", f"/{MISSING_ID}/", url, count=1), data


def test_grid_save_views_treat_another_tenants_ids_as_missing(world):
    finance = next(actor for actor in world.actors if actor.name == "finance-a")
    problems = []
    for what, url, data, foreign_id in grid_posts(world.a, world.b):
        response, changes, shown = answer(finance, url, data)
        missing_response, _, missing_shown = answer(finance, *with_missing(url, data, foreign_id))
        if response.status_code >= 500 or changes:
            problems.append(f"{what}: {response.status_code}, changed {changes}")
        if (response.status_code, shown) != (missing_response.status_code, missing_shown):
            problems.append(f"{what}: {response.status_code} {shown} but a missing id: "
                            f"{missing_response.status_code} {missing_shown}")  # fmt: skip
        if leaks(finance, body(response) + " ".join(shown)):
            problems.append(f"{what}: names tenant B's item")
    assert problems == [], "\n".join(problems)
    # The same posts with tenant A's own ids do save: the refusals above are about the ids.
    for what, url, data, _ in grid_posts(world.a, world.a)[1:4]:
        response, changes, _ = answer(finance, url, data)
        assert response.status_code == 302 and changes, (what, response.status_code)


def test_admin_forms_refuse_another_tenants_ids_like_missing_ones(world):
    """Every foreign key to a tenant-owned model on every add form, and the dimensions of a cost-code map."""
    from django.urls import reverse

    admin_a = next(actor for actor in world.actors if actor.name == "admin-a")
    problems = []
    for label, model_admin, _ in tenant_admins():
        url = reverse(f"admin:{label.replace('.', '_')}_add") + ("?system=procore" if "connection" in label else "")
        for field in model_admin.model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if not (field.many_to_one and related and hasattr(related, "tenant_path")):
                continue
            foreign = next((obj for obj in world.b.values() if isinstance(obj, related)), None)
            response, changes = request_rolled_back(admin_a, "POST", url, {field.name: foreign.pk})
            if response.status_code == 403:
                continue  # no add page for this role: nothing to post into
            form = response.context["adminform"].form if response.context and "adminform" in response.context else None
            if changes or form is None or field.name not in form.errors or leaks(admin_a, body(response)):
                problems.append(f"{label}.{field.name}: {response.status_code}, changed {changes}")
    url = reverse("admin:mappings_costcodemap_add")
    data = {"integration": world.a["Integration"].pk, "cost_code": "01-100", "cost_type": "",
            "account": world.a["CostCodeMap"].account_id}  # fmt: skip
    foreign_dims, missing_dims = (f'{{"subaccount": {pk}}}' for pk in (world.b["dimension"].pk, MISSING_ID))
    foreign, _ = request_rolled_back(admin_a, "POST", url, {**data, "dimensions": foreign_dims})
    missing, _ = request_rolled_back(admin_a, "POST", url, {**data, "dimensions": missing_dims})
    errors = [re.sub(r"\d+", "#", str(r.context["adminform"].form.errors)) for r in (foreign, missing)]
    assert errors[0] == errors[1] and "dimensions" in errors[0], errors
    assert not leaks(admin_a, body(foreign))


def test_autocomplete_offers_nothing_of_another_tenant(world):
    from django.contrib import admin
    from django.urls import reverse

    admin_b = next(actor for actor in world.actors if actor.name == "admin-b")
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name,
                     "field_name": field_name, "term": ""}  # fmt: skip
            response, changes = request_rolled_back(admin_b, "GET", reverse("admin:autocomplete"), query)
            assert response.status_code in (200, 403) and not changes, (model, field_name, response.status_code)
            assert not leaks(admin_b, body(response)), (model, field_name, body(response)[:500])
