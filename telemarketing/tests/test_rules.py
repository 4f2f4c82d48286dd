"""Contact rules of Ley 2300 de 2023 and Ley 1581 de 2012, at exact Bogotá times.

In 2026 Monday 23 March (San José) and 2-3 April (Holy Thursday and Good Friday) are
holidays.
"""

from datetime import date

import pytest
import time_machine

from core.models import CalendarDay
from telemarketing.models import ContactLog
from telemarketing.rules import Rule, contact_allowed, customer_opted_out
from telemarketing.services import customer_opt_out, customer_reauthorize
from telemarketing.tests.conftest import bogota, grant
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def log(customer, user, at, channel="llamada", direction="saliente"):
    return ContactLog.objects.create(
        customer=customer,
        logged_by=user,
        contacted_at=at,
        channel=channel,
        direction=direction,
        outcome=ContactLog.Outcome.NO_ANSWER,
    )


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (bogota(2026, 3, 18, 6, 59), False),
        (bogota(2026, 3, 18, 7, 0), True),
        (bogota(2026, 3, 18, 18, 59), True),
        (bogota(2026, 3, 18, 19, 0), False),
        (bogota(2026, 3, 21, 7, 59), False),
        (bogota(2026, 3, 21, 8, 0), True),
        (bogota(2026, 3, 21, 14, 59), True),
        (bogota(2026, 3, 21, 15, 0), False),
    ],
)
def test_hours_at_the_edges(customer, at, allowed):
    assert contact_allowed(customer, "llamada", at).allowed is allowed


def test_before_seven_names_hours_rule(customer):
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 6, 59))
    assert decision.rule == Rule.HOURS


def test_before_seven_next_moment_same_day(customer):
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 6, 59))
    assert decision.next_allowed_at == bogota(2026, 3, 18, 7, 0)


def test_at_seven_pm_next_moment_next_morning(customer):
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 19, 0))
    assert decision.next_allowed_at == bogota(2026, 3, 19, 7, 0)


def test_sunday_is_refused(customer):
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 22, 10, 0))
    assert decision.rule == Rule.SUNDAY


def test_holiday_is_refused(customer):
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 23, 10, 0))
    assert decision.rule == Rule.HOLIDAY


def test_chiquinquira_holiday_is_refused(customer):
    decision = contact_allowed(customer, "llamada", bogota(2026, 7, 13, 10, 0))
    assert decision.rule == Rule.HOLIDAY


def test_civic_day_is_refused(customer):
    CalendarDay.objects.create(
        day=date(2026, 3, 18), kind=CalendarDay.Kind.NON_WORKING, reason="Día cívico"
    )
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 10, 0))
    assert decision.rule == Rule.HOLIDAY


def test_next_moment_skips_holiday_weekend(customer):
    # Saturday 15:00, then Sunday 22 and holiday Monday 23 March.
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 21, 15, 0))
    assert decision.next_allowed_at == bogota(2026, 3, 24, 7, 0)


def test_message_states_next_moment(customer):
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 21, 15, 0))
    assert "martes 24/03/2026 a las 07:00" in decision.message


def test_next_moment_after_good_friday_is_saturday(customer):
    decision = contact_allowed(customer, "llamada", bogota(2026, 4, 2, 10, 0))
    assert decision.next_allowed_at == bogota(2026, 4, 4, 8, 0)


def test_second_contact_same_day_refused(customer, advisor):
    log(customer, advisor, bogota(2026, 3, 18, 9, 0))
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 15, 0))
    assert decision.rule == Rule.DAILY_LIMIT


def test_second_contact_next_moment_tomorrow(customer, advisor):
    log(customer, advisor, bogota(2026, 3, 18, 9, 0))
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 15, 0))
    assert decision.next_allowed_at == bogota(2026, 3, 19, 7, 0)


def test_inbound_contact_does_not_use_daily_contact(customer, advisor):
    log(customer, advisor, bogota(2026, 3, 18, 9, 0), direction="entrante")
    assert contact_allowed(customer, "llamada", bogota(2026, 3, 18, 15, 0))


