"""Deadlines of termination requests around moved holidays, Easter and year ends,
the deadline status on the list with the clock frozen in America/Bogota, and the
digest over Christmas.

Expected dates were counted by hand on the 2026 and 2027 Colombian calendars: the
response term is 15 business days from the day after filing, and the effective
term two calendar months, moved to the next business day when it ends on a
weekend or holiday.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import Role
from core.models import OutgoingEmail
from terminations import services
from terminations.services import request_list_create, request_list_import
from terminations.tests.conftest import make_account, make_request

BOGOTA = ZoneInfo("America/Bogota")


@pytest.mark.parametrize(
    ("filed", "response_due", "effective_due"),
    [
        # Thursday 1 October 2026: Día de la Raza moved to Monday 12 October.
        ("01/10/2026", date(2026, 10, 23), date(2026, 12, 1)),
        # Filed on that moved holiday: the count starts on Tuesday 13 and skips
        # All Saints, moved to Monday 2 November. 12 December is a Saturday.
        ("12/10/2026", date(2026, 11, 3), date(2026, 12, 14)),
        # Two months end on 8 December, the Inmaculada Concepción holiday.
        ("08/10/2026", date(2026, 10, 30), date(2026, 12, 9)),
        # Christmas and New Year on Fridays, Reyes moved to Monday 11 January 2027.
        ("18/12/2026", date(2027, 1, 13), date(2027, 2, 18)),
        # Filed on New Year's Eve: two months end on Sunday 28 February 2027.
        ("31/12/2026", date(2027, 1, 25), date(2027, 3, 1)),
        # Friday before San José (Monday 23 March) and Holy Week, 2 and 3 April 2026.
        ("20/03/2026", date(2026, 4, 15), date(2026, 5, 20)),
        # Wednesday of Holy Week 2027: Holy Thursday and Good Friday are 25 and 26
        # March, and two months end on Monday 24 May, a business day.
        ("24/03/2027", date(2027, 4, 16), date(2027, 5, 24)),
    ],
)
def test_import_deadlines_by_filing_date(
    competitor, tmp_path, filed, response_due, effective_due
):
    make_account("449000801")
    path = tmp_path / "lista.csv"
    path.write_text(
        f"No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO\n1;{filed};449000801\n",
        encoding="utf-8",
    )
    # Received after the latest filing date of the table, and within two years of
    # the earliest, so every row passes the filing-date checks.
    request_list = request_list_create(
        competitor=competitor, path=path, received_on=date(2027, 6, 30)
    )

    request_list_import(request_list=request_list)
    request = request_list.requests.get()

    assert request.response_due_on == response_due
    assert request.effective_due_on == effective_due


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 23:30 on Friday 23 October in Bogotá is already Saturday in UTC: the
        # request due that day is still "Por vencer", not "Vencido".
        (datetime(2026, 10, 23, 23, 30, tzinfo=BOGOTA), "Por vencer"),
        (datetime(2026, 10, 24, 0, 30, tzinfo=BOGOTA), "Vencido"),
    ],
)
def test_list_status_uses_bogota_date(client, competitor, director, moment, expected):
    make_request(
        competitor, make_account("449000802"), response_due_on=date(2026, 10, 23)
    )
    client.force_login(director)

    with time_machine.travel(moment, tick=False):
        response = client.get(reverse("terminations:list"))

    assert f"23/10/2026 · {expected}" in response.text


def test_digest_over_christmas_at_bogota_midnight(competitor, advisor):
    # Thursday 24 December 2026: Christmas is a Friday, so three business days
    # ahead end on Wednesday 30 December.
    make_request(
        competitor,
        make_account("449000803"),
        advisor=advisor,
        response_due_on=date(2026, 12, 30),
    )
    make_request(
        competitor,
        make_account("449000804"),
        advisor=advisor,
        response_due_on=date(2026, 12, 31),
    )

    # 23:00 in Bogotá is already Friday 25 December in UTC.
    with time_machine.travel(datetime(2026, 12, 24, 23, 0, tzinfo=BOGOTA), tick=False):
        sent = services.digest_send()
    email = OutgoingEmail.objects.get(to=[advisor.email])

    assert sent == 1
    assert "30/12/2026" in email.subject
    assert "449000803" in email.body_text
    assert "449000804" not in email.body_text


def test_digest_lists_effective_deadline(competitor, advisor):
    make_request(
        competitor,
        make_account("449000805"),
        advisor=advisor,
        status="aceptada",
        response_due_on=date(2026, 10, 23),
        effective_due_on=date(2026, 12, 1),
    )

    services.digest_send(today=date(2026, 11, 26))
    email = OutgoingEmail.objects.get(to=[advisor.email])

    assert "449000805" in email.body_text
    assert "Plazo para hacerla efectiva" in email.body_text
    assert "Plazo de respuesta" not in email.body_text


def test_digest_director_gets_every_advisor(
    competitor, advisor, other_advisor, director
):
    make_request(
        competitor,
        make_account("449000806"),
        advisor=advisor,
        response_due_on=date(2026, 10, 22),
    )
    make_request(
        competitor,
        make_account("449000807"),
        advisor=other_advisor,
        response_due_on=date(2026, 10, 22),
    )

    sent = services.digest_send(today=date(2026, 10, 20))
    to_director = OutgoingEmail.objects.get(to=[director.email]).body_text
    to_advisor = OutgoingEmail.objects.get(to=[advisor.email]).body_text

    assert sent == 3
    assert "449000806" in to_director
    assert "449000807" in to_director
    assert "449000807" not in to_advisor


def test_digest_lists_overdue_open_requests(competitor, advisor):
    make_request(
        competitor,
        make_account("449000810"),
        advisor=advisor,
        status="en_verificacion",
        response_due_on=date(2026, 10, 16),
    )
    make_request(
        competitor,
        make_account("449000811"),
        advisor=advisor,
        status="rechazada",
        response_due_on=date(2026, 10, 15),
    )
    make_request(
        competitor,
        make_account("449000812"),
        advisor=advisor,
        status="aceptada",
        response_due_on=date(2026, 10, 15),
    )
    make_request(
        competitor,
        make_account("449000813"),
        advisor=advisor,
        response_due_on=date(2026, 10, 22),
    )

    services.digest_send(today=date(2026, 10, 20))
    email = OutgoingEmail.objects.get(to=[advisor.email])
    overdue_part, upcoming_part = email.body_text.split("Por vencer")

    assert email.subject == (
        "Terminaciones: vencidas 1 · por vencer hasta el 23/10/2026: 1"
    )
    assert "Vencidas" in overdue_part
    assert "Esta solicitud de terminación anticipada sigue sin respuesta" in (
        overdue_part
    )
    assert "16/10/2026 · En verificación · 449000810" in overdue_part
    assert "449000811" not in email.body_text
    assert "449000812" not in email.body_text
    assert "449000813" in upcoming_part


def test_digest_sent_with_only_overdue(competitor, advisor):
    make_request(
        competitor,
        make_account("449000814"),
        advisor=advisor,
        response_due_on=date(2026, 10, 1),
    )

    sent = services.digest_send(today=date(2026, 10, 20))
    email = OutgoingEmail.objects.get(to=[advisor.email])

    assert sent == 1
    assert "449000814" in email.body_text
    assert "Por vencer" not in email.body_text
    assert "vencen entre" not in email.body_text


def test_digest_coordinator_gets_every_advisor(
    competitor, advisor, other_advisor, coordinator
):
    make_request(
        competitor,
        make_account("449000815"),
        advisor=advisor,
        response_due_on=date(2026, 10, 2),
    )
    make_request(
        competitor,
        make_account("449000816"),
        advisor=other_advisor,
        response_due_on=date(2026, 10, 22),
    )
    make_request(
        competitor, make_account("449000817"), response_due_on=date(2026, 10, 5)
    )

    services.digest_send(today=date(2026, 10, 20))
    to_coordinator = OutgoingEmail.objects.get(to=[coordinator.email]).body_text

    assert "449000815" in to_coordinator
    assert "Andrés Gómez" in to_coordinator
    assert "449000816" in to_coordinator
    assert "449000817 ·" in to_coordinator
    assert "sin asesor" in to_coordinator


def test_digest_once_per_user_with_two_roles(competitor, coordinator):
    coordinator.groups.add(Group.objects.get(name=Role.DIRECTOR.value))
    make_request(
        competitor, make_account("449000818"), response_due_on=date(2026, 10, 2)
    )

    sent = services.digest_send(today=date(2026, 10, 20))

    assert sent == 1
    assert OutgoingEmail.objects.filter(to=[coordinator.email]).count() == 1
