"""Checks on reconciliation meeting agreements, by line and account."""

import html
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from terminations import services
from terminations.models import ReconciliationMeeting, TerminationRequest
from terminations.tests.conftest import make_account, make_request


def post_meeting(client, user, competitor, agreements, held_on="28/10/2026"):
    client.force_login(user)
    response = client.post(
        reverse("terminations:meeting_create"),
        {
            "competitor": competitor.pk,
            "held_on": held_on,
            "frequency": "mensual",
            "attendees": "Carla Mejía",
            "agreements": agreements,
            "submission": str(uuid.uuid4()),
        },
    )
    return html.unescape(response.content.decode())


def test_leaving_without_request_rejected(client, competitor, director):
    make_account("449000101")

    text = post_meeting(client, director, competitor, "449000101;se va")

    assert "Línea 1 (cuenta 449000101): la cuenta no tiene una solicitud" in text
    assert f"de {competitor.name} que siga abierta." in text
    assert "E.S.P.." not in text
    assert not ReconciliationMeeting.objects.exists()


def test_other_competitor_request_rejected(
    client, competitor, other_competitor, director
):
    account = make_account("449000101")
    make_request(other_competitor, account)

    text = post_meeting(client, director, competitor, "449000101;retenido")

    assert "Línea 1 (cuenta 449000101)" in text
    assert not ReconciliationMeeting.objects.exists()


def test_closed_request_rejected(client, competitor, director):
    account = make_account("449000101")
    make_request(competitor, account, status=TerminationRequest.Status.WITHDRAWN)

    text = post_meeting(client, director, competitor, "449000101;en disputa")

    assert "Línea 1 (cuenta 449000101)" in text
    assert not ReconciliationMeeting.objects.exists()


def test_retained_after_withdrawal_recorded(client, competitor, director):
    account = make_account("449000101")
    make_request(competitor, account, status=TerminationRequest.Status.WITHDRAWN)

    post_meeting(client, director, competitor, "449000101;retenido")

    assert ReconciliationMeeting.objects.count() == 1


def test_second_line_error_writes_nothing(client, competitor, director):
    first = make_account("449000101")
    make_request(competitor, first)
    make_account("449000102")

    text = post_meeting(
        client, director, competitor, "449000101;se va\n449000102;se va"
    )
    first.refresh_from_db()

    assert "Línea 2 (cuenta 449000102)" in text
    assert not ReconciliationMeeting.objects.exists()
    assert first.unlinking_scheduled_on is None


def test_linking_active_account_rejected(client, competitor, director):
    make_account("449000101")

    text = post_meeting(client, director, competitor, "449000101;vinculado")

    assert "Línea 1 (cuenta 449000101): la cuenta ya está activa" in text
    assert not ReconciliationMeeting.objects.exists()


def test_linking_unlinked_account_recorded(client, competitor, director):
    account = make_account("449000101", status="desvinculado")

    post_meeting(client, director, competitor, "449000101;vinculado")
    account.refresh_from_db()

    assert account.status == "activo"


def test_unknown_account_names_line(client, competitor, director):
    make_account("449000101", status="desvinculado")

    text = post_meeting(
        client, director, competitor, "449000101;vinculado\n449000999;retenido"
    )

    assert "Línea 2: la cuenta 449000999 no existe" in text
    assert not ReconciliationMeeting.objects.exists()


def test_future_meeting_rejected_by_form(client, competitor, director):
    tomorrow = timezone.localdate() + timedelta(days=1)
    make_account("449000101", status="desvinculado")

    text = post_meeting(
        client,
        director,
        competitor,
        "449000101;vinculado",
        held_on=tomorrow.strftime("%d/%m/%Y"),
    )

    assert "La fecha de la reunión es posterior a hoy" in text
    assert not ReconciliationMeeting.objects.exists()


def test_future_meeting_rejected_by_service(competitor, director):
    account = make_account("449000101", status="desvinculado")

    with pytest.raises(services.TerminationError, match="posterior a hoy"):
        services.meeting_record(
            competitor=competitor,
            held_on=timezone.localdate() + timedelta(days=1),
            attendees="Carla Mejía",
            agreements=[services.AgreementInput(account, "vinculado")],
            user=director,
        )


def test_meeting_today_recorded(competitor, director):
    account = make_account("449000101", status="desvinculado")

    meeting = services.meeting_record(
        competitor=competitor,
        held_on=timezone.localdate(),
        attendees="Carla Mejía",
        agreements=[services.AgreementInput(account, "vinculado")],
        user=director,
    )

    assert meeting.held_on == timezone.localdate()


def test_service_names_account_without_line(competitor, director):
    account = make_account("449000101")

    with pytest.raises(services.TerminationError, match=r"^Cuenta 449000101: "):
        services.meeting_record(
            competitor=competitor,
            held_on=date(2026, 10, 28),
            attendees="Carla Mejía",
            agreements=[services.AgreementInput(account, "se_va")],
            user=director,
        )
