"""Store the folded name, address and barrio of each competitor's row, so the
list's search finds a request without an account by the name it shows.

The stored requests get the text that
terminations.models.received_search_text writes today.
"""

from django.db import migrations, models

from core.text import fold_street_words

BATCH = 2000


def words_of(received: dict) -> str:
    parts = (
        received.get("NOMBRE SUSCRIPTOR", ""),
        received.get("DIRECCIÓN", ""),
        received.get("BARRIO", ""),
    )
    return fold_street_words(" ".join(parts))


def fill_search_text(apps, schema_editor):
    TerminationRequest = apps.get_model("terminations", "TerminationRequest")
    last = 0
    while True:
        # Batches by primary key: SQLite gives no isolation between a cursor
        # still reading a table and updates to it on the same connection.
        batch = list(
            TerminationRequest.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "received")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1].pk
        for request in batch:
            request.received_search_text = words_of(request.received)
        TerminationRequest.objects.bulk_update(batch, ["received_search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("terminations", "0011_history_reason_as_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="terminationrequest",
            name="received_search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
