"""The customer import: other file shapes, small files and the command."""

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from core.imports import Severity, run_import
from core.models import ImportJob
from customers.import_changes import CUSTOMER_FIELDS
from customers.importer import WRITE_FIELDS, CustomerImporter
from customers.models import Contact, Customer
from tests.factories import make_customer
from zones.models import Zone

SAMPLE = Path(__file__).parent / "data" / "clientes_base_datos.csv"
WRONG_DV_ROWS = [39, 87, 357, 517]
REPEATED_ROWS = {423: 379, 518: 460, 538: 529, 548: 394, 551: 412, 552: 521}
INVALID_EMAIL_ROWS = [77, 164, 556, 565]
# Row 311 contains "5,73052E+11", a number Excel cut to six digits. The mobiles
# starting 324 on rows 314, 547 and 578 are kept although phonenumbers 9.0 does
# not list that block yet.
INVALID_PHONE_ROWS = [311]


def sample_records() -> list[list[str]]:
    text = SAMPLE.read_bytes().decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def write_csv(path: Path, records, *, encoding: str, delimiter: str, newline="\r\n"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(records)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, records):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ASEO VALLE DEL SUMAPAZ - Base de datos de clientes"])
    sheet.append(["Corte: diciembre de 2026"])
    sheet.append([])
    for record in records:
        sheet.append(record)
    workbook.save(path)
    return path


def import_file(path, **options):
    return run_import(CustomerImporter(user=options.pop("user", None)), path, **options)


def rows_with(report, severity, column):
    return sorted(
        {
            issue.row
            for issue in report.errors
            if issue.severity == severity and issue.column == column
        }
    )


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [
        ("utf-8-sig", ";", "\r\n"),
        ("utf-8", ";", "\n"),
        ("utf-8", ",", "\n"),
        ("utf-8-sig", "\t", "\r\n"),
    ],
)
def test_csv_shapes_give_sample_counts(db, tmp_path, encoding, delimiter, newline):
    path = write_csv(
        tmp_path / "clientes.csv",
        sample_records(),
        encoding=encoding,
        delimiter=delimiter,
        newline=newline,
    )
    report = import_file(path, skip_invalid=True)
    assert (report.rows, report.created, report.updated, report.rejected) == (
        600,
        590,
        6,
        4,
    )


def test_xlsx_with_title_rows_gives_sample_counts(db, tmp_path):
    path = write_xlsx(tmp_path / "clientes.xlsx", sample_records())
    report = import_file(path, skip_invalid=True)
    assert report.header_row == 4
    assert (report.rows, report.created, report.updated, report.rejected) == (
        600,
        590,
        6,
        4,
    )


def test_xlsx_rows_are_numbered_as_excel_shows_them(db, tmp_path):
    path = write_xlsx(tmp_path / "clientes.xlsx", sample_records())
    report = import_file(path, skip_invalid=True)
    rejected = sorted(i.row for i in report.errors if i.severity == Severity.ERROR)
    assert rejected == [row + 3 for row in WRONG_DV_ROWS]


def test_xlsx_numeric_id_cells(db, tmp_path):
    records = [["NIT", "DV", "Nombre"], [900123456, 8, "Aseo de Prueba S.A.S."]]
    report = import_file(write_xlsx(tmp_path / "n.xlsx", records))
    assert report.created == 1
    assert Customer.objects.get().check_digit == "8"


def test_dry_run_writes_nothing(db):
    report = import_file(SAMPLE, dry_run=True, skip_invalid=True)
    assert report.created == 590
    assert Customer.objects.count() == 0
    assert Zone.objects.count() == 0


def test_without_skip_invalid_nothing_is_written(db):
    report = import_file(SAMPLE)
    assert report.rejected == 4
    assert not report.committed
    assert Customer.objects.count() == 0


def test_empty_cells_do_not_erase_stored_values(db, tmp_path):
    customer = make_customer(email="compras@hotel.example.com", address="Calle 1 # 2-3")
    records = [
        ["NIT", "Nombre", "Correo", "Dirección", "Barrio"],
        [customer.id_number, customer.name, "", "", "Centro"],
    ]
    report = import_file(
        write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";")
    )
    customer.refresh_from_db()
    assert report.updated == 1
    assert customer.email == "compras@hotel.example.com"
    assert customer.barrio == "Centro"


def test_update_records_history_with_user(db, tmp_path, director):
    customer = make_customer()
    records = [["NIT", "Nombre"], [customer.id_number, "Nuevo Nombre S.A.S."]]
    import_file(
        write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";"),
        user=director,
    )
    latest = customer.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_user, latest.name) == (
        "~",
        director,
        "Nuevo Nombre S.A.S.",
    )


