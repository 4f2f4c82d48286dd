"""The forbidden case of every customer view: 404 for a customer outside the user's
portfolio, 403 for a feature the role lacks."""

from datetime import date

import pytest
from django.urls import reverse

from customers.models import Customer, DataConsent
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_customer(other_advisor):
    """A customer of another advisor, with one contact and one consent."""
    customer = make_customer(advisor=other_advisor, name="Cliente ajeno")
    customer.contacts.create(name="Contacto ajeno")
    DataConsent.objects.create(
        customer=customer,
        channel=DataConsent.Channel.CALL,
        method=DataConsent.Method.RECORDED_CALL,
        granted_on=date(2026, 1, 15),
    )
    return customer


def record_urls(customer: Customer) -> dict[str, tuple[str, str]]:
    """Every view about one customer, with its HTTP method."""
    contact = customer.contacts.get()
    consent = customer.consents.get()
    return {
        "detail": ("get", reverse("customers:detail", args=[customer.pk])),
        "edit": ("get", reverse("customers:edit", args=[customer.pk])),
        "edit_post": ("post", reverse("customers:edit", args=[customer.pk])),
        "contact_create": (
            "post",
            reverse("customers:contact_create", args=[customer.pk]),
        ),
        "contact_edit": (
            "get",
            reverse("customers:contact_edit", args=[customer.pk, contact.pk]),
        ),
        "contact_delete": (
            "post",
            reverse("customers:contact_delete", args=[customer.pk, contact.pk]),
        ),
        "consent_create": (
            "post",
            reverse("customers:consent_create", args=[customer.pk]),
        ),
        "consent_revoke": (
            "post",
            reverse("customers:consent_revoke", args=[customer.pk, consent.pk]),
        ),
    }


RECORD_VIEWS = [
    "detail",
    "edit",
    "edit_post",
    "contact_create",
    "contact_edit",
    "contact_delete",
    "consent_create",
    "consent_revoke",
]
EDIT_VIEWS = [name for name in RECORD_VIEWS if name != "detail"]


def request(client, method_and_url):
    method, url = method_and_url
    return getattr(client, method)(url, {"revoked_on": "2026-02-01", "name": "x"})


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_advisor_gets_404_for_other_portfolio(client, advisor, foreign_customer, view):
    client.force_login(advisor)
    response = request(client, record_urls(foreign_customer)[view])
    assert response.status_code == 404


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_advisor_gets_404_for_unassigned_customer(client, advisor, view):
    customer = make_customer()
    customer.contacts.create(name="Contacto")
    DataConsent.objects.create(
        customer=customer,
        channel=DataConsent.Channel.CALL,
        method=DataConsent.Method.RECORDED_CALL,
        granted_on=date(2026, 1, 15),
    )
    client.force_login(advisor)
    response = request(client, record_urls(customer)[view])
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["billing_user", "operations_user"])
@pytest.mark.parametrize("view", EDIT_VIEWS)
def test_read_only_roles_get_403_on_changes(
    client, request_fixture, foreign_customer, persona, view
):
    client.force_login(request_fixture(persona))
    response = request(client, record_urls(foreign_customer)[view])
    assert response.status_code == 403


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_user_without_role_gets_403(client, no_role_user, foreign_customer, view):
    client.force_login(no_role_user)
    response = request(client, record_urls(foreign_customer)[view])
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["billing_user", "operations_user", "no_role_user"])
def test_create_is_forbidden_without_edit_role(client, request_fixture, persona):
    client.force_login(request_fixture(persona))
    assert client.get(reverse("customers:create")).status_code == 403


@pytest.mark.parametrize("persona", ["billing_user", "operations_user"])
def test_read_only_roles_read_every_customer(
    client, request_fixture, foreign_customer, persona
):
    client.force_login(request_fixture(persona))
    url = reverse("customers:detail", args=[foreign_customer.pk])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", ["director", "coordinator"])
def test_managers_edit_every_customer(
    client, request_fixture, foreign_customer, persona
):
    client.force_login(request_fixture(persona))
    url = reverse("customers:edit", args=[foreign_customer.pk])
    assert client.get(url).status_code == 200


def test_contact_of_another_customer_is_404(client, director, foreign_customer):
    own = make_customer()
    contact = foreign_customer.contacts.get()
    client.force_login(director)
    url = reverse("customers:contact_edit", args=[own.pk, contact.pk])
    assert client.get(url).status_code == 404


def test_consent_of_another_customer_is_404(client, director, foreign_customer):
    own = make_customer()
    consent = foreign_customer.consents.get()
    client.force_login(director)
    url = reverse("customers:consent_revoke", args=[own.pk, consent.pk])
    assert client.post(url, {"revoked_on": "2026-02-01"}).status_code == 404


def test_advisor_reaches_own_customer(client, other_advisor, foreign_customer):
    client.force_login(other_advisor)
    url = reverse("customers:edit", args=[foreign_customer.pk])
    assert client.get(url).status_code == 200


@pytest.fixture
def request_fixture(request):
    return request.getfixturevalue
