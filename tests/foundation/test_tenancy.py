"""A finance user of tenant A sees nothing of tenant B on any admin page; a viewer cannot edit."""

import io
import logging

import pytest
from django.contrib import admin
from django.urls import reverse

from connections.models import Role
from connections.tenancy import TenantScopedAdmin
from tests.factories import build_tenant_world

SECRET_B = "CANARY-bravo-9d2f61"
SECRET_A = "CANARY-alpha-4be0a7"


def scoped_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, TenantScopedAdmin)
    ]


@pytest.fixture
def worlds(tenant_a, tenant_b, make_user):
    return build_tenant_world(tenant_a, make_user, SECRET_A), build_tenant_world(tenant_b, make_user, SECRET_B)


@pytest.fixture
def finance_a(client, tenant_a, make_user):
    user = make_user("fin-a", tenant=tenant_a, role=Role.FINANCE)
    client.force_login(user)
    return client


def admin_url(obj, view):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def test_every_tenant_owned_admin_has_an_isolation_fixture(worlds):
    world_a, _ = worlds
    missing = [model.__name__ for model, _ in scoped_admins() if model.__name__ not in world_a]
    assert missing == [], f"add these models to tests/factories.build_tenant_world: {missing}"


def test_change_lists_show_only_own_tenant(finance_a, worlds):
    world_a, world_b = worlds
    for model, _ in scoped_admins():
        opts = model._meta
        response = finance_a.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200, model
        page = response.content.decode()
        obj_a, obj_b = world_a[model.__name__], world_b[model.__name__]
        assert admin_url(obj_b, "change") not in page, model
        if str(obj_a) != str(obj_b):
            assert str(obj_b) not in page, model
        # The own row is listed (some lists link to a custom page rather than the change form).
        assert admin_url(obj_a, "change") in page or str(obj_a) in page, model


def test_guessed_urls_of_other_tenant_objects_are_404(finance_a, worlds):
    world_a, world_b = worlds
    for model, _ in scoped_admins():
        obj = world_b[model.__name__]
        for view in ("change", "history", "delete"):
            status = finance_a.get(admin_url(obj, view)).status_code
            # 403 only where the user may not do this to their own tenant's objects either: nothing is revealed.
            own_status = finance_a.get(admin_url(world_a[model.__name__], view)).status_code
            assert status == 404 or status == own_status == 403, (model, view, status)
        assert finance_a.post(admin_url(obj, "delete"), {"post": "yes"}).status_code in (403, 404)
    assert type(world_b["Connection"]).objects.filter(pk=world_b["Connection"].pk).exists()


def test_search_and_filters_do_not_reveal_other_tenants(finance_a, worlds):
    url = reverse("admin:connections_connection_changelist")
    page = finance_a.get(url, {"q": "bravo"}).content.decode()
    assert "Procore bravo" not in page
    page = finance_a.get(url).content.decode()
    assert "Bravo Builders" not in page  # the tenant filter lists only own tenants
    page = finance_a.get(reverse("admin:syncs_syncrecord_changelist")).content.decode()
    assert "Integration bravo" not in page


def test_autocomplete_lists_only_own_tenant(finance_a, worlds):
    response = finance_a.get(
        reverse("admin:autocomplete"),
        {"app_label": "connections", "model_name": "membership", "field_name": "tenant", "term": ""},
    )
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        names = [item["text"] for item in response.json()["results"]]
        assert "Bravo Builders" not in names


def test_foreign_key_choices_are_scoped(client, tenant_a, make_user, worlds):
    admin_user = make_user("adm-a", tenant=tenant_a, role=Role.ADMIN)
    client.force_login(admin_user)
    page = client.get(reverse("admin:syncs_integration_add")).content.decode()
    assert "Procore alpha" in page
    assert "Procore bravo" not in page and "Bravo Builders" not in page


def test_viewer_can_read_but_not_edit(client, tenant_a, make_user, worlds):
    world_a, _ = worlds
    viewer = make_user("view-a", tenant=tenant_a, role=Role.VIEWER)
    client.force_login(viewer)
    integration = world_a["Integration"]
    assert client.get(admin_url(integration, "change")).status_code == 200
    response = client.post(admin_url(integration, "change"), {"name": "renamed"})
    assert response.status_code == 403
    integration.refresh_from_db()
    assert integration.name != "renamed"
    assert client.get(reverse("admin:syncs_integration_add")).status_code == 403


def test_finance_cannot_edit_connections_but_admin_can(client, tenant_a, make_user, worlds):
    world_a, _ = worlds
    client.force_login(make_user("fin-a2", tenant=tenant_a, role=Role.FINANCE))
    assert client.post(admin_url(world_a["Connection"], "change"), {}).status_code == 403


