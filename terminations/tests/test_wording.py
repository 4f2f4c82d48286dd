"""Counts in singular and plural, the business-day wording of the deadlines, and
messages built from settings."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutgoingEmail
from subscribers.models import SubscriberAccount
from terminations import services
from terminations.models import DeliveryBatch, TerminationRequest, Verification
from terminations.tests.conftest import make_account, make_request
from terminations.tests.test_workflow import signed_pdf
from tests.factories import make_zone


def test_list_counts_one_request(client, competitor, director):
    make_request(competitor, make_account("449000301"))
    client.force_login(director)

    page = client.get(reverse("terminations:list")).text

    assert "1 solicitud abierta al" in page
    assert "1 solicitudes" not in page


def test_distribution_message_singular(client, competitor, director, advisor):
    zone = make_zone("Melgar sur", advisors=[advisor])
    item = make_request(competitor, make_account("449000302", zone=zone))
    plan = services.distribution_plan(request_list=item.request_list)
    client.force_login(director)

    response = client.post(
        reverse("terminations:list_distribute", args=[item.request_list.pk]),
        {"digest": plan.digest},
        follow=True,
    )

    assert "1 solicitud asignada." in response.text


def test_delivery_counts_one_form(client, competitor, director):
    DeliveryBatch.objects.create(
        competitor=competitor,
        delivered_on=date(2026, 10, 26),
        delivered_by=director,
        received_by="Patricia Suárez",
        desistimiento_count=1,
    )
    client.force_login(director)

    page = client.get(reverse("terminations:deliveries")).text

    assert "1 desistimiento</li>" in page
    assert "1 desistimientos" not in page


def test_detail_names_business_days(client, competitor, advisor, settings):
    settings.TERMINATION_RESPONSE_BUSINESS_DAYS = 15
    item = make_request(competitor, make_account("449000303"), advisor=advisor)
    client.force_login(advisor)

    page = client.get(item.get_absolute_url()).text

    assert "(15 días hábiles desde la radicación)" in page
    assert "(2 meses desde la radicación)" in page


def test_list_deadline_columns_name_the_plazo(client, competitor, director, settings):
    # The status labels are masculine («Vencido», «Por vencer») because they
    # describe a plazo, so the headings and the filter name the plazo too.
    settings.TERMINATION_RESPONSE_BUSINESS_DAYS = 15
    settings.TERMINATION_EFFECTIVE_MONTHS = 2
    make_request(
        competitor,
        make_account("449000307"),
        response_due_on=timezone.localdate() - timedelta(days=3),
    )
    client.force_login(director)

    page = client.get(reverse("terminations:list")).text

    assert 'title="15 días hábiles desde la radicación">Plazo de respuesta</th>' in (
        page
    )
    assert 'title="2 meses desde la radicación">Plazo para hacerla efectiva</th>' in (
        page
    )
    assert ">Respuesta</" not in page
    assert ">Efectiva</th>" not in page
    assert '<label for="id_plazo">Plazo de respuesta</label>' in page
    assert ">Vencido o por vencer</option>" in page
    assert "Vencida" not in page
    assert " · Vencido</td>" in page


def test_early_delivery_message_names_term(competitor, advisor, coordinator):
    item = make_request(competitor, make_account("449000304"), advisor=advisor)
    services.verification_record(
        request=item,
        user=advisor,
        result=Verification.Result.WITHDRAWS,
        evidence_kind=Verification.EvidenceKind.VISIT,
    )
    item.refresh_from_db()
    services.desistimiento_upload_signed(
        desistimiento=item.desistimiento, uploaded=signed_pdf(), user=advisor
    )

    with pytest.raises(services.TerminationError) as raised:
        services.delivery_create(
            competitor=competitor,
            desistimientos=[item.desistimiento],
            user=coordinator,
            received_by="Patricia Suárez",
            delivered_on=date(2026, 10, 23),
        )

    assert str(raised.value) == (
        f"El desistimiento {item.desistimiento.code} todavía no se puede entregar: "
        "el plazo de respuesta de 15 días hábiles de su solicitud vence el "
        "23/10/2026. Entréguelo a partir del 24/10/2026."
    )


def test_digest_subject_singular(competitor, advisor):
    make_request(
        competitor,
        make_account("449000305"),
        advisor=advisor,
        response_due_on=date(2026, 10, 21),
        effective_due_on=date(2026, 12, 21),
    )

    services.digest_send(today=date(2026, 10, 20))
    email = OutgoingEmail.objects.get(to=[advisor.email])

    assert email.subject == "Terminaciones: 1 plazo vence hasta el 23/10/2026"
    assert "Este plazo de una solicitud de terminación anticipada vence" in (
        email.body_text
    )


def test_novelties_count_one(client, competitor, coordinator, billing_user):
    account = make_account("449000306", status=SubscriberAccount.Status.UNLINKED)
    services.meeting_record(
        competitor=competitor,
        held_on=date(2026, 10, 28),
        attendees="Carla Mejía",
        agreements=[services.AgreementInput(account, "vinculado")],
        user=coordinator,
    )
    client.force_login(billing_user)

    page = client.get(reverse("terminations:novelties")).text

    assert "1 novedad sin reportar" in page
    assert "la aplica desde" in page


def test_detail_marks_an_overdue_response(client, competitor, advisor):
    item = make_request(competitor, make_account("449000305"), advisor=advisor)
    TerminationRequest.objects.filter(pk=item.pk).update(
        response_due_on=timezone.localdate() - timedelta(days=3)
    )
    client.force_login(advisor)

    page = client.get(item.get_absolute_url()).text

    assert '<span class="deadline-vencido">Vencido</span>' in page


def test_detail_leaves_deadlines_of_closed_requests_unmarked(
    client, competitor, advisor
):
    item = make_request(competitor, make_account("449000306"), advisor=advisor)
    TerminationRequest.objects.filter(pk=item.pk).update(
        status=TerminationRequest.Status.REJECTED,
        response_due_on=timezone.localdate() - timedelta(days=3),
        effective_due_on=timezone.localdate() - timedelta(days=3),
    )
    client.force_login(advisor)

    page = client.get(item.get_absolute_url()).text

    assert "deadline-" not in page
