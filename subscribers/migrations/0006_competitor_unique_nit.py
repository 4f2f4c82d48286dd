"""Make a competitor's NIT unique once normalised.

Competitors saved through a form already have a normalised NIT (digits only,
without DV), but rows written another way may not, so the NITs are normalised
first. Two competitors left with the same NIT stop the migration: which one the
termination lists belong to is a decision for a person, not for a migration.
Competitors without a NIT are left out of the constraint.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import migrations, models

from customers.identification import IdType, parse_identification


def normalise_nits(apps, schema_editor):
    Competitor = apps.get_model("subscribers", "Competitor")
    by_nit = defaultdict(list)
    for competitor in Competitor.objects.order_by("pk"):
        try:
            identification = parse_identification(
                competitor.nit, competitor.check_digit, IdType.NIT
            )
        except ValidationError:
            # An invalid NIT stays as typed; the competitor's page shows the
            # error at the next save.
            by_nit[competitor.nit].append(competitor.name)
            continue
        if (competitor.nit, competitor.check_digit) != (
            identification.number,
            identification.check_digit,
        ):
            competitor.nit = identification.number
            competitor.check_digit = identification.check_digit
            competitor.save(update_fields=["nit", "check_digit"])
        by_nit[competitor.nit].append(competitor.name)
    repeated = {
        nit: names for nit, names in by_nit.items() if nit and len(names) > 1
    }
    if repeated:
        listed = "; ".join(
            f"NIT {nit}: {', '.join(names)}" for nit, names in sorted(repeated.items())
        )
        raise RuntimeError(
            "Competitors share a NIT, so the NIT cannot become unique. Merge or "
            f"correct them in the admin, then migrate again. {listed}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("subscribers", "0005_search_by_key_columns"),
    ]

    operations = [
        migrations.RunPython(normalise_nits, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="competitor",
            constraint=models.UniqueConstraint(
                condition=models.Q(("nit", ""), _negated=True),
                fields=("nit",),
                name="competitor_unique_nit",
                violation_error_message="Ya hay un competidor con este NIT.",
            ),
        ),
    ]
