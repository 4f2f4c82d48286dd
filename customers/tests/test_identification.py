import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.co import nit as stdnum_nit

from customers.identification import (
    IdType,
    compute_check_digit,
    format_identification,
    parse_identification,
)

# NITs whose DV was checked by hand against the DIAN weights.
VERIFIED_NITS = [
    ("800191045", "1"),
    ("900373923", "8"),
    ("860069804", "2"),
    ("860007386", "1"),
    ("901428827", "0"),
    ("900146103", "2"),
]


@pytest.mark.parametrize(("number", "check_digit"), VERIFIED_NITS)
def test_check_digit_matches_verified_vector(number, check_digit):
    assert compute_check_digit(number) == check_digit


@given(st.from_regex(r"[0-9]{1,20}", fullmatch=True))
def test_check_digit_matches_stdnum(number):
    assert compute_check_digit(number) == stdnum_nit.calc_check_digit(number)


def test_check_digit_of_arabic_indic_digits():
    assert (
        compute_check_digit("\u0669\u0660\u0660\u0663\u0667\u0663\u0669\u0662\u0663")
        == "8"
    )


@pytest.mark.parametrize(("number", "check_digit"), VERIFIED_NITS)
def test_verified_nit_with_dash_is_accepted(number, check_digit):
    parsed = parse_identification(f"{number}-{check_digit}")
    assert parsed.id_type == IdType.NIT
    assert parsed.number == number
    assert parsed.check_digit == check_digit


@pytest.mark.parametrize(
    ("raw_number", "raw_check_digit"),
    [
        ("900.123.456-8", ""),
        ("900123456-8", ""),
        ("900 123 456 8", ""),
        ("900123456 - 8", ""),
        ("9001234568", ""),
        ("900.123.456", "8"),
        ("900123456", ""),
        ("900.123.456-8", "8"),
        (" 900.123.456-8 ", " 8 "),
    ],
)
def test_nit_formats_normalise_the_same(raw_number, raw_check_digit):
    parsed = parse_identification(raw_number, raw_check_digit)
    assert (parsed.id_type, parsed.number, parsed.check_digit) == (
        IdType.NIT,
        "900123456",
        "8",
    )


@pytest.mark.parametrize(
    ("raw_number", "raw_check_digit", "id_type"),
    [
        ("900.123.456-7", "", None),
        ("900123456-7", "", IdType.NIT),
        ("900 123 456 7", "", None),
        ("900123456", "7", IdType.NIT),
        ("9001234567", "", None),
        ("9001234567", "", IdType.NIT),
    ],
)
def test_wrong_dv_is_rejected_with_correct_dv(raw_number, raw_check_digit, id_type):
    with pytest.raises(ValidationError) as caught:
        parse_identification(raw_number, raw_check_digit, id_type)
    assert caught.value.code == "wrong_dv"
    assert "el correcto es 8" in caught.value.messages[0]


def test_nit_without_dv_gets_it_computed():
    parsed = parse_identification("800191045", "", IdType.NIT)
    assert parsed.check_digit == "1"


def test_cedula_is_stored_as_digits_without_dv():
    parsed = parse_identification("1.019.291.175", "", IdType.CC)
    assert (parsed.id_type, parsed.number, parsed.check_digit) == (
        IdType.CC,
        "1019291175",
        "",
    )


def test_number_without_type_and_short_means_cedula():
    parsed = parse_identification("79.123.456")
    assert parsed.id_type == IdType.CC


def test_cedula_with_wrong_dv_is_rejected():
    with pytest.raises(ValidationError) as caught:
        parse_identification("52.676.942-4", "", IdType.CC)
    assert caught.value.code == "wrong_dv"


def test_cedula_with_correct_dv_is_the_person_nit():
    parsed = parse_identification("20353899", "1")
    assert (parsed.id_type, parsed.number, parsed.check_digit) == (
        IdType.NIT,
        "20353899",
        "1",
    )


def test_cedula_and_its_nit_share_the_number():
    cedula = parse_identification("20.353.899", "", IdType.CC)
    nit = parse_identification("20353899-1", "", IdType.NIT)
    assert cedula.number == nit.number


def test_ten_digit_cedula_is_not_split():
    parsed = parse_identification("1019291175", "", IdType.CC)
    assert parsed.number == "1019291175"


def test_leading_zeros_are_dropped():
    assert parse_identification("000123456", "", IdType.CC).number == "123456"


@pytest.mark.parametrize(
    ("raw_number", "id_type", "code"),
    [
        ("", None, "missing"),
        ("12", IdType.CC, "invalid"),
        ("12345678901234567", IdType.CC, "invalid"),
        ("ABC123", IdType.CC, "invalid"),
        ("A1", IdType.PASSPORT, "invalid"),
    ],
)
def test_invalid_number_is_rejected(raw_number, id_type, code):
    with pytest.raises(ValidationError) as caught:
        parse_identification(raw_number, "", id_type)
    assert caught.value.code == code


def test_dv_of_two_digits_is_rejected():
    with pytest.raises(ValidationError) as caught:
        parse_identification("900123456", "18", IdType.NIT)
    assert caught.value.code == "invalid_dv"


def test_passport_keeps_letters_upper_case():
    parsed = parse_identification("ab-123 456", "", IdType.PASSPORT)
    assert parsed.number == "AB123456"


def test_error_message_is_spanish_and_names_value():
    with pytest.raises(ValidationError) as caught:
        parse_identification("12", "", IdType.CC)
    assert "«12»" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("id_type", "number", "check_digit", "expected"),
    [
        (IdType.NIT, "900123456", "8", "900.123.456-8"),
        (IdType.NIT, "20353899", "1", "20.353.899-1"),
        (IdType.CC, "1019291175", "", "1.019.291.175"),
        (IdType.CC, "123", "", "123"),
        (IdType.PASSPORT, "AB123456", "", "AB123456"),
    ],
)
def test_identification_is_displayed_with_dots(id_type, number, check_digit, expected):
    assert format_identification(id_type, number, check_digit) == expected


@pytest.mark.parametrize("id_type", [None, IdType.CC, IdType.NIT, IdType.CE])
def test_negative_number_is_rejected(id_type):
    with pytest.raises(ValidationError) as raised:
        parse_identification("-123", "", id_type)

    assert raised.value.code == "invalid"
    assert raised.value.messages == [
        "El número «-123» no puede ser negativo: escriba solo sus dígitos."
    ]


def test_inner_dash_is_still_a_separator():
    assert parse_identification("1.019-968.196").number == "1019968196"


def test_two_different_check_digits_named():
    with pytest.raises(ValidationError) as raised:
        parse_identification("900.032.725-3", "4")
    message = " ".join(raised.value.messages)
    assert "trae el DV 3 después del guion" in message
    assert "la columna DV dice 4" in message
    assert raised.value.code == "wrong_dv"
