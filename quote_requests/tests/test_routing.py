import pytest

from accounts.roles import Role
from quote_requests.models import QuoteRequest
from quote_requests.tests.helpers import make_request, melgar
from tests.factories import make_customer, make_user, make_zone
from zones.models import Municipality

pytestmark = pytest.mark.django_db


def test_existing_customer_goes_to_their_advisor(advisor, other_advisor):
    make_zone(advisors=[other_advisor]).municipalities.add(melgar())
    customer = make_customer(advisor=advisor)

    quote_request = make_request(customer=customer)

    assert quote_request.advisor == advisor
    assert quote_request.routing_note == "Asesor del cliente"


def test_requester_nit_links_existing_customer(advisor):
    customer = make_customer(advisor=advisor)

    quote_request = make_request(
        requester_name="Otro nombre",
        requester_id_number=f"{customer.id_number}-{customer.check_digit}",
    )

    assert quote_request.customer == customer
    assert quote_request.advisor == advisor


def test_new_requester_routed_by_municipality(advisor):
    zone = make_zone(advisors=[advisor])
    zone.municipalities.add(melgar())

    quote_request = make_request()

    assert quote_request.zone == zone
    assert quote_request.advisor == advisor


def test_barrio_zone_wins_over_municipality_zone(advisor, other_advisor):
    whole_town = make_zone("Melgar", advisors=[advisor])
    whole_town.municipalities.add(melgar())
    north = make_zone(
        "Melgar norte", advisors=[other_advisor], barrios="La Florida\nSan José"
    )
    north.municipalities.add(melgar())

    quote_request = make_request(barrio="san jose")

    assert quote_request.zone == north
    assert quote_request.advisor == other_advisor


def test_least_busy_advisor_chosen(advisor, other_advisor):
    make_zone(advisors=[advisor, other_advisor]).municipalities.add(melgar())
    first = make_request()

    second = make_request()

    assert {first.advisor, second.advisor} == {advisor, other_advisor}


def test_closed_requests_do_not_count_as_load(advisor, other_advisor):
    make_zone(advisors=[advisor, other_advisor]).municipalities.add(melgar())
    first = make_request()
    first.status = QuoteRequest.Status.QUOTED
    first.save()

    second = make_request()

    assert second.advisor == first.advisor


def test_unavailable_advisor_skipped(advisor, other_advisor):
    advisor.available_for_assignment = False
    advisor.save()
    make_zone(advisors=[advisor, other_advisor]).municipalities.add(melgar())

    assert make_request().advisor == other_advisor


def test_no_zone_leaves_request_unassigned(advisor):
    quote_request = make_request(
        municipality=Municipality.objects.get(dane_code="73226")
    )

    assert quote_request.advisor is None
    assert "coordinador" in quote_request.routing_note


def test_non_advisor_in_zone_not_chosen(billing_user):
    make_zone(advisors=[billing_user]).municipalities.add(melgar())

    assert make_request().advisor is None


def test_inactive_customer_advisor_falls_back_to_zone(advisor):
    departed = make_user(Role.ADVISOR, "retirado", is_active=False)
    make_zone(advisors=[advisor]).municipalities.add(melgar())
    customer = make_customer(advisor=departed)

    assert make_request(customer=customer).advisor == advisor
