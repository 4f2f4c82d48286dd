"""Search IDs and phones on their own columns and narrow the trigram index.

search_text loses IDs and phones (Customer.build_search_text), so existing rows
are rebuilt here, and ID and phone prefixes get b-tree indexes with the pattern
operator class.
"""

from django.conf import settings
from django.db import migrations, models

from core.text import fold

BATCH_SIZE = 2000


def rebuild_search_text(apps, schema_editor):
    # The migration state has no model methods, so this repeats
    # Customer.build_search_text as of this migration.
    Customer = apps.get_model("customers", "Customer")
    fields = ["name", "trade_name", "address", "barrio", "email"]
    batch = []
    for customer in Customer.objects.only("id", "search_text", *fields).iterator(
        chunk_size=BATCH_SIZE
    ):
        parts = [getattr(customer, field) for field in fields]
        customer.search_text = fold(" ".join(part for part in parts if part))
        batch.append(customer)
        if len(batch) >= BATCH_SIZE:
            Customer.objects.bulk_update(batch, ["search_text"])
            batch.clear()
    Customer.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_drop_redundant_indexes"),
        ("zones", "0002_load_municipalities"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="customer",
            name="customer_unique_id_number",
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["phone"],
                name="customer_phone_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["mobile"],
                name="customer_mobile_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                fields=("id_number",),
                name="customer_unique_id_number",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        # The reverse leaves the narrower text, which old code searches too.
        migrations.RunPython(rebuild_search_text, migrations.RunPython.noop),
    ]
