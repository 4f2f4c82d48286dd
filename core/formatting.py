"""Colombian presentation of money and dates, shared by pages, PDFs and exports."""

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

from django.utils import timezone


def whole_pesos(amount: Decimal | int) -> Decimal:
    """Return `amount` rounded half up to whole pesos, as pages and documents
    print it."""
    return Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def format_pesos(amount: Decimal | int | None) -> str:
    """Format `amount` as whole Colombian pesos: `$ 1.250.000`.

    Cents are rounded half up for display only; the stored amount keeps them.
    """
    if amount is None:
        return ""
    value = whole_pesos(amount)
    sign = "-" if value < 0 else ""
    grouped = f"{int(abs(value)):,}".replace(",", ".")
    return f"$ {sign}{grouped}"


def format_number(value: Decimal | int | float) -> str:
    """Format a number the Colombian way, with a decimal comma and dots between
    thousands: `0,01`, `1.250.000,5`. Trailing decimal zeros are kept."""
    text = f"{Decimal(str(value)):,f}"
    whole, _dot, decimals = text.partition(".")
    whole = whole.replace(",", ".")
    return f"{whole},{decimals}" if decimals else whole


def format_megabytes(size: int) -> str:
    """Format a size in bytes as megabytes (MiB) with at most one decimal and a
    decimal comma: `12 MB`, `1,5 MB`.

    The tenth is rounded up, so a file just over a limit never reads as equal to
    it (10 MB and 1 byte is `10,1 MB`)."""
    megabytes = (Decimal(size) / (1024 * 1024)).quantize(
        Decimal("0.1"), rounding=ROUND_UP
    )
    if megabytes == megabytes.to_integral_value():
        return f"{int(megabytes)} MB"
    return f"{megabytes} MB".replace(".", ",")


def format_file_size(size: int) -> str:
    """Format a size in bytes for a table of files: whole kilobytes below one
    megabyte (`340 KB`), else as format_megabytes (`12 MB`, `1,5 MB`)."""
    if size < 1024 * 1024:
        return f"{math.ceil(size / 1024)} KB"
    return format_megabytes(size)


def format_date(value: date | datetime | None) -> str:
    """Format a date as dd/mm/aaaa; aware datetimes are shown in America/Bogota."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")
