"""Search customers by word prefix, with a word index instead of trigrams.

search_text becomes the customer's words (customers.search.build_search_text),
so existing rows are rebuilt here. On PostgreSQL the column search_words, which
the server generates from search_text as a tsvector, and a GIN index over it
replace the trigram index. The index serves "starts a word" matches and builds
in about a fifth of the trigram index's time, which is most of what importing
into an empty customer table spends after the last row. The stored column keeps
the per-row check cheap when a plan tests customers one by one. The model does
not declare it, so Django never writes it. SQLite has neither and scans.
"""

from django.db import migrations

from customers.search import build_search_text

BATCH_SIZE = 2000
WORDS_COLUMN = (
    "ALTER TABLE customers_customer ADD COLUMN search_words tsvector "
    "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_text, ' '))) "
    "STORED"
)
WORDS_INDEX = (
    "CREATE INDEX IF NOT EXISTS customer_search_words ON customers_customer "
    "USING gin (search_words)"
)
TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS customer_search_trgm "
    "ON customers_customer USING gin (search_text gin_trgm_ops)"
)


def run_on_postgresql(*statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


def rebuild_search_text(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    fields = ["name", "trade_name", "address", "barrio", "email"]
    batch = []
    for customer in Customer.objects.only("id", "search_text", *fields).iterator(
        chunk_size=BATCH_SIZE
    ):
        parts = [getattr(customer, field) for field in fields]
        customer.search_text = build_search_text(*parts)
        batch.append(customer)
        if len(batch) >= BATCH_SIZE:
            Customer.objects.bulk_update(batch, ["search_text"])
            batch.clear()
    Customer.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_history_reason_as_text")]

    operations = [
        migrations.RunPython(
            run_on_postgresql("DROP INDEX IF EXISTS customer_search_trgm"),
            run_on_postgresql("DROP INDEX IF EXISTS customer_search_words"),
        ),
        # The reverse keeps the words, which the older substring search finds too.
        migrations.RunPython(rebuild_search_text, migrations.RunPython.noop),
        migrations.RunPython(
            run_on_postgresql(WORDS_COLUMN, WORDS_INDEX),
            run_on_postgresql(
                "ALTER TABLE customers_customer DROP COLUMN search_words",
                TRIGRAM_INDEX,
            ),
        ),
    ]
