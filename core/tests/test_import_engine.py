"""The engine's contract, driven by a small importer of zones."""

import gc
import sys
import threading

import pytest

from core.imports import (
    Column,
    Importer,
    Outcome,
    Severity,
    WriteResult,
    parse_yes_no,
    run_import,
)
from core.imports.engine import RowReader
from core.imports.reading import open_table
from zones.models import Zone


class ZoneImporter(Importer):
    kind = "zonas-prueba"
    title = "Zonas"
    columns = [
        Column("name", "Zona", required=True),
        Column("description", "Descripción"),
        Column("active", "Activa"),
    ]
    batch_size = 2

    def parse_row(self, row):
        name = row.text("name")
        if not name.startswith("Zona"):
            row.error("name", "El nombre debe empezar por «Zona».")
            return None
        active = row.parse("active", parse_yes_no)
        return {"name": name, "description": row.text("description"), "active": active}

    def record_key(self, record):
        return record["name"].lower()

    def write_batch(self, batch):
        results = []
        for pending in batch:
            record = pending.record
            zone = Zone.objects.filter(name__iexact=record["name"]).first()
            if zone is None:
                Zone.objects.create(
                    name=record["name"], description=record["description"]
                )
                results.append(WriteResult(Outcome.CREATED))
            elif zone.description == record["description"]:
                results.append(WriteResult(Outcome.UNCHANGED, existing=zone.name))
            else:
                zone.description = record["description"]
                zone.save()
                results.append(WriteResult(Outcome.UPDATED, existing=zone.name))
        return results


def write(tmp_path, text):
    path = tmp_path / "zonas.csv"
    path.write_text(text, encoding="utf-8")
    return path


VALID = "Zona;Descripción;Activa\nZona Norte;a;SÍ\nZona Sur;b;NO\nZona Centro;c;SI\n"
WITH_ERROR = "Zona;Descripción\nZona Norte;a\nNorte mal escrito;b\nZona Sur;c\n"


@pytest.mark.django_db
def test_valid_file_is_written(tmp_path):
    report = run_import(ZoneImporter(), write(tmp_path, VALID))
    assert report.created == 3
    assert report.committed
    assert Zone.objects.count() == 3


@pytest.mark.django_db
def test_dry_run_counts_but_writes_nothing(tmp_path):
    report = run_import(ZoneImporter(), write(tmp_path, VALID), dry_run=True)
    assert report.created == 3
    assert not report.committed
    assert Zone.objects.count() == 0


@pytest.mark.django_db
def test_rejected_row_means_nothing_is_written(tmp_path):
    report = run_import(ZoneImporter(), write(tmp_path, WITH_ERROR))
    assert report.rejected == 1
    assert report.created == 0
    assert not report.committed
    assert Zone.objects.count() == 0


@pytest.mark.django_db
def test_skip_invalid_writes_the_valid_rows(tmp_path):
    report = run_import(ZoneImporter(), write(tmp_path, WITH_ERROR), skip_invalid=True)
    assert report.created == 2
    assert report.rejected == 1
    assert sorted(Zone.objects.values_list("name", flat=True)) == [
        "Zona Norte",
        "Zona Sur",
    ]


@pytest.mark.django_db
def test_error_names_row_column_and_value(tmp_path):
    report = run_import(ZoneImporter(), write(tmp_path, WITH_ERROR))
    issue = report.errors[0]
    assert (issue.row, issue.column, issue.value) == (3, "Zona", "Norte mal escrito")
    assert issue.message.startswith("Fila 3, columna «Zona»:")


@pytest.mark.django_db
def test_unreadable_cell_is_a_warning_and_keeps_row(tmp_path):
    text = "Zona;Activa\nZona Norte;tal vez\n"
    report = run_import(ZoneImporter(), write(tmp_path, text))
    assert report.created == 1
    assert [issue.severity for issue in report.errors] == [Severity.WARNING]


@pytest.mark.django_db
def test_repeated_key_is_matched_to_earlier_row(tmp_path):
    text = "Zona;Descripción\nZona Norte;a\nZona Sur;b\nZona NORTE;c\n"
    report = run_import(ZoneImporter(), write(tmp_path, text))
    assert [(match.row, match.earlier_row) for match in report.matches] == [(4, 2)]
    assert report.updated == 1
    assert Zone.objects.get(name="Zona Norte").description == "c"


@pytest.mark.django_db
def test_existing_record_is_matched_and_unchanged(tmp_path):
    Zone.objects.create(name="Zona Norte", description="a")
    report = run_import(
        ZoneImporter(), write(tmp_path, "Zona;Descripción\nZona Norte;a\n")
    )
    assert report.unchanged == 1
    assert report.matches[0].existing == "Zona Norte"


@pytest.mark.django_db
def test_blank_and_footer_rows_are_skipped_not_rejected(tmp_path):
    text = "Zona;Descripción\nZona Norte;a\n;\n;\nTotal zonas;1\n"
    report = run_import(ZoneImporter(), write(tmp_path, text))
    assert (report.rows, report.rejected, report.skipped) == (1, 0, 3)


