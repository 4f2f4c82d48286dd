"""Load the municipalities of Tolima and its neighbours with their DANE DIVIPOLA codes."""

from django.db import migrations

# (DANE code, name, department, landline prefix)
MUNICIPALITIES = [
    ("73001", "Ibagué", "Tolima", "608"),
    ("73024", "Alpujarra", "Tolima", "608"),
    ("73026", "Alvarado", "Tolima", "608"),
    ("73030", "Ambalema", "Tolima", "608"),
    ("73043", "Anzoátegui", "Tolima", "608"),
    ("73055", "Armero", "Tolima", "608"),
    ("73067", "Ataco", "Tolima", "608"),
    ("73124", "Cajamarca", "Tolima", "608"),
    ("73148", "Carmen de Apicalá", "Tolima", "608"),
    ("73152", "Casabianca", "Tolima", "608"),
    ("73168", "Chaparral", "Tolima", "608"),
    ("73200", "Coello", "Tolima", "608"),
    ("73217", "Coyaima", "Tolima", "608"),
    ("73226", "Cunday", "Tolima", "608"),
    ("73236", "Dolores", "Tolima", "608"),
    ("73268", "Espinal", "Tolima", "608"),
    ("73270", "Falan", "Tolima", "608"),
    ("73275", "Flandes", "Tolima", "608"),
    ("73283", "Fresno", "Tolima", "608"),
    ("73319", "Guamo", "Tolima", "608"),
    ("73347", "Herveo", "Tolima", "608"),
    ("73349", "Honda", "Tolima", "608"),
    ("73352", "Icononzo", "Tolima", "608"),
    ("73408", "Lérida", "Tolima", "608"),
    ("73411", "Líbano", "Tolima", "608"),
    ("73443", "San Sebastián de Mariquita", "Tolima", "608"),
    ("73449", "Melgar", "Tolima", "608"),
    ("73461", "Murillo", "Tolima", "608"),
    ("73483", "Natagaima", "Tolima", "608"),
    ("73504", "Ortega", "Tolima", "608"),
    ("73520", "Palocabildo", "Tolima", "608"),
    ("73547", "Piedras", "Tolima", "608"),
    ("73555", "Planadas", "Tolima", "608"),
    ("73563", "Prado", "Tolima", "608"),
    ("73585", "Purificación", "Tolima", "608"),
    ("73616", "Rioblanco", "Tolima", "608"),
    ("73622", "Roncesvalles", "Tolima", "608"),
    ("73624", "Rovira", "Tolima", "608"),
    ("73671", "Saldaña", "Tolima", "608"),
    ("73675", "San Antonio", "Tolima", "608"),
    ("73678", "San Luis", "Tolima", "608"),
    ("73686", "Santa Isabel", "Tolima", "608"),
    ("73770", "Suárez", "Tolima", "608"),
    ("73854", "Valle de San Juan", "Tolima", "608"),
    ("73861", "Venadillo", "Tolima", "608"),
    ("73870", "Villahermosa", "Tolima", "608"),
    ("73873", "Villarrica", "Tolima", "608"),
    ("25307", "Girardot", "Cundinamarca", "601"),
    ("25290", "Fusagasugá", "Cundinamarca", "601"),
    ("25488", "Nilo", "Cundinamarca", "601"),
    ("25612", "Ricaurte", "Cundinamarca", "601"),
    ("25386", "La Mesa", "Cundinamarca", "601"),
    ("25743", "Silvania", "Cundinamarca", "601"),
    ("25805", "Tocaima", "Cundinamarca", "601"),
    ("25001", "Agua de Dios", "Cundinamarca", "601"),
    ("11001", "Bogotá, D.C.", "Bogotá, D.C.", "601"),
    ("41001", "Neiva", "Huila", "608"),
]


def load(apps, schema_editor):
    Municipality = apps.get_model("zones", "Municipality")
    Municipality.objects.bulk_create(
        [
            Municipality(
                dane_code=code, name=name, department_name=department, landline_prefix=prefix
            )
            for code, name, department, prefix in MUNICIPALITIES
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    Municipality = apps.get_model("zones", "Municipality")
    Municipality.objects.filter(dane_code__in=[row[0] for row in MUNICIPALITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("zones", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
