"""Indexes for the admin on a ledger of millions of rows: the dashboard's counts read from indexes alone, and the
ledger search (syncs/admin_ledger.search_filter): its case-insensitive prefix match as an index range, and the amount.

The indexes made by SQL differ by database, so they are not in the model's Meta. The state index has extra columns
on PostgreSQL (INCLUDE, which Django's SQLite backend would warn about). The search indexes: SQLite's LIKE ignores
ASCII case and uses an index only if the index does too (COLLATE NOCASE); Django's istartswith on PostgreSQL compares
UPPER(column), so the index is on that expression, with text_pattern_ops so LIKE 'TERM%' is a range whatever the
database's collation.
"""

from django.db import migrations, models

#: (index name, column) for each column the ledger search matches by prefix
SEARCH_INDEXES = [
    ("ledger_doc_prefix", "document_number"),
    ("ledger_vendor_prefix", "vendor_name"),
    ("ledger_project_prefix", "project_name"),
    ("ledger_source_prefix", "source_id"),
    ("ledger_dest_prefix", "destination_id"),
]
TABLE = "syncs_syncrecord"

#: The dashboard's counts by state: the few rows in a state a person looks at, counted from the index alone. On
#: PostgreSQL it also carries what the stale-record alerts read (updated_at, and the id they count), so those too
#: skip the table; SQLite has the id in every index already, and a wider key there misleads its planner.
STATE_INDEX = "ledger_state_flow"


def create_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    include = " INCLUDE (updated_at, id)" if postgres else ""
    schema_editor.execute(f"CREATE INDEX {STATE_INDEX} ON {TABLE} (state, integration_id, flow){include}")
    for name, column in SEARCH_INDEXES:
        if postgres:
            schema_editor.execute(f"CREATE INDEX {name} ON {TABLE} ((UPPER({column}::text)) text_pattern_ops)")
        else:
            schema_editor.execute(f"CREATE INDEX {name} ON {TABLE} ({column} COLLATE NOCASE)")


def drop_indexes(apps, schema_editor):
    for name in [STATE_INDEX, *(name for name, _ in SEARCH_INDEXES)]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("syncs", "0009_bench_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="syncrecord",
            index=models.Index(fields=["integration", "posted_at", "flow"], name="ledger_posted_flow"),
        ),
        migrations.AddIndex(
            model_name="syncrecord",
            index=models.Index(condition=models.Q(amount__isnull=False), fields=["amount"], name="ledger_amount_set"),
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
