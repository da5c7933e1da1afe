"""Project maps and cost-center rules: sources that group costs by job, class or cost center reach the right
destination project and cost code, and a line that cannot is held naming itself."""

import datetime as dt
from decimal import Decimal

import pytest

from mappings import csv_io
from mappings.grid import blocking, project_rows, unmatched_lines
from mappings.models import AccountRule, ProjectMap, ReferenceRecord, VendorMap
from mappings.resolve import Maps, resolve, resolved_keys
from syncs.canonical import Bill, BillLine, Ref
from syncs.models import RecordState, SyncRecord

REQUIRED = {"project_required": True}


def bill(*lines):
    return Bill(
        native_id="b1",
        vendor=Ref(native_id="V", name="Acme"),
        number="INV-1",
        date=dt.date(2025, 3, 1),
        currency="USD",
        lines=list(lines),
    )


def line(amount, account="6100", description="Rebar", job=None, cost_center=""):
    return BillLine(
        amount=Decimal(amount), account=account, description=description, project=job, cost_center=cost_center
    )


JOB_A = Ref(native_id="58", code="", name="Harbor Tower")
JOB_B = Ref(native_id="59", code="", name="Elm Street School")


@pytest.fixture
def routed(integration, ref):
    job_a = ref(integration.source, "customer", "58", "", "Harbor Tower")
    ref(integration.source, "customer", "59", "", "Elm Street School")
    tower = ref(integration.destination, "project", "101", "HT-01", "Harbor Tower")
    ref(integration.destination, "project", "102", "ES-02", "Elm Street School")
    ProjectMap.objects.create(integration=integration, source=job_a, destination=tower)
    vendor = ref(integration.source, "vendor", "V", "", "Acme")
    VendorMap.objects.create(
        integration=integration, source=vendor, destination=ref(integration.destination, "vendor", "ACME")
    )
    AccountRule.objects.create(integration=integration, order=10, account_code="6100", cost_code="03-100")
    AccountRule.objects.create(
        integration=integration,
        order=5,
        account_code="6100",
        cost_center="CC-STEEL",
        cost_code="05-120",
        cost_type="M",
    )
    return {"tower": tower}


def test_a_mapped_job_puts_each_line_on_its_destination_project(integration, routed):
    resolution = resolve(integration, bill(line("10.00", job=JOB_A)), options=REQUIRED)
    assert resolution.ok, resolution.errors
    assert resolution.record.lines[0].dimensions["project"] == "HT-01"
    assert resolution.record.lines[0].dimensions["cost_code"] == "03-100"


def test_an_unmapped_job_holds_the_record_naming_the_line_and_the_job(integration, routed):
    errors = resolve(integration, bill(line("10.00", job=JOB_A), line("5.00", job=JOB_B)), options=REQUIRED).errors
    assert [error.key for error in errors] == ["project:59"]
    assert "line 2 ('Rebar')" in errors[0].message and "Elm Street School" in errors[0].message


def test_without_the_option_an_unrouted_line_is_left_to_the_destination(integration, routed):
    assert resolve(integration, bill(line("5.00", job=JOB_B))).ok


def test_a_line_with_no_job_at_all_is_held_when_the_destination_needs_one(integration, routed):
    errors = resolve(integration, bill(line("5.00")), options=REQUIRED).errors
    assert errors[0].kind == "project" and "names no project" in errors[0].message


def test_a_map_row_to_an_inactive_project_holds_the_record(integration, routed):
    routed["tower"].active = False
    routed["tower"].save()
    errors = resolve(integration, bill(line("10.00", job=JOB_A)), options=REQUIRED).errors
    assert errors[0].key == "project:58" and "inactive" in errors[0].message


def test_cost_center_rules_win_over_account_only_rules_by_order(integration, routed):
    lines = [line("1.00", job=JOB_A, cost_center="CC-STEEL"), line("2.00", job=JOB_A, cost_center="CC-OTHER")]
    resolved = resolve(integration, bill(*lines), options=REQUIRED).record.lines
    assert [(one.dimensions["cost_code"], one.dimensions["cost_type"]) for one in resolved] == [
        ("05-120", "M"),
        ("03-100", ""),
    ]


