"""Amounts in Spanish words, as Colombian quotations and invoices print them:
"UN MILLÓN DOSCIENTOS MIL PESOS M/CTE".

Written here instead of using num2words 0.5.14, whose Spanish output says
"veintiuno millones" and "veintiuno mil" where Spanish requires "veintiún".
"""

from decimal import ROUND_HALF_UP, Decimal

_UNITS = [
    "",
    "UNO",
    "DOS",
    "TRES",
    "CUATRO",
    "CINCO",
    "SEIS",
    "SIETE",
    "OCHO",
    "NUEVE",
    "DIEZ",
    "ONCE",
    "DOCE",
    "TRECE",
    "CATORCE",
    "QUINCE",
    "DIECISÉIS",
    "DIECISIETE",
    "DIECIOCHO",
    "DIECINUEVE",
    "VEINTE",
    "VEINTIUNO",
    "VEINTIDÓS",
    "VEINTITRÉS",
    "VEINTICUATRO",
    "VEINTICINCO",
    "VEINTISÉIS",
    "VEINTISIETE",
    "VEINTIOCHO",
    "VEINTINUEVE",
]
_TENS = {
    3: "TREINTA",
    4: "CUARENTA",
    5: "CINCUENTA",
    6: "SESENTA",
    7: "SETENTA",
    8: "OCHENTA",
    9: "NOVENTA",
}
_HUNDREDS = {
    1: "CIENTO",
    2: "DOSCIENTOS",
    3: "TRESCIENTOS",
    4: "CUATROCIENTOS",
    5: "QUINIENTOS",
    6: "SEISCIENTOS",
    7: "SETECIENTOS",
    8: "OCHOCIENTOS",
    9: "NOVECIENTOS",
}

# Scales of the long scale used in Spanish: 10^6 millón, 10^12 billón.
_MILLION = 10**6
_BILLION = 10**12
MAX_AMOUNT = 10**18 - 1


def _below_hundred(number: int) -> str:
    if number < 30:
        return _UNITS[number]
    tens, units = divmod(number, 10)
    if units == 0:
        return _TENS[tens]
    return f"{_TENS[tens]} Y {_UNITS[units]}"


def _below_thousand(number: int) -> str:
    if number == 100:
        return "CIEN"
    hundreds, rest = divmod(number, 100)
    words = [_HUNDREDS[hundreds]] if hundreds else []
    if rest:
        words.append(_below_hundred(rest))
    return " ".join(words)


def _apocopate(words: str) -> str:
    """Shorten a final "UNO" before a noun: VEINTIUNO → VEINTIÚN, UNO → UN."""
    if words.endswith("VEINTIUNO"):
        return words[: -len("VEINTIUNO")] + "VEINTIÚN"
    if words == "UNO" or words.endswith(" UNO"):
        return words[:-1]
    return words


def _below_million(number: int) -> str:
    thousands, rest = divmod(number, 1000)
    words = []
    if thousands == 1:
        words.append("MIL")
    elif thousands:
        words.append(f"{_apocopate(_below_thousand(thousands))} MIL")
    if rest:
        words.append(_below_thousand(rest))
    return " ".join(words)


def number_in_words(number: int) -> str:
    """Write a whole number from 0 to 10^18 - 1 in upper-case Spanish words."""
    if number < 0 or number > MAX_AMOUNT:
        raise ValueError(f"{number} is outside 0..{MAX_AMOUNT}.")
    if number == 0:
        return "CERO"

    billions, rest = divmod(number, _BILLION)
    millions, units = divmod(rest, _MILLION)
    words = []
    if billions:
        words.append(_scale(billions, "BILLÓN", "BILLONES"))
    if millions:
        words.append(_scale(millions, "MILLÓN", "MILLONES"))
    if units:
        words.append(_below_million(units))
    return " ".join(words)


def _scale(count: int, singular: str, plural: str) -> str:
    if count == 1:
        return f"UN {singular}"
    return f"{_apocopate(_below_million(count))} {plural}"


def amount_in_words(amount: Decimal) -> str:
    """Write a peso amount in words: "DOS MIL PESOS CON CINCUENTA CENTAVOS M/CTE".

    Cents are rounded half-up. A whole number of millions takes "DE" before PESOS
    ("UN MILLÓN DE PESOS"), as Spanish grammar requires.
    """
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError(f"Negative amount {amount} cannot be written in words.")
    pesos = int(amount)
    cents = int((amount - pesos) * 100)

    if pesos == 1:
        text = "UN PESO"
    else:
        words = _apocopate(number_in_words(pesos))
        joiner = " DE " if pesos and pesos % _MILLION == 0 else " "
        text = f"{words}{joiner}PESOS"
    if cents:
        cent_word = "CENTAVO" if cents == 1 else "CENTAVOS"
        text += f" CON {_apocopate(number_in_words(cents))} {cent_word}"
    return f"{text} M/CTE"
