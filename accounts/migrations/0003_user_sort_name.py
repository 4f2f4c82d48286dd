"""Sort users in Spanish alphabetical order on every database.

Users were ordered by first_name and last_name, whose order follows the
database: byte order on SQLite and on a PostgreSQL database created with the
C.UTF-8 locale, where «Álvaro» came after «Zapata». The new column sort_name
holds the key of the user's displayed name (full name, else user name) from
core.text.sort_key, compared byte by byte (core.fields.SortKeyField).
"""

import core.fields
from django.db import migrations

from core.text import sort_key


def fill_sort_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = list(User.objects.only("id", "username", "first_name", "last_name"))
    for user in users:
        full_name = f"{user.first_name} {user.last_name}".strip()
        user.sort_name = sort_key(full_name or user.username)
    User.objects.bulk_update(users, ["sort_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_create_role_groups"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["sort_name", "pk"],
                "verbose_name": "usuario",
                "verbose_name_plural": "usuarios",
            },
        ),
        migrations.AddField(
            model_name="user",
            name="sort_name",
            field=core.fields.SortKeyField(default="", editable=False),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
    ]
