"""Dates typed in a query parameter (?fecha=, ?semana=) of the day and week pages,
and in the --date option of management commands."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

# Years a page's date may fall in. The upper bound keeps the previous and next day
# or week links of the pages far from date.max (31/12/9999).
MIN_YEAR = 2000
MAX_YEAR = 2999


def day_param(raw: str | None) -> date:
    """Parse a date written AAAA-MM-DD, or return today in America/Bogota when
    `raw` is empty. Raises ValidationError with a Spanish message when `raw` is not
    a date or falls outside MIN_YEAR to MAX_YEAR."""
    if not raw:
        return timezone.localdate()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(
            _(
                "La fecha «%(value)s» no es válida: escriba una fecha AAAA-MM-DD "
                "entre los años %(min)s y %(max)s. Se muestra la de hoy."
            )
            % {"value": raw, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return day


def date_option(raw: str) -> date:
    """Parse a command's --date option, written AAAA-MM-DD. Raises CommandError
    with a Spanish message when `raw` is not a date."""
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise CommandError(
            _(
                "La fecha --date «%(value)s» no es válida. Escríbala como "
                "AAAA-MM-DD, p. ej. 2026-10-20."
            )
            % {"value": raw}
        ) from error