@pytest.mark.django_db
def test_row_shifted_by_a_delimiter_is_rejected(tmp_path):
    text = "Zona;Descripción\nZona Norte;Ibagué; norte\nZona Sur;b\n"
    report = run_import(ZoneImporter(), write(tmp_path, text), skip_invalid=True)
    (issue,) = report.errors
    assert issue.row == 2
    assert issue.message.startswith("Fila 2: tiene 3 celdas y el encabezado 2 columnas")
    assert "(«;»)" in issue.message
    assert (report.created, report.rejected) == (1, 1)


@pytest.mark.django_db
def test_shifted_row_with_empty_last_cells_is_rejected(tmp_path):
    text = (
        "Zona;Descripción;Activa\n"
        "Zona Norte;a;SÍ\n"
        "Zona Sur;Ibagué; sur;\n"
        "Zona Centro;c;NO\n"
    )
    report = run_import(ZoneImporter(), write(tmp_path, text), skip_invalid=True)
    (issue,) = report.errors
    assert issue.message.startswith("Fila 3: tiene 4 celdas y el encabezado 3 columnas")
    assert (report.created, report.rejected) == (2, 1)


@pytest.mark.django_db
def test_rows_ending_in_a_delimiter_are_not_shifted(tmp_path):
    text = "Zona;Descripción;Activa\nZona Norte;a;SÍ;\nZona Sur;b;;\n"
    report = run_import(ZoneImporter(), write(tmp_path, text))
    assert report.errors == []
    assert report.created == 2


@pytest.mark.django_db
def test_empty_cells_past_the_header_are_ignored(tmp_path):
    text = "Zona;Descripción;\nZona Norte;a;;\nZona Sur;b; \n"
    report = run_import(ZoneImporter(), write(tmp_path, text))
    assert report.errors == []
    assert report.created == 2


