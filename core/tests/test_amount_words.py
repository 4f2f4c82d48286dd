from decimal import Decimal

import pytest

from core.amounts import amount_in_words, number_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "CERO PESOS M/CTE"),
        ("1", "UN PESO M/CTE"),
        ("2", "DOS PESOS M/CTE"),
        ("16", "DIECISÉIS PESOS M/CTE"),
        ("21", "VEINTIÚN PESOS M/CTE"),
        ("22", "VEINTIDÓS PESOS M/CTE"),
        ("31", "TREINTA Y UN PESOS M/CTE"),
        ("100", "CIEN PESOS M/CTE"),
        ("101", "CIENTO UN PESOS M/CTE"),
        ("115", "CIENTO QUINCE PESOS M/CTE"),
        ("500", "QUINIENTOS PESOS M/CTE"),
        ("999", "NOVECIENTOS NOVENTA Y NUEVE PESOS M/CTE"),
        ("1000", "MIL PESOS M/CTE"),
        ("1001", "MIL UN PESOS M/CTE"),
        ("21000", "VEINTIÚN MIL PESOS M/CTE"),
        ("100000", "CIEN MIL PESOS M/CTE"),
        ("121000", "CIENTO VEINTIÚN MIL PESOS M/CTE"),
        ("231450", "DOSCIENTOS TREINTA Y UN MIL CUATROCIENTOS CINCUENTA PESOS M/CTE"),
        ("1000000", "UN MILLÓN DE PESOS M/CTE"),
        ("1200000", "UN MILLÓN DOSCIENTOS MIL PESOS M/CTE"),
        ("1001000", "UN MILLÓN MIL PESOS M/CTE"),
        ("2000000", "DOS MILLONES DE PESOS M/CTE"),
        ("21000000", "VEINTIÚN MILLONES DE PESOS M/CTE"),
        ("101000000", "CIENTO UN MILLONES DE PESOS M/CTE"),
        ("1000000000", "MIL MILLONES DE PESOS M/CTE"),
        ("21500000000", "VEINTIÚN MIL QUINIENTOS MILLONES DE PESOS M/CTE"),
        ("1000000000000", "UN BILLÓN DE PESOS M/CTE"),
    ],
)
def test_amount_in_words_whole_pesos(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_amount_in_words_with_cents():
    assert (
        amount_in_words(Decimal("1200000.50"))
        == "UN MILLÓN DOSCIENTOS MIL PESOS CON CINCUENTA CENTAVOS M/CTE"
    )


def test_amount_in_words_one_cent():
    assert amount_in_words(Decimal("3.01")) == "TRES PESOS CON UN CENTAVO M/CTE"


def test_amount_in_words_twenty_one_cents():
    assert amount_in_words(Decimal("1.21")) == "UN PESO CON VEINTIÚN CENTAVOS M/CTE"


def test_amount_in_words_rounds_cents_half_up():
    assert amount_in_words(Decimal("10.005")) == "DIEZ PESOS CON UN CENTAVO M/CTE"


def test_amount_in_words_rejects_negative():
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))


def test_number_in_words_keeps_full_uno_alone():
    assert number_in_words(21) == "VEINTIUNO"
