"""Alert rules: each condition is emailed once, to the admins of its own tenant only, links to its fix, resolves
when it clears, and comes back as a new alert if it returns; the digest goes out once a day."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from connections.models import ConnectionStatus
from syncs import alerts
from syncs.models import Alert, RecordState

from .ledger_world import ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(tenant_a, tenant_b, integration_of, members):
    return integration_of(tenant_a), integration_of(tenant_b)


def reauth(connection):
    type(connection).objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.REAUTH_REQUIRED, status_reason="The system rejected our credentials (401)."
    )


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_connection_needing_reauthorisation_is_emailed_once_to_its_tenants_admins(two, now, settings):
    settings.SITE_URL = "https://connector.example.com"
    a, _ = two
    reauth(a.destination)
    assert alerts.check_alerts(now)["emailed"] == 1
    assert recipients() == ["abe@example.com", "ada@example.com"]  # admins of tenant A, one message each
    link = "https://connector.example.com" + reverse("admin:connections_connection_change", args=[a.destination.pk])
    assert all(link in message.body and "Acumatica alpha" in message.body for message in mail.outbox)
    assert all("bravo" not in message.body.lower() for message in mail.outbox)
    for _ in range(3):  # later checks: the condition still holds, nobody is emailed again
        alerts.check_alerts(now + dt.timedelta(minutes=5))
    assert len(mail.outbox) == 2
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 1


def test_a_cleared_condition_resolves_and_a_recurrence_is_a_new_alert(two, now):
    a, _ = two
    reauth(a.source)
    alerts.check_alerts(now)
    type(a.source).objects.filter(pk=a.source.pk).update(status=ConnectionStatus.ACTIVE, status_reason="")
    assert alerts.check_alerts(now)["resolved"] == 1
    assert not alerts.current([a.tenant_id], now)
    reauth(a.source)
    alerts.check_alerts(now)
    assert len(mail.outbox) == 4 and Alert.objects.count() == 2


def test_records_failing_or_waiting_longer_than_the_set_age(two, ledger_row, now, settings):
    settings.ALERT_STALE_HOURS = 6
    a, b = two
    ledger_row(a, RecordState.DEAD, updated_at=ago(now, hours=7))
    ledger_row(a, RecordState.FAILED, updated_at=ago(now, hours=8))
    ledger_row(a, RecordState.FAILED, updated_at=ago(now, hours=1))  # recent: not yet an alert
    ledger_row(a, RecordState.NEEDS_MAPPING, updated_at=ago(now, hours=30))
    ledger_row(b, RecordState.POSTED, updated_at=ago(now, hours=30))  # posted records never alert
    found = {c.key: c for c in alerts.current(None, now)}
    assert set(found) == {f"failing:{a.pk}", f"waiting_mapping:{a.pk}"}
    assert "2 records failing for more than 6 hours" in found[f"failing:{a.pk}"].message
    assert found[f"waiting_mapping:{a.pk}"].link == reverse("mappings:grid", args=[a.pk])
    alerts.check_alerts(now)
    assert len(mail.outbox) == 4 and recipients() == ["abe@example.com"] * 2 + ["ada@example.com"] * 2
    alerts.check_alerts(now)
    assert len(mail.outbox) == 4


def test_the_failing_alert_links_to_a_list_of_those_records(two, ledger_row, now, client, members):
    a, _ = two
    for state in (RecordState.DEAD, RecordState.CONFLICT, RecordState.FAILED):
        ledger_row(a, state, updated_at=ago(now, days=3))
    ledger_row(a, RecordState.POSTED)
    (condition,) = alerts.current([a.tenant_id], now)
    client.force_login(members["admin_a"])
    assert client.get(condition.link).context["cl"].result_count == 3


def test_the_daily_digest_goes_out_once_per_tenant_and_day(two, ledger_row, now):
    a, b = two
    ledger_row(a, RecordState.POSTED, posted_at=ago(now, hours=2))
    ledger_row(b, RecordState.FAILED)
    assert alerts.send_daily_digests(now) == 2
    alerts.send_daily_digests(now + dt.timedelta(minutes=30))
    assert len(mail.outbox) == 3  # two admins in A, one in B, once
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Integration alpha: 1 posted" in bodies["ada@example.com"] and "bravo" not in bodies["ada@example.com"]
    assert "1 failed" in bodies["bob@example.com"].lower()
    assert alerts.send_daily_digests(now + dt.timedelta(days=1)) == 2


def test_dashboard_banners_show_the_users_own_tenants_conditions(two, client, members):
    a, b = two
    reauth(a.destination)
    reauth(b.destination)
    client.force_login(members["viewer_a"])
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="alert-banners"' in page and "Acumatica alpha (Acumatica) needs re-authorisation" in page
    assert "bravo" not in page.lower()


def test_the_schedules_exist_after_migrate():
    from django_q.models import Schedule

    alerts.ensure_alert_schedules()
    alerts.ensure_alert_schedules()
    names = set(Schedule.objects.filter(func__startswith="syncs.alerts.").values_list("name", flat=True))
    assert names == {alerts.CHECK_SCHEDULE, alerts.DIGEST_SCHEDULE}
