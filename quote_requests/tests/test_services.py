import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import OutgoingEmail
from customers.models import Customer, DataConsent
from quote_requests.models import QuoteRequest
from quote_requests.services import (
    quote_request_create,
    quote_request_discard,
    quote_request_mark_quoted,
    quote_request_reassign,
    quote_request_register_customer,
    quote_request_start,
)
from quote_requests.tests.helpers import make_request
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_create_from_visit_records_creator(advisor):
    quote_request = quote_request_create(
        channel=QuoteRequest.Channel.VISIT,
        service="Poda de árboles",
        contact_name="Jorge Díaz",
        contact_email="jorge@example.com",
        created_by=advisor,
        send_confirmation=False,
    )

    assert quote_request.created_by == advisor
    assert not OutgoingEmail.objects.filter(
        kind="solicitud_cotizacion_recibida"
    ).exists()


def test_create_requires_contact_means():
    with pytest.raises(ValidationError):
        quote_request_create(
            channel=QuoteRequest.Channel.PHONE,
            service="Poda",
            contact_name="Jorge Díaz",
        )


def test_create_rejects_unknown_channel():
    with pytest.raises(ValidationError):
        make_request(channel="fax")


def test_create_rejects_bad_nit_check_digit():
    with pytest.raises(ValidationError):
        make_request(requester_id_number="900373923-1")


def test_start_moves_to_in_progress(advisor):
    quote_request = make_request()

    quote_request_start(quote_request=quote_request, user=advisor)

    assert quote_request.status == QuoteRequest.Status.IN_PROGRESS


def test_discard_requires_reason(advisor):
    quote_request = make_request()

    with pytest.raises(ValidationError):
        quote_request_discard(quote_request=quote_request, user=advisor, reason="")


def test_discard_records_reason(advisor):
    quote_request = make_request()

    quote_request_discard(
        quote_request=quote_request, user=advisor, reason="Fuera de cobertura"
    )

    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.DISCARDED
    assert quote_request.discard_reason == "Fuera de cobertura"


def test_discarded_request_cannot_be_quoted(advisor):
    quote_request = make_request()
    quote_request_discard(quote_request=quote_request, user=advisor, reason="Duplicada")

    with pytest.raises(ValidationError):
        quote_request_mark_quoted(quote_request=quote_request, user=advisor)


def test_mark_quoted_closes_request(advisor):
    quote_request = make_request()

    quote_request_mark_quoted(quote_request=quote_request, user=advisor)

    assert not quote_request.is_open


def test_reassign_by_coordinator(coordinator, advisor, other_advisor):
    quote_request = make_request()

    quote_request_reassign(
        quote_request=quote_request, advisor=other_advisor, user=coordinator
    )

    quote_request.refresh_from_db()
    assert quote_request.advisor == other_advisor


def test_reassign_forbidden_for_advisor(advisor, other_advisor):
    quote_request = make_request()

    with pytest.raises(PermissionDenied):
        quote_request_reassign(
            quote_request=quote_request, advisor=other_advisor, user=advisor
        )


def test_quotation_url_carries_request_id():
    quote_request = make_request()

    assert (
        quote_request.quotation_url
        == f"/cotizaciones/nueva/?solicitud={quote_request.pk}"
    )


def test_register_creates_customer_from_request(advisor):
    quote_request = make_request(
        requester_name="Hotel El Sol S.A.S.",
        requester_id_number="900373923-8",
        contact_email="laura@example.com",
        data_consent=True,
        data_consent_text="Autorizo...",
    )
    quote_request.advisor = advisor
    quote_request.save()

    customer = quote_request_register_customer(
        quote_request=quote_request, user=advisor
    )

    assert customer.name == "Hotel El Sol S.A.S."
    assert customer.check_digit == "8"
    assert customer.person_kind == Customer.PersonKind.LEGAL
    assert customer.mobile == "+573105551234"
    assert customer.advisor == advisor
    assert customer.contacts.get().name == "Laura Pérez"
    consent = customer.consents.get()
    assert consent.method == DataConsent.Method.WEB
    assert quote_request.customer == customer


def test_register_links_existing_customer(advisor):
    existing = make_customer(advisor=advisor)
    quote_request = make_request(requester_name="Otro nombre")

    customer = quote_request_register_customer(
        quote_request=quote_request, user=advisor, id_number=existing.id_number
    )

    assert customer == existing
    assert Customer.objects.count() == 1


def test_register_requires_identification(advisor):
    quote_request = make_request(requester_name="Sin documento")

    with pytest.raises(ValidationError):
        quote_request_register_customer(quote_request=quote_request, user=advisor)
