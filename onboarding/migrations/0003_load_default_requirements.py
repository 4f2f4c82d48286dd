"""Load the documents the sales procedure asks of each kind of customer.

Legal entities hand in the RUT, the Cámara de Comercio certificate (with its issue
date; its maximum age stays empty so that CHAMBER_CERTIFICATE_MAX_AGE_DAYS applies)
and the legal representative's cédula. Natural persons hand in their cédula and RUT.
"""

from django.db import migrations

# (person kind, document kind, needs issue date, position)
DEFAULT_REQUIREMENTS = [
    ("juridica", "rut", False, 1),
    ("juridica", "camara_comercio", True, 2),
    ("juridica", "cedula_representante", False, 3),
    ("natural", "cedula", False, 1),
    ("natural", "rut", False, 2),
]


def load(apps, schema_editor):
    DocumentRequirement = apps.get_model("onboarding", "DocumentRequirement")
    for person_kind, kind, needs_issue_date, position in DEFAULT_REQUIREMENTS:
        DocumentRequirement.objects.get_or_create(
            person_kind=person_kind,
            kind=kind,
            defaults={
                "is_required": True,
                "needs_issue_date": needs_issue_date,
                "max_age_days": None,
                "position": position,
            },
        )


def unload(apps, schema_editor):
    DocumentRequirement = apps.get_model("onboarding", "DocumentRequirement")
    for person_kind, kind, _needs_issue_date, _position in DEFAULT_REQUIREMENTS:
        DocumentRequirement.objects.filter(person_kind=person_kind, kind=kind).delete()


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0002_requirement_max_age_help")]

    operations = [migrations.RunPython(load, unload)]
