"""Reference pulls against the adapter contract: upsert, mark missing, never delete, schedules."""

import pytest
from django_q.models import Schedule

from connections.systems.base import Adapter, ReferenceItem
from mappings.models import ReferenceRecord
from mappings.pull import ensure_pull_schedule, pull_reference


class FakeAdapter(Adapter):
    """Lists whatever the test puts in `listing`; registered nowhere."""

    reference_kinds = frozenset({"vendor", "account"})

    def __init__(self, connection, listing=None):
        super().__init__(connection)
        self.listing = listing or {}

    def reference(self, kind):
        for item in self.listing.get(kind, []):
            if isinstance(item, Exception):
                raise item
            yield item


def vendors(*names, active=True):
    return [ReferenceItem("vendor", str(i), f"V{i}", name, active) for i, name in enumerate(names, start=1)]


@pytest.mark.django_db
def test_pull_upserts_and_marks_missing(make_connection, tenant_a):
    connection = make_connection(tenant_a, "procore")
    adapter = FakeAdapter(connection, {"vendor": vendors("Star Framing", "Acme"), "account": []})
    assert pull_reference(connection, adapter=adapter)["vendor"] == {
        "seen": 2, "created": 2, "updated": 0, "missing": 0
    }
    adapter.listing["vendor"] = [ReferenceItem("vendor", "1", "V1", "Star Framing, LLC")]
    counts = pull_reference(connection, kinds=["vendor"], adapter=adapter)
    assert counts == {"vendor": {"seen": 1, "created": 0, "updated": 1, "missing": 1}}
    star, acme = ReferenceRecord.objects.filter(connection=connection).order_by("native_id")
    assert star.name == "Star Framing, LLC" and star.is_usable
    assert not acme.active and acme.missing_since is not None  # kept, marked

    adapter.listing["vendor"] = vendors("Star Framing, LLC", "Acme")
    assert pull_reference(connection, kinds=["vendor"], adapter=adapter)["vendor"]["updated"] == 1
    acme.refresh_from_db()
    assert acme.is_usable


@pytest.mark.django_db
def test_failed_listing_marks_nothing_missing(make_connection, tenant_a):
    connection = make_connection(tenant_a, "procore")
    adapter = FakeAdapter(connection, {"vendor": vendors("A", "B")})
    pull_reference(connection, kinds=["vendor"], adapter=adapter)
    adapter.listing["vendor"] = [vendors("A")[0], RuntimeError("page 2 timed out")]
    with pytest.raises(RuntimeError):
        pull_reference(connection, kinds=["vendor"], adapter=adapter)
    assert ReferenceRecord.objects.filter(connection=connection).usable().count() == 2


@pytest.mark.django_db
def test_unknown_kind_is_refused(make_connection, tenant_a):
    connection = make_connection(tenant_a, "procore")
    with pytest.raises(ValueError, match="cannot list cost_code"):
        pull_reference(connection, kinds=["cost_code"], adapter=FakeAdapter(connection))


@pytest.mark.django_db
def test_same_native_id_on_two_connections(make_connection, tenant_a):
    first, second = make_connection(tenant_a, "procore"), make_connection(tenant_a, "acumatica")
    for connection in (first, second):
        pull_reference(connection, kinds=["vendor"], adapter=FakeAdapter(connection, {"vendor": vendors("A")}))
    assert ReferenceRecord.objects.filter(native_id="1").count() == 2


@pytest.mark.django_db
def test_hourly_schedule_per_connection(make_connection, tenant_a):
    connection = make_connection(tenant_a, "procore")
    ensure_pull_schedule(connection)
    ensure_pull_schedule(connection)
    schedule = Schedule.objects.get(name=f"mappings:pull-reference:{connection.pk}")
    assert schedule.func == "mappings.pull.pull_reference_task"
    assert (schedule.args, schedule.minutes) == (repr(connection.pk), 60)


@pytest.mark.django_db(transaction=True)
def test_new_connection_is_scheduled(make_connection, tenant_a):
    connection = make_connection(tenant_a, "procore")
    assert Schedule.objects.filter(name=f"mappings:pull-reference:{connection.pk}").exists()
