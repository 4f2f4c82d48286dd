"""Colombian rules for outbound commercial contact, checked before any contact is
logged and before the one-click contact links are shown.

Ley 2300 de 2023 allows commercial contact only on the channels the customer
authorised, Monday to Friday 07:00-19:00 and Saturday 08:00-15:00, never on Sundays
or holidays, at most once a day and not on several channels in one week. Ley 1581 de
2012 requires the customer's consent for each channel, and a customer who asked not
to be contacted is not contacted until they authorise it again. Hours and limits come
from the CONTACT_* settings, and holidays from core.calendar.

Other apps call `contact_allowed(customer, channel, at)` and `customer_opted_out(customer)`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import BusinessCalendar
from core.formatting import format_date
from telemarketing.models import Channel, ContactLog, ContactOptOut

# How far ahead the next allowed moment is searched; a blocked channel-week moves it
# at most to next Monday, and a run of holidays adds a few days.
SEARCH_DAYS = 60

WEEKDAY_NAMES = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
]


class Rule:
    OPT_OUT = "no_contactar"
    CONSENT = "autorizacion"
    SUNDAY = "domingo"
    HOLIDAY = "festivo"
    HOURS = "horario"
    DAILY_LIMIT = "una_vez_al_dia"
    CHANNEL_WEEK = "canales_por_semana"


@dataclass(frozen=True)
class ContactDecision:
    """Whether an outbound commercial contact is allowed, and if not, which rule
    forbids it and the next moment it would be allowed (None when only the customer
    can lift the block)."""

    allowed: bool
    rule: str = ""
    message: str = ""
    next_allowed_at: datetime | None = None

    def __bool__(self):
        return self.allowed


def contact_allowed(
    customer,
    channel: str,
    at: datetime | None = None,
    calendar: BusinessCalendar | None = None,
) -> ContactDecision:
    """Check every contact rule for an outbound commercial contact on `channel` at
    `at` (now by default). Pass `calendar` to reuse one across many customers."""
    at = timezone.localtime(at or timezone.now())

    blocked = _permission_violation(customer, channel, at.date())
    if blocked is not None:
        return blocked

    calendar = calendar or BusinessCalendar()
    logs = _outbound_logs_since(customer, week_start(at))
    violation = _timing_violation(at, channel, logs, calendar)
    if violation is None:
        return ContactDecision(allowed=True)
    rule, message = violation
    next_at = next_allowed_moment(at, channel, logs, calendar)
    if next_at is not None:
        message += " " + _("Próximo momento permitido: %(moment)s.") % {
            "moment": format_moment(next_at)
        }
    return ContactDecision(False, rule, message, next_at)


def visit_allowed(customer, start: datetime) -> ContactDecision:
    """Check a visit agreed with the customer: not opted out, visits authorised,
    and within the contact hours on a day that is not a Sunday or holiday.

    The daily and channel-week limits do not apply, because the visit is agreed in
    a previous contact on another channel.
    """
    start = timezone.localtime(start)
    blocked = _permission_violation(customer, Channel.VISIT, start.date())
    if blocked is not None:
        return blocked
    violation = _timing_violation(start, Channel.VISIT, [], BusinessCalendar())
    if violation is None:
        return ContactDecision(allowed=True)
    return ContactDecision(False, *violation)


def customer_opted_out(customer) -> bool:
    """Tell whether the customer asked not to be contacted and has not authorised
    contact again. Uses `active_opt_outs` when the caller prefetched it."""
    prefetched = getattr(customer, "active_opt_outs", None)
    if prefetched is not None:
        return bool(prefetched)
    return ContactOptOut.objects.filter(
        customer=customer, reauthorized_at__isnull=True
    ).exists()


def active_opt_out(customer) -> ContactOptOut | None:
    return ContactOptOut.objects.filter(
        customer=customer, reauthorized_at__isnull=True
    ).first()


def consented_channels(customer, on: date) -> set[str]:
    """Return the channels with a consent in force on `on`. Reads
    `customer.consents.all()`, so a prefetch of `consents` saves the query."""
    return {
        consent.channel
        for consent in customer.consents.all()
        if consent.granted_on <= on
        and (consent.revoked_on is None or consent.revoked_on > on)
    }


def next_allowed_moment(
    at: datetime, channel: str, logs: list[ContactLog], calendar: BusinessCalendar
) -> datetime | None:
    """Return the first moment from `at` on that passes the time rules, given the
    customer's outbound contacts of the current week."""
    at = timezone.localtime(at)
    candidates = [at]
    for offset in range(SEARCH_DAYS):
        window = contact_window(at.date() + timedelta(days=offset))
        if window and window[0] > at:
            candidates.append(window[0])
    for candidate in candidates:
        if _timing_violation(candidate, channel, logs, calendar) is None:
            return candidate
    return None


