"""The resolver: destination references filled in, or precise errors with stable keys."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from mappings.models import AccountRule, CostCodeMap, VendorMap
from mappings.resolve import resolve
from syncs.canonical import Bill, BillLine, Ref


def bill(vendor_id="123", lines=None):
    return Bill(
        native_id="b1",
        vendor=Ref(native_id=vendor_id, code="", name="Star Framing, LLC"),
        number="INV-1",
        date=dt.date(2025, 3, 1),
        currency="USD",
        lines=lines
        or [
            BillLine(
                amount=Decimal("100.00"),
                cost_code=Ref(native_id="9001", code="03-310", name="Concrete Formwork"),
                cost_type=Ref(native_id="7", code="", name="Subcontract"),
            )
        ],
    )


@pytest.fixture
def mapped(integration, ref):
    src_vendor = ref(integration.source, "vendor", "123", "", "Star Framing, LLC")
    dst_vendor = ref(integration.destination, "vendor", "STARFRAM", "STARFRAM", "Star Framing LLC")
    account = ref(integration.destination, "account", "5100", "5100", "Subcontract costs")
    sub = ref(integration.destination, "subaccount", "000-000", "000-000", "Default")
    task = ref(integration.destination, "task", "T-03", "03", "Concrete", parent="P-1")
    VendorMap.objects.create(integration=integration, source=src_vendor, destination=dst_vendor)
    CostCodeMap.objects.create(
        integration=integration,
        cost_code="03-310",
        cost_type="Subcontract",
        account=account,
        dimensions={"subaccount": sub.pk, "task": task.pk},
    )
    return {"vendor": dst_vendor, "account": account, "sub": sub}


def test_fills_destination_references(integration, mapped):
    original = bill()
    resolution = resolve(integration, original)
    assert resolution.ok
    assert resolution.record.vendor.destination_id == "STARFRAM"
    line = resolution.record.lines[0]
    assert line.account == "5100"
    assert line.dimensions == {"subaccount": "000-000", "task": "03"}
    assert original.vendor.destination_id is None  # the input is not changed


def test_missing_maps_give_precise_errors_with_stable_keys(integration):
    errors = resolve(integration, bill()).errors
    assert [e.key for e in errors] == ["vendor:123", "cost_code:03-310/Subcontract"]
    assert errors[0].message == (
        "vendor Star Framing, LLC (Procore id 123) is not mapped to an Acumatica vendor "
        f"in integration {integration.name}"
    )
    assert errors[1].message == (
        f"cost code 03-310 / cost type Subcontract has no GL account in integration {integration.name}"
    )
    stored = [dataclasses.asdict(e) for e in errors]
    assert stored[1]["detail"]["cost_code"] == "03-310"


def test_any_cost_type_row_is_the_fallback(integration, ref):
    account = ref(integration.destination, "account", "5200", "5200", "Materials")
    CostCodeMap.objects.create(integration=integration, cost_code="03-310", cost_type="", account=account)
    line = resolve(integration, bill()).record.lines[0]
    assert line.account == "5200"


def test_inactive_destination_is_an_error(integration, mapped):
    mapped["vendor"].missing_since = timezone.now()
    mapped["vendor"].active = False
    mapped["vendor"].save()
    mapped["sub"].active = False
    mapped["sub"].save()
    errors = resolve(integration, bill()).errors
    assert [e.key for e in errors] == ["vendor:123", "cost_code:03-310/Subcontract"]
    assert "inactive or deleted" in errors[0].message and "STARFRAM" in errors[0].message
    assert "subaccount 000-000" in errors[1].message


def test_one_error_per_unmapped_item(integration):
    line = BillLine(amount=Decimal(1), cost_code=Ref("1", "01-100", ""), cost_type=Ref("2", "L", "Labor"))
    errors = resolve(integration, bill(lines=[line, dataclasses.replace(line)])).errors
    assert [e.key for e in errors] == ["vendor:123", "cost_code:01-100/L"]


def test_account_rules_in_order_with_default(integration, ref):
    for code in ("03-310", "01-000"):
        ref(integration.destination, "cost_code", code, code, "")
    ref(integration.destination, "cost_type", "M", "M", "Materials")
    AccountRule.objects.create(integration=integration, order=1, account_code="6100", description_pattern="*lumber*",
                               cost_code="03-310", cost_type="M")
    AccountRule.objects.create(integration=integration, order=2, account_code="6100", description_pattern="^conc",
                               pattern_syntax="regex", cost_code="03-310")
    line = BillLine(amount=Decimal(1), description="Lumber for forms", account="6100")
    other = BillLine(amount=Decimal(1), description="Office coffee", account="6999")
    result = resolve(integration, bill(lines=[line, other]))
    assert result.record.lines[0].dimensions == {"cost_code": "03-310", "cost_type": "M"}
    assert [e.key for e in result.errors] == ["vendor:123", "account_rule:6999"]
    AccountRule.objects.create(integration=integration, order=99, is_default=True, cost_code="01-000")
    result = resolve(integration, bill(lines=[other]))
    assert result.record.lines[0].cost_code.code == "01-000"


def test_project_and_task_come_from_the_source_project_and_cost_code(integration, mapped, ref):
    ref(integration.source, "project", "555", "2024-001", "Riverside")
    ref(integration.source, "project", "556", "2024-009", "Not in the books")
    project = ref(integration.destination, "project", "2024-001", "2024-001", "Riverside")
    ref(integration.destination, "task", "2024-001/03-310", "03-310", "Formwork", parent="2024-001")
    ref(integration.destination, "task", "2024-002/03-310", "03-310", "Formwork", parent="2024-002")
    ref(integration.destination, "cost_type", "2024-001/03-310/S", "S", "Subcontract", parent="2024-001/03-310")
    ref(integration.destination, "cost_type", "2024-001/03-310/M", "M", "Material", parent="2024-001/03-310")
    row = CostCodeMap.objects.get(integration=integration)
    row.cost_type, row.dimensions = "S", {"subaccount": mapped["sub"].pk}
    row.save()

    def line(project_id, code="03-310"):
        return BillLine(
            amount=Decimal("100.00"),
            cost_code=Ref(native_id="9001", code=code, name=""),
            cost_type=Ref(native_id="7", code="S", name="Subcontract"),
            project=Ref(native_id=project_id),  # the source's id only: its code is the one the source lists
        )

    CostCodeMap.objects.create(integration=integration, cost_code="99-000", cost_type="", account=mapped["account"])
    result = resolve(integration, bill(lines=[line("555"), line("556"), line("555", code="99-000")]))
    assert result.ok, result.errors
    matched, elsewhere, no_task = result.record.lines
    assert matched.dimensions == {"subaccount": "000-000", "project": "2024-001", "task": "03-310", "cost_type": "S"}
    assert elsewhere.dimensions == {"subaccount": "000-000"}, "no destination project with that code: none set"
    assert no_task.dimensions == {"project": "2024-001"}, "the project has no task with that code"

    # A map row that names a task keeps it (and the task's cost types are not the line's); a matching destination
    # project that is inactive holds the record with the reason, never posts it without the project.
    row.dimensions = {"subaccount": mapped["sub"].pk, "task": ref(integration.destination, "task", "T-9", "09").pk}
    row.save()
    dimensions = resolve(integration, bill(lines=[line("555")])).record.lines[0].dimensions
    assert dimensions == {"subaccount": "000-000", "project": "2024-001", "task": "09"}
    project.active = False
    project.save()
    held = resolve(integration, bill(lines=[line("555")]))
    assert not held.ok and held.errors[0].key == "project:2024-001"
    assert "inactive or closed" in held.errors[0].message
