"""The admin's lists on a large ledger: 1,000,000 SyncRecord rows and 3,000,000 AuditEvent rows.

Rows are inserted with raw SQL in large executemany batches (the ORM would take tens of minutes); every column gets
the value a model instance would store, so the schema of the day is followed without naming its columns. Pages are
loaded with the test Client, signed in as a finance user, five times each; the median time and the queries of the
last load are kept.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

BATCH = 20_000


def seed(integration, records: int, events: int, progress=None) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from syncs.models import AuditEvent, SyncRecord

    now = timezone.now()
    record_table = _Insert(SyncRecord, SyncRecord(integration=integration, flow="ap_bills", state="posted"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {SyncRecord._meta.db_table}")
        first_id = (cursor.fetchone()[0] or 0) + 1
    for start in range(0, records, BATCH):
        rows = []
        for n in range(start, min(records, start + BATCH)):
            stamp = now - dt.timedelta(seconds=records - n)
            rows.append(record_table.row(
                id=first_id + n, source_id=f"requisition:bulk:{n}", label=f"Requisition INV-B{n:07d} - Bulk vendor",
                idempotency_key=f"bulk{n:028d}", destination_id=f"B{n:07d}", source_version=f"v{n}",
                posted_version=f"v{n}", created_at=stamp, updated_at=stamp, posted_at=stamp,
                state="posted" if n % 50 else "failed"))  # fmt: skip
        with transaction.atomic():
            record_table.insert(rows)
        if progress:
            progress.update(start + len(rows), records + events)
    event_table = _Insert(AuditEvent, AuditEvent(integration=integration, kind="posted"))
    per_record = max(1, events // max(records, 1))
    for start in range(0, events, BATCH):
        rows = []
        for n in range(start, min(events, start + BATCH)):
            stamp = now - dt.timedelta(seconds=events - n)
            rows.append(event_table.row(record_id=first_id + (n // per_record) % records, created_at=stamp,
                                        message=f"Created destination record B{n // per_record:07d}."))  # fmt: skip
        with transaction.atomic():
            event_table.insert(rows)
        if progress:
            progress.update(records + start + len(rows), records + events)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class _Insert:
    """One table's INSERT, with every column's value taken from a template instance unless given."""

    def __init__(self, model, template):
        from django.db import connection

        self.connection = connection
        self.fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.name != "id")]
        self.template = {f.attname: getattr(template, f.attname) for f in self.fields}
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})"

    def row(self, **values) -> tuple:
        data = {**self.template, **values}
        return tuple(f.get_db_prep_save(data[f.attname], self.connection) for f in self.fields)

    def insert(self, rows) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)


def measure(tenant, pages: dict[str, str], loads: int = 5) -> dict:
    """{name: url} -> {name: {p50_ms, queries, status}}, signed in as a finance user of the tenant."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from connections.models import Membership, Role

    user, _ = get_user_model().objects.get_or_create(username="bench-finance", defaults={"is_staff": True})
    Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": Role.FINANCE})
    client = Client()
    client.force_login(user)
    results = {}
    for name, url in pages.items():
        times, queries, status = [], 0, 0
        for _ in range(loads):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries, status = len(captured.captured_queries), response.status_code
        results[name] = {"url": url, "p50_ms": round(statistics.median(times), 1), "queries": queries,
                         "status": status}  # fmt: skip
    return results
