from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quote_requests.models import QuoteRequest
from quote_requests.queue import age_display
from quote_requests.tests.helpers import make_request, melgar
from tests.factories import make_customer, make_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_request(advisor):
    make_zone(advisors=[advisor]).municipalities.add(melgar())
    return make_request(requester_name="Hotel Propio")


@pytest.fixture
def others_request(other_advisor):
    return make_request(
        requester_name="Hotel Ajeno", customer=make_customer(advisor=other_advisor)
    )


def test_advisor_sees_only_own_requests(client, advisor, own_request, others_request):
    client.force_login(advisor)

    response = client.get(reverse("quote_requests:list"))

    assert own_request.number in response.text
    assert others_request.number not in response.text


def test_advisor_gets_404_on_others_request(client, advisor, others_request):
    client.force_login(advisor)

    response = client.get(reverse("quote_requests:detail", args=[others_request.pk]))

    assert response.status_code == 404


def test_advisor_cannot_discard_others_request(client, advisor, others_request):
    client.force_login(advisor)

    response = client.post(
        reverse("quote_requests:discard", args=[others_request.pk]), {"reason": "x"}
    )

    assert response.status_code == 404
    others_request.refresh_from_db()
    assert others_request.status == QuoteRequest.Status.NEW


def test_coordinator_sees_all_requests(
    client, coordinator, own_request, others_request
):
    client.force_login(coordinator)

    response = client.get(reverse("quote_requests:list"))

    assert own_request.number in response.text
    assert others_request.number in response.text


def test_queue_forbidden_for_billing(client, billing_user):
    client.force_login(billing_user)

    assert client.get(reverse("quote_requests:list")).status_code == 403


def test_queue_shows_age_and_highlights_old(client, advisor, own_request):
    own_request.received_at = timezone.now() - timedelta(hours=30)
    own_request.save()
    client.force_login(advisor)

    response = client.get(reverse("quote_requests:list"))

    assert "hace 30 h" in response.text
    assert "Atrasada" in response.text


def test_age_display_short_forms():
    now = timezone.now()

    assert age_display(now - timedelta(minutes=5), now) == "hace 5 min"
    assert age_display(now - timedelta(hours=3, minutes=10), now) == "hace 3 h"
    assert age_display(now - timedelta(days=3), now) == "hace 3 d"


def test_detail_has_quote_button(client, advisor):
    quote_request = make_request(customer=make_customer(advisor=advisor))
    client.force_login(advisor)

    response = client.get(reverse("quote_requests:detail", args=[quote_request.pk]))

    assert f"/cotizaciones/nueva/?solicitud={quote_request.pk}" in response.text


def test_detail_without_customer_offers_registration(client, advisor, own_request):
    client.force_login(advisor)

    response = client.get(reverse("quote_requests:detail", args=[own_request.pk]))

    assert "Registrar cliente" in response.text
    assert "/cotizaciones/nueva/" not in response.text


def test_advisor_registers_requester_as_customer(client, advisor, own_request):
    client.force_login(advisor)

    client.post(
        reverse("quote_requests:register_customer", args=[own_request.pk]),
        {"id_number": "900.373.923-8"},
    )

    own_request.refresh_from_db()
    assert own_request.customer.id_number == "900373923"
    assert own_request.customer.advisor == advisor


def test_register_customer_on_others_request_404(client, advisor):
    other = make_request(requester_name="Sin asignar")
    client.force_login(advisor)

    response = client.post(
        reverse("quote_requests:register_customer", args=[other.pk]),
        {"id_number": "900373923-8"},
    )

    assert response.status_code == 404


def test_advisor_takes_request(client, advisor, own_request):
    client.force_login(advisor)

    client.post(reverse("quote_requests:start", args=[own_request.pk]))

    own_request.refresh_from_db()
    assert own_request.status == QuoteRequest.Status.IN_PROGRESS


def test_reassign_forbidden_for_advisor(client, advisor, other_advisor, own_request):
    client.force_login(advisor)

    response = client.post(
        reverse("quote_requests:reassign", args=[own_request.pk]),
        {"advisor": other_advisor.pk},
    )

    assert response.status_code == 403


def test_director_reassigns(client, director, other_advisor, own_request):
    client.force_login(director)

    client.post(
        reverse("quote_requests:reassign", args=[own_request.pk]),
        {"advisor": other_advisor.pk},
    )

    own_request.refresh_from_db()
    assert own_request.advisor == other_advisor


def test_staff_registers_phone_request_for_customer(client, advisor):
    customer = make_customer(advisor=advisor)
    client.force_login(advisor)

    response = client.post(
        reverse("quote_requests:create"),
        {
            "channel": "telefono",
            "customer": customer.pk,
            "contact_name": "Administradora",
            "service_code": "otro",
            "description": "Lavado del shut de basuras",
        },
    )

    quote_request = QuoteRequest.objects.get()
    assert response.status_code == 302
    assert quote_request.customer == customer
    assert quote_request.advisor == advisor
    assert quote_request.created_by == advisor


def test_staff_form_needs_customer_or_name(client, advisor):
    client.force_login(advisor)

    response = client.post(
        reverse("quote_requests:create"),
        {
            "channel": "whatsapp",
            "contact_name": "Pedro",
            "contact_phone": "3105551234",
            "service_code": "otro",
            "description": "Poda",
        },
    )

    assert "Busque un cliente existente" in response.text
    assert not QuoteRequest.objects.exists()


def test_staff_form_cannot_pick_others_customer(client, advisor, other_advisor):
    customer = make_customer(advisor=other_advisor)
    client.force_login(advisor)

    client.post(
        reverse("quote_requests:create"),
        {
            "channel": "telefono",
            "customer": customer.pk,
            "contact_name": "Pedro",
            "service_code": "otro",
            "description": "Poda",
        },
    )

    assert not QuoteRequest.objects.exists()


def test_customer_search_finds_by_nit(client, advisor):
    customer = make_customer(advisor=advisor, name="Condominio Las Palmas")
    client.force_login(advisor)

    response = client.get(
        reverse("quote_requests:customer_search"), {"q": customer.id_number}
    )

    assert "Condominio Las Palmas" in response.text


def test_customer_search_hides_others_customers(client, advisor, other_advisor):
    make_customer(advisor=other_advisor, name="Condominio Ajeno")
    client.force_login(advisor)

    response = client.get(
        reverse("quote_requests:customer_search"), {"q": "Condominio Ajeno"}
    )

    assert "data-customer-id" not in response.text


def test_create_forbidden_without_role(client, no_role_user):
    client.force_login(no_role_user)

    assert client.get(reverse("quote_requests:create")).status_code == 403


def test_customer_search_forbidden_for_billing(client, billing_user):
    client.force_login(billing_user)

    response = client.get(reverse("quote_requests:customer_search"), {"q": "hotel"})

    assert response.status_code == 403


def test_advisor_cannot_take_others_request(client, advisor, others_request):
    client.force_login(advisor)

    response = client.post(reverse("quote_requests:start", args=[others_request.pk]))

    assert response.status_code == 404


def test_detail_forbidden_for_operations(client, operations_user, own_request):
    client.force_login(operations_user)

    response = client.get(reverse("quote_requests:detail", args=[own_request.pk]))

    assert response.status_code == 403
