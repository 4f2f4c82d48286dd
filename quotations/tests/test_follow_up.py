import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from quotations import services
from quotations.followup import follow_up_rows, follow_up_xlsx, month_figures
from quotations.models import Quotation
from quotations.tests.helpers import make_quotation
from quote_requests.models import QuoteRequest
from quote_requests.tests.helpers import make_request
from tests.factories import make_user

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 11, 11)
SUNDAY = date(2026, 11, 15)


def request_for(customer, advisor) -> QuoteRequest:
    """A phone request from `customer`, assigned to `advisor` whatever zone routing chose."""
    request = make_request(customer=customer)
    QuoteRequest.objects.filter(pk=request.pk).update(advisor=advisor)
    request.refresh_from_db()
    return request


def issue(customer, advisor, item, quantity="1"):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(item, quantity)])
    return services.quotation_issue(quotation=draft, user=advisor)


@pytest.fixture
def issued(advisor, customer, debris):
    return issue(customer, advisor, debris)


def test_row_counts_days_since_issue(issued):
    today = timezone.localdate() + timedelta(days=4)
    (row,) = follow_up_rows(Quotation.objects.all(), today=today)
    assert row.days_since_issue == 4


def test_row_shows_last_follow_up(issued, advisor):
    services.follow_up_add(
        quotation=issued,
        user=advisor,
        note="Primera llamada",
        contacted_on=timezone.localdate(),
    )
    services.follow_up_add(
        quotation=issued,
        user=advisor,
        note="Pide descuento",
        contacted_on=timezone.localdate() + timedelta(days=1),
        next_action="Enviar ajuste",
        next_action_on=timezone.localdate() + timedelta(days=3),
    )
    (row,) = follow_up_rows(Quotation.objects.all())
    assert row.last_note == "Pide descuento"
    assert row.next_action == "Enviar ajuste"


def test_passed_next_action_is_overdue(issued, advisor):
    services.follow_up_add(
        quotation=issued,
        user=advisor,
        note="Llamar el lunes",
        next_action="Llamar",
        next_action_on=timezone.localdate() + timedelta(days=2),
    )
    today = timezone.localdate() + timedelta(days=3)
    (row,) = follow_up_rows(Quotation.objects.all(), today=today)
    assert row.is_overdue


def test_recent_quotation_without_contact_is_not_overdue(issued):
    (row,) = follow_up_rows(Quotation.objects.all())
    assert not row.is_overdue


def test_quotation_without_contact_becomes_overdue(issued, settings):
    today = timezone.localdate() + timedelta(days=settings.QUOTATION_FOLLOW_UP_DAYS + 1)
    (row,) = follow_up_rows(Quotation.objects.all(), today=today)
    assert row.is_overdue


def issued_days_before(quotation, day, days: int) -> None:
    """Move the issue of `quotation` to `days` days before `day`, at noon in Bogotá."""
    moment = datetime.combine(day - timedelta(days=days), time(12))
    Quotation.objects.filter(pk=quotation.pk).update(
        issued_at=timezone.make_aware(moment)
    )


def test_action_on_sunday_is_due_this_week(issued, advisor):
    services.follow_up_add(
        quotation=issued,
        user=advisor,
        note="Llamar el domingo",
        next_action="Llamar",
        next_action_on=SUNDAY,
    )
    (row,) = follow_up_rows(Quotation.objects.all(), today=WEDNESDAY)
    assert row.is_due_this_week
    assert not row.is_overdue


def test_action_next_monday_is_not_due(issued, advisor):
    services.follow_up_add(
        quotation=issued,
        user=advisor,
        note="Llamar el lunes",
        next_action="Llamar",
        next_action_on=SUNDAY + timedelta(days=1),
    )
    (row,) = follow_up_rows(Quotation.objects.all(), today=WEDNESDAY)
    assert not row.is_due_this_week


def test_silence_ending_this_week_is_due(issued, settings):
    issued_days_before(issued, WEDNESDAY, settings.QUOTATION_FOLLOW_UP_DAYS - 2)
    (row,) = follow_up_rows(Quotation.objects.all(), today=WEDNESDAY)
    assert row.is_due_this_week
    assert not row.is_overdue


def test_recent_issue_is_not_due_this_week(issued):
    issued_days_before(issued, WEDNESDAY, 1)
    (row,) = follow_up_rows(Quotation.objects.all(), today=WEDNESDAY)
    assert not row.is_due_this_week


def test_overdue_row_is_due_this_week(issued, settings):
    issued_days_before(issued, WEDNESDAY, settings.QUOTATION_FOLLOW_UP_DAYS + 1)
    (row,) = follow_up_rows(Quotation.objects.all(), today=WEDNESDAY)
    assert row.is_due_this_week


def test_report_filters_this_week(client, advisor, customer, debris, settings):
    due = issue(customer, advisor, debris)
    issue(customer, advisor, debris)
    issued_days_before(due, timezone.localdate(), settings.QUOTATION_FOLLOW_UP_DAYS + 1)
    client.force_login(advisor)
    response = client.get(reverse("quotations:follow_up"), {"semana": "actual"})
    assert [row.quotation.pk for row in response.context["rows"]] == [due.pk]


