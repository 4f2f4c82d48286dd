"""The registry import on small files: rejected rows, updates and the command."""

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection

from core.imports import Severity, run_import
from core.imports.bulk import reserve_key_block
from core.models import ImportJob
from subscribers.importer import (
    COPY_COLUMNS,
    NEW_ACCOUNT,
    WRITE_FIELDS,
    SubscriberImporter,
)
from subscribers.models import SubscriberAccount
from subscribers.tests.helpers import make_account
from tests.factories import make_zone
from zones.models import Municipality

HEADER = (
    "CODIGO_CUENTA,NUMERO_PREDIAL,TIPO_DOCUMENTO,NUMERO_DOCUMENTO,DV,"
    "NOMBRE_SUSCRIPTOR,DIRECCION,BARRIO,COD_DANE_MUNICIPIO,MUNICIPIO,ESTRATO,USO,"
    "TIPO_PRODUCTOR,ESTADO,FECHA_VINCULACION"
)
GOOD = (
    "449000001,,CC,1019968196,,LUCERO DÍAZ PORTILLA,CL 10 # 5-32,CENTRO,73449,"
    "MELGAR,3,RESIDENCIAL,,ACTIVO,2021-07-12"
)
COMMERCIAL = (
    '449000002,,NIT,901765545,3,COMIDAS EL BUEN GUSTO,"KR 26, LC 2",CENTRO,73449,'
    "MELGAR,,COMERCIAL,GRAN PRODUCTOR,SUSPENDIDO,2019-12-26"
)


def write(tmp_path, *lines, name="catastro.csv"):
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def import_lines(tmp_path, *lines, **options):
    return run_import(SubscriberImporter(), write(tmp_path, *lines), **options)


def error_messages(report):
    return [issue.message for issue in report.row_errors]


def test_missing_account_code_is_rejected(db, tmp_path):
    report = import_lines(tmp_path, GOOD, "," + GOOD.split(",", 1)[1])
    assert error_messages(report) == [
        "Fila 3, columna «CODIGO_CUENTA»: Falta el código de cuenta. Escríbalo para "
        "identificar la cuenta."
    ]


@pytest.mark.parametrize("estrato", ["7", "0", "tres"])
def test_residential_estrato_out_of_range_is_rejected(db, tmp_path, estrato):
    line = GOOD.replace(",3,RESIDENCIAL", f",{estrato},RESIDENCIAL")
    report = import_lines(tmp_path, line)
    assert error_messages(report) == [
        f"Fila 2, columna «ESTRATO»: El estrato «{estrato}» no es válido para una "
        "cuenta residencial: escriba un número de 1 a 6."
    ]


def test_residential_without_estrato_is_rejected(db, tmp_path):
    report = import_lines(tmp_path, GOOD.replace(",3,RESIDENCIAL", ",,RESIDENCIAL"))
    assert report.rejected == 1
    assert "Falta el estrato" in error_messages(report)[0]


def test_unknown_municipality_code_is_rejected(db, tmp_path):
    report = import_lines(tmp_path, GOOD.replace(",73449,", ",73999,"))
    assert error_messages(report) == [
        "Fila 2, columna «COD_DANE_MUNICIPIO»: El código DANE «73999» no corresponde "
        "a ningún municipio registrado: escriba los 5 dígitos del código DIVIPOLA "
        "(73449 para Melgar)."
    ]


def test_missing_municipality_is_named_missing(db, tmp_path):
    report = import_lines(tmp_path, GOOD.replace(",73449,MELGAR,", ",,,"))
    assert error_messages(report) == [
        "Fila 2, columna «MUNICIPIO»: Falta el municipio: escriba el código DANE de "
        "5 dígitos en COD_DANE_MUNICIPIO (73449 para Melgar)."
    ]


def test_unknown_use_class_is_rejected(db, tmp_path):
    report = import_lines(tmp_path, GOOD.replace("RESIDENCIAL", "MIXTO"))
    assert "«MIXTO» no es una clase de uso" in error_messages(report)[0]


