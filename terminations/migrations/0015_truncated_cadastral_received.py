"""Mark the truncated cadastral numbers in the requests' received cells.

Migration 0014 kept the 15 digits Excel kept in each truncated request's code,
but the received cells («Datos recibidos») still spelled the float in full,
with made-up digits past the fifteenth. The import now stores those digits
followed by «… (truncado por Excel)», and this migration does the same for
the requests stored before, in the requests and their history.
"""

from django.db import migrations

CODE_LABEL = "CÓDIGO CUENTA / CATASTRO"


def mark_truncated_cells(apps, schema_editor):
    for model_name in ("TerminationRequest", "HistoricalTerminationRequest"):
        model = apps.get_model("terminations", model_name)
        # Only the rows a person must resolve by hand, so few.
        rows = model.objects.filter(cadastral_number_truncated=True).values_list(
            "pk", "received_code", "received"
        )
        for pk, code, received in list(rows):
            if not received or CODE_LABEL not in received:
                continue
            received[CODE_LABEL] = f"{code}… (truncado por Excel)"
            model.objects.filter(pk=pk).update(received=received)


class Migration(migrations.Migration):
    dependencies = [
        ("terminations", "0014_truncated_cadastral_digits"),
    ]

    operations = [
        # The float's spelling is not needed back: the cell's digits past the
        # fifteenth were never in the file.
        migrations.RunPython(mark_truncated_cells, migrations.RunPython.noop),
    ]
