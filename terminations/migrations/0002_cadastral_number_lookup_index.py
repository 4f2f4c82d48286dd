"""Index the registry's cadastral numbers for matching competitors' lists.

NOTE: the index lives on the subscribers app's table but is created here, because
matching by cadastral number is this app's need; without it each batch scans the
whole registry. It is raw SQL with no model state, so the subscribers app can adopt
an index of its own later without a name clash.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("terminations", "0001_termination_requests"),
        ("subscribers", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX IF NOT EXISTS termination_match_cadastral_idx "
                "ON subscribers_subscriberaccount (cadastral_number)"
            ),
            reverse_sql="DROP INDEX IF EXISTS termination_match_cadastral_idx",
        )
    ]
