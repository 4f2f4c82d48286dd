"""Index the folded search text with trigrams on PostgreSQL.

Search filters with `search_text LIKE '%word%'`, which a trigram GIN index serves on
PostgreSQL. SQLite has no such index and scans, which is fast enough for the small
databases it is used with.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS subscriber_search_trgm "
    "ON subscribers_subscriberaccount USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS subscriber_search_trgm"]


def run_on_postgresql(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("subscribers", "0001_initial")]

    operations = [
        migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP))
    ]
