"""Sort customers in Spanish alphabetical order on every database.

Lists sorted by the name column, whose order follows the database: byte order
on SQLite and on a PostgreSQL database created with the C.UTF-8 locale, where
«Álvaro» came after «Zapata» and «APARTAHOTEL» before «Adriana». The new column
sort_name holds the name's key from core.text.sort_key, compared byte by byte
(core.fields.SortKeyField), and the name indexes move to it.
"""

import core.fields
from django.conf import settings
from django.db import migrations, models

from core.text import sort_key

BATCH_SIZE = 2000


def fill_sort_names(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    batch = []
    for customer in Customer.objects.only("id", "name").iterator(chunk_size=BATCH_SIZE):
        customer.sort_name = sort_key(customer.name)
        batch.append(customer)
        if len(batch) >= BATCH_SIZE:
            Customer.objects.bulk_update(batch, ["sort_name"])
            batch.clear()
    Customer.objects.bulk_update(batch, ["sort_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_search_words_index"),
        ("zones", "0003_history_reason_as_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="customer",
            options={
                "ordering": ["sort_name", "pk"],
                "verbose_name": "cliente",
                "verbose_name_plural": "clientes",
            },
        ),
        migrations.RemoveIndex(
            model_name="customer",
            name="customers_c_advisor_e5e8f0_idx",
        ),
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_name_id_idx",
        ),
        migrations.AddField(
            model_name="customer",
            name="sort_name",
            field=core.fields.SortKeyField(default="", editable=False),
        ),
        # Filled before the indexes exist, so each is built once.
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["advisor", "sort_name"], name="customers_c_advisor_9c7987_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["sort_name", "id"], name="customer_sort_name_id_idx"
            ),
        ),
    ]
