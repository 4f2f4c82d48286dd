import pytest
from django.core.exceptions import ValidationError

from service_orders.crew import cedula_normalise, crew_parse, plate_normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.023.456.789", "1023456789"),
        ("52 345 678", "52345678"),
        ("79123456", "79123456"),
        ("1234", "1234"),
    ],
)
def test_cedula_normalised(raw, expected):
    assert cedula_normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "12", "CC-79A23", "123456789012", "abc"])
def test_cedula_invalid_rejected(raw):
    with pytest.raises(ValidationError):
        cedula_normalise(raw)


def test_cedula_message_names_value_once():
    with pytest.raises(ValidationError) as caught:
        cedula_normalise("abc")
    message = caught.value.messages[0]
    assert message.count("«abc»") == 1
    assert "dígitos" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc123", "ABC123"),
        ("ABC-123", "ABC123"),
        (" wxy 987 ", "WXY987"),
        ("abc12d", "ABC12D"),
        ("ABC 12D", "ABC12D"),
    ],
)
def test_plate_normalised(raw, expected):
    assert plate_normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "AB123", "ABCD123", "123ABC", "ABC1234", "ABC1D2"])
def test_plate_invalid_rejected(raw):
    with pytest.raises(ValidationError):
        plate_normalise(raw)


def test_crew_parse_reads_lines():
    members = crew_parse(
        "Pedro Pérez; 1.023.456.789; conductor\n\nLuz Ortiz\t52345678\n"
    )
    assert [(m.name, m.id_number, m.role) for m in members] == [
        ("Pedro Pérez", "1023456789", "conductor"),
        ("Luz Ortiz", "52345678", ""),
    ]


def test_crew_parse_names_every_bad_line():
    with pytest.raises(ValidationError) as caught:
        crew_parse("Pedro Pérez; 12\nSolo un nombre\nAna Ruiz; 52345678")
    messages = caught.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("Línea 1:")
    assert messages[1].startswith("Línea 2:")


def test_crew_parse_rejects_repeated_cedula():
    with pytest.raises(ValidationError) as caught:
        crew_parse("Pedro Pérez; 52345678\nPedro P.; 52.345.678")
    assert "ya está en la línea 1" in caught.value.messages[0]


def test_crew_parse_requires_name():
    with pytest.raises(ValidationError) as caught:
        crew_parse("; 52345678")
    assert "nombre" in caught.value.messages[0]
