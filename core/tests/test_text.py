"""Folding text for search."""

import csv
import unicodedata
from pathlib import Path

import pytest

from core.text import fold, fold_street_words, normalise_street_words, sort_key

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "subscribers"
    / "tests"
    / "data"
    / "catastro_suscriptores.csv"
)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "José  GARCÍA",
        " Calle 10 No. 5-20 ",
        "CL 10#5-20",
        "N°5 cra.\t7\u00a0#",
        "Ñuñoa",
        # A lone combining accent folds to nothing, and the diaeresis to a
        # space and an accent.
        "a \u0301 b",
        "a\u00a8b",
        "ﬁ Ⅻ ß İ",
        "ΟΔΟΣ ΣΑΣ",
        "#no.#",
        "x\x1cy\u2003z",
    ],
)
def test_fold_street_words_hard_cases(text):
    assert fold_street_words(text) == normalise_street_words(fold(text))


def test_fold_street_words_sample_registry():
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        text = " ".join((row["NOMBRE_SUSCRIPTOR"], row["DIRECCION"], row["BARRIO"]))
        assert fold_street_words(text) == normalise_street_words(fold(text)), text


def test_sort_key_orders_names_as_a_spanish_dictionary():
    names = [
        "Zapata Ltda.",
        "Álvaro Pérez",
        "APARTAHOTEL LOS OCOBOS",
        "Adriana Ruiz",
        "Muñoz Hermanos",
        "Munera y Cía.",
        "Muro Verde",
        "Ñame y Yuca S.A.S.",
        "Nuevo Horizonte",
        '"El Recreo"',
        "Edificio Balcones",
        "14 de Julio",
    ]
    assert sorted(names, key=sort_key) == [
        "14 de Julio",
        "Adriana Ruiz",
        "Álvaro Pérez",
        "APARTAHOTEL LOS OCOBOS",
        "Edificio Balcones",
        '"El Recreo"',
        "Munera y Cía.",
        "Muñoz Hermanos",
        "Muro Verde",
        "Nuevo Horizonte",
        "Ñame y Yuca S.A.S.",
        "Zapata Ltda.",
    ]


def test_sort_key_ignores_case_accents_and_spacing():
    assert sort_key("  JOSÉ   García ") == sort_key("jose garcia") == "jose garcia"


def test_sort_key_reads_decomposed_enye():
    decomposed = unicodedata.normalize("NFD", "Muñoz Castro")
    assert sort_key(decomposed) == sort_key("Muñoz Castro") == "mun~oz castro"
