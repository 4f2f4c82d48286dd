from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from core.imports import get_importer, run_import
from tariffs.importer import TariffImporter
from tariffs.models import TariffItem, TariffVersion, TaxTreatment, Unit
from tariffs.services import tariff_version_approve, tariff_version_compare

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "tarifas_servicios_especiales.xlsx"
HEADERS = [
    "CÓDIGO",
    "SERVICIO",
    "UNIDAD",
    "VALOR UNITARIO (COP)",
    "APLICA IVA",
    "VIGENTE DESDE",
]
GOOD_ROW = ["SE-101", "Escombros", "m³", 82000, "NO", datetime(2026, 1, 1)]


def write_sheet(path: Path, rows, headers=HEADERS) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Tarifas de prueba"])
    sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def import_file(path, user=None, dry_run=False):
    return run_import(TariffImporter(user=user), path, dry_run=dry_run)


@pytest.fixture
def sample_items(director):
    report = import_file(SAMPLE, user=director)
    assert report.committed
    return {item.code: item for item in TariffItem.objects.all()}


def test_importer_registered_for_web_screens():
    assert get_importer("tarifas") is TariffImporter


def test_sample_counts(director):
    report = import_file(SAMPLE, user=director)

    assert report.rows == 25
    assert report.created == 25
    assert report.rejected == 0
    assert report.errors == []
    # 5 section rows, the blank row and 2 footnote rows.
    assert report.skipped == 8


def test_sample_creates_one_draft_version(director, sample_items):
    version = TariffVersion.objects.get()

    assert version.status == TariffVersion.Status.DRAFT
    assert version.created_by == director
    assert version.items.count() == 25


def test_sample_has_five_sections(sample_items):
    categories = {item.category for item in sample_items.values()}

    assert categories == {
        "1. ESCOMBROS Y RESIDUOS VOLUMINOSOS",
        "2. ZONAS VERDES",
        "3. LIMPIEZA Y LAVADO",
        "4. CONTENEDORES Y EVENTOS",
        "5. VEHÍCULOS Y DISPOSICIÓN FINAL",
    }


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("SE-101", "1. ESCOMBROS Y RESIDUOS VOLUMINOSOS"),
        ("SE-105", "1. ESCOMBROS Y RESIDUOS VOLUMINOSOS"),
        ("SE-201", "2. ZONAS VERDES"),
        ("SE-207", "2. ZONAS VERDES"),
        ("SE-303", "3. LIMPIEZA Y LAVADO"),
        ("SE-401", "4. CONTENEDORES Y EVENTOS"),
        ("SE-505", "5. VEHÍCULOS Y DISPOSICIÓN FINAL"),
    ],
)
def test_sample_category_of_item(sample_items, code, category):
    assert sample_items[code].category == category


def test_sample_price_with_decimals(sample_items):
    assert sample_items["SE-503"].unit_price == Decimal("68742.35")


def test_sample_whole_price(sample_items):
    assert sample_items["SE-402"].unit_price == Decimal("1720000")


def test_sample_date_typed_as_text(sample_items):
    assert sample_items["SE-403"].valid_from == date(2026, 3, 1)


def test_sample_real_dates(sample_items):
    assert sample_items["SE-101"].valid_from == date(2026, 1, 1)
    assert sample_items["SE-206"].valid_from == date(2026, 2, 1)


@pytest.mark.parametrize(
    ("code", "treatment"),
    [
        ("SE-201", TaxTreatment.VAT_19),  # SÍ
        ("SE-203", TaxTreatment.VAT_19),  # SI
        ("SE-302", TaxTreatment.VAT_19),  # Si
        ("SE-101", TaxTreatment.EXCLUDED),  # NO
    ],
)
def test_sample_iva_spellings(sample_items, code, treatment):
    assert sample_items[code].tax_treatment == treatment


def test_sample_tax_note_names_its_source(sample_items):
    assert "APLICA IVA" in sample_items["SE-203"].tax_note


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        ("SE-101", Unit.CUBIC_METRE),
        ("SE-102", Unit.TRIP),
        ("SE-103", Unit.UNIT),
        ("SE-201", Unit.TREE),
        ("SE-205", Unit.SQUARE_METRE),
        ("SE-302", Unit.SERVICE),
        ("SE-401", Unit.DAY),
        ("SE-402", Unit.MONTH),
        ("SE-404", Unit.EVENT),
        ("SE-405", Unit.HOUR),
        ("SE-503", Unit.TONNE),
        ("SE-505", Unit.VISIT),
    ],
)
def test_sample_units(sample_items, code, unit):
    assert sample_items[code].unit == unit


