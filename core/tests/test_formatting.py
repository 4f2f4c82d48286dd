from decimal import Decimal

import pytest
from django.template import Context, Template

from core.formatting import format_megabytes, format_pesos


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1250000"), "$ 1.250.000"),
        (Decimal("445000.00"), "$ 445.000"),
        (Decimal("1250000.49"), "$ 1.250.000"),
        (Decimal("1250000.50"), "$ 1.250.001"),
        (Decimal("0.50"), "$ 1"),
        (Decimal("0"), "$ 0"),
        (Decimal("-8500.5"), "$ -8.501"),
        (999, "$ 999"),
        (None, ""),
    ],
)
def test_pesos_whole_numbers(amount, expected):
    assert format_pesos(amount) == expected


def test_pesos_filter_whole_numbers():
    template = Template("{% load formatting %}{{ amount|pesos }}")
    assert template.render(Context({"amount": Decimal("445000.00")})) == "$ 445.000"


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (12 * 1024 * 1024, "12 MB"),
        (int(1.5 * 1024 * 1024), "1,5 MB"),
        (10 * 1024 * 1024 + 1, "10,1 MB"),
        (300 * 1024, "0,3 MB"),
        (0, "0 MB"),
    ],
)
def test_megabytes_spanish(size, expected):
    assert format_megabytes(size) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (340 * 1024, "340 KB"),
        (1000, "1 KB"),
        (12 * 1024 * 1024, "12 MB"),
        (int(2.5 * 1024 * 1024), "2,5 MB"),
    ],
)
def test_file_size_filter(size, expected):
    template = Template("{% load formatting %}{{ size|file_size }}")
    assert template.render(Context({"size": size})) == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/pdf", "PDF"),
        ("image/jpeg", "Imagen JPEG"),
        ("image/png", "Imagen PNG"),
        ("text/csv", "text/csv"),
    ],
)
def test_content_type_label_filter(content_type, expected):
    template = Template("{% load formatting %}{{ value|content_type_label }}")
    assert template.render(Context({"value": content_type})) == expected


def test_export_money_whole_pesos_format():
    import io

    from openpyxl import load_workbook

    from core.exports import Column, xlsx_build

    content = xlsx_build(
        sheet_name="Prueba",
        columns=[Column("Valor", kind="money")],
        rows=[[Decimal("1250000.50")]],
    )
    cell = load_workbook(io.BytesIO(content)).active.cell(row=2, column=1)
    assert cell.number_format == '"$" #,##0'
    assert cell.value == 1250000.5
