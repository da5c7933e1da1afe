"""The mapping grid and CSV views: tenant isolation, roles, editing, suggestions and blocked counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mappings.models import ChangeSource, CostCodeMap, MapChange, VendorMap


@pytest.fixture
def data(integration, ref, blocked_record):
    star = ref(integration.source, "vendor", "123", "", "Star Framing, LLC")
    dest = ref(integration.destination, "vendor", "STARFRAM", "STARFRAM", "Star Framing LLC")
    account = ref(integration.destination, "account", "5100", "5100", "Subcontract costs")
    ref(integration.destination, "subaccount", "000-000", "000-000", "Default")
    vendor_error = {
        "kind": "vendor",
        "key": "vendor:123",
        "label": "Star Framing, LLC (Procore id 123)",
        "message": "...",
        "detail": {"native_id": "123"},
    }
    cost_error = {
        "kind": "cost_code",
        "key": "cost_code:03-310/Subcontract",
        "label": "cost code 03-310",
        "message": "...",
        "detail": {"cost_code": "03-310", "cost_type": "Subcontract"},
    }
    blocked_record(integration, vendor_error, cost_error)
    blocked_record(integration, vendor_error)
    blocked_record(integration, cost_error)
    return {"star": star, "dest": dest, "account": account}


def grid_url(integration, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("mappings:grid", args=[integration.pk]) + (f"?{query}" if query else "")


def test_grid_shows_items_suggestions_and_blocked_counts(client, finance, integration, data):
    client.force_login(finance)
    page = client.get(grid_url(integration)).content.decode()
    assert 'id="blocked-total">3<' in page
    assert "Star Framing, LLC" in page and "same name" in page and 'data-blocked="2"' in page
    page = client.get(grid_url(integration, tab="cost_codes")).content.decode()
    assert 'data-key="cost_code:03-310/Subcontract"' in page and 'name="dim_subaccount"' in page


def test_filter_and_search(client, finance, integration, data, ref):
    ref(integration.source, "vendor", "124", "", "Acme Concrete")
    client.force_login(finance)
    page = client.get(grid_url(integration, state="mapped")).content.decode()
    assert "Star Framing, LLC" not in page and "Acme Concrete" not in page
    page = client.get(grid_url(integration, q="acme")).content.decode()
    assert "Star Framing, LLC" not in page and "Acme Concrete" in page


def test_accepting_and_editing_lower_the_blocked_count(
    client, finance, integration, data, requeued, django_capture_on_commit_callbacks
):
    client.force_login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mappings:save_vendor", args=[integration.pk, data["star"].pk]),
            {"destination": data["dest"].pk, "via": "suggestion"},
        )
    assert response.status_code == 302
    assert MapChange.objects.get().via == ChangeSource.SUGGESTION
    assert 'id="blocked-total">2<' in client.get(grid_url(integration)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("mappings:save_cost_code", args=[integration.pk]),
            {"cost_code": "03-310", "cost_type": "Subcontract", "account": data["account"].pk},
        )
    assert CostCodeMap.objects.get().account == data["account"]
    assert 'id="blocked-total">0<' in client.get(grid_url(integration)).content.decode()
    assert requeued == [integration.pk, integration.pk]


def test_inactive_destination_is_refused(client, finance, integration, data):
    data["dest"].active = False
    data["dest"].save()
    client.force_login(finance)
    response = client.post(
        reverse("mappings:save_vendor", args=[integration.pk, data["star"].pk]),
        {"destination": data["dest"].pk},
        follow=True,
    )
    assert "is inactive or no longer exists" in response.content.decode()
    assert not VendorMap.objects.exists()


def test_viewer_reads_but_cannot_edit(client, viewer, integration, data):
    client.force_login(viewer)
    page = client.get(grid_url(integration)).content.decode()
    assert "read only" in page and 'name="destination"' not in page and "Accept all" not in page
    assert client.get(reverse("mappings:export_csv", args=[integration.pk, "vendors"])).status_code == 200
    for url, body in [
        (reverse("mappings:save_vendor", args=[integration.pk, data["star"].pk]), {"destination": data["dest"].pk}),
        (reverse("mappings:accept_all", args=[integration.pk]), {"threshold": "0.9"}),
        (reverse("mappings:save_cost_code", args=[integration.pk]), {"cost_code": "1", "account": data["account"].pk}),
    ]:
        assert client.post(url, body).status_code == 403
    assert not VendorMap.objects.exists() and not CostCodeMap.objects.exists()


def test_another_tenants_integration_is_a_404(client, tenant_b, make_user, make_integration, integration, data):
    outsider = make_user("olga", tenant_b, "finance")
    make_integration(tenant_b)
    client.force_login(outsider)
    assert client.get(grid_url(integration)).status_code == 404
    assert client.get(reverse("mappings:export_csv", args=[integration.pk, "vendors"])).status_code == 404
    response = client.post(
        reverse("mappings:save_vendor", args=[integration.pk, data["star"].pk]), {"destination": data["dest"].pk}
    )
    assert response.status_code == 404 and not VendorMap.objects.exists()
    assert integration.name not in client.get(reverse("mappings:index")).content.decode()


def test_import_errors_are_shown_by_line(client, finance, integration, data):
    client.force_login(finance)
    upload = SimpleUploadedFile("v.csv", b"source_id,destination_id\n123,STARFRAM\n999,STARFRAM\n", "text/csv")
    response = client.post(reverse("mappings:import_csv", args=[integration.pk, "vendors"]), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "<td>3</td>" in page and "999" in page
    assert not VendorMap.objects.exists()


def test_login_required(client, integration):
    assert client.get(grid_url(integration)).status_code == 302


def test_admin_pages_render(client, finance, integration, data):
    client.force_login(finance)
    for name in ["referencerecord", "vendormap", "costcodemap", "accountrule", "mapchange", "mappingworkspace"]:
        assert client.get(reverse(f"admin:mappings_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:mappings_vendormap_add")).status_code == 200
    page = client.get(reverse("admin:mappings_mappingworkspace_changelist")).content.decode()
    assert reverse("mappings:grid", args=[integration.pk]) in page


def test_another_tenants_reference_ids_answer_like_missing_ones(
    client, finance, integration, data, tenant_b, make_integration, ref
):
    other = make_integration(tenant_b)
    foreign_vendor = ref(other.destination, "vendor", "SECRETV", "SECRETV", "Bravo's secret vendor")
    foreign_account = ref(other.destination, "account", "9999", "9999", "Bravo's secret account")
    client.force_login(finance)
    save_vendor = reverse("mappings:save_vendor", args=[integration.pk, data["star"].pk])
    answers = [
        client.post(save_vendor, {"destination": foreign_vendor.pk}),
        client.post(save_vendor, {"destination": 987654321}),
        client.post(save_vendor, {"destination": "not-a-number"}),
        client.post(
            reverse("mappings:save_cost_code", args=[integration.pk]),
            {"cost_code": "03-310", "account": foreign_account.pk},
        ),
        client.post(
            reverse("mappings:save_cost_code", args=[integration.pk]), {"cost_code": "03-310", "account": "x1"}
        ),
    ]
    assert [answer.status_code for answer in answers] == [404] * 5
    assert len({answer.content for answer in answers}) == 1
    assert all(b"secret" not in answer.content for answer in answers)
    assert not VendorMap.objects.exists() and not CostCodeMap.objects.exists()

    dimension = ref(other.destination, "subaccount", "SECRET-SUB", "SECRET-SUB", "Bravo's subaccount")
    client.post(
        reverse("mappings:save_cost_code", args=[integration.pk]),
        {"cost_code": "03-310", "account": data["account"].pk, "dim_subaccount": dimension.pk},
    )
    assert not CostCodeMap.objects.exists()
    page = client.get(grid_url(integration, tab="cost_codes"), follow=True).content.decode()
    assert "SECRET-SUB" not in page and "Bravo" not in page