def test_unknown_status_is_rejected(db, tmp_path):
    report = import_lines(tmp_path, GOOD.replace(",ACTIVO,", ",RETIRADO,"))
    assert "«RETIRADO» no es un estado de cuenta" in error_messages(report)[0]


def test_rejected_row_writes_nothing(db, tmp_path):
    report = import_lines(tmp_path, GOOD, GOOD.replace(",73449,", ",73999,"))
    assert report.committed is False
    assert SubscriberAccount.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows(db, tmp_path):
    lines = (GOOD, GOOD.replace("449000001", "449000003").replace(",73449,", ",1,"))
    report = import_lines(tmp_path, *lines, skip_invalid=True)
    assert (report.created, report.rejected) == (1, 1)
    assert SubscriberAccount.objects.count() == 1


def test_dry_run_writes_nothing(db, tmp_path):
    report = import_lines(tmp_path, GOOD, COMMERCIAL, dry_run=True)
    assert report.created == 2
    assert SubscriberAccount.objects.count() == 0


def test_account_code_keeps_leading_zeros(db, tmp_path):
    import_lines(tmp_path, GOOD.replace("449000001", "000123"))
    assert SubscriberAccount.objects.get().account_code == "000123"


def test_commercial_estrato_is_ignored_with_warning(db, tmp_path):
    report = import_lines(tmp_path, COMMERCIAL.replace(",,COMERCIAL", ",4,COMERCIAL"))
    account = SubscriberAccount.objects.get()
    assert account.estrato is None
    assert [issue.column for issue in report.warnings] == ["ESTRATO"]


def test_reimport_updates_changed_account(db, tmp_path):
    import_lines(tmp_path, GOOD, COMMERCIAL)
    changed = GOOD.replace("CL 10 # 5-32", "CL 11 # 5-40").replace(
        ",ACTIVO,", ",DESVINCULADO,"
    )
    report = import_lines(tmp_path, changed, COMMERCIAL)
    account = SubscriberAccount.objects.get(account_code="449000001")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert (account.address, account.status) == ("CL 11 # 5-40", "desvinculado")
    assert SubscriberAccount.objects.count() == 2


def test_reimport_records_the_change_in_history(db, tmp_path):
    import_lines(tmp_path, GOOD)
    import_lines(tmp_path, GOOD.replace("CL 10 # 5-32", "CL 11 # 5-40"))
    account = SubscriberAccount.objects.get()
    latest, first = account.history.order_by("-history_date", "-history_id")[:2]
    assert (latest.history_type, latest.address) == ("~", "CL 11 # 5-40")
    assert first.address == "CL 10 # 5-32"


def test_reimport_lists_the_updated_account(db, tmp_path):
    import_lines(tmp_path, GOOD)
    report = import_lines(tmp_path, GOOD.replace("CL 10 # 5-32", "CL 11 # 5-40"))
    assert [match.existing for match in report.matches] == [
        "cuenta registrada 449000001 «LUCERO DÍAZ PORTILLA»"
    ]


def test_zone_from_barrio_wins_over_municipality(db, tmp_path):
    melgar = Municipality.objects.get(dane_code="73449")
    by_municipality = make_zone("Melgar")
    by_municipality.municipalities.add(melgar)
    by_barrio = make_zone("Melgar centro", barrios="Centro\nEl Sosiego")
    by_barrio.municipalities.add(melgar)
    other = GOOD.replace("449000001", "449000009").replace(",CENTRO,", ",LA COLINA,")
    import_lines(tmp_path, GOOD, other)
    zones = dict(SubscriberAccount.objects.values_list("account_code", "zone__name"))
    assert zones == {"449000001": "Melgar centro", "449000009": "Melgar"}


def test_account_outside_every_zone_has_none(db, tmp_path):
    import_lines(tmp_path, GOOD)
    assert SubscriberAccount.objects.get().zone is None


def test_command_json_output(db, tmp_path, capsys):
    call_command("import_subscribers", str(write(tmp_path, GOOD, COMMERCIAL)), "--json")
    output = json.loads(capsys.readouterr().out)
    assert (output["rows"], output["created"], output["committed"]) == (2, 2, True)