@pytest.mark.django_db
def test_progress_reports_rows_done_and_total(tmp_path):
    calls = []
    run_import(
        ZoneImporter(),
        write(tmp_path, VALID),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[0] == (0, 3)
    assert calls[-1] == (3, 3)


@pytest.mark.django_db
def test_missing_column_is_one_file_error(tmp_path):
    report = run_import(ZoneImporter(), write(tmp_path, "Descripción\na\n"))
    assert [issue.row for issue in report.errors] == [0]
    assert "«Zona»" in report.errors[0].message
    assert report.errors[0].message.startswith("Falta la columna obligatoria «Zona»")


@pytest.mark.django_db
def test_two_missing_columns_are_named_in_plural(tmp_path):
    class TwoRequired(ZoneImporter):
        columns = [
            Column("name", "Zona", required=True),
            Column("description", "Descripción", required=True),
            Column("active", "Activa"),
        ]

    report = run_import(TwoRequired(), write(tmp_path, "Activa\nSÍ\n"))
    assert report.errors[0].message.startswith(
        "Faltan las columnas obligatorias «Zona», «Descripción»."
    )


@pytest.mark.django_db
def test_damage_after_header_writes_nothing(tmp_path):
    import zipfile

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Zona", "Descripción"])
    for number in range(1, 300):
        workbook.active.append([f"Zona {number:04d}", "descripción de la zona"])
    source = tmp_path / "zonas-bien.xlsx"
    workbook.save(source)
    damaged = tmp_path / "zonas.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(damaged, "w") as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) * 3 // 4]
            new.writestr(item.filename, content)

    report = run_import(ZoneImporter(), damaged, skip_invalid=True)

    assert [issue.row for issue in report.errors] == [0]
    assert "dañado o incompleto" in report.errors[0].message
    assert not report.committed
    assert report.created == 0
    assert Zone.objects.count() == 0


TEXT_MAP_CELLS = [
    "Zona Norte;a;SÍ",
    "Zona  Sur;  b ;NO",
    "Zona\tCentro;c\u00a0d;SI",
    "Zona Este; ;",
    "Zona Oeste",
    "Zona | Alta;e |;SÍ",
]


@pytest.mark.parametrize("line", TEXT_MAP_CELLS)
def test_text_map_equals_text_of_each_column(tmp_path, line):
    path = write(tmp_path, f"Zona;Descripción;Activa\n{line}\n")
    table = open_table(path, ZoneImporter.columns)
    columns = {column.key: column for column in ZoneImporter.columns}
    (source,) = list(table.rows())
    row = RowReader(source, table, columns)
    expected = {key: row.text(key) for key in table.header.positions}
    assert row.text_map() == expected


def test_import_collects_garbage_less_often(db, tmp_path):
    before = gc.get_threshold()
    seen = []

    class ThresholdProbe(ZoneImporter):
        def write_batch(self, batch):
            seen.append(gc.get_threshold())
            return super().write_batch(batch)

    path = write(tmp_path, "Zona;Descripción\nZona Norte;Ibagué norte\n")
    run_import(ThresholdProbe(), path)
    assert seen[0][0] > before[0]
    assert gc.get_threshold() == before


def test_import_switches_threads_more_often_and_restores(db, tmp_path):
    before = sys.getswitchinterval()
    seen = []

    class IntervalProbe(ZoneImporter):
        def write_batch(self, batch):
            seen.append(sys.getswitchinterval())
            return super().write_batch(batch)

    run_import(IntervalProbe(), write(tmp_path, VALID))
    assert seen and all(interval < before for interval in seen)
    assert sys.getswitchinterval() == before


class KeyedZoneImporter(ZoneImporter):
    """Has a first pass (scan_key), and encodes its batches as the names in
    capitals, noting the thread that does it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.encoded_in = set()
        self.written = []

    def scan_key(self, row):
        return row.text("name").lower()

    def encode_batch(self, batch):
        self.encoded_in.add(threading.current_thread())
        return [(pending.record["name"].upper(), pending) for pending in batch]

    def write_batch(self, batch):
        self.written.extend(name for name, _pending in batch)
        return super().write_batch([pending for _name, pending in batch])


@pytest.mark.django_db
def test_write_batch_receives_what_encode_batch_returned(tmp_path):
    importer = KeyedZoneImporter()
    report = run_import(importer, write(tmp_path, VALID))
    assert importer.written == ["ZONA NORTE", "ZONA SUR", "ZONA CENTRO"]
    assert importer.encoded_in == {threading.current_thread()}
    assert report.created == 3


@pytest.mark.django_db
def test_repeated_keys_are_encoded_before_writing(tmp_path):
    text = "Zona;Descripción\nZona Norte;a\nZona Sur;b\nZona NORTE;c\n"
    importer = KeyedZoneImporter()
    report = run_import(importer, write(tmp_path, text))
    assert sorted(importer.written) == ["ZONA NORTE", "ZONA SUR"]
    assert (report.created, report.updated) == (2, 1)
    assert [(match.row, match.earlier_row) for match in report.matches] == [(4, 2)]


@pytest.mark.django_db
def test_first_pass_counts_data_rows(tmp_path):
    text = "Zona;Descripción\nZona Norte;a\n;\nNorte mal escrito;b\nZona Sur;c\n"
    counted = []

    class CountProbe(KeyedZoneImporter):
        def prepare(self):
            counted.append(self.expected_rows)

    calls = []
    run_import(
        CountProbe(),
        write(tmp_path, text),
        skip_invalid=True,
        progress=lambda done, total: calls.append((done, total)),
    )
    # The blank row is not counted; the rejected one is.
    assert counted == [3]
    assert calls[0] == (0, 3)
    assert calls[-1] == (3, 3)


@pytest.mark.django_db
def test_importer_without_first_pass_expects_no_count(tmp_path):
    counted = []

    class CountProbe(ZoneImporter):
        def prepare(self):
            counted.append(self.expected_rows)

    run_import(CountProbe(), write(tmp_path, VALID))
    assert counted == [None]


def test_import_restores_gc_after_bad_file(db, tmp_path):
    before = gc.get_threshold()
    path = tmp_path / "zonas.csv"
    path.write_bytes(b'Zona;Descripci\xf3n\nZona "Norte;x\n')
    run_import(ZoneImporter(), path)
    assert gc.get_threshold() == before


class PreviewedZoneImporter(KeyedZoneImporter):
    def preview_row(self, record):
        return {"Zona": record["name"], "Descripción": record["description"]}


@pytest.mark.django_db
def test_repeated_row_match_describes_its_changes(tmp_path):
    text = "Zona;Descripción\nZona Norte;a\nZona Norte;b\nZona Norte;b\n"
    report = run_import(PreviewedZoneImporter(), write(tmp_path, text))
    changes = {match.row: match.changes for match in report.matches}
    assert changes == {3: "Descripción: a → b", 4: ""}


@pytest.mark.django_db
def test_unclosed_quote_rejects_the_file(tmp_path):
    rows = "".join(f"Zona {number};a\n" for number in range(40))
    text = "Zona;Descripción\nZona Norte;a\n" + 'Zona Sur;"b\n' + rows

    report = run_import(ZoneImporter(), write(tmp_path, text), skip_invalid=True)

    assert [issue.row for issue in report.errors] == [0]
    assert "La fila 3 del archivo CSV ocupa 41 líneas" in report.errors[0].message
    assert report.rows == 0
    assert Zone.objects.count() == 0


@pytest.mark.django_db
def test_cell_with_a_few_line_breaks_is_read(tmp_path):
    text = 'Zona;Descripción\nZona Norte;"primera\nsegunda\ntercera"\nZona Sur;b\n'

    report = run_import(ZoneImporter(), write(tmp_path, text))

    assert report.created == 2
    assert Zone.objects.get(name="Zona Norte").description == "primera segunda tercera"
