"""Create the table of Django's database cache (settings.CACHES), so that `migrate`
alone prepares a new database for `make run`, the tests and production."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # createcachetable skips tables that already exist and caches that are not
    # DatabaseCache, so running it again or with another backend does nothing.
    call_command(
        "createcachetable", database=schema_editor.connection.alias, verbosity=0
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0005_outbox_kind_choices")]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