def test_update_keeps_advisor(db, tmp_path, advisor):
    customer = make_customer(advisor=advisor)
    records = [["NIT", "Nombre"], [customer.id_number, "Otro Nombre"]]
    import_file(write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";"))
    customer.refresh_from_db()
    assert customer.advisor == advisor


def test_missing_identification_rejects_row(db, tmp_path):
    records = [["NIT", "Nombre"], ["", "Sin Documento"]]
    report = import_file(
        write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";")
    )
    assert report.rejected == 1
    assert "Falta el número" in report.errors[0].message


def test_unknown_municipality_is_a_warning(db, tmp_path):
    records = [["NIT", "Nombre", "Ciudad"], ["900123456", "Aseo S.A.S.", "Macondo"]]
    report = import_file(
        write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";")
    )
    assert report.created == 1
    assert report.errors[0].severity == Severity.WARNING


def test_dane_code_column_sets_municipality(db, tmp_path):
    records = [["NIT", "Nombre", "Código DANE"], ["900123456", "Aseo S.A.S.", "25307"]]
    import_file(write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";"))
    assert Customer.objects.get().municipality.name == "Girardot"


def test_optional_columns(db, tmp_path):
    records = [
        ["Tipo documento", "Documento", "Nombre", "Nombre comercial", "En catastro"],
        ["CE", "e-12345", "John Smith", "Smith Tours", "SÍ"],
    ]
    import_file(write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";"))
    customer = Customer.objects.get()
    assert (customer.id_type, customer.id_number) == ("CE", "E12345")
    assert customer.trade_name == "Smith Tours"
    assert customer.in_catastro is True


def test_command_json_output(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_customers", str(SAMPLE), "--json")
    output = json.loads(capsys.readouterr().out)
    assert exit_info.value.code == 1
    assert set(output) >= {
        "rows",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "errors",
    }
    assert set(output["errors"][0]) >= {"row", "column", "message", "value", "severity"}
    assert Customer.objects.count() == 0


def test_command_skip_invalid_exits_zero_and_records_job(db, capsys, director):
    call_command(
        "import_customers",
        str(SAMPLE),
        "--skip-invalid",
        "--json",
        "--user",
        "director",
    )
    output = json.loads(capsys.readouterr().out)
    job = ImportJob.objects.get()
    assert output["created"] == 590
    assert (job.status, job.created_by, job.created) == ("completada", director, 590)
    assert job.original_name == "clientes_base_datos.csv"


def test_command_dry_run_writes_nothing(db, capsys):
    call_command("import_customers", str(SAMPLE), "--dry-run", "--skip-invalid")
    assert "no se guardó nada" in capsys.readouterr().out
    assert Customer.objects.count() == 0


def write_rows(tmp_path, records):
    return write_csv(tmp_path / "c.csv", records, encoding="utf-8", delimiter=";")


def test_registered_update_lists_changes(db, tmp_path):
    customer = make_customer(phone="+576082451234", mobile="+573001112233")
    records = [
        ["NIT", "Nombre", "Celular", "Dirección", "Ciudad"],
        [
            customer.id_number,
            customer.name,
            "3104445566",
            "Calle 11 # 6-40",
            "Girardot",
        ],
    ]

    report = import_file(write_rows(tmp_path, records))

    (match,) = report.matches
    assert report.updated == 1
    assert match.existing == f"cliente registrado «{customer.name}»"
    assert match.changes == (
        "Dirección: Calle 10 # 5-32 → Calle 11 # 6-40; "
        "Municipio: Melgar → Girardot; "
        "Celular: 300 111 2233 → 310 444 5566"
    )


def test_unchanged_customer_lists_no_changes(db, tmp_path):
    customer = make_customer(mobile="+573001112233")
    records = [
        ["NIT", "Nombre", "Celular"],
        [customer.id_number, customer.name, "3001112233"],
    ]

    report = import_file(write_rows(tmp_path, records))

    (match,) = report.matches
    assert report.unchanged == 1
    assert match.existing
    assert match.changes == ""


def test_update_describes_contact_and_zone(db, tmp_path):
    customer = make_customer(zone=Zone.objects.create(name="Centro"))
    Contact.objects.create(
        customer=customer, name="Ana Ruiz", role="Compras", is_primary=True
    )
    records = [
        ["NIT", "Nombre", "Contacto", "Zona"],
        [customer.id_number, customer.name, "Luis Gómez (Gerente)", "Norte"],
    ]

    report = import_file(write_rows(tmp_path, records))

    (match,) = report.matches
    assert match.changes == (
        "Zona: Centro → Norte; Contacto: Ana Ruiz · Compras → Luis Gómez · Gerente"
    )


def test_new_person_does_not_inherit_role(db, tmp_path):
    customer = make_customer()
    Contact.objects.create(
        customer=customer, name="Ana Ruiz", role="Compras", is_primary=True
    )
    records = [
        ["NIT", "Nombre", "Contacto"],
        [customer.id_number, customer.name, "Luis Gómez"],
    ]

    report = import_file(write_rows(tmp_path, records))

    (match,) = report.matches
    assert match.changes == "Contacto: Ana Ruiz · Compras → Luis Gómez"
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.role) == ("Luis Gómez", "")


