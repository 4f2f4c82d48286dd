"""Cell parsers shared by every import: es-CO numbers, dates, yes/no and text.

Each parser takes a raw cell: text from a CSV, or the typed value openpyxl returns for
an XLSX cell. It returns None for an empty cell. On bad input it raises CellError with
a Spanish message saying what is wrong and how to write the value instead.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.text import collapse_spaces, fold

# Excel counts days from 30/12/1899 (its 1900 leap-year bug is folded into the offset).
EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers accepted as dates: 01/01/1950 to 31/12/2099.
EXCEL_SERIAL_RANGE = (18264, 73415)

SPANISH_MONTHS = {
    "ene": 1,
    "enero": 1,
    "feb": 2,
    "febrero": 2,
    "mar": 3,
    "marzo": 3,
    "abr": 4,
    "abril": 4,
    "may": 5,
    "mayo": 5,
    "jun": 6,
    "junio": 6,
    "jul": 7,
    "julio": 7,
    "ago": 8,
    "agosto": 8,
    "sep": 9,
    "sept": 9,
    "set": 9,
    "septiembre": 9,
    "setiembre": 9,
    "oct": 10,
    "octubre": 10,
    "nov": 11,
    "noviembre": 11,
    "dic": 12,
    "diciembre": 12,
    # English abbreviations, as an English-locale Excel writes them.
    "jan": 1,
    "apr": 4,
    "aug": 8,
    "dec": 12,
}

YES_WORDS = frozenset({"si", "s", "x", "yes", "y", "true", "verdadero", "1"})
NO_WORDS = frozenset({"no", "n", "false", "falso", "0"})

_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_MONTH_NAME_DATE = re.compile(r"^(\d{1,2})[\s/.\-]+([a-z]+)\.?[\s/.\-]+(\d{2}|\d{4})$")
# An Excel date serial written as text, as a CSV export or a text-formatted cell
# keeps it: five digits, with the fraction of a day after a point or a comma.
_SERIAL_TEXT = re.compile(r"^\d{5}(?:[.,]\d+)?$")
_CURRENCY = re.compile(r"(?i)\$|cop|col\$|pesos")
_NUMBER_CHARACTERS = re.compile(r"^[+-]?[\d.,]+$")
_GROUPED_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


class CellError(ValueError):
    """A cell whose value cannot be read; the message is Spanish and names the fix."""

    def __init__(self, message: str, value=""):
        super().__init__(message)
        self.message = message
        self.value = value


def cell_text(value) -> str:
    """Return a cell as trimmed text with single spaces; numbers lose a `.0` tail.

    Numeric XLSX cells holding codes or IDs (900123456.0) become `900123456`, and
    date cells become dd/mm/aaaa.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        # str.split() splits on every Unicode space, the no-break space included.
        return " ".join(value.split())
    if isinstance(value, bool):
        return _("SÍ") if value else _("NO")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.hour or value.minute or value.second:
            return value.strftime("%d/%m/%Y %H:%M")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return collapse_spaces(str(value))


def clean_text(value, *, title_case: bool = False) -> str:
    """Trim and collapse spaces; with `title_case`, turn ALL-CAPS text into Title Case.

    Title casing keeps company suffixes such as S.A.S., P.H. and E.S.P. as written.
    """
    text = cell_text(value)
    if title_case and text.isupper():
        text = " ".join(_title_word(word) for word in text.split(" "))
    return text


_KEEP_UPPER = re.compile(
    r"^(?:[A-ZÁÉÍÓÚÑ]\.)+[A-ZÁÉÍÓÚÑ]?\.?$|^(?:S\.?A\.?S?|ESP|NIT|SAS|PH)$"
)
_LOWER_WORDS = frozenset({"de", "del", "la", "las", "los", "y", "e", "en", "el"})


def check_text_length(text: str, max_length: int | None) -> str:
    """Return `text` when it fits a text field of `max_length` characters (None
    means no limit). Raises CellError naming the length, the maximum and the fix."""
    if max_length is not None and len(text) > max_length:
        raise CellError(
            _("Tiene %(length)s caracteres; el máximo es %(max_length)s. Acórtelo.")
            % {"length": len(text), "max_length": max_length},
            text,
        )
    return text


def _title_word(word: str) -> str:
    if _KEEP_UPPER.match(word):
        return word
    lowered = word.lower()
    if lowered in _LOWER_WORDS:
        return lowered
    return lowered[:1].upper() + lowered[1:]