def contact_window(day: date) -> tuple[datetime, datetime] | None:
    """Return the start and end (exclusive) of the contact hours on `day` in Bogotá
    time, or None on Sundays. Holidays are checked separately."""
    if day.weekday() == 6:
        return None
    if day.weekday() == 5:
        start, end = _parse_hours("CONTACT_SATURDAY_HOURS")
    else:
        start, end = _parse_hours("CONTACT_WEEKDAY_HOURS")
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(day, start, tzinfo=zone),
        datetime.combine(day, end, tzinfo=zone),
    )


def channel_name(channel: str) -> str:
    """Return the channel's label for use inside a sentence ("llamada", "WhatsApp")."""
    label = str(Channel(channel).label)
    return label if channel == Channel.WHATSAPP else label.lower()


def format_moment(moment: datetime) -> str:
    """Format a moment as "lunes 23/03/2026 a las 07:00" in Bogotá time."""
    moment = timezone.localtime(moment)
    return _("%(weekday)s %(date)s a las %(time)s") % {
        "weekday": WEEKDAY_NAMES[moment.weekday()],
        "date": format_date(moment.date()),
        "time": moment.strftime("%H:%M"),
    }


def _permission_violation(customer, channel: str, on: date) -> ContactDecision | None:
    if customer_opted_out(customer):
        return ContactDecision(
            False,
            Rule.OPT_OUT,
            _(
                "El cliente pidió no ser contactado. Registre una nueva autorización "
                "del cliente antes de contactarlo."
            ),
        )
    if channel not in consented_channels(customer, on):
        return ContactDecision(
            False,
            Rule.CONSENT,
            _(
                "El cliente no ha autorizado el contacto por %(channel)s (Ley 1581 de "
                "2012). Registre su autorización antes de usar este canal."
            )
            % {"channel": channel_name(channel)},
        )
    return None


def _timing_violation(
    at: datetime, channel: str, logs: list[ContactLog], calendar: BusinessCalendar
) -> tuple[str, str] | None:
    day = at.date()
    if day.weekday() == 6:
        return Rule.SUNDAY, _(
            "Los domingos no se permite contacto comercial (Ley 2300 de 2023)."
        )
    if calendar.is_holiday(day):
        return Rule.HOLIDAY, _(
            "El %(date)s es festivo y en festivos no se permite contacto comercial "
            "(Ley 2300 de 2023)."
        ) % {"date": format_date(day)}

    start, end = contact_window(day)
    if not start <= at < end:
        return Rule.HOURS, _(
            "Fuera del horario de contacto comercial: lunes a viernes de %(weekday)s "
            "y sábados de %(saturday)s (Ley 2300 de 2023)."
        ) % {
            "weekday": settings.CONTACT_WEEKDAY_HOURS,
            "saturday": settings.CONTACT_SATURDAY_HOURS,
        }

    local_days = [(timezone.localdate(log.contacted_at), log.channel) for log in logs]
    same_day = [log_day for log_day, _channel in local_days if log_day == day]
    if len(same_day) >= settings.CONTACT_MAX_PER_DAY:
        return Rule.DAILY_LIMIT, _(
            "Ya hubo contacto comercial con este cliente hoy y la ley permite "
            "%(limit)s al día (Ley 2300 de 2023)."
        ) % {"limit": settings.CONTACT_MAX_PER_DAY}

    monday = day - timedelta(days=day.weekday())
    week_channels = {
        log_channel
        for log_day, log_channel in local_days
        if monday <= log_day < monday + timedelta(days=7)
    }
    if len(week_channels | {channel}) > settings.CONTACT_MAX_CHANNELS_PER_WEEK:
        used = ", ".join(sorted(channel_name(value) for value in week_channels))
        return Rule.CHANNEL_WEEK, _(
            "Esta semana ya se contactó al cliente por %(channels)s y la ley no "
            "permite usar varios canales en una misma semana (Ley 2300 de 2023)."
        ) % {"channels": used}
    return None


def _outbound_logs_since(customer, since: datetime) -> list[ContactLog]:
    prefetched = getattr(customer, "recent_outbound_logs", None)
    if prefetched is not None:
        return [log for log in prefetched if log.contacted_at >= since]
    return list(
        ContactLog.objects.outbound().filter(customer=customer, contacted_at__gte=since)
    )


def week_start(at: datetime) -> datetime:
    """Return Monday 00:00 of the week of `at`, in Bogotá time."""
    at = timezone.localtime(at)
    monday = at.date() - timedelta(days=at.weekday())
    return datetime.combine(monday, time.min, tzinfo=timezone.get_current_timezone())


def _parse_hours(name: str) -> tuple[time, time]:
    value = getattr(settings, name)
    try:
        start_text, end_text = value.split("-")
        start = time.fromisoformat(start_text.strip())
        end = time.fromisoformat(end_text.strip())
    except ValueError:
        start = end = None
    if start is None or start >= end:
        raise ImproperlyConfigured(
            f"{name}={value!r} is invalid; write the hours as HH:MM-HH:MM, "
            "for example 07:00-19:00."
        )
    return start, end