def test_command_with_rejected_row_exits_one(db, tmp_path, capsys):
    path = write(tmp_path, GOOD.replace(",73449,", ",73999,"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_subscribers", str(path), "--json")
    output = json.loads(capsys.readouterr().out)
    assert exit_info.value.code == 1
    assert output["errors"][0]["severity"] == str(Severity.ERROR)


def test_command_records_import_job(db, tmp_path, director):
    path = write(tmp_path, GOOD)
    call_command("import_subscribers", str(path), "--user", "director", "--json")
    job = ImportJob.objects.get()
    assert (job.kind, job.created_by, job.created) == ("catastro", director, 1)


def test_command_dry_run_records_no_job(db, tmp_path, capsys):
    call_command("import_subscribers", str(write(tmp_path, GOOD)), "--dry-run")
    assert ImportJob.objects.count() == 0
    assert SubscriberAccount.objects.count() == 0


def account_indexes() -> dict[str, list[str]]:
    """Return index name → columns of the account table's indexes."""
    return {
        name: details["columns"]
        for name, details in account_constraints().items()
        if details["index"]
    }


def account_constraints() -> dict[str, dict]:
    """Return the account table's constraints and indexes as introspected."""
    table = SubscriberAccount._meta.db_table
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def test_cadastral_number_has_one_index(db):
    indexes = account_indexes()
    assert list(indexes.values()).count(["cadastral_number"]) == 1
    assert "subscriber_predial_prefix_idx" in indexes


def test_import_into_empty_registry_keeps_every_index(db, tmp_path):
    before = account_constraints()
    import_lines(tmp_path, GOOD, COMMERCIAL)
    assert account_constraints() == before


class UnknownTownImporter(SubscriberImporter):
    """An importer that takes DANE code 99999 for a town the database lacks."""

    def prepare(self) -> None:
        super().prepare()
        self.municipalities_by_code["99999"] = Municipality(
            dane_code="99999", name="Inexistente"
        )


@pytest.mark.postgresql
def test_import_into_empty_registry_checks_foreign_keys(db, tmp_path):
    path = write(tmp_path, GOOD.replace("73449,MELGAR", "99999,INEXISTENTE"))
    with pytest.raises(IntegrityError):
        run_import(UnknownTownImporter(), path)


def test_dry_run_into_empty_registry_keeps_every_index(db, tmp_path):
    before = account_indexes()
    import_lines(tmp_path, GOOD, COMMERCIAL, dry_run=True)
    assert account_indexes() == before
    assert not SubscriberAccount.objects.exists()


def test_import_into_empty_registry_writes_history(db, tmp_path):
    import_lines(tmp_path, GOOD, COMMERCIAL)
    history = SubscriberAccount.history.order_by("account_code")
    assert [(record.account_code, record.history_type) for record in history] == [
        ("449000001", "+"),
        ("449000002", "+"),
    ]
    assert history[1].producer_type == "gran"


def test_empty_registry_import_keeps_backslashes(db, tmp_path):
    line = GOOD.replace("LUCERO DÍAZ PORTILLA", "PÉREZ \\ HIJOS").replace(
        "CL 10 # 5-32", "CL 10 \\N"
    )
    import_lines(tmp_path, line)
    account = SubscriberAccount.objects.get()
    assert account.name == "PÉREZ \\ HIJOS"
    assert account.address == "CL 10 \\N"


def test_empty_registry_import_stores_every_column(db, tmp_path):
    zone = make_zone("Melgar")
    zone.municipalities.add(Municipality.objects.get(dane_code="73449"))
    import_lines(tmp_path, GOOD, COMMERCIAL)
    stored = SubscriberAccount.objects.get(account_code="449000002")
    assert stored.zone_id == zone.pk
    assert stored.check_digit == "3"
    assert stored.estrato is None
    assert stored.producer_type == "gran"
    assert stored.status == "suspendido"
    assert stored.linked_on.isoformat() == "2019-12-26"
    assert stored.unlinked_on is None
    assert stored.search_text == stored.build_search_text()
    assert stored.created_at == stored.updated_at


def test_empty_registry_history_matches_accounts(db, tmp_path):
    import_lines(tmp_path, GOOD, COMMERCIAL)
    for account in SubscriberAccount.objects.all():
        record = account.history.get()
        assert record.name == account.name
        assert record.history_date == account.created_at


def test_empty_registry_history_names_the_user(db, tmp_path, director):
    run_import(SubscriberImporter(user=director), write(tmp_path, GOOD, COMMERCIAL))
    users = set(SubscriberAccount.history.values_list("history_user", flat=True))
    assert users == {director.pk}


def test_copy_columns_cover_write_fields():
    assert sorted(COPY_COLUMNS) == sorted(["id", *WRITE_FIELDS])


def test_repeated_bad_class_names_each_row(db, tmp_path):
    bad = GOOD.replace("RESIDENCIAL", "RESIDENCAL")
    report = import_lines(
        tmp_path, bad, bad.replace("449000001", "449000003"), skip_invalid=True
    )
    errors = [(issue.row, issue.column, issue.value) for issue in report.row_errors]
    assert errors == [(2, "USO", "RESIDENCAL"), (3, "USO", "RESIDENCAL")]
    assert report.rejected == 2


def test_repeated_commercial_estrato_warns_each_row(db, tmp_path):
    line = COMMERCIAL.replace(",,COMERCIAL", ",4,COMERCIAL")
    report = import_lines(tmp_path, line, line.replace("449000002", "449000004"))
    warnings = [
        (issue.row, issue.column)
        for issue in report.warnings
        if issue.column == "ESTRATO"
    ]
    assert warnings == [(2, "ESTRATO"), (3, "ESTRATO")]
    assert report.created == 2


def test_empty_registry_import_fills_absent_columns(db, tmp_path):
    path = tmp_path / "corto.csv"
    path.write_text(
        "CODIGO_CUENTA,NOMBRE_SUSCRIPTOR,TIPO_DOCUMENTO,NUMERO_DOCUMENTO,"
        "COD_DANE_MUNICIPIO,USO,ESTRATO\n"
        "449000005,ANA RUIZ,CC,52123456,73449,RESIDENCIAL,2\n",
        encoding="utf-8",
    )
    run_import(SubscriberImporter(), path)
    stored = SubscriberAccount.objects.values(*NEW_ACCOUNT).get()
    defaults = {
        field: value
        for field, value in NEW_ACCOUNT.items()
        if field not in ("created_at", "updated_at")
    }
    expected = {
        **defaults,
        "account_code": "449000005",
        "name": "ANA RUIZ",
        "id_type": "CC",
        "id_number": "52123456",
        "municipality_id": "73449",
        "use_class": "residencial",
        "estrato": 2,
        "search_text": "ana ruiz",
    }
    assert {field: stored[field] for field in expected} == expected


@pytest.mark.postgresql
def test_key_block_is_consecutive(db):
    first = reserve_key_block(SubscriberAccount, 3)
    second = reserve_key_block(SubscriberAccount, 2)
    assert len(first) == 3
    assert list(second) == [first[-1] + 1, first[-1] + 2]
    account = make_account()
    assert account.pk > second[-1]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_large_import_vacuums_and_analyzes(tmp_path, monkeypatch):
    monkeypatch.setattr("subscribers.importer.LARGE_IMPORT_ACCOUNTS", 2)
    import_lines(tmp_path, GOOD, COMMERCIAL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible, reltuples FROM pg_class "
            "WHERE oid = %s::regclass",
            [SubscriberAccount._meta.db_table],
        )
        pages, all_visible_pages, tuples = cursor.fetchone()
    assert pages >= 1
    assert all_visible_pages == pages
    assert tuples == 2


@pytest.mark.postgresql
def test_small_import_skips_vacuum(db, tmp_path):
    import_lines(tmp_path, GOOD, COMMERCIAL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relallvisible FROM pg_class WHERE oid = %s::regclass",
            [SubscriberAccount._meta.db_table],
        )
        (all_visible_pages,) = cursor.fetchone()
    assert all_visible_pages == 0


def with_cell(line: str, index: int, value: str) -> str:
    """Return a CSV line of HEADER with the cell at `index` replaced."""
    cells = next(csv.reader([line]))
    cells[index] = value
    output = io.StringIO()
    csv.writer(output, lineterminator="").writerow(cells)
    return output.getvalue()


NAME, ADDRESS, BARRIO = 5, 6, 7
ACCOUNT_CODE, ID_NUMBER, LINKED_ON = 0, 3, 14


@pytest.mark.parametrize(
    ("index", "header", "max_length"),
    [
        (NAME, "NOMBRE_SUSCRIPTOR", 200),
        (ADDRESS, "DIRECCION", 200),
        (BARRIO, "BARRIO", 120),
    ],
)
def test_text_longer_than_field_is_rejected(db, tmp_path, index, header, max_length):
    too_long = "A" * (max_length + 1)

    report = import_lines(tmp_path, with_cell(GOOD, index, too_long))

    assert error_messages(report) == [
        f"Fila 2, columna «{header}»: Tiene {max_length + 1} caracteres; el máximo "
        f"es {max_length}. Acórtelo."
    ]
    assert not SubscriberAccount.objects.exists()


def test_long_address_rejected_on_update(db, tmp_path):
    # A registry with accounts writes through bulk_upsert, not COPY.
    make_account(account_code="449000001", address="CL 1")

    report = import_lines(tmp_path, with_cell(GOOD, ADDRESS, "A" * 201))

    assert error_messages(report) == [
        "Fila 2, columna «DIRECCION»: Tiene 201 caracteres; el máximo es 200. Acórtelo."
    ]
    assert SubscriberAccount.objects.get().address == "CL 1"


def test_text_at_field_length_is_stored(db, tmp_path):
    address = "A" * 200

    report = import_lines(tmp_path, with_cell(GOOD, ADDRESS, address))

    assert report.row_errors == []
    assert SubscriberAccount.objects.get().address == address


def test_billing_account_longer_than_field_is_rejected(db, tmp_path):
    path = tmp_path / "catastro.csv"
    path.write_text(
        HEADER + ",CUENTA_FACTURACION\n" + GOOD + "," + "9" * 31 + "\n",
        encoding="utf-8",
    )

    report = run_import(SubscriberImporter(), path)

    assert error_messages(report) == [
        "Fila 2, columna «CUENTA_FACTURACION»: Tiene 31 caracteres; el máximo es "
        "30. Acórtelo."
    ]


@pytest.mark.parametrize("code", ["12AB", "-5", "449-00A"])
def test_account_code_not_digits_is_rejected(db, tmp_path, code):
    report = import_lines(tmp_path, with_cell(GOOD, ACCOUNT_CODE, code))

    assert error_messages(report) == [
        f"Fila 2, columna «CODIGO_CUENTA»: El código de cuenta «{code}» no es "
        "válido: escriba solo los dígitos de la cuenta, con los ceros iniciales "
        "(p. ej. 449001234)."
    ]
    assert not SubscriberAccount.objects.exists()


def test_account_code_separators_are_removed(db, tmp_path):
    report = import_lines(tmp_path, with_cell(GOOD, ACCOUNT_CODE, "044-900.0001"))

    assert report.row_errors == []
    assert SubscriberAccount.objects.get().account_code == "0449000001"


def test_account_code_longer_than_field_is_rejected(db, tmp_path):
    report = import_lines(tmp_path, with_cell(GOOD, ACCOUNT_CODE, "1" * 21))

    assert len(error_messages(report)) == 1
    assert "use a lo sumo 20 dígitos" in error_messages(report)[0]


def linked_on_warnings(report):
    return [
        issue.message
        for issue in report.errors
        if issue.severity == Severity.WARNING and issue.column == "FECHA_VINCULACION"
    ]


@pytest.mark.parametrize("written", ["2099-01-01", "1850-01-01", "31/12/1899"])
def test_linked_on_out_of_range_keeps_no_date(db, tmp_path, written):
    with time_machine.travel("2026-11-03 10:00 -05:00", tick=False):
        report = import_lines(tmp_path, with_cell(GOOD, LINKED_ON, written))

    warnings = linked_on_warnings(report)
    assert len(warnings) == 1
    assert "debe estar entre el 01/01/1900 y hoy, 03/11/2026" in warnings[0]
    assert "Se conservó la fecha de vinculación registrada" in warnings[0]
    assert SubscriberAccount.objects.get().linked_on is None


def test_future_linked_on_keeps_stored_date(db, tmp_path):
    make_account(account_code="449000001", linked_on=date(2021, 7, 12))

    report = import_lines(tmp_path, with_cell(GOOD, LINKED_ON, "2099-01-01"))

    assert len(linked_on_warnings(report)) == 1
    assert SubscriberAccount.objects.get().linked_on == date(2021, 7, 12)


def test_linked_on_today_in_bogota_is_accepted(db, tmp_path):
    # 23:00 in Bogotá is already the next day in UTC.
    with time_machine.travel("2026-11-03 23:00 -05:00", tick=False):
        report = import_lines(tmp_path, with_cell(GOOD, LINKED_ON, "2026-11-03"))
        later = import_lines(tmp_path, with_cell(GOOD, LINKED_ON, "2026-11-04"))

    assert linked_on_warnings(report) == []
    assert len(linked_on_warnings(later)) == 1
    assert SubscriberAccount.objects.get().linked_on == date(2026, 11, 3)


def test_negative_document_number_is_rejected(db, tmp_path):
    report = import_lines(tmp_path, with_cell(GOOD, ID_NUMBER, "-123"))

    assert error_messages(report) == [
        "Fila 2, columna «NUMERO_DOCUMENTO»: El número «-123» no puede ser "
        "negativo: escriba solo sus dígitos."
    ]
    assert not SubscriberAccount.objects.exists()


COMPETITOR_LIST = (
    Path(__file__).parents[2]
    / "terminations"
    / "tests"
    / "data"
    / "novedades_competidor.xlsx"
)


def test_competitor_list_is_rejected(db):
    report = run_import(SubscriberImporter(), COMPETITOR_LIST)

    assert report.committed is False
    assert len(report.errors) == 1
    message = report.errors[0].message
    assert message.startswith(
        "El archivo parece una lista de solicitudes de terminación de un competidor"
    )
    assert "«CÓDIGO CUENTA / CATASTRO», «CÉDULA / NIT»" in message
    assert "Columnas esperadas: «CODIGO_CUENTA», «NOMBRE_SUSCRIPTOR»" in message
    assert "Columnas encontradas en la fila" in message
    assert not SubscriberAccount.objects.exists()


def test_registry_with_one_competitor_header_accepted(db, tmp_path):
    # A registry export may carry one header a competitor's list also has.
    path = tmp_path / "catastro.csv"
    path.write_text(HEADER + ",OBSERVACIONES\n" + GOOD + ",\n", encoding="utf-8")

    report = run_import(SubscriberImporter(), path)

    assert report.errors == []
    assert SubscriberAccount.objects.count() == 1


@pytest.mark.postgresql
def test_empty_registry_history_of_every_batch(db, tmp_path, monkeypatch):
    monkeypatch.setattr("subscribers.importer.EMPTY_REGISTRY_BATCH_SIZE", 1)
    third = GOOD.replace("449000001", "449000003")
    report = import_lines(tmp_path, GOOD, COMMERCIAL, third)
    assert report.created == 3
    history = SubscriberAccount.history.order_by("account_code")
    assert [(record.account_code, record.history_type) for record in history] == [
        ("449000001", "+"),
        ("449000002", "+"),
        ("449000003", "+"),
    ]
    assert {record.id for record in history} == set(
        SubscriberAccount.objects.values_list("id", flat=True)
    )


def test_customer_database_is_rejected(db):
    sample = Path(__file__).parents[2] / "customers/tests/data/clientes_base_datos.csv"
    report = run_import(SubscriberImporter(), sample)

    assert report.committed is False
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith(
        "El archivo parece la base de datos de clientes"
    )
    assert not SubscriberAccount.objects.exists()