def test_same_person_keeps_role(db, tmp_path):
    customer = make_customer()
    Contact.objects.create(
        customer=customer, name="Ana Ruiz", role="Compras", is_primary=True
    )
    records = [
        ["NIT", "Nombre", "Contacto", "Celular"],
        [customer.id_number, customer.name, "ANA RUIZ", "3001112233 / 3104445566"],
    ]

    import_file(write_rows(tmp_path, records))

    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.role) == ("ANA RUIZ", "Compras")


def test_repeated_row_with_new_person_clears_role(db, tmp_path):
    records = [
        ["NIT", "Nombre", "Contacto"],
        ["900123456-8", "Hotel Prueba", "Ana Ruiz (Compras)"],
        ["900123456-8", "Hotel Prueba", "Luis Gómez"],
    ]

    import_file(write_rows(tmp_path, records))

    contact = Contact.objects.get(customer__id_number="900123456")
    assert (contact.name, contact.role) == ("Luis Gómez", "")


def test_update_describes_new_contact(db, tmp_path):
    customer = make_customer(mobile="+573001112233")
    records = [
        ["NIT", "Nombre", "Celular"],
        [customer.id_number, customer.name, "3001112233 / 3104445566"],
    ]

    report = import_file(write_rows(tmp_path, records))

    (match,) = report.matches
    assert report.updated == 1
    assert match.changes == (
        f"Contacto: — → {customer.name}; Celular del contacto: — → 310 444 5566"
    )


def test_update_describes_identification_and_type(db, tmp_path):
    customer = make_customer(
        id_type="CC",
        id_number="80123456",
        check_digit="",
        person_kind=Customer.PersonKind.NATURAL,
        customer_type=Customer.CustomerType.NEW,
    )
    records = [
        ["NIT", "DV", "Tipo documento", "Nombre", "Tipo cliente", "En catastro"],
        ["80123456", "", "CE", customer.name, "ANTIGUO", "SÍ"],
    ]

    report = import_file(write_rows(tmp_path, records))

    (match,) = report.matches
    assert match.changes == (
        "Identificación: 80.123.456 → 80123456; Tipo: Nuevo → Antiguo; "
        "En catastro: No → Sí"
    )


def test_repeated_row_describes_address_change(db, tmp_path):
    records = [
        ["NIT", "Nombre", "Dirección", "Barrio"],
        ["900123456", "Aseo S.A.S.", "Calle 1 # 2-3", "Centro"],
        ["900123456", "Aseo S.A.S.", "Carrera 4 # 5-6", "Centro"],
    ]

    report = import_file(write_rows(tmp_path, records))

    (match,) = report.matches
    assert match.earlier_row == 2
    assert match.changes == "Dirección: Calle 1 # 2-3 → Carrera 4 # 5-6"


def test_every_written_field_is_described():
    not_from_rows = {
        "id_number",
        "advisor_id",
        "notes",
        "search_text",
        "sort_name",
        "created_at",
        "updated_at",
    }
    assert set(CUSTOMER_FIELDS) == set(WRITE_FIELDS) - not_from_rows


def test_command_lists_changes_of_updates(db, tmp_path, capsys):
    customer = make_customer(mobile="+573001112233")
    records = [
        ["NIT", "Nombre", "Celular"],
        [customer.id_number, customer.name, "3104445566"],
    ]
    path = write_rows(tmp_path, records)

    call_command("import_customers", str(path), "--dry-run")
    text = capsys.readouterr().out
    call_command("import_customers", str(path), "--json")
    output = json.loads(capsys.readouterr().out)

    assert (
        f"COINCIDE fila 2 ({customer.id_number[:3]}.{customer.id_number[3:6]}."
        f"{customer.id_number[6:]}-{customer.check_digit}) con cliente registrado "
        f"«{customer.name}»: Celular: 300 111 2233 → 310 444 5566"
    ) in text
    assert output["updated"] == 1
    assert output["matches"][0]["changes"] == "Celular: 300 111 2233 → 310 444 5566"
