"""Calendar months as billing uses them: a month is written YYYY-MM and its days are
those of America/Bogota (settings.TIME_ZONE), so a service executed late on the last
evening of a month in Colombia belongs to that month even when it is already the
next day in UTC."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# Years a month may be written with. The upper bound keeps Month.next() and the
# date arithmetic of the month pages far from date.max (31/12/9999).
MIN_YEAR = 2000
MAX_YEAR = 2999


@dataclass(frozen=True)
class Month:
    """A calendar month: its first and last day, both included."""

    first_day: date
    last_day: date

    @classmethod
    def of(cls, day: date) -> "Month":
        last = calendar.monthrange(day.year, day.month)[1]
        return cls(day.replace(day=1), day.replace(day=last))

    @property
    def slug(self) -> str:
        """The month as YYYY-MM, as URLs and the command take it."""
        return f"{self.first_day:%Y-%m}"

    @property
    def label(self) -> str:
        """The month in Spanish words, e.g. «noviembre de 2026»."""
        name = str(MONTHS[self.first_day.month]).lower()
        return _("%(month)s de %(year)s") % {"month": name, "year": self.first_day.year}

    def previous(self) -> "Month":
        return Month.of(date.fromordinal(self.first_day.toordinal() - 1))

    def next(self) -> "Month":
        return Month.of(date.fromordinal(self.last_day.toordinal() + 1))


def month_current() -> Month:
    """Return the month of today's date in America/Bogota."""
    return Month.of(timezone.localdate())


def month_parse(text: str) -> Month:
    """Parse a month written YYYY-MM; raise ValidationError with a Spanish message."""
    match = MONTH_PATTERN.match((text or "").strip())
    if match is None:
        raise ValidationError(
            _(
                "El mes «%(value)s» no es válido. Escríbalo como AAAA-MM, por ejemplo 2026-11."
            )
            % {"value": text}
        )
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValidationError(
            _(
                "El mes «%(value)s» no existe: el mes va de 01 a 12, por ejemplo 2026-11."
            )
            % {"value": text}
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _(
                "El año de «%(value)s» no es válido. Escriba un año entre %(min)s y "
                "%(max)s."
            )
            % {"value": text, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return Month.of(date(year, month, 1))
