"""Colombian presentation of money and dates, shared by pages, PDFs and exports."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone


def format_pesos(amount: Decimal | int | None, decimals: int | None = None) -> str:
    """Format `amount` as Colombian pesos: `$ 1.250.000` or `$ 1.250.000,50`.

    With `decimals=None`, cents are shown only when the amount has them.
    """
    if amount is None:
        return ""
    value = Decimal(amount)
    if decimals is None:
        decimals = 0 if value == value.to_integral_value() else 2
    quantum = Decimal(1).scaleb(-decimals)
    value = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):.{decimals}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    text = f"$ {sign}{grouped}"
    if fraction:
        text += f",{fraction}"
    return text


def format_date(value: date | datetime | None) -> str:
    """Format a date as dd/mm/aaaa; aware datetimes are shown in America/Bogota."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")
