"""Two tenants' worth of objects and the people who look at them, for the access-control tests."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ, Schedule, Task

from connections.models import Connection, Role
from mappings.models import ReferenceRecord
from syncs.models import ApprovalQueue, BillReconciliation, RecordState
from tests.factories import build_tenant_world

from .access_rules import ADMIN, APPS, FINANCE, SUPERUSER, VIEWER

MISSING_ID = "987654"
METRICS_TOKEN = "metrics-token-for-the-access-table-0123456789"
#: a tenant's name as it appears in its objects (build_tenant_world names them after the slug)
MARKERS = {"alpha": re.compile(r"\balpha\b", re.I), "bravo": re.compile(r"\bbravo\b", re.I)}


@dataclass
class Actor:
    name: str
    role: str | None  # None: anonymous
    tenant: str | None  # slug of the actor's tenant
    client: Client
    user: object = None

    def login_again(self):
        if self.user is not None:
            self.client.force_login(self.user)


@dataclass
class World:
    a: dict
    b: dict
    actors: list[Actor] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def objects_a(self) -> dict[str, object]:
        """app_label.model -> tenant A's object (or a shared object for superuser-only pages)."""
        found = {f"{type(obj)._meta.app_label}.{type(obj)._meta.model_name}": obj for obj in self.a.values()}
        return {**found, **self.extra}


def _extras(tenant, slug: str) -> dict:
    """What build_tenant_world leaves out: a connection with a consent-page flow and a dimension item."""
    exact = Connection.objects.create(
        tenant=tenant, system="exact", name=f"Exact {slug}", settings={"region": "nl"},
        secrets={"client_id": f"exact-id-{slug}", "client_secret": f"exact-secret-{slug}"},
    )  # fmt: skip
    return {"exact": exact}


def _dimension(world: dict, slug: str) -> ReferenceRecord:
    return ReferenceRecord.objects.create(
        connection=world["Integration"].destination, kind="subaccount", native_id=f"SUB-{slug}", code=f"SUB-{slug}",
        name=f"Subaccount of {slug}",
    )  # fmt: skip


def _awaiting(integration, slug: str) -> ApprovalQueue:
    return ApprovalQueue.objects.create(
        integration=integration, flow="ap_bills", source_id=f"awaiting-{slug}", label=f"Invoice awaiting {slug}",
        idempotency_key=f"awaiting-key-{slug}", state=RecordState.AWAITING_APPROVAL,
        preview={"VendorRef": {"value": f"INV-{slug}"}},
    )  # fmt: skip


def _queue_objects() -> dict:
    now = timezone.now()
    task = dict(func="math.floor", started=now, stopped=now)
    return {
        "auth.group": Group.objects.create(name="auditors"),
        "django_q.schedule": Schedule.objects.create(name="nightly", func="math.floor", schedule_type="D"),
        "django_q.success": Task.objects.create(id=uuid.uuid4().hex, name="done-task", success=True, **task),
        "django_q.failure": Task.objects.create(id=uuid.uuid4().hex, name="failed-task", success=False, **task),
        "django_q.ormq": OrmQ.objects.create(key="ml-connector", payload="not-a-real-task"),
    }


@pytest.fixture
def world(tenant_a, tenant_b, make_user, settings, monkeypatch):
    # Tasks are queued (rows in the ORM broker, seen by the snapshots) rather than run inline.
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    settings.METRICS_TOKEN = METRICS_TOKEN
    a, b = build_tenant_world(tenant_a, make_user), build_tenant_world(tenant_b, make_user)
    a.update(_extras(tenant_a, "alpha"))
    b.update(_extras(tenant_b, "bravo"))
    a["dimension"], b["dimension"] = _dimension(a, "alpha"), _dimension(b, "bravo")
    for side in (a, b):  # a flow to run, so "Run now" has something to start
        type(side["Integration"]).objects.filter(pk=side["Integration"].pk).update(flows=["ap_bills"])
    for side, slug in ((a, "alpha"), (b, "bravo")):  # the approval queue and the invoice reconciliation
        side["awaiting"] = _awaiting(side["Integration"], slug)
        side["bills"] = BillReconciliation.objects.get(pk=side["Integration"].pk)
    made = World(a, b, extra={**_queue_objects(), "auth.user": a["Membership"].user})
    people = [
        ("anonymous", None, None, None),
        ("viewer-a", VIEWER, "alpha", make_user("viewer-a", tenant=tenant_a, role=Role.VIEWER)),
        ("finance-a", FINANCE, "alpha", make_user("finance-a", tenant=tenant_a, role=Role.FINANCE)),
        ("admin-a", ADMIN, "alpha", make_user("admin-a", tenant=tenant_a, role=Role.ADMIN)),
        ("admin-b", ADMIN, "bravo", make_user("admin-b", tenant=tenant_b, role=Role.ADMIN)),
        ("root", SUPERUSER, None, make_user("root", superuser=True)),
    ]
    for name, role, slug, user in people:
        actor = Actor(name, role, slug, Client(raise_request_exception=False), user)
        actor.login_again()
        made.actors.append(actor)
    made.extra["content_type"] = ContentType.objects.get_for_model(Connection)
    return made


def snapshot() -> dict:
    """Every row of the project's models, django-q2's queue and the users: what a request must not change."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in (*APPS, "admin") and not model._meta.proxy:
            rows = model._base_manager.order_by("pk").values()
            state[model._meta.label] = [{k: v for k, v in row.items() if k != "last_login"} for row in rows]
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in after if before.get(label) != after[label]]


def request_rolled_back(actor: Actor, method: str, path: str, data=None, **extra):
    """Send one request and undo whatever it wrote, so each actor meets the same world. Returns (response, changes)."""
    with transaction.atomic():
        before = snapshot()
        if method == "GET":
            response = actor.client.get(path, data or {}, **extra)
        else:
            response = actor.client.post(path, data or {}, **extra)
        changes = changed_tables(before, snapshot())
        transaction.set_rollback(True)
    return response, changes


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def leaks(actor: Actor, text: str) -> list[str]:
    """Names of the other tenant found in what a tenant member was shown."""
    if actor.role is None:
        return [slug for slug, marker in MARKERS.items() if marker.search(text)]
    if actor.tenant is None:
        return []
    return [slug for slug, marker in MARKERS.items() if slug != actor.tenant and marker.search(text)]
