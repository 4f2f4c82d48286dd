"""Drop the raw-SQL cadastral number index of migration 0002.

The subscribers app now declares the same index in SubscriberAccount.Meta
(`subscriber_cadastral_idx`, migration subscribers 0004), so keeping this one
would make every registry write update two identical b-trees.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("terminations", "0003_manual_match_method"),
        ("subscribers", "0004_cadastral_index_and_fewer_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            sql="DROP INDEX IF EXISTS termination_match_cadastral_idx",
            reverse_sql=(
                "CREATE INDEX IF NOT EXISTS termination_match_cadastral_idx "
                "ON subscribers_subscriberaccount (cadastral_number)"
            ),
        )
    ]
