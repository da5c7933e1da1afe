"""CSV import/export (all or nothing, errors by line), history of every change, re-queue on save."""

import csv
import io

import pytest

from mappings.accept import accept_all, map_vendor
from mappings.csv_io import export_csv, import_csv
from mappings.models import AccountRule, ChangeSource, CostCodeMap, MapChange, VendorMap
from mappings.services import delete_map
from syncs.models import AuditEvent, AuditKind


@pytest.fixture
def two_hundred(integration, ref):
    """200 source cost codes and 10 destination accounts."""
    for number in range(200):
        ref(integration.source, "cost_code", f"cc{number}", f"01-{number:03d}", f"Cost code {number}")
    return [ref(integration.destination, "account", f"A{n}", f"51{n:02d}", f"Account {n}") for n in range(10)]


def csv_bytes(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_two_hundred_rows_with_one_bad_change_nothing(
    integration, two_hundred, finance, requeued, django_capture_on_commit_callbacks
):
    rows = [[f"01-{n:03d}", "", "", f"51{n % 10:02d}"] for n in range(200)]
    rows[136][3] = "9999"  # no such account: data line 137 is line 138 of the file
    result = import_csv(
        integration, "cost_codes", csv_bytes(["cost_code", "cost_type", "name", "account"], rows), finance
    )
    assert result.errors == [(138, "account '9999' does not exist or is inactive.")]
    assert not CostCodeMap.objects.exists() and not MapChange.objects.exists() and requeued == []

    rows[136][3] = "5106"
    with django_capture_on_commit_callbacks(execute=True):
        result = import_csv(
            integration, "cost_codes", csv_bytes(["cost_code", "cost_type", "name", "account"], rows), finance
        )
    assert result.ok and CostCodeMap.objects.count() == 200
    assert MapChange.objects.filter(via=ChangeSource.CSV, actor=finance).count() == 200
    assert requeued == [integration.pk]  # once per import, not once per row


def test_cost_code_export_round_trips(integration, two_hundred, finance):
    CostCodeMap.objects.create(integration=integration, cost_code="01-000", cost_type="", account=two_hundred[3])
    text = export_csv(integration, "cost_codes")
    assert text.splitlines()[0] == "cost_code,cost_type,name,account"
    assert "01-000,,Cost code 0,5103" in text
    result = import_csv(integration, "cost_codes", text.encode(), finance)
    assert result.ok and result.changes == []


def test_vendor_import_maps_and_unmaps(integration, ref, finance):
    star = ref(integration.source, "vendor", "123", "", "Star Framing, LLC")
    acme = ref(integration.source, "vendor", "124", "", "Acme")
    dest = ref(integration.destination, "vendor", "STARFRAM", "STARFRAM", "Star Framing LLC")
    ref(integration.destination, "vendor", "OLD", "OLD", "Old vendor", active=False)
    VendorMap.objects.create(integration=integration, source=acme, destination=dest)
    header = ["source_id", "source_code", "source_name", "destination_id", "destination_name"]
    bad = csv_bytes(header, [["123", "", "", "OLD", ""], ["999", "", "", "STARFRAM", ""]])
    assert import_csv(integration, "vendors", bad, finance).errors == [
        (2, "destination: OLD Old vendor (inactive) is inactive or no longer exists."),
        (3, "source vendor id '999' is not listed by the source."),
    ]
    good = csv_bytes(header, [["123", "", "", "STARFRAM", ""], ["124", "", "", "", ""]])
    assert import_csv(integration, "vendors", good, finance).ok
    assert list(VendorMap.objects.values_list("source", "destination")) == [(star.pk, dest.pk)]
    assert '123,,"Star Framing, LLC",STARFRAM,Star Framing LLC' in export_csv(integration, "vendors")


def test_rule_import_replaces_the_table_and_moves_the_default(integration, ref, finance):
    for code in ("03-310", "01-000"):
        ref(integration.destination, "cost_code", code, code, "")
    old = AccountRule.objects.create(integration=integration, order=5, is_default=True, cost_code="01-000")
    header = [
        "id",
        "order",
        "account_code",
        "description_pattern",
        "pattern_syntax",
        "cost_code",
        "cost_type",
        "is_default",
    ]
    bad = csv_bytes(
        header, [["", "1", "6100", "([", "regex", "03-310", "", ""], ["", "2", "", "", "", "04-000", "", ""]]
    )
    errors = import_csv(integration, "account_rules", bad, finance).errors
    assert [line for line, _ in errors] == [2, 3]
    assert "Not a valid regular expression" in errors[0][1] and "No active cost code '04-000'" in errors[1][1]
    good = csv_bytes(
        header,
        [[str(old.pk), "5", "", "", "", "01-000", "", ""], ["", "1", "6100", "*lumber*", "glob", "03-310", "", "yes"]],
    )
    assert import_csv(integration, "account_rules", good, finance).ok
    assert list(AccountRule.objects.order_by("order").values_list("order", "is_default")) == [(1, True), (5, False)]


def test_history_keeps_who_when_before_after(integration, ref, finance, requeued, django_capture_on_commit_callbacks):
    star = ref(integration.source, "vendor", "123", "", "Star Framing, LLC")
    first = ref(integration.destination, "vendor", "V1", "V1", "Star Framing LLC")
    second = ref(integration.destination, "vendor", "V2", "V2", "Star Framing (old)")
    with django_capture_on_commit_callbacks(execute=True):
        row = map_vendor(integration, star, first, finance)
    with django_capture_on_commit_callbacks(execute=True):
        map_vendor(integration, star, second, finance)
        delete_map(row, finance, ChangeSource.ADMIN)
    changes = list(MapChange.objects.order_by("id"))
    assert [c.action for c in changes] == ["create", "update", "delete"]
    assert changes[0].before is None and changes[0].after["destination"]["native_id"] == "V1"
    assert changes[1].before["destination"]["native_id"] == "V1"
    assert changes[1].after["destination"]["native_id"] == "V2"
    assert changes[2].after is None and all(c.actor == finance for c in changes)
    assert AuditEvent.objects.filter(kind=AuditKind.MAPPING, integration=integration).count() == 3
    assert requeued == [integration.pk, integration.pk]  # a delete unblocks nothing


def test_accept_all_takes_only_clear_suggestions_above_threshold(integration, ref, finance, requeued):
    ref(integration.source, "vendor", "1", "", "Star Framing, LLC")
    ref(integration.source, "vendor", "2", "", "ABC Supply")
    ref(integration.source, "vendor", "3", "", "Nothing Alike")
    ref(integration.destination, "vendor", "STAR", "STAR", "Star Framing LLC")
    ref(integration.destination, "vendor", "ABC1", "ABC1", "ABC Supply Co")
    ref(integration.destination, "vendor", "ABC2", "ABC2", "ABC Supply Northwest")
    assert accept_all(integration, finance, threshold=0.9) == {"vendor": 1, "cost_code": 0, "project": 0}
    assert list(VendorMap.objects.values_list("source__native_id", "destination__native_id")) == [("1", "STAR")]
    change = MapChange.objects.get()
    assert change.via == ChangeSource.SUGGESTION and change.actor == finance


def test_catastrophic_patterns_are_refused_at_import_and_a_stored_one_never_runs(integration, ref, finance):
    import time

    ref(integration.destination, "cost_code", "03-310", "03-310", "")
    header = ["id", "order", "account_code", "description_pattern", "pattern_syntax", "cost_code", "cost_type",
              "is_default"]  # fmt: skip
    rows = [["", str(n), "6100", pattern, "regex", "03-310", "", ""] for n, pattern in
            enumerate(["(a+)+$", "(a|aa)*b", r"(\w)\1", "x.*y.*z.*w"], start=1)]  # fmt: skip
    errors = import_csv(integration, "account_rules", csv_bytes(header, rows), finance).errors
    assert [line for line, _ in errors] == [2, 3, 4, 5]
    assert all("Not accepted" in message for _, message in errors)
    assert not AccountRule.objects.exists()

    stored = AccountRule.objects.create(  # written before the check existed
        integration=integration, order=1, account_code="6100", description_pattern="(a+)+$", pattern_syntax="regex",
        cost_code="03-310",
    )  # fmt: skip
    started = time.monotonic()
    assert stored.matches("6100", "a" * 5000 + "!") is False
    assert time.monotonic() - started < 1


def test_a_destination_with_cost_codes_as_a_dimension_round_trips_through_csv(integration, ref, finance):
    account = ref(integration.destination, "account", "50000", "50000", "Subcontract costs")
    dimension = ref(integration.destination, "cost_code", "CC-03", "03-310", "Formwork (ERP)")
    CostCodeMap.objects.create(
        integration=integration,
        cost_code="03-310",
        cost_type="S",
        account=account,
        dimensions={"cost_code": dimension.pk},
    )
    text = export_csv(integration, "cost_codes")
    header = text.splitlines()[0].split(",")
    assert header.count("cost_code") == 1 and "cost_code (destination)" in header
    CostCodeMap.objects.all().delete()
    result = import_csv(integration, "cost_codes", text.encode(), finance)
    assert result.ok, result.errors
    row = CostCodeMap.objects.get(cost_code="03-310", cost_type="S")
    assert row.dimensions == {"cost_code": dimension.pk} and row.account == account
