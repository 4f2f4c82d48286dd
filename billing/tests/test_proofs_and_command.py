import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from billing.consolidation import month_orders, proofs_zip_write
from billing.periods import Month
from billing.tests.helpers import PDF_BYTES, PNG_BYTES, add_proof, make_executed_order
from billing.workbook import ORDER_CODE
from field_work.models import ServiceProof

NOVEMBER = Month.of(date(2026, 11, 1))


@pytest.fixture
def order_with_proofs(customer, advisor, debris, operations_user):
    order = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "2")],
        executed_on=date(2026, 11, 12),
    )
    add_proof(order, operations_user, taken_on=date(2026, 11, 12))
    add_proof(
        order,
        operations_user,
        kind=ServiceProof.Kind.WORKS_RECORD,
        content=PDF_BYTES,
        content_type="application/pdf",
        client_name="C:\\Users\\ops\\acta firmada;rm -rf.pdf",
        taken_on=date(2026, 11, 13),
    )
    return order


def test_zip_has_folder_per_order_and_built_names(tmp_path, order_with_proofs):
    target = tmp_path / "soportes.zip"
    written = proofs_zip_write(month_orders(NOVEMBER), target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        first = archive.read(names[0])
        second = archive.read(names[1])
    code = order_with_proofs.code
    assert written == 2
    assert names == [
        f"{code}/01-foto-20261112.png",
        f"{code}/02-acta_obra-20261113.pdf",
    ]
    assert first == PNG_BYTES
    assert second == PDF_BYTES


def test_zip_never_uses_client_file_names(tmp_path, order_with_proofs):
    target = tmp_path / "soportes.zip"
    proofs_zip_write(month_orders(NOVEMBER), target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
    assert not any(
        "cliente" in name or ".." in name or "acta firmada" in name for name in names
    )


def test_zip_lists_missing_files(tmp_path, order_with_proofs):
    proof = order_with_proofs.proofs.first()
    Path(proof.file.path).unlink()
    target = tmp_path / "soportes.zip"
    written = proofs_zip_write(month_orders(NOVEMBER), target)
    with zipfile.ZipFile(target) as archive:
        note = archive.read("FALTANTES.txt").decode()
    assert written == 1
    assert f"{order_with_proofs.code}/01-foto-20261112.png" in note


def test_command_writes_workbook_and_zip(tmp_path, order_with_proofs, capsys):
    output = tmp_path / "noviembre.xlsx"
    proofs = tmp_path / "noviembre.zip"
    call_command(
        "export_monthly_services",
        "--month",
        "2026-11",
        "--output",
        str(output),
        "--proofs",
        str(proofs),
    )
    printed = capsys.readouterr().out
    sheet = load_workbook(output, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "noviembre de 2026: 1 orden, 1 servicio" in printed
    assert "$ 238.000" in printed
    assert "Soportes: 2 archivos" in printed
    assert rows[4][ORDER_CODE] == order_with_proofs.code
    assert zipfile.ZipFile(proofs).namelist()[0].startswith(order_with_proofs.code)


def test_command_empty_month_writes_headers_only(tmp_path, db, capsys):
    output = tmp_path / "vacio.xlsx"
    call_command(
        "export_monthly_services", "--month", "2026-01", "--output", str(output)
    )
    rows = list(
        load_workbook(output, read_only=True).active.iter_rows(values_only=True)
    )
    assert "0 órdenes" in capsys.readouterr().out
    assert rows[3][0] == "Fecha de ejecución"
    assert rows[4][0].startswith("Totales: 0 órdenes")


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("noviembre", "no es válido. Escríbalo como AAAA-MM"),
        ("2026-13", "no existe: el mes va de 01 a 12"),
        ("2026-1", "no es válido"),
        ("1999-05", "Escriba un año entre 2000 y 2999"),
        ("9999-12", "Escriba un año entre 2000 y 2999"),
    ],
)
def test_command_rejects_bad_month(tmp_path, db, month, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_monthly_services",
            "--month",
            month,
            "--output",
            str(tmp_path / "a.xlsx"),
        )


def test_command_rejects_wrong_extension(tmp_path, db):
    with pytest.raises(CommandError, match=r"debe terminar en \.xlsx"):
        call_command(
            "export_monthly_services",
            "--month",
            "2026-11",
            "--output",
            str(tmp_path / "a.csv"),
        )


def test_command_rejects_missing_folder(tmp_path, db):
    with pytest.raises(CommandError, match="no existe"):
        call_command(
            "export_monthly_services",
            "--month",
            "2026-11",
            "--output",
            str(tmp_path / "no-hay" / "a.xlsx"),
        )
