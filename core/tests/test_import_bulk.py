"""COPY text formatting of the bulk helpers."""

import pytest

from core.imports.bulk import copy_text, copy_text_fields


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GARCÍA", "GARCÍA"),
        ("A\\B", "A\\\\B"),
        ("\\N", "\\\\N"),
        ("A\tB", "A\\tB"),
        ("A\nB", "A\\nB"),
        ("A\rB", "A\\rB"),
    ],
)
def test_copy_text_escapes(value, expected):
    assert copy_text(value) == expected


def test_copy_text_fields_joins_plain_values():
    assert copy_text_fields(["449000001", "", "LUCERO"]) == "449000001\t\tLUCERO"


def test_copy_text_fields_escapes_backslash():
    assert copy_text_fields(["A\\B", "C"]) == "A\\\\B\tC"


def test_copy_text_fields_escapes_tab_inside_value():
    assert copy_text_fields(["A\tB", "C"]) == "A\\tB\tC"


def test_copy_text_fields_escapes_newline():
    assert copy_text_fields(["A", "B\nC"]) == "A\tB\\nC"
