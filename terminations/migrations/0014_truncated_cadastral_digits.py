"""Keep only the digits Excel kept of the truncated cadastral numbers stored.

The import stored a cadastral number that Excel saved as a number cell as the
float's full decimal expansion (`7.314800050000002e+29` became
`731480005000000193146002604032`), or, from a CSV in scientific notation, as
the digits shown padded with zeros to 30. Past the first 15 those digits are
made up. Both can be told apart from a real code by the request's
cadastral_number_truncated flag, and both read back as the same float, so
each becomes the 15 digits the import stores today
(terminations.matching.excel_digits), in the requests and their history.

NOTE: A number written in a CSV with fewer than 15 digits («7.3449E+29»)
gets zeros up to 15, as today's import gives it.
"""

from decimal import Decimal

from django.db import migrations

EXCEL_SIGNIFICANT_DIGITS = 15


def excel_digits(stored: str) -> str:
    # The same steps as terminations.matching.excel_digits, kept here as they
    # are today.
    significant = Decimal(repr(float(stored))).normalize().as_tuple().digits
    digits = "".join(str(digit) for digit in significant)
    return digits[:EXCEL_SIGNIFICANT_DIGITS].ljust(EXCEL_SIGNIFICANT_DIGITS, "0")


def keep_excel_digits(apps, schema_editor):
    for model_name in ("TerminationRequest", "HistoricalTerminationRequest"):
        model = apps.get_model("terminations", model_name)
        # Only the rows a person must resolve by hand, so few.
        rows = list(
            model.objects.filter(cadastral_number_truncated=True).values_list(
                "pk", "received_code"
            )
        )
        for pk, code in rows:
            if not code.isdigit() or len(code) <= EXCEL_SIGNIFICANT_DIGITS:
                continue
            model.objects.filter(pk=pk).update(received_code=excel_digits(code))


class Migration(migrations.Migration):
    dependencies = [
        ("terminations", "0013_request_list_received_columns"),
    ]

    operations = [
        # The noise digits cannot be told back, and the shorter codes work as
        # well with the code before this migration.
        migrations.RunPython(keep_excel_digits, migrations.RunPython.noop),
    ]
