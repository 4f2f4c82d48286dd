"""Spell the street words of the stored search text one way.

Registry search now normalises street-type words and the number sign in the
stored text and in the query alike ("calle", "cll" → "cl", "carrera", "cra" →
"kr", "no.", "#" → "#"), so the stored text of every account is rewritten. Only
accounts whose text changes are updated. On PostgreSQL the trigram index of
the text without spaces is dropped before the rewrite and built again after
it, once over the final rows, as migration 0005 does. The other indexes stay.
"""

from django.db import migrations

from core.text import fold

BATCH = 5000
COMPACT_INDEX = "subscriber_search_compact_trgm"
# The expression must stay the one subscribers.models.search_text_without_spaces
# builds, or PostgreSQL will not use the index for it.
CREATE_COMPACT_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {COMPACT_INDEX} ON subscribers_subscriberaccount "
    "USING gin ((REPLACE(search_text, ' ', '')) gin_trgm_ops)"
)

# core.text.STREET_WORDS as of this migration, kept here so that later changes
# to it do not change what this migration writes.
STREET_WORDS = {
    "calle": "cl",
    "cll": "cl",
    "clle": "cl",
    "cl": "cl",
    "carrera": "kr",
    "cra": "kr",
    "kra": "kr",
    "carr": "kr",
    "cr": "kr",
    "kr": "kr",
    "avenida": "av",
    "avda": "av",
    "av": "av",
    "diagonal": "dg",
    "diag": "dg",
    "dg": "dg",
    "transversal": "tv",
    "transv": "tv",
    "tv": "tv",
    "numero": "#",
    "num": "#",
    "nro": "#",
    "no": "#",
    "n°": "#",
}
STREET_WORDS_DOTTED = {
    **STREET_WORDS,
    **{f"{word}.": short for word, short in STREET_WORDS.items()},
}


def folded_words(account: dict) -> str:
    """The search text before this migration: name, address and barrio, folded."""
    parts = (account["name"], account["address"], account["barrio"])
    return fold(" ".join(part for part in parts if part))


def street_words_one_way(account: dict) -> str:
    """The search text of this migration: folded_words with the street words
    spelled one way, as core.text.normalise_street_words does."""
    text = folded_words(account)
    if "#" in text:
        text = text.replace("#", " # ")
    return " ".join(STREET_WORDS_DOTTED.get(word, word) for word in text.split())


def rewrite(apps, schema_editor, build):
    SubscriberAccount = apps.get_model("subscribers", "SubscriberAccount")
    table = SubscriberAccount._meta.db_table
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"DROP INDEX IF EXISTS {COMPACT_INDEX}")
    last = 0
    while True:
        # Batches by primary key: SQLite gives no isolation between a cursor
        # still reading a table and updates to it on the same connection.
        batch = list(
            SubscriberAccount.objects.filter(pk__gt=last)
            .order_by("pk")
            .values("pk", "name", "address", "barrio", "search_text")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1]["pk"]
        changed = [
            (account["pk"], text)
            for account in batch
            if (text := build(account)) != account["search_text"]
        ]
        if not changed:
            continue
        keys = [key for key, _text in changed]
        texts = [text for _key, text in changed]
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
    if postgresql:
        schema_editor.execute(CREATE_COMPACT_INDEX)


def spell_street_words(apps, schema_editor):
    rewrite(apps, schema_editor, street_words_one_way)


def restore_folded_words(apps, schema_editor):
    rewrite(apps, schema_editor, folded_words)


class Migration(migrations.Migration):
    dependencies = [
        ("subscribers", "0006_competitor_unique_nit"),
    ]

    operations = [
        migrations.RunPython(spell_street_words, restore_folded_words),
    ]
