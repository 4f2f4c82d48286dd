"""Customer import checks on values a file may get wrong: over-long text,
files of another kind, dates and amounts, repeated rows and town names."""

from datetime import date
from decimal import Decimal

import pytest

from core.imports import Severity, run_import
from customers.importer import CustomerImporter
from customers.models import Customer
from customers.tests.test_import_customer_files import write_csv, write_xlsx
from tests.factories import make_customer
from zones.models import Zone


def import_rows(tmp_path, records, **options):
    path = write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";")
    return run_import(CustomerImporter(), path, skip_invalid=True, **options)


@pytest.mark.parametrize(
    ("header", "maximum"),
    [
        ("Nombre comercial", 200),
        ("Dirección", 200),
        ("Barrio", 120),
        ("Zona", 80),
        ("Contacto", 150),
    ],
)
def test_long_text_rejects_row(db, tmp_path, header, maximum):
    records = [["NIT", "Nombre", header], ["900123456", "Aseo S.A.S.", "x" * 300]]
    report = import_rows(tmp_path, records)
    assert report.rejected == 1
    assert not Customer.objects.exists()
    (issue,) = report.errors
    assert issue.row == 2
    assert issue.severity == Severity.ERROR
    assert f"Tiene 300 caracteres; el máximo es {maximum}" in issue.message


def test_long_name_rejects_row_in_dry_run(db, tmp_path):
    records = [["NIT", "Nombre"], ["900123456", "N" * 201]]
    report = import_rows(tmp_path, records, dry_run=True)
    assert report.rejected == 1
    assert "el máximo es 200" in report.errors[0].message


def test_competitor_list_is_rejected(db, tmp_path):
    records = [
        ["No.", "FECHA RADICACIÓN", "CÓDIGO CUENTA / CATASTRO", "NOMBRE SUSCRIPTOR"],
        ["1", "01/10/2026", "148000791", "Alberto Prieto Carvajal"],
    ]
    path = write_xlsx(tmp_path / "novedades.xlsx", records)
    report = run_import(CustomerImporter(), path, skip_invalid=True)
    assert report.created == 0
    assert "solicitudes de terminación de un competidor" in report.errors[0].message


def test_registry_export_is_rejected(db, tmp_path):
    records = [
        ["CODIGO_CUENTA", "NUMERO_DOCUMENTO", "NOMBRE_SUSCRIPTOR", "FECHA_VINCULACION"],
        ["148000032", "1019968196", "LUCERO DIAZ PORTILLA", "2021-07-12"],
    ]
    report = import_rows(tmp_path, records)
    assert report.created == 0
    assert "el catastro de suscriptores" in report.errors[0].message


def test_future_service_date_is_dropped(db, tmp_path):
    records = [
        ["NIT", "Nombre", "Fecha último servicio"],
        ["900123456", "Aseo", "31/12/2099"],
    ]
    report = import_rows(tmp_path, records)
    assert report.created == 1
    assert Customer.objects.get().last_service_date is None
    assert "posterior a hoy" in report.warnings[0].message


def test_negative_amount_is_dropped(db, tmp_path):
    records = [
        ["NIT", "Nombre", "Valor último servicio"],
        ["900123456", "Aseo", "-5000"],
    ]
    report = import_rows(tmp_path, records)
    assert report.created == 1
    assert Customer.objects.get().last_service_amount is None
    assert "no puede ser negativo" in report.warnings[0].message


@pytest.mark.parametrize(
    "town", ["Bogotá", "Bogotá D.C.", "Bogota DC", "BOGOTA", "Bogotá, D.C."]
)
def test_bogota_is_found(db, tmp_path, town):
    records = [["NIT", "Nombre", "Municipio"], ["900123456", "Aseo", town]]
    report = import_rows(tmp_path, records)
    assert not report.warnings
    assert Customer.objects.get().municipality_id == "11001"


REPEATED = [
    ["NIT", "Nombre", "Fecha último servicio", "Valor último servicio"],
    ["900123456", "Hotel Club El Paraíso", "14/10/2025", "8000000"],
    ["900123456", "HOTEL CLUB EL PARAÍSO", "15/09/2025", "7139524"],
]


def test_repeated_row_keeps_latest_service(db, tmp_path):
    import_rows(tmp_path, REPEATED)
    customer = Customer.objects.get()
    assert customer.last_service_date == date(2025, 10, 14)
    assert customer.last_service_amount == Decimal("8000000")
    assert customer.name == "HOTEL CLUB EL PARAÍSO"


def test_older_file_keeps_stored_service(db, tmp_path):
    import_rows(tmp_path, REPEATED[:2])
    import_rows(tmp_path, [REPEATED[0], REPEATED[2]])
    customer = Customer.objects.get()
    assert customer.last_service_date == date(2025, 10, 14)
    assert customer.last_service_amount == Decimal("8000000")