def parse_decimal(value) -> Decimal | None:
    """Read an amount written the Colombian way: `$ 5.260.395,00`, `1142400,50`,
    `$ 48.000`, `1.250.000`, or a numeric cell. Dots group thousands and the comma
    marks decimals; a single dot followed by other than three digits is a decimal
    point (68742.35)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("Se esperaba un valor numérico."), value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value

    text = cell_text(value)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return Decimal(text)
    negative = text.startswith("(") and text.endswith(")")
    compact = _CURRENCY.sub("", text.strip("()")).replace(" ", "")
    if not _NUMBER_CHARACTERS.match(compact) or not any(c.isdigit() for c in compact):
        raise CellError(_invalid_number_message(text), text)
    digits = _normalise_separators(compact, text)
    try:
        amount = Decimal(digits)
    except InvalidOperation as error:
        raise CellError(_invalid_number_message(text), text) from error
    return -amount if negative else amount


def _normalise_separators(compact: str, original: str) -> str:
    """Turn `5.260.395,00` into `5260395.00` following the es-CO convention."""
    if "," in compact and "." in compact:
        if compact.rfind(",") > compact.rfind("."):
            return compact.replace(".", "").replace(",", ".")
        # 1,250,000.50: an export from an English-locale system.
        return compact.replace(",", "")
    if "," in compact:
        if compact.count(",") > 1:
            return compact.replace(",", "")
        return compact.replace(",", ".")
    if "." in compact:
        unsigned = compact.lstrip("+-")
        if compact.count(".") > 1 or _GROUPED_THOUSANDS.match(unsigned):
            if not _GROUPED_THOUSANDS.match(unsigned):
                raise CellError(_invalid_number_message(original), original)
            return compact.replace(".", "")
    return compact


def _invalid_number_message(text: str) -> str:
    return _(
        "«%(value)s» no es un valor numérico válido: escríbalo como 1250000, "
        "1.250.000 o $ 1.250.000,50."
    ) % {"value": text}


def parse_integer(value) -> int | None:
    """Read a whole number (`3`, `1.500`, a numeric cell); decimals are an error."""
    amount = parse_decimal(value)
    if amount is None:
        return None
    if amount != amount.to_integral_value():
        raise CellError(
            _("«%(value)s» debe ser un número entero.") % {"value": cell_text(value)},
            value,
        )
    return int(amount)


def parse_date(value) -> date | None:
    """Read a date: dd/mm/yyyy, d/m/yyyy, dd/mm/yy, yyyy-mm-dd, `13-nov-24` with
    Spanish month abbreviations, an Excel date cell or an Excel serial number.

    Two-digit years are taken as 20yy. Day-first is assumed for every numeric form
    except the ISO one, as Colombian spreadsheets write dates.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_excel_serial(value)

    text = cell_text(value)
    if not text:
        return None
    # Folding leaves digits and separators alone, so a numeric date needs none.
    numeric = _NUMERIC_DATE.match(text)
    folded = text if numeric else fold(text)
    parts = None
    if match := numeric or _NUMERIC_DATE.match(folded):
        day, month, year = (int(group) for group in match.groups())
        parts = (_full_year(year, match.group(3)), month, day)
    elif match := _ISO_DATE.match(folded):
        parts = tuple(int(group) for group in match.groups())
    elif match := _MONTH_NAME_DATE.match(folded):
        month = SPANISH_MONTHS.get(match.group(2))
        if month is not None:
            year = int(match.group(3))
            parts = (_full_year(year, match.group(3)), month, int(match.group(1)))
    elif _SERIAL_TEXT.match(folded):
        return _from_excel_serial(float(folded.replace(",", ".")))
    if parts is None:
        raise CellError(_invalid_date_message(text), text)
    try:
        return date(*parts)
    except ValueError as error:
        raise CellError(_invalid_date_message(text), text) from error


def is_excel_serial(value) -> bool:
    """True when `value` is a date cell's raw Excel serial number: a number, or
    text as parse_date reads it (`45990`, `45990.0`, `45990,5`)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_SERIAL_TEXT.match(value.strip()))


def _full_year(year: int, written: str) -> int:
    return 2000 + year if len(written) == 2 else year


def _from_excel_serial(serial: float) -> date:
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial <= high:
        raise CellError(_invalid_date_message(cell_text(serial)), serial)
    return EXCEL_EPOCH + timedelta(days=int(serial))


def _invalid_date_message(text: str) -> str:
    return _(
        "«%(value)s» no es una fecha válida: escríbala como dd/mm/aaaa (por ejemplo "
        "15/03/2026) o, como la exporta el sistema de facturación, aaaa-mm-dd "
        "(2026-03-15)."
    ) % {"value": text}


def parse_yes_no(value) -> bool | None:
    """Read SÍ, SI, Si, S, X, NO, N (and TRUE/FALSE cells) as a boolean."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    folded = fold(cell_text(value)).rstrip(".")
    if not folded:
        return None
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    raise CellError(
        _("«%(value)s» no es un valor válido: escriba SÍ o NO.")
        % {"value": cell_text(value)},
        value,
    )
