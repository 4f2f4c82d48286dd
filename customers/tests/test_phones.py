import pytest
from django.core.exceptions import ValidationError

from customers.phones import format_phone, is_mobile, normalise_phone, split_phone_list


@pytest.mark.parametrize(
    "raw",
    [
        "3105551234",
        "310 555 1234",
        "310-555-1234",
        "(310) 555 1234",
        "+57 310 555 1234",
        "+573105551234",
        "573105551234",
        " 3105551234 ",
    ],
)
def test_mobile_formats_normalise_to_e164(raw):
    assert normalise_phone(raw) == "+573105551234"


@pytest.mark.parametrize(
    "raw",
    [
        "6082451234",
        "608 245 1234",
        "(608) 245-1234",
        "+57 608 245 1234",
        "57 6082451234",
    ],
)
def test_60x_landline_normalises_to_e164(raw):
    assert normalise_phone(raw) == "+576082451234"


def test_seven_digit_landline_takes_municipality_prefix():
    assert normalise_phone("245 1234", landline_prefix="608") == "+576082451234"


def test_seven_digit_landline_in_bogota_prefix():
    assert normalise_phone("2451234", landline_prefix="601") == "+576012451234"


def test_seven_digit_landline_without_prefix_is_rejected():
    with pytest.raises(ValidationError):
        normalise_phone("2451234")


def test_old_one_digit_area_code_becomes_60x():
    assert normalise_phone("(8) 245 1234") == "+576082451234"


@pytest.mark.parametrize("raw", ["12345", "310555123", "31055512345", "abc", "1-800"])
def test_invalid_phone_is_rejected_in_spanish(raw):
    with pytest.raises(ValidationError) as caught:
        normalise_phone(raw)
    assert "no es válido" in caught.value.messages[0]


def test_empty_phone_is_missing():
    with pytest.raises(ValidationError) as caught:
        normalise_phone("  ")
    assert caught.value.code == "missing"


def test_mobile_is_displayed_three_three_four():
    assert format_phone("+573105551234") == "310 555 1234"


def test_landline_is_displayed_three_three_four():
    assert format_phone("+576082451234") == "608 245 1234"


def test_empty_phone_displays_empty():
    assert format_phone("") == ""


def test_is_mobile_tells_mobiles_from_landlines():
    assert is_mobile("+573105551234")
    assert not is_mobile("+576082451234")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3119879729 - 3116069031", ["3119879729", "3116069031"]),
        ("310 555 1234 / 608 245 1234", ["310 555 1234", "608 245 1234"]),
        ("3105551234; 3205551234", ["3105551234", "3205551234"]),
        ("3105551234 y 3205551234", ["3105551234", "3205551234"]),
        ("321-708-8184", ["321-708-8184"]),
        ("", []),
    ],
)
def test_split_phone_list(raw, expected):
    assert split_phone_list(raw) == expected