def test_closed_quotations_are_not_listed(issued, advisor):
    services.quotation_reject(quotation=issued, user=advisor, reason="Precio")
    assert follow_up_rows(Quotation.objects.all()) == []


def test_conversion_rate_per_advisor_and_month(advisor, customer, debris):
    first = issue(customer, advisor, debris)
    issue(customer, advisor, debris)
    services.quotation_accept(
        quotation=first,
        user=advisor,
        channel=Quotation.Channel.EMAIL,
        accepted_on=timezone.localdate(),
        email_text="Aceptamos",
    )
    (figures,) = month_figures(Quotation.objects.all())
    assert figures.issued == 2
    assert figures.accepted == 1
    assert figures.conversion_percent == Decimal("50.0")


def test_namesakes_averaged_apart(advisor, customer, debris):
    namesake = make_user(
        Role.ADVISOR, "asesor9", first_name="Andrés", last_name="Gómez"
    )
    for user, issued_at in ((advisor, "2026-05-05"), (namesake, "2026-05-08")):
        with time_machine.travel("2026-05-04 09:00 -05:00", tick=False):
            request = request_for(customer, user)
        with time_machine.travel(f"{issued_at} 09:00 -05:00", tick=False):
            draft = services.quotation_create(
                customer=customer, advisor=user, user=user, quote_request=request
            )
            services.quotation_line_add(quotation=draft, tariff_item=debris, quantity=1)
            services.quotation_issue(quotation=draft, user=user)
    figures = month_figures(Quotation.objects.all())
    averages = sorted(row.average_days_to_quote for row in figures)
    assert averages == [Decimal("1.0"), Decimal("4.0")]


def test_time_to_quote_from_request(advisor, customer, debris):
    with time_machine.travel("2026-05-04 09:00 -05:00", tick=False):
        request = request_for(customer, advisor)
    with time_machine.travel("2026-05-06 21:00 -05:00", tick=False):
        draft = services.quotation_create(
            customer=customer, advisor=advisor, user=advisor, quote_request=request
        )
        services.quotation_line_add(quotation=draft, tariff_item=debris, quantity=1)
        services.quotation_issue(quotation=draft, user=advisor)
    (figures,) = month_figures(Quotation.objects.all())
    assert figures.average_days_to_quote == Decimal("2.5")


def test_quotation_from_request_marks_it_quoted(advisor, customer):
    request = request_for(customer, advisor)
    services.quotation_create(
        customer=customer, advisor=advisor, user=advisor, quote_request=request
    )
    request.refresh_from_db()
    assert request.status == QuoteRequest.Status.QUOTED


def test_create_view_prefills_customer_from_request(client, advisor, customer):
    request = request_for(customer, advisor)
    client.force_login(advisor)
    response = client.get(reverse("quotations:create"), {"solicitud": request.pk})
    assert f'<option value="{customer.pk}" selected>' in response.content.decode()


def test_create_view_of_other_advisors_request_is_404(
    client, advisor, other_advisor, other_customer
):
    request = request_for(other_customer, other_advisor)
    client.force_login(advisor)
    response = client.get(reverse("quotations:create"), {"solicitud": request.pk})
    assert response.status_code == 404


def test_export_has_spanish_headers(issued):
    workbook = load_workbook(
        io.BytesIO(follow_up_xlsx(follow_up_rows(Quotation.objects.all())))
    )
    headers = [cell.value for cell in workbook.active[3]]
    assert headers[:3] == ["Asesor", "Código", "Cliente"]


def test_export_keeps_formula_like_text_as_text(issued, advisor):
    services.follow_up_add(quotation=issued, user=advisor, note='=HYPERLINK("x")')
    workbook = load_workbook(
        io.BytesIO(follow_up_xlsx(follow_up_rows(Quotation.objects.all())))
    )
    note = workbook.active.cell(row=4, column=8)
    assert note.data_type == "s"
    assert note.value == '=HYPERLINK("x")'


def test_director_report_shows_conversion(client, director, issued):
    client.force_login(director)
    content = client.get(reverse("quotations:follow_up")).content.decode()
    assert "Conversión por asesor y mes" in content


def test_rows_follow_spanish_advisor_order(customer, debris, advisor):
    # Byte order would put «Álvaro» after «Andrés».
    alvaro = make_user(Role.ADVISOR, first_name="Álvaro", last_name="Núñez")
    issue(customer, advisor, debris)
    issue(customer, alvaro, debris)

    rows = follow_up_rows(Quotation.objects.all())
    figures = month_figures(Quotation.objects.all())

    assert [str(row.quotation.advisor) for row in rows] == [
        "Álvaro Núñez",
        "Andrés Gómez",
    ]
    assert [figure.advisor_name for figure in figures] == [
        "Álvaro Núñez",
        "Andrés Gómez",
    ]