def test_contact_next_day_allowed(customer, advisor):
    log(customer, advisor, bogota(2026, 3, 18, 18, 0))
    assert contact_allowed(customer, "llamada", bogota(2026, 3, 19, 7, 0))


def test_daily_limit_setting(customer, advisor, settings):
    settings.CONTACT_MAX_PER_DAY = 2
    log(customer, advisor, bogota(2026, 3, 18, 9, 0))
    assert contact_allowed(customer, "llamada", bogota(2026, 3, 18, 15, 0))


def test_second_channel_same_week_refused(customer, advisor):
    log(customer, advisor, bogota(2026, 3, 16, 10, 0), channel="llamada")
    decision = contact_allowed(customer, "whatsapp", bogota(2026, 3, 18, 10, 0))
    assert decision.rule == Rule.CHANNEL_WEEK


def test_second_channel_next_moment_next_week(customer, advisor):
    # Monday 23 March is a holiday, so the next week starts on Tuesday.
    log(customer, advisor, bogota(2026, 3, 16, 10, 0), channel="llamada")
    decision = contact_allowed(customer, "whatsapp", bogota(2026, 3, 18, 10, 0))
    assert decision.next_allowed_at == bogota(2026, 3, 24, 7, 0)


def test_same_channel_same_week_allowed(customer, advisor):
    log(customer, advisor, bogota(2026, 3, 16, 10, 0), channel="llamada")
    assert contact_allowed(customer, "llamada", bogota(2026, 3, 18, 10, 0))


def test_other_channel_previous_week_allowed(customer, advisor):
    log(customer, advisor, bogota(2026, 3, 13, 10, 0), channel="llamada")
    assert contact_allowed(customer, "whatsapp", bogota(2026, 3, 16, 10, 0))


def test_missing_consent_refused(advisor):
    customer = make_customer(advisor=advisor, mobile="+573105551234")
    grant(customer, "llamada")
    decision = contact_allowed(customer, "whatsapp", bogota(2026, 3, 18, 10, 0))
    assert decision.rule == Rule.CONSENT


def test_missing_consent_has_no_next_moment(advisor):
    customer = make_customer(advisor=advisor)
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 10, 0))
    assert decision.next_allowed_at is None


def test_revoked_consent_refused(advisor):
    customer = make_customer(advisor=advisor)
    grant(customer, "llamada", revoked_on=date(2026, 3, 1))
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 10, 0))
    assert decision.rule == Rule.CONSENT


def test_consent_revoked_later_still_valid(advisor):
    customer = make_customer(advisor=advisor)
    grant(customer, "llamada", revoked_on=date(2026, 4, 1))
    assert contact_allowed(customer, "llamada", bogota(2026, 3, 18, 10, 0))


def test_opt_out_refused(customer, advisor):
    customer_opt_out(customer=customer, user=advisor)
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 10, 0))
    assert decision.rule == Rule.OPT_OUT


def test_reauthorized_customer_allowed(customer, advisor):
    customer_opt_out(customer=customer, user=advisor)
    customer_reauthorize(customer=customer, user=advisor, evidence="Llamada grabada")
    assert contact_allowed(customer, "llamada", bogota(2026, 3, 18, 10, 0))


def test_opted_out_check(customer, advisor):
    customer_opt_out(customer=customer, user=advisor)
    assert customer_opted_out(customer)


def test_default_time_is_now_in_bogota(customer):
    # 18:30 in Bogotá is 23:30 UTC: allowed only when read in Bogotá time.
    with time_machine.travel(bogota(2026, 3, 18, 18, 30), tick=False):
        decision = contact_allowed(customer, "llamada")
    assert decision.allowed


def test_custom_weekday_hours_setting(customer, settings):
    settings.CONTACT_WEEKDAY_HOURS = "08:00-18:00"
    decision = contact_allowed(customer, "llamada", bogota(2026, 3, 18, 7, 30))
    assert decision.next_allowed_at == bogota(2026, 3, 18, 8, 0)