def test_an_unmatched_account_and_cost_center_is_keyed_by_both(integration, routed):
    errors = resolve(integration, bill(line("1.00", account="7000", job=JOB_A, cost_center="CC-9"))).errors
    assert [error.key for error in errors] == ["account_rule:7000@CC-9"]
    maps = Maps(integration)
    assert resolved_keys(maps, {"account_rule:7000@CC-9"}) == set()
    AccountRule.objects.create(integration=integration, account_code="7000", cost_center="CC-9", cost_code="09-900")
    assert resolved_keys(Maps(integration), {"account_rule:7000@CC-9"}) == {"account_rule:7000@CC-9"}


def test_the_grid_counts_records_each_job_and_account_blocks(integration, routed):
    for number, lines in enumerate(
        [[line("1", job=JOB_B)], [line("1", job=JOB_B), line("2", account="7000", job=JOB_A)]]
    ):
        errors = resolve(integration, bill(*lines), options=REQUIRED).errors
        SyncRecord.objects.create(
            integration=integration,
            flow="ap_bills",
            source_id=f"b{number}",
            idempotency_key=f"k{number}",
            state=RecordState.NEEDS_MAPPING,
            mapping_errors=[error.__dict__ for error in errors],
        )
    maps = Maps(integration)
    block = blocking(integration, maps)
    rows = {row.source.native_id: row for row in project_rows(integration, maps, block)}
    assert rows["59"].blocked == 2 and not rows["59"].mapped
    assert rows["58"].mapped and rows["58"].blocked == 0
    assert rows["59"].suggestion.candidate.code == "ES-02"
    assert [(row["account"], row["blocked"]) for row in unmatched_lines(block)] == [("7000", 1)]


def test_project_maps_round_trip_through_csv(integration, routed, finance):
    text = csv_io.export_csv(integration, "projects")
    assert "customer,58,,Harbor Tower,101,Harbor Tower" in text
    edited = text.replace("customer,59,,Elm Street School,,", "customer,59,,Elm Street School,ES-02,")
    result = csv_io.import_csv(integration, "projects", edited.encode(), finance)
    assert result.ok, result.errors
    assert ProjectMap.objects.get(source__native_id="59").destination.code == "ES-02"
    refused = csv_io.import_csv(
        integration, "projects", b"source_kind,source_id,destination_id\nvendor,58,101\n", finance
    )
    assert refused.errors and "not listed" in refused.errors[0][1]


def test_account_rule_files_without_a_cost_center_column_still_import(integration, routed, finance, ref):
    ref(integration.destination, "cost_code", "03-100", "03-100", "Concrete")
    data = (
        "id,order,account_code,description_pattern,pattern_syntax,cost_code,cost_type,is_default\n"
        ",1,6200,,glob,03-100,,\n"
    )
    result = csv_io.import_csv(integration, "account_rules", data.encode(), finance)
    assert result.ok, result.errors
    assert AccountRule.objects.get(account_code="6200").cost_center == ""


def test_finance_maps_a_job_on_the_grid_and_a_viewer_cannot(client, integration, routed, finance, viewer, requeued):
    from django.urls import reverse

    job_b = ReferenceRecord.objects.get(connection=integration.source, native_id="59")
    school = ReferenceRecord.objects.get(connection=integration.destination, native_id="102")
    grid = reverse("mappings:grid", args=[integration.pk]) + "?tab=projects"
    save = reverse("mappings:save_project", args=[integration.pk, job_b.pk])
    client.force_login(viewer)
    page = client.get(grid).content.decode()
    assert 'data-key="project:59"' in page and "Elm Street School" in page
    assert client.post(save, {"destination": school.pk}).status_code == 403
    client.force_login(finance)
    assert client.post(save, {"destination": school.pk}).status_code == 302
    assert ProjectMap.objects.get(source=job_b).destination == school
    vendor = ReferenceRecord.objects.get(connection=integration.destination, kind="vendor")
    assert client.post(save, {"destination": vendor.pk}).status_code == 404  # not a project of this side
