"""The business-day calendar every deadline in the product goes through.

Business days are the configured weekdays (Monday to Friday by default) minus the
Colombian national holidays of the `holidays` package, corrected by the days that
administrators record in core.models.CalendarDay. Day terms count from the day after
the start (Ley 4 de 1913 art. 62); month terms run by the calendar and roll forward to
the next business day when they end on a non-business day.

Each module-level function builds a `BusinessCalendar`, which reads the
administrators' days with one query. Code that checks many dates in a loop should
create one `BusinessCalendar` and reuse it.
"""

import calendar as month_calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CalendarDay


class DeadlineStatus(models.TextChoices):
    ON_TIME = "a_tiempo", _("A tiempo")
    DUE_SOON = "por_vencer", _("Por vencer")
    OVERDUE = "vencido", _("Vencido")


@lru_cache(maxsize=64)
def national_holidays(year: int) -> dict[date, str]:
    """Return Colombia's national holidays of `year` with their Spanish names."""
    return dict(holidays.country_holidays("CO", years=year, language="es"))


def working_weekdays() -> frozenset[int]:
    try:
        weekdays = frozenset(int(day) for day in settings.CALENDAR_WORKING_WEEKDAYS)
    except ValueError:
        weekdays = frozenset({-1})
    if not weekdays or not weekdays <= set(range(7)):
        raise ImproperlyConfigured(
            f"CALENDAR_WORKING_WEEKDAYS={settings.CALENDAR_WORKING_WEEKDAYS!r} is "
            "invalid; list weekday numbers from 0 (Monday) to 6 (Sunday)."
        )
    return weekdays


class BusinessCalendar:
    """The calendar with the administrators' days loaded once."""

    def __init__(self):
        self.overrides = dict(CalendarDay.objects.values_list("day", "kind"))
        self.weekdays = working_weekdays()

    def is_holiday(self, day: date) -> bool:
        """Tell whether `day` is a day of rest for everyone: a national holiday the
        administrators did not declare working, or a day they declared non-working.

        The contact rules use this set. Weekends are not included.
        """
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.NON_WORKING
        return day in national_holidays(day.year)

    def is_business_day(self, day: date) -> bool:
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKING
        return day.weekday() in self.weekdays and day not in national_holidays(day.year)

    def next_business_day(self, day: date) -> date:
        """Return `day` itself when it is a business day, else the next one."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, start: date, days: int) -> date:
        """Return the date `days` business days after `start`, counting from the
        day after it; a negative `days` counts backwards. Zero returns `start`."""
        step = timedelta(days=1 if days >= 0 else -1)
        remaining = abs(days)
        day = start
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def add_calendar_months(self, start: date, months: int) -> date:
        """Return the same day `months` later (the month's last day when it is
        shorter), rolled forward to the next business day."""
        month_index = start.month - 1 + months
        year = start.year + month_index // 12
        month = month_index % 12 + 1
        last_day = month_calendar.monthrange(year, month)[1]
        return self.next_business_day(date(year, month, min(start.day, last_day)))

    def business_days_between(self, start: date, end: date) -> int:
        """Count the business days after `start` up to and including `end`;
        negative when `end` is before `start`."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count

    def deadline_status(
        self, due: date, today: date | None = None, due_soon_days: int | None = None
    ) -> DeadlineStatus:
        """Classify a deadline: overdue after `due`, due soon from `due_soon_days`
        business days before it (DEADLINE_DUE_SOON_BUSINESS_DAYS by default)."""
        today = today or timezone.localdate()
        if due_soon_days is None:
            due_soon_days = settings.DEADLINE_DUE_SOON_BUSINESS_DAYS
        if today > due:
            return DeadlineStatus.OVERDUE
        if due <= self.add_business_days(today, due_soon_days):
            return DeadlineStatus.DUE_SOON
        return DeadlineStatus.ON_TIME


def is_business_day(day: date) -> bool:
    return BusinessCalendar().is_business_day(day)


def is_holiday(day: date) -> bool:
    return BusinessCalendar().is_holiday(day)


def next_business_day(day: date) -> date:
    return BusinessCalendar().next_business_day(day)


def add_business_days(start: date, days: int) -> date:
    return BusinessCalendar().add_business_days(start, days)


def add_calendar_months(start: date, months: int) -> date:
    return BusinessCalendar().add_calendar_months(start, months)


def business_days_between(start: date, end: date) -> int:
    return BusinessCalendar().business_days_between(start, end)


def deadline_status(
    due: date, today: date | None = None, due_soon_days: int | None = None
) -> DeadlineStatus:
    return BusinessCalendar().deadline_status(due, today, due_soon_days)