def test_preview_says_zone_will_be_created(db, tmp_path):
    records = [["NIT", "Nombre", "Zona"], ["900123456", "Aseo", "URBNA"]]
    report = import_rows(tmp_path, records, dry_run=True)
    assert any("Se creará la zona «URBNA»" in note for note in report.notes)
    assert not Zone.objects.filter(name="URBNA").exists()


def test_preview_shows_phones_as_written_locally(db, tmp_path):
    records = [["NIT", "Nombre", "Celular"], ["900123456", "Aseo", "3105551234"]]
    report = import_rows(tmp_path, records, dry_run=True)
    assert "310 555 1234" in report.preview[0].values()


def test_preview_shows_customer_type_label(db, tmp_path):
    records = [["NIT", "Nombre", "Tipo cliente"], ["900123456", "Aseo", "ANTIGUO"]]
    report = import_rows(tmp_path, records, dry_run=True)
    assert report.preview[0]["Tipo"] == "Antiguo"


def test_zone_change_of_assigned_customer_is_noted(db, tmp_path, advisor):
    rural = Zone.objects.create(name="RURAL")
    make_customer(id_number="900123456", check_digit="8", zone=rural, advisor=advisor)
    records = [["NIT", "Nombre", "Zona"], ["900123456", "Aseo", "URBANA"]]
    preview = import_rows(tmp_path, records, dry_run=True)
    assert any(
        "pasará a otra zona" in note and "fila 2" in note for note in preview.notes
    )
    report = import_rows(tmp_path, records)
    assert any("pasó a otra zona" in note for note in report.notes)
    customer = Customer.objects.get()
    assert customer.zone.name == "URBANA"
    assert customer.advisor == advisor


def test_repeated_rows_are_explained(db, tmp_path):
    preview = import_rows(tmp_path, REPEATED, dry_run=True)
    assert preview.updated == 1
    assert any("1 fila repite un registro" in note for note in preview.notes)


def test_long_email_is_dropped(db, tmp_path):
    email = "a" * 250 + "@example.com"
    records = [["NIT", "Nombre", "Correo"], ["900123456", "Aseo", email]]
    report = import_rows(tmp_path, records, dry_run=True)
    assert report.created == 1
    assert "no es válido" in report.warnings[0].message
    report = import_rows(tmp_path, records)
    assert Customer.objects.get().email == ""


@pytest.mark.parametrize("amount", ["100000000000000", "9" * 20, "9" * 40])
def test_huge_amount_is_dropped(db, tmp_path, amount):
    records = [
        ["NIT", "Nombre", "Valor último servicio"],
        ["900123456", "Aseo", amount],
    ]
    preview = import_rows(tmp_path, records, dry_run=True)
    assert preview.created == 1
    assert "demasiado grande" in preview.warnings[0].message
    import_rows(tmp_path, records)
    assert Customer.objects.get().last_service_amount is None


def test_largest_amount_is_kept(db, tmp_path):
    records = [
        ["NIT", "Nombre", "Valor último servicio"],
        ["900123456", "Aseo", "99999999999999"],
    ]
    import_rows(tmp_path, records)
    assert Customer.objects.get().last_service_amount == Decimal("99999999999999")


def test_registry_sample_named_as_registry(db, tmp_path):
    records = [
        ["CODIGO_CUENTA", "NUMERO_DOCUMENTO", "NOMBRE_SUSCRIPTOR", "ESTRATO", "USO"],
        ["148000032", "1019968196", "LUCERO DIAZ PORTILLA", "3", "RESIDENCIAL"],
    ]
    report = import_rows(tmp_path, records)
    assert "el catastro de suscriptores" in report.errors[0].message


ROW_WITH_MANY_PROBLEMS = [
    ["NIT", "DV", "Nombre", "Municipio", "Teléfono", "Correo", "Zona"],
    ["800123457", "1", "", "Ciudad Inventada", "12345", "correo-malo", "ZONA X"],
]


def test_rejected_row_lists_every_problem(db, tmp_path):
    report = import_rows(tmp_path, ROW_WITH_MANY_PROBLEMS)
    columns = {(issue.column, issue.severity) for issue in report.errors}
    assert report.rejected == 1
    assert ("DV", Severity.ERROR) in columns
    assert ("Nombre", Severity.ERROR) in columns
    assert ("Municipio", Severity.WARNING) in columns
    assert ("Teléfono", Severity.WARNING) in columns
    assert ("Correo", Severity.WARNING) in columns


def test_rejected_row_creates_no_zone(db, tmp_path):
    report = import_rows(tmp_path, ROW_WITH_MANY_PROBLEMS)
    assert not Zone.objects.filter(name="ZONA X").exists()
    assert not any("ZONA X" in note for note in report.notes)
    assert not Customer.objects.exists()
