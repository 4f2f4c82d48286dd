from datetime import date, datetime
from decimal import Decimal

import pytest

from core.imports import (
    CellError,
    cell_text,
    check_text_length,
    clean_text,
    is_excel_serial,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$ 5.260.395,00", Decimal("5260395.00")),
        ("$5.260.395,00", Decimal("5260395.00")),
        ("1142400,50", Decimal("1142400.50")),
        ("$ 48.000", Decimal("48000")),
        ("1.250.000", Decimal("1250000")),
        ("380.800", Decimal("380800")),
        ("1250000", Decimal("1250000")),
        ("68742.35", Decimal("68742.35")),
        ("1,250,000.50", Decimal("1250000.50")),
        ("(1.000)", Decimal("-1000")),
        ("COP 2.332.400", Decimal("2332400")),
        (82000, Decimal("82000")),
        (68742.35, Decimal("68742.35")),
    ],
)
def test_parse_decimal_reads_colombian_amounts(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["", None, "   "])
def test_parse_decimal_empty_is_none(raw):
    assert parse_decimal(raw) is None


@pytest.mark.parametrize("raw", ["doce mil", "1.25.0", "$", "12a"])
def test_parse_decimal_rejects_text(raw):
    with pytest.raises(CellError) as error:
        parse_decimal(raw)
    assert "1.250.000" in error.value.message


def test_parse_integer_rejects_decimals():
    with pytest.raises(CellError):
        parse_integer("2,5")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("27/09/2025", date(2025, 9, 27)),
        ("19/7/2024", date(2024, 7, 19)),
        ("28/09/26", date(2026, 9, 28)),
        ("2026-02-11", date(2026, 2, 11)),
        ("13-nov-24", date(2024, 11, 13)),
        ("5 ene 2026", date(2026, 1, 5)),
        ("01-Sept-2025", date(2025, 9, 1)),
        ("15-dic.-25", date(2025, 12, 15)),
        (datetime(2026, 10, 1), date(2026, 10, 1)),
        (date(2026, 10, 1), date(2026, 10, 1)),
        (46023, date(2026, 1, 1)),
        (46023.0, date(2026, 1, 1)),
        ("45990", date(2025, 11, 29)),
        (" 45990 ", date(2025, 11, 29)),
        ("45990.0", date(2025, 11, 29)),
        ("45990,75", date(2025, 11, 29)),
    ],
)
def test_parse_date_reads_every_form(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["31/02/2026", "mañana", "13/13/2025", "12-xyz-24", 12, "99999", "4599.0"]
)
def test_parse_date_rejects_invalid(raw):
    with pytest.raises(CellError) as error:
        parse_date(raw)
    assert "dd/mm/aaaa" in error.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SÍ", True),
        ("SI", True),
        ("Si", True),
        ("x", True),
        ("NO", False),
        ("no", False),
    ],
)
def test_parse_yes_no(raw, expected):
    assert parse_yes_no(raw) is expected


def test_parse_yes_no_rejects_other_words():
    with pytest.raises(CellError):
        parse_yes_no("quizás")


def test_cell_text_drops_float_tail_of_codes():
    assert cell_text(900123456.0) == "900123456"


def test_cell_text_collapses_spaces():
    assert cell_text("  Hotel\xa0 San   Miguel ") == "Hotel San Miguel"


def test_clean_text_title_cases_upper_names_when_asked():
    assert clean_text("HOTEL SAN MIGUEL DE LA SIERRA S.A.S.", title_case=True) == (
        "Hotel San Miguel de la Sierra S.A.S."
    )


def test_clean_text_keeps_upper_names_by_default():
    assert clean_text(" HOTEL SAN MIGUEL ") == "HOTEL SAN MIGUEL"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (45990, True),
        (45990.0, True),
        ("45990", True),
        ("45990,0", True),
        ("29/11/2025", False),
        (datetime(2025, 11, 29), False),
        (True, False),
        (None, False),
    ],
)
def test_is_excel_serial(raw, expected):
    assert is_excel_serial(raw) is expected


def test_check_text_length_accepts_text_at_limit():
    assert check_text_length("abc", 3) == "abc"
    assert check_text_length("x" * 500, None) == "x" * 500


def test_check_text_length_rejects_longer_text():
    with pytest.raises(CellError) as raised:
        check_text_length("abcd", 3)

    assert raised.value.message == "Tiene 4 caracteres; el máximo es 3. Acórtelo."
    assert raised.value.value == "abcd"


def test_invalid_date_message_names_both_forms():
    with pytest.raises(CellError) as error:
        parse_date("31/02/2026")
    assert "dd/mm/aaaa (por ejemplo 15/03/2026)" in error.value.message
    assert "aaaa-mm-dd (2026-03-15)" in error.value.message
