"""The weekly follow-up of quotations ("formato de seguimiento a cotizaciones"):
every open quotation with its last contact and next action, and the conversion
figures per advisor and month for the director."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exports import Column, xlsx_build
from quotations.models import FollowUp, Quotation


@dataclass(frozen=True)
class FollowUpRow:
    quotation: Quotation
    days_since_issue: int
    last_contact_on: date | None
    last_note: str
    next_action: str
    next_action_on: date | None
    is_overdue: bool
    # Overdue by the end of this week (Sunday), so it needs a contact this week.
    is_due_this_week: bool


@dataclass(frozen=True)
class MonthFigures:
    advisor_name: str
    month: date
    issued: int
    accepted: int
    average_days_to_quote: Decimal | None

    @property
    def conversion_percent(self) -> Decimal | None:
        if not self.issued:
            return None
        ratio = Decimal(self.accepted * 100) / Decimal(self.issued)
        return ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def follow_up_rows(queryset, *, today: date | None = None) -> list[FollowUpRow]:
    """Return a row per open quotation of `queryset` (already limited to what the
    user may see), by advisor and then oldest issue first.

    A quotation is overdue when its next action date has passed, or when nothing is
    scheduled and the last contact (or the issue) is older than
    settings.QUOTATION_FOLLOW_UP_DAYS. It is due this week when it is overdue on
    the Monday after `today`'s week.
    """
    today = today or timezone.localdate()
    next_monday = today + timedelta(days=7 - today.weekday())
    latest = FollowUp.objects.filter(quotation=OuterRef("pk")).order_by(
        "-contacted_on", "-pk"
    )
    quotations = (
        queryset.open()
        .select_related("customer", "advisor")
        .annotate(
            last_contact_on=Subquery(latest.values("contacted_on")[:1]),
            last_note=Subquery(latest.values("note")[:1]),
            last_next_action=Subquery(latest.values("next_action")[:1]),
            last_next_action_on=Subquery(latest.values("next_action_on")[:1]),
        )
        .order_by("advisor__sort_name", "advisor", "issued_at", "pk")
    )
    rows = []
    for quotation in quotations:
        issued_on = timezone.localdate(quotation.issued_at)
        rows.append(
            FollowUpRow(
                quotation=quotation,
                days_since_issue=(today - issued_on).days,
                last_contact_on=quotation.last_contact_on,
                last_note=quotation.last_note or "",
                next_action=quotation.last_next_action or "",
                next_action_on=quotation.last_next_action_on,
                is_overdue=_is_overdue(quotation, issued_on, on=today),
                is_due_this_week=_is_overdue(quotation, issued_on, on=next_monday),
            )
        )
    return rows


def follow_up_rows_for(user, *, today: date | None = None) -> list[FollowUpRow]:
    """Return the follow-up rows of the quotations `user` may see.

    Open quotations past their validity are vencida even before the nightly
    `expire_quotations` writes it, so they are left out without a write.
    """
    today = today or timezone.localdate()
    visible = Quotation.objects.visible_to(user).filter(valid_until__gte=today)
    return follow_up_rows(visible, today=today)


def _is_overdue(quotation: Quotation, issued_on: date, *, on: date) -> bool:
    """Return whether the follow-up of `quotation`, annotated by follow_up_rows, is
    overdue on the day `on`."""
    if quotation.last_next_action_on:
        return quotation.last_next_action_on < on
    limit = timedelta(days=settings.QUOTATION_FOLLOW_UP_DAYS)
    return on - (quotation.last_contact_on or issued_on) > limit


def month_figures(queryset) -> list[MonthFigures]:
    """Return issued and accepted counts per advisor and month of issue, newest
    month first. Annulled quotations count as issued: they had a code."""
    grouped = (
        queryset.exclude(issued_at__isnull=True)
        .annotate(month=TruncMonth("issued_at"))
        .values("month", "advisor", "advisor__first_name", "advisor__last_name")
        .annotate(
            issued=Count("pk"),
            accepted=Count("pk", filter=Q(status=Quotation.Status.ACCEPTED)),
        )
        .order_by("-month", "advisor__sort_name", "advisor")
    )
    averages = _average_days_to_quote(queryset)
    return [
        MonthFigures(
            advisor_name=f"{row['advisor__first_name']} {row['advisor__last_name']}",
            month=_as_date(row["month"]),
            issued=row["issued"],
            accepted=row["accepted"],
            average_days_to_quote=averages.get(
                (row["advisor"], _as_date(row["month"]))
            ),
        )
        for row in grouped
    ]


def _average_days_to_quote(queryset) -> dict:
    """Return the mean days from request to issue per (advisor key, month), for
    quotations prepared from a quote request."""
    durations: dict[tuple, list[float]] = {}
    rows = (
        queryset.exclude(issued_at__isnull=True)
        .exclude(quote_request__isnull=True)
        .annotate(month=TruncMonth("issued_at"))
        .values_list(
            "advisor",
            "month",
            "issued_at",
            "quote_request__received_at",
        )
    )
    for advisor, month, issued_at, received_at in rows:
        key = (advisor, _as_date(month))
        days = (issued_at - received_at).total_seconds() / 86400
        durations.setdefault(key, []).append(days)
    return {
        key: Decimal(str(sum(values) / len(values))).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        for key, values in durations.items()
    }


FOLLOW_UP_COLUMNS = [
    Column(_("Asesor"), width=24),
    Column(_("Código"), width=16),
    Column(_("Cliente"), width=36),
    Column(_("Fecha de emisión"), "date", 14),
    Column(_("Días desde emisión"), "integer", 12),
    Column(_("Total"), "money", 16),
    Column(_("Último seguimiento"), "date", 14),
    Column(_("Resultado"), width=40),
    Column(_("Próxima acción"), width=30),
    Column(_("Fecha próxima acción"), "date", 14),
    Column(_("Estado"), width=12),
    Column(_("Atrasada"), width=10),
]


def follow_up_xlsx(rows: list[FollowUpRow]) -> bytes:
    return xlsx_build(
        sheet_name="Seguimiento",
        title=str(_("Seguimiento a cotizaciones")),
        columns=[_translated(column) for column in FOLLOW_UP_COLUMNS],
        rows=(
            [
                str(row.quotation.advisor),
                row.quotation.code,
                row.quotation.customer.name,
                timezone.localdate(row.quotation.issued_at),
                row.days_since_issue,
                row.quotation.total,
                row.last_contact_on,
                row.last_note,
                row.next_action,
                row.next_action_on,
                row.quotation.get_status_display(),
                str(_("Sí")) if row.is_overdue else str(_("No")),
            ]
            for row in rows
        ),
    )


def _translated(column: Column) -> Column:
    return Column(str(column.header), column.kind, column.width)


def _as_date(value) -> date:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).date()
        return value.date()
    return value