def test_django_q_pages_are_for_superusers_only(finance_a, client, make_user):
    assert finance_a.get(reverse("admin:django_q_schedule_changelist")).status_code == 403
    client.force_login(make_user("root", superuser=True))
    assert client.get(reverse("admin:django_q_schedule_changelist")).status_code == 200


def test_secrets_never_appear_in_admin_pages_or_logs(client, make_user, worlds):
    world_a, _ = worlds
    client.force_login(make_user("root2", superuser=True))
    conn = world_a["Connection"]
    pages = [
        client.get(reverse("admin:connections_connection_changelist")),
        client.get(admin_url(conn, "change")),
        client.get(admin_url(conn, "history")),
        client.get(reverse("admin:connections_connection_add") + "?system=procore"),
    ]
    for response in pages:
        assert response.status_code == 200
        assert SECRET_A not in response.content.decode()
    # The configured console handler (settings.LOGGING), writing into a buffer for the test.
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    previous = console.setStream(buffer)
    try:
        logging.getLogger("connections").warning("loaded %r secrets=%s", conn, conn.secrets)
        logging.getLogger("connections").error("request failed: client_secret=%s", SECRET_A)
        logging.getLogger("connections").error("plain mention of the value %s", SECRET_A)
    finally:
        console.setStream(previous)
    logged = buffer.getvalue()
    assert logged.count("connections") == 3
    assert SECRET_A not in logged


def test_blank_secret_keeps_the_stored_value_and_new_value_replaces_it(client, make_user, worlds):
    world_a, _ = worlds
    conn = world_a["Connection"]
    client.force_login(make_user("root3", superuser=True))
    data = {
        "tenant": conn.tenant_id,
        "name": conn.name,
        "environment": "production",
        "status": "active",
        "status_reason": "",
        "config__company_id": "99",
        "config__login_url": "",
        "config__base_url": "",
        "secret__client_id": "",
        "secret__client_secret": "",
        "secret__webhook_secret": "",
    }
    response = client.post(admin_url(conn, "change"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    conn.refresh_from_db()
    assert conn.settings["company_id"] == "99"
    assert conn.secrets["client_secret"] == SECRET_A
    response = client.post(admin_url(conn, "change"), {**data, "secret__client_secret": "new-one-xyz"})
    assert response.status_code == 302
    conn.refresh_from_db()
    assert conn.secrets["client_secret"] == "new-one-xyz"


def test_configuration_is_validated_against_the_registry(client, make_user, worlds, tenant_a):
    client.force_login(make_user("root4", superuser=True))
    response = client.post(
        reverse("admin:connections_connection_add") + "?system=procore",
        {
            "tenant": tenant_a.pk,
            "name": "bad",
            "environment": "production",
            "config__company_id": "abc",
            "secret__client_id": "x",
            "secret__client_secret": "y",
        },
    )
    assert response.status_code == 200
    assert "Company ID must be a whole number" in response.content.decode()


def test_superuser_pages_of_django_q_never_answer_500(client, make_user):
    client.force_login(make_user("root", superuser=True))
    for name in ("success", "failure", "ormq", "schedule"):
        assert client.get(f"/admin/django_q/{name}/").status_code == 200
    assert client.get("/admin/django_q/success/add/").status_code == 403
    assert client.get("/admin/django_q/failure/add/").status_code == 403


def test_testing_a_connection_against_a_server_that_is_not_the_vendor_says_so(client, make_user, tenant_a):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from connections.models import Connection

    class NotAnApi(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>a login page, not an API</html>")

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotAnApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    connection = Connection.objects.create(
        tenant=tenant_a, system="procore", name="Elsewhere", environment="simulator",
        settings={"company_id": "7", "base_url": url, "login_url": url},
        secrets={"client_id": "id", "client_secret": "s3cret-value"},
    )  # fmt: skip
    client.force_login(make_user("root", superuser=True))
    try:
        response = client.post(
            reverse("admin:connections_connection_changelist"),
            {"action": "test_connection", "_selected_action": [connection.pk]},
            follow=True,
        )
    finally:
        server.shutdown()
    assert response.status_code == 200
    text = response.content.decode()
    assert "answered 200 with an HTML page instead of the API" in text
    assert "a login page" not in text and "s3cret-value" not in text


def test_thirty_wrong_passwords_lock_the_account_even_against_the_right_one(client, make_user, tenant_a):
    make_user("alice", tenant=tenant_a, role=Role.FINANCE)
    for _ in range(30):
        client.post("/admin/login/", {"username": "alice", "password": "guess"})
    response = client.post("/admin/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert b"correct username and password" in response.content  # no word on why: nothing for a guesser
    make_user("bob", tenant=tenant_a)
    client.post("/admin/login/", {"username": "bob", "password": "guess"})
    response = client.post("/admin/login/", {"username": "bob", "password": "pw-bob"})
    assert response.status_code == 302, "a few mistakes do not lock an account"
