"""Canary credentials in a connection of every system, every connector made to fail, then everywhere a person or
a log could read searched: no canary anywhere but in the requests the simulators received."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import traceback

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_q.models import Task

from connections.redaction import RedactingFilter
from connections.registry import SYSTEMS
from sandbox.testing import SandboxControl
from syncs.engine import adapter_for
from syncs.flows import FLOWS
from syncs.models import AuditEvent, Integration, SyncRecord, SyncRun, WebhookEvent
from syncs.tasks import run_flow_task
from tests.contract.systems import SYSTEMS as CONTRACT

pytestmark = pytest.mark.django_db
#: identifiers, not secrets: they may be named in messages (a user name or client id helps whoever reads the error)
IDENTIFIERS = {"client_id", "username", "user_id"}
FAULTS = {
    "refused": [],  # the canaries themselves are wrong: 401 at sign-in
    "server-error": [("status", {"status": 500})],
    "reset": [("reset_after_write", {})],
}


def canaries_for(system: str) -> dict[str, str]:
    return {field.name: f"CANARY{field.name.upper()}{secrets.token_hex(8)}" for field in SYSTEMS[system].secret_fields}


def plant_tokens(connection) -> dict[str, str]:
    """A cached token pair that looks valid, so the connector sends it to the API and is told it is not."""
    tokens = {key: f"CANARY{key.upper()}{secrets.token_hex(8)}" for key in ("access_token", "refresh_token")}
    connection.token_state = {**(connection.token_state or {}), **tokens, "session_id": tokens["access_token"]}
    connection.token_expires_at = timezone.now() + dt.timedelta(hours=1)
    connection.save(update_fields=["token_state", "token_expires_at"])
    return tokens


def capture_requests(monkeypatch) -> list[str]:
    """What goes on the wire (URL, headers, body) of every outbound request, for the proof the canaries were used."""
    import requests

    seen, send = [], requests.Session.send

    def recording_send(session, request, **kwargs):
        body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else str(request.body)
        seen.append(f"{request.url}\n{dict(request.headers)}\n{body}")
        return send(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", recording_send)
    return seen


def exercise(adapter) -> list[str]:
    """check(), reference() and changed() of an adapter; the text of every exception they raise."""
    texts = []
    calls = []
    calls += [lambda kind=kind: list(adapter.reference(kind)) for kind in adapter.reference_kinds]
    calls += [lambda entity=entity: list(adapter.changed(entity, None)) for entity in adapter.reads]
    for call in [adapter.check, *calls]:
        try:
            result = call()
            texts.append(repr(result)[:20_000])
        except Exception as exc:  # every kind: the text is what is searched
            texts.append("".join(traceback.format_exception(exc)))
    return texts


def run_every_flow(connection, other) -> list[str]:
    """A sync that fails: every flow of an integration whose one side is the failing connection."""
    integration = Integration.objects.create(
        tenant=connection.tenant, name="Canary", source=connection, destination=other, flows=list(FLOWS)
    )
    texts = []
    for key in FLOWS:
        try:
            run_flow_task(integration.pk, key, "manual")
        except Exception as exc:
            texts.append("".join(traceback.format_exception(exc)))
    return texts


def admin_pages(connection) -> list[str]:
    root = Client(raise_request_exception=False)
    from django.contrib.auth import get_user_model

    root.force_login(get_user_model().objects.create_superuser("canary-root", password="x"))
    urls = [
        reverse("admin:connections_connection_changelist"),
        reverse("admin:connections_connection_change", args=[connection.pk]),
        reverse("admin:connections_connection_history", args=[connection.pk]),
        reverse("admin:syncs_syncrecord_changelist"),
        reverse("admin:syncs_auditevent_changelist"),
        reverse("admin:syncs_syncrun_changelist"),
        reverse("admin:syncs_webhookevent_changelist"),
        reverse("admin:connections_apiusage_changelist"),
        reverse("admin:django_q_failure_changelist"),
        reverse("admin:django_q_success_changelist"),
    ]
    for name, model in (("syncs_syncrecord", SyncRecord), ("syncs_syncrun", SyncRun), ("django_q_failure", Task)):
        urls += [reverse(f"admin:{name}_change", args=[pk]) for pk in model.objects.values_list("pk", flat=True)]
    pages = []
    for url in urls:
        response = root.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        pages.append(response.content.decode("utf-8", "replace"))
    return pages


def stored_rows() -> list[str]:
    rows = []
    for model in (AuditEvent, SyncRecord, SyncRun, WebhookEvent):
        rows += [json.dumps(row, default=str) for row in model.objects.values()]
    rows += [repr((t.name, t.func, t.args, t.kwargs, t.result)) for t in Task.objects.all()]
    return rows


@pytest.mark.parametrize("scenario", sorted(FAULTS))
@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_canary_credentials_never_leave_the_requests(system, scenario, sandbox, tenant_a, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(RedactingFilter())  # the filter every configured handler has (settings.LOGGING)
    control = SandboxControl(sandbox.base_url, system)
    control.reset()
    control.seed(preset="demo")  # the vendor's side of the account: users who can consent, records to read
    planted = canaries_for(system)
    connection = CONTRACT[system].connection(tenant_a, sandbox.base_url, **planted)
    other_system = "acumatica" if system != "acumatica" else "procore"
    other = CONTRACT[other_system].connection(tenant_a, sandbox.base_url, **canaries_for(other_system))
    tokens = plant_tokens(connection) if scenario == "refused" else {}
    for kind, params in FAULTS[scenario]:
        control.fault(kind, times=None, **params)
    sent_requests = capture_requests(monkeypatch)
    texts = exercise(adapter_for(connection))
    texts += run_every_flow(connection, other)
    connection.refresh_from_db()
    texts.append(connection.status_reason)

    wanted = {name: value for name, value in {**planted, **tokens}.items() if name not in IDENTIFIERS}
    # The canaries were really sent: otherwise finding none of them anywhere else would prove nothing.
    sent = "\n".join(sent_requests)
    assert any(value in sent for value in wanted.values()), f"no canary was sent to {system}'s simulator"
    haystacks = {
        "logs": [caplog.handler.format(record) for record in caplog.records],
        "exceptions and results": texts,
        "stored rows": stored_rows(),
        "admin pages": admin_pages(connection),
    }
    hits = [
        f"{where}: {name}"
        for where, texts in haystacks.items()
        for text in texts
        for name, value in wanted.items()
        if value in (text or "")
    ]
    control.clear_faults()
    assert sorted(set(hits)) == []


def test_a_planted_canary_is_found_when_it_leaks(tenant_a, caplog):
    """The search above can fail: a canary logged without the configured filter is seen."""
    caplog.set_level(logging.DEBUG)
    canary = canaries_for("procore")["client_secret"]
    logging.getLogger("connections").debug("posting with %s", canary)
    assert any(canary in caplog.handler.format(record) for record in caplog.records)
