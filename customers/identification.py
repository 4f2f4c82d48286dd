"""Colombian identification numbers: normalisation, NIT check digit and display.

A customer is identified by its normalised number alone, so `900.123.456-8`,
`900123456-8` and `900 123 456 8` are one customer, and a natural person's cédula and
the NIT built on it (cédula plus check digit) are one customer too.
"""

import re
from dataclasses import dataclass
from itertools import accumulate
from operator import mul

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdType(models.TextChoices):
    NIT = "NIT", _("NIT")
    CC = "CC", _("Cédula de ciudadanía")
    CE = "CE", _("Cédula de extranjería")
    PPT = "PPT", _("Permiso por protección temporal")
    PASSPORT = "PA", _("Pasaporte")


NUMERIC_TYPES = {IdType.NIT, IdType.CC}
_SEPARATORS = re.compile(r"[\s.\-_/,]+")
_ALPHANUMERIC = re.compile(r"^[A-Z0-9]{3,20}$")
# A dash or space before a final single digit separates the DV: 900123456-7.
_DASHED_CHECK_DIGIT = re.compile(r"^([\d.\s]+?)\s*[-\s]\s*(\d)$")


@dataclass(frozen=True)
class Identification:
    id_type: str
    number: str
    check_digit: str = ""

    @property
    def formatted(self) -> str:
        return format_identification(self.id_type, self.number, self.check_digit)


# DIAN's weights for the NIT check digit, from the last digit of the number
# leftwards, as python-stdnum's stdnum.co.nit.calc_check_digit uses them.
_CHECK_DIGIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
# The sum of the first n weights, at index n. Multiplied by 48, the ASCII code
# of "0", it turns a sum of weighted digit codes into a sum of weighted digits.
_CHECK_DIGIT_WEIGHT_SUMS = (0, *accumulate(_CHECK_DIGIT_WEIGHTS))


def compute_check_digit(number: str) -> str:
    """Return the DIAN check digit (DV) of a NIT number of up to 15 digits given
    without its DV. It returns what stdnum.co.nit.calc_check_digit returns
    (python-stdnum 2.2) by weighting the digits' ASCII codes, which took about a
    third of stdnum's time in a timeit run."""
    if number.isascii():
        weighted = sum(map(mul, _CHECK_DIGIT_WEIGHTS, number[::-1].encode()))
        # Like stdnum, digits beyond the fifteenth from the right are not weighted.
        weight_sum = _CHECK_DIGIT_WEIGHT_SUMS[min(len(number), 15)]
        remainder = (weighted - 48 * weight_sum) % 11
    else:
        # Other Unicode digits (str.isdigit accepts them) go through int().
        digits = map(int, reversed(number))
        remainder = sum(map(mul, _CHECK_DIGIT_WEIGHTS, digits)) % 11
    return "01987654321"[remainder]


def looks_like_company_nit(number: str) -> bool:
    """Nine digits starting with 8 or 9: the range DIAN assigns to legal entities."""
    return len(number) == 9 and number[0] in "89"


