"""Search account codes, billing accounts and IDs on b-tree indexes, index the
search text without spaces, and walk broad searches along a covering index.

The search text keeps only name, address and barrio, so every stored account gets
its text rewritten. On PostgreSQL the trigram index of migration 0002 is dropped
before the rewrite, and the trigram index of the text without spaces is built
after it, once over the final rows.
"""

import django.db.models.expressions
from django.db import migrations, models

from core.text import fold

BATCH = 5000
WORD_INDEX = "subscriber_search_trgm"
CREATE_WORD_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {WORD_INDEX} "
    "ON subscribers_subscriberaccount USING gin (search_text gin_trgm_ops)"
)
# The expression must stay the one subscribers.models.search_text_without_spaces
# builds, or PostgreSQL will not use the index for it.
COMPACT_INDEX = "subscriber_search_compact_trgm"
CREATE_COMPACT_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {COMPACT_INDEX} ON subscribers_subscriberaccount "
    "USING gin ((REPLACE(search_text, ' ', '')) gin_trgm_ops)"
)


FIELDS = [
    "account_code",
    "billing_account",
    "id_number",
    "check_digit",
    "name",
    "address",
    "barrio",
]


def words_only(account: dict) -> str:
    """The search text of migration time, kept here so that later changes to the
    model's own function do not change what this migration writes."""
    parts = (account["name"], account["address"], account["barrio"])
    return fold(" ".join(part for part in parts if part))


def with_codes(account: dict) -> str:
    """The search text before this migration: codes and IDs, then the words."""
    check_digit = account["check_digit"]
    parts = [
        account["account_code"],
        account["billing_account"],
        account["id_number"],
        account["id_number"] + check_digit if check_digit else "",
        account["name"],
        account["address"],
        account["barrio"],
    ]
    return fold(" ".join(part for part in parts if part))


def rewrite(apps, schema_editor, build, create_index):
    SubscriberAccount = apps.get_model("subscribers", "SubscriberAccount")
    table = SubscriberAccount._meta.db_table
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"DROP INDEX IF EXISTS {WORD_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {COMPACT_INDEX}")
    last = 0
    while True:
        # Batches by primary key: SQLite gives no isolation between a cursor
        # still reading a table and updates to it on the same connection.
        batch = list(
            SubscriberAccount.objects.filter(pk__gt=last)
            .order_by("pk")
            .values("pk", *FIELDS)[:BATCH]
        )
        if not batch:
            break
        keys = [account["pk"] for account in batch]
        texts = [build(account) for account in batch]
        with schema_editor.connection.cursor() as cursor:
            if postgresql:
                cursor.execute(
                    f"UPDATE {table} SET search_text = rewritten.text "
                    "FROM unnest(%s::bigint[], %s::text[]) AS rewritten(id, text) "
                    f"WHERE {table}.id = rewritten.id",
                    [keys, texts],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET search_text = %s WHERE id = %s",
                    list(zip(texts, keys, strict=True)),
                )
        last = keys[-1]
    if postgresql:
        schema_editor.execute(create_index)


def drop_codes(apps, schema_editor):
    rewrite(apps, schema_editor, words_only, CREATE_COMPACT_INDEX)


def restore_codes(apps, schema_editor):
    rewrite(apps, schema_editor, with_codes, CREATE_WORD_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("subscribers", "0004_cadastral_index_and_fewer_indexes"),
        ("zones", "0002_load_municipalities"),
    ]

    operations = [
        migrations.RunPython(drop_codes, restore_codes),
        migrations.RemoveIndex(
            model_name="subscriberaccount",
            name="subscriber_id_number_idx",
        ),
        migrations.AddIndex(
            model_name="subscriberaccount",
            index=models.Index(
                fields=["account_code"],
                name="subscriber_code_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="subscriberaccount",
            index=models.Index(
                fields=["id_number"],
                name="subscriber_id_number_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="subscriberaccount",
            index=models.Index(
                condition=models.Q(("billing_account", ""), _negated=True),
                fields=["billing_account"],
                name="subscriber_billing_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="subscriberaccount",
            index=models.Index(
                models.F("zone"),
                models.ExpressionWrapper(
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.expressions.CombinedExpression(
                            models.F("id"), "*", models.Value(2654435761)
                        ),
                        "%%",
                        models.Value(4294967296),
                    ),
                    output_field=models.BigIntegerField(),
                ),
                include=(
                    "id",
                    "account_code",
                    "billing_account",
                    "id_number",
                    "check_digit",
                    "search_text",
                ),
                name="subscriber_search_walk_idx",
            ),
        ),
    ]
