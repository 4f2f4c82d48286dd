"""The business-day calendar against hand-checked Colombian dates.

Expected dates were counted by hand on the 2026 and 2027 calendars. The national
holidays are the ones Ley 51 de 1983 gives plus the Día de Nuestra Señora del Rosario
de Chiquinquirá (9 July, moved to Monday), created by Ley 2578 de 2026.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.calendar import (
    BusinessCalendar,
    DeadlineStatus,
    add_business_days,
    add_calendar_months,
    business_days_between,
    deadline_status,
    is_business_day,
    is_holiday,
    national_holidays,
    next_business_day,
)
from core.models import CalendarDay

pytestmark = pytest.mark.django_db

BOGOTA = ZoneInfo("America/Bogota")

# Ley 51 de 1983 alone, computed by hand and cross-checked against published calendars.
EMILIANI_2026 = {
    date(2026, 1, 1), date(2026, 1, 12), date(2026, 3, 23), date(2026, 4, 2),
    date(2026, 4, 3), date(2026, 5, 1), date(2026, 5, 18), date(2026, 6, 8),
    date(2026, 6, 15), date(2026, 6, 29), date(2026, 7, 20), date(2026, 8, 7),
    date(2026, 8, 17), date(2026, 10, 12), date(2026, 11, 2), date(2026, 11, 16),
    date(2026, 12, 8), date(2026, 12, 25),
}  # fmt: skip
EMILIANI_2027 = {
    date(2027, 1, 1), date(2027, 1, 11), date(2027, 3, 22), date(2027, 3, 25),
    date(2027, 3, 26), date(2027, 5, 1), date(2027, 5, 10), date(2027, 5, 31),
    date(2027, 6, 7), date(2027, 7, 5), date(2027, 7, 20), date(2027, 8, 7),
    date(2027, 8, 16), date(2027, 10, 18), date(2027, 11, 1), date(2027, 11, 15),
    date(2027, 12, 8), date(2027, 12, 25),
}  # fmt: skip


def test_package_2026_is_emiliani_plus_chiquinquira():
    assert set(national_holidays(2026)) == EMILIANI_2026 | {date(2026, 7, 13)}


def test_package_2027_is_emiliani_plus_chiquinquira():
    assert set(national_holidays(2027)) == EMILIANI_2027 | {date(2027, 7, 12)}


def test_chiquinquira_not_a_holiday_before_2026():
    assert is_business_day(date(2025, 7, 14))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Friday before San José, moved to Monday 23 March.
        (date(2026, 3, 20), 1, date(2026, 3, 24)),
        (date(2026, 3, 20), 15, date(2026, 4, 15)),
        # Holy Thursday and Good Friday, 2 and 3 April 2026.
        (date(2026, 4, 1), 1, date(2026, 4, 6)),
        (date(2026, 3, 31), 3, date(2026, 4, 7)),
        # Christmas on a Friday and New Year on the next Friday.
        (date(2026, 12, 24), 1, date(2026, 12, 28)),
        (date(2026, 12, 24), 5, date(2027, 1, 4)),
        # Epiphany moved to Monday 11 January 2027.
        (date(2027, 1, 8), 1, date(2027, 1, 12)),
        # Holy week 2027: San José on Monday 22 March, Easter holidays 25 and 26.
        (date(2027, 3, 19), 1, date(2027, 3, 23)),
        (date(2027, 3, 24), 1, date(2027, 3, 29)),
        # The holiday created in 2026: Monday 13 July.
        (date(2026, 7, 10), 1, date(2026, 7, 14)),
        # A Saturday start counts from Monday.
        (date(2026, 3, 7), 1, date(2026, 3, 9)),
        (date(2026, 3, 20), 0, date(2026, 3, 20)),
        (date(2026, 3, 24), -1, date(2026, 3, 20)),
    ],
)
def test_add_business_days(start, days, expected):
    assert add_business_days(start, days) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # 31 January + 1 month is 28 February 2026, a Saturday: rolled to Monday.
        (date(2026, 1, 31), 1, date(2026, 3, 2)),
        (date(2026, 2, 20), 1, date(2026, 3, 20)),
        # Ends on San José (Monday 23 March): rolled to Tuesday.
        (date(2026, 2, 23), 1, date(2026, 3, 24)),
        # Two-month terms across the year end.
        (date(2026, 10, 25), 2, date(2026, 12, 28)),
        (date(2026, 11, 1), 2, date(2027, 1, 4)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2026, 5, 15), 0, date(2026, 5, 15)),
    ],
)
def test_add_calendar_months(start, months, expected):
    assert add_calendar_months(start, months) == expected


def test_weekend_is_not_business_day():
    assert not is_business_day(date(2026, 3, 21))


def test_weekend_is_not_holiday():
    assert not is_holiday(date(2026, 3, 21))


def test_moved_holiday_is_holiday():
    assert is_holiday(date(2026, 3, 23))


def test_original_date_of_moved_holiday_is_business_day():
    assert is_business_day(date(2026, 3, 19))


def test_next_business_day_skips_holy_week():
    assert next_business_day(date(2026, 4, 2)) == date(2026, 4, 6)


def test_next_business_day_keeps_business_day():
    assert next_business_day(date(2026, 4, 6)) == date(2026, 4, 6)


def test_business_days_between_matches_add():
    assert business_days_between(date(2026, 3, 20), date(2026, 4, 15)) == 15


def test_business_days_between_backwards_is_negative():
    assert business_days_between(date(2026, 4, 15), date(2026, 3, 20)) == -15


def test_civic_day_changes_result(director):
    CalendarDay.objects.create(
        day=date(2026, 3, 24),
        kind=CalendarDay.Kind.NON_WORKING,
        reason="Día cívico decretado",
        created_by=director,
    )
    assert add_business_days(date(2026, 3, 20), 1) == date(2026, 3, 25)


def test_civic_day_is_holiday_for_contact_rules():
    CalendarDay.objects.create(
        day=date(2026, 3, 24), kind=CalendarDay.Kind.NON_WORKING, reason="Día cívico"
    )
    assert is_holiday(date(2026, 3, 24))


def test_holiday_declared_working_counts():
    CalendarDay.objects.create(
        day=date(2026, 3, 23), kind=CalendarDay.Kind.WORKING, reason="Jornada laboral"
    )
    assert add_business_days(date(2026, 3, 20), 1) == date(2026, 3, 23)


def test_saturday_declared_working_counts():
    CalendarDay.objects.create(
        day=date(2026, 3, 21), kind=CalendarDay.Kind.WORKING, reason="Jornada sábado"
    )
    assert add_business_days(date(2026, 3, 20), 1) == date(2026, 3, 21)


def test_month_term_rolls_past_company_closing():
    CalendarDay.objects.create(
        day=date(2026, 3, 2), kind=CalendarDay.Kind.NON_WORKING, reason="Cierre"
    )
    assert add_calendar_months(date(2026, 1, 31), 1) == date(2026, 3, 3)


def test_calendar_day_keeps_history():
    day = CalendarDay.objects.create(
        day=date(2026, 3, 24), kind=CalendarDay.Kind.NON_WORKING, reason="Día cívico"
    )
    day.reason = "Día cívico por decreto municipal"
    day.save()
    assert day.history.count() == 2


def test_working_weekdays_setting_adds_saturday(settings):
    settings.CALENDAR_WORKING_WEEKDAYS = ["0", "1", "2", "3", "4", "5"]
    assert add_business_days(date(2026, 3, 20), 1) == date(2026, 3, 21)


def test_invalid_working_weekdays_setting_raises(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CALENDAR_WORKING_WEEKDAYS = ["lunes"]
    with pytest.raises(ImproperlyConfigured):
        BusinessCalendar()


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2026, 3, 19), DeadlineStatus.OVERDUE),
        (date(2026, 3, 20), DeadlineStatus.DUE_SOON),
        # Three business days after Friday 20 March (Monday 23 is a holiday).
        (date(2026, 3, 26), DeadlineStatus.DUE_SOON),
        (date(2026, 3, 27), DeadlineStatus.ON_TIME),
    ],
)
def test_deadline_status(due, expected):
    assert deadline_status(due, today=date(2026, 3, 20)) == expected


def test_deadline_due_soon_days_setting(settings):
    settings.DEADLINE_DUE_SOON_BUSINESS_DAYS = 1
    assert deadline_status(date(2026, 3, 26), today=date(2026, 3, 20)) == (
        DeadlineStatus.ON_TIME
    )


def test_deadline_today_is_bogota_date():
    # 23:30 on Friday 20 March in Bogotá is already Saturday 21 in UTC.
    with time_machine.travel(datetime(2026, 3, 20, 23, 30, tzinfo=BOGOTA), tick=False):
        status = deadline_status(date(2026, 3, 20))
    assert status == DeadlineStatus.DUE_SOON
