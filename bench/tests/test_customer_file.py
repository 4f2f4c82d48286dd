"""The generated customer file has the shape of the director's Excel export.

Not part of `make test`; run with `.venv/bin/python -m pytest bench/tests`.
"""

import csv

import pytest
from stdnum.co import nit

from bench.customer_file import HEADERS, CustomerGenerator, write_customer_file

ROWS = 3000


@pytest.fixture(scope="module")
def customer_file(tmp_path_factory):
    return write_customer_file(tmp_path_factory.mktemp("bench") / "c.csv", ROWS)


@pytest.fixture(scope="module")
def records(customer_file):
    with customer_file.open(encoding="cp1252", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_file_has_spanish_headers(records):
    assert records[0] == HEADERS


def test_file_uses_crlf_line_ends(customer_file):
    assert customer_file.read_bytes().count(b"\r\n") >= ROWS + 3


def test_file_is_cp1252(customer_file):
    assert "RAZÓN SOCIAL".encode("cp1252") in customer_file.read_bytes()


def test_file_ends_with_two_empty_rows(records):
    assert records[-2:] == [[""] * len(HEADERS)] * 2


def test_file_has_requested_data_rows(records):
    assert len(records) == 1 + ROWS + 2


def test_same_seed_gives_same_file(customer_file, tmp_path):
    again = write_customer_file(tmp_path / "again.csv", ROWS)
    assert again.read_bytes() == customer_file.read_bytes()


def test_clean_company_nits_have_correct_dv(records):
    clean = [row for row in records[1:-2] if row[0].isdigit() and row[1]]
    wrong = [row for row in clean if nit.calc_check_digit(row[0]) != row[1]]
    assert len(wrong) < 0.02 * len(clean)


def test_messy_rows_near_sample_rate():
    generator = CustomerGenerator(seed=7)
    for _row in generator.rows(ROWS):
        pass
    rate = sum(generator.quirk_counts.values()) / ROWS
    assert 0.08 < rate < 0.14


def test_every_kind_of_mess_appears():
    generator = CustomerGenerator(seed=7)
    for _row in generator.rows(ROWS):
        pass
    assert len(generator.quirk_counts) == 13


def test_numbers_are_unique():
    generator = CustomerGenerator(seed=7)
    numbers = [record.id_number for record in generator.records(ROWS)]
    assert len(set(numbers)) == ROWS