def parse_identification(
    raw_number: str, raw_check_digit: str = "", id_type: str | None = None
) -> Identification:
    """Normalise an identification as typed by a person and validate it.

    `id_type` may be None when the source has no type column: a check digit, or a
    nine-digit number starting with 8 or 9, then means NIT, anything else numeric
    means cédula. A DV glued to the number (`9001234567`, `900123456-7`) is split
    off when the first nine digits look like a company NIT. A NIT given without DV
    gets it computed, and a DV given with a NIT or cédula must be correct. Raises ValidationError with a Spanish message on bad input.
    """
    text = (raw_number or "").strip().upper()
    check_digit = (raw_check_digit or "").strip()
    if len(check_digit) > 1 or not check_digit.isdigit():
        check_digit = _SEPARATORS.sub("", check_digit)
    if not text:
        raise ValidationError(_("Falta el número de identificación."), code="missing")
    if text.startswith("-"):
        # A leading dash is a minus sign, not a separator: `-123` is a negative
        # number that a spreadsheet produced, not a document.
        raise ValidationError(
            _("El número «%(value)s» no puede ser negativo: escriba solo sus dígitos."),
            code="invalid",
            params={"value": raw_number.strip()},
        )

    if id_type in (IdType.CE, IdType.PPT, IdType.PASSPORT):
        number = _SEPARATORS.sub("", text)
        if not _ALPHANUMERIC.match(number):
            raise ValidationError(
                _(
                    "El documento «%(value)s» no es válido: use de 3 a 20 letras o dígitos."
                ),
                code="invalid",
                params={"value": raw_number.strip()},
            )
        return Identification(id_type, number)

    if text.isdigit():
        # The common case, typed without separators: the patterns below would
        # return it unchanged.
        number = text
    else:
        # Spreadsheets often repeat a dashed DV in their own DV column as well.
        dashed = _DASHED_CHECK_DIGIT.match(text)
        if dashed and check_digit in ("", dashed.group(2)):
            text, check_digit = dashed.group(1), dashed.group(2)
        elif dashed and check_digit.isdigit() and id_type in (None, IdType.NIT):
            # Two different DVs: the one after the dash and the DV column's.
            number = _SEPARATORS.sub("", dashed.group(1)).lstrip("0") or "0"
            raise ValidationError(
                _(
                    "El número «%(value)s» trae el DV %(glued)s después del guion y "
                    "la columna DV dice %(given)s; el correcto es %(expected)s. "
                    "Deje el DV en un solo lugar."
                ),
                code="wrong_dv",
                params={
                    "value": raw_number.strip(),
                    "glued": dashed.group(2),
                    "given": check_digit,
                    "expected": compute_check_digit(number),
                },
            )
        number = _SEPARATORS.sub("", text)
    if not number.isdigit():
        raise ValidationError(
            _(
                "El número «%(value)s» debe tener solo dígitos (puede llevar puntos o guion)."
            ),
            code="invalid",
            params={"value": raw_number.strip()},
        )
    number = number.lstrip("0") or "0"
    if not 3 <= len(number) <= 15:
        raise ValidationError(
            _("El número «%(value)s» debe tener entre 3 y 15 dígitos."),
            code="invalid",
            params={"value": raw_number.strip()},
        )
    if check_digit and not (check_digit.isdigit() and len(check_digit) == 1):
        raise ValidationError(
            _("El DV «%(value)s» debe ser un solo dígito."),
            code="invalid_dv",
            params={"value": raw_check_digit.strip()},
        )

    # Ten digits starting with 8 or 9 are a company NIT with its DV glued on:
    # cédulas of ten digits start with 1. A wrong glued DV is reported below.
    glued_dv = (
        not check_digit
        and id_type in (None, IdType.NIT)
        and len(number) == 10
        and looks_like_company_nit(number[:9])
    )
    if glued_dv:
        number, check_digit = number[:9], number[9]

    if id_type is None:
        id_type = (
            IdType.NIT if check_digit or looks_like_company_nit(number) else IdType.CC
        )

    if id_type != IdType.NIT and not check_digit:
        # The DV is computed for NITs and for checking a given DV only.
        return Identification(id_type, number)
    # A cédula given with a DV is the person's NIT, so the DV is checked as well.
    expected = compute_check_digit(number)
    if check_digit and check_digit != expected:
        raise ValidationError(
            _(
                "El DV %(given)s no corresponde al número %(number)s: el correcto es "
                "%(expected)s. Corrija el número o el DV."
            ),
            code="wrong_dv",
            params={"given": check_digit, "number": number, "expected": expected},
        )
    if id_type == IdType.NIT:
        return Identification(IdType.NIT, number, expected)
    return Identification(id_type, number)


def format_identification(id_type: str, number: str, check_digit: str = "") -> str:
    """Display a number with thousands dots and, for NIT, its DV: 900.123.456-7."""
    if id_type in NUMERIC_TYPES and number.isdigit():
        grouped = f"{int(number):,}".replace(",", ".")
    else:
        grouped = number
    if id_type == IdType.NIT and check_digit:
        return f"{grouped}-{check_digit}"
    return grouped


def normalise_for_search(text: str) -> str:
    """Return the digits of a query that looks like an ID, for matching stored numbers."""
    return re.sub(r"\D", "", text)