def test_sample_footnote_listed_in_notes(director):
    report = import_file(SAMPLE, user=director)

    assert any("Valores en pesos colombianos" in note for note in report.notes)


def test_import_puts_nothing_in_force(sample_items):
    assert not TariffItem.objects.in_force(on=date(2026, 6, 1)).exists()


def test_approved_sample_in_force_by_date(director, sample_items):
    tariff_version_approve(version=TariffVersion.objects.get(), user=director)

    assert TariffItem.objects.in_force(on=date(2026, 1, 15)).count() == 22
    assert TariffItem.objects.in_force(on=date(2026, 3, 1)).count() == 25


def test_dry_run_writes_nothing(director):
    report = import_file(SAMPLE, user=director, dry_run=True)

    assert report.created == 25
    assert not report.committed
    assert not TariffVersion.objects.exists()
    assert not TariffItem.objects.exists()


def test_missing_column_rejects_file(tmp_path):
    path = write_sheet(
        tmp_path / "sin_iva.xlsx",
        [GOOD_ROW[:4] + GOOD_ROW[5:]],
        headers=[h for h in HEADERS if h != "APLICA IVA"],
    )

    report = import_file(path)

    assert report.errors[0].row == 0
    assert "Falta la columna obligatoria «APLICA IVA»" in report.errors[0].message
    assert not TariffVersion.objects.exists()


def test_negative_price_rejected_with_row_and_column(tmp_path):
    path = write_sheet(
        tmp_path / "negativo.xlsx",
        [GOOD_ROW, ["SE-102", "Viaje", "Viaje", -445000, "NO", datetime(2026, 1, 1)]],
    )

    report = import_file(path)

    assert report.rejected == 1
    message = report.errors[0].message
    assert message.startswith("Fila 5, columna «VALOR UNITARIO (COP)»")
    assert "mayor que cero" in message
    assert not TariffVersion.objects.exists()
    assert not TariffItem.objects.exists()


def test_unknown_unit_rejected(tmp_path):
    path = write_sheet(
        tmp_path / "unidad.xlsx",
        [["SE-102", "Bultos", "Bulto", 1000, "NO", datetime(2026, 1, 1)]],
    )

    report = import_file(path)

    message = report.errors[0].message
    assert message.startswith("Fila 4, columna «UNIDAD»")
    assert "La unidad «Bulto» no existe" in message
    assert "m³" in message


def test_bad_date_rejected(tmp_path):
    path = write_sheet(
        tmp_path / "fecha.xlsx",
        [["SE-102", "Viaje", "Viaje", 445000, "NO", "31/02/2026"]],
    )

    report = import_file(path)

    message = report.errors[0].message
    assert message.startswith("Fila 4, columna «VIGENTE DESDE»")
    assert "no es una fecha válida" in message


def test_missing_date_rejected(tmp_path):
    path = write_sheet(
        tmp_path / "sin_fecha.xlsx", [["SE-102", "Viaje", "Viaje", 445000, "NO", None]]
    )

    report = import_file(path)

    assert "Falta la fecha" in report.errors[0].message


def test_bad_iva_value_rejected(tmp_path):
    path = write_sheet(
        tmp_path / "iva.xlsx",
        [["SE-102", "Viaje", "Viaje", 445000, "Tal vez", datetime(2026, 1, 1)]],
    )

    report = import_file(path)

    assert "Fila 4, columna «APLICA IVA»" in report.errors[0].message


def test_repeated_code_rejected(tmp_path):
    path = write_sheet(tmp_path / "repetido.xlsx", [GOOD_ROW, GOOD_ROW])

    report = import_file(path)

    assert report.rejected == 1
    assert "ya está en la fila 4" in report.errors[0].message


def test_csv_file_accepted(tmp_path, director):
    path = tmp_path / "tarifas.csv"
    path.write_text(
        "CÓDIGO;SERVICIO;UNIDAD;VALOR UNITARIO;APLICA IVA;VIGENTE DESDE\n"
        "SE-101;Escombros;m3;$ 82.000;NO;01/01/2026\n"
        "SE-503;Disposición final;Tonelada;68742,35;SÍ;01/01/2026\n",
        encoding="utf-8",
    )

    report = import_file(path, user=director)

    assert report.created == 2
    assert TariffItem.objects.get(code="SE-503").unit_price == Decimal("68742.35")


def test_reimport_makes_second_draft_without_changes(director):
    import_file(SAMPLE, user=director)
    tariff_version_approve(version=TariffVersion.objects.get(), user=director)

    import_file(SAMPLE, user=director)

    draft = TariffVersion.objects.get(status=TariffVersion.Status.DRAFT)
    changes = tariff_version_compare(version=draft, on=date(2026, 3, 1))
    assert {change.kind for change in changes} == {"igual"}
