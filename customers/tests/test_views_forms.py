from datetime import date, timedelta

import pytest
from django.urls import reverse

from customers.models import Contact, Customer, DataConsent
from tests.factories import make_customer, make_zone
from zones.models import CustomerAssignment

CREATE_URL = reverse("customers:create")


def customer_data(**overrides) -> dict:
    data = {
        "id_type": "NIT",
        "id_number": "900.373.923-8",
        "check_digit": "",
        "person_kind": "juridica",
        "name": "Hotel Bosques del Sumapaz S.A.S.",
        "trade_name": "",
        "customer_type": "nuevo",
        "address": "Cra 26 # 37-64",
        "barrio": "Centro",
        "municipality": "73449",
        "phone": "245 1234",
        "mobile": "310 555 1234",
        "email": "reservas@bosques.example.com",
        "zone": "",
        "advisor": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_create_stores_normalised_identification(client, director):
    client.force_login(director)
    client.post(CREATE_URL, customer_data())
    customer = Customer.objects.get()
    assert (customer.id_type, customer.id_number, customer.check_digit) == (
        "NIT",
        "900373923",
        "8",
    )


def test_create_stores_phones_in_e164(client, director):
    client.force_login(director)
    client.post(CREATE_URL, customer_data())
    customer = Customer.objects.get()
    assert customer.mobile == "+573105551234"
    assert customer.phone == "+576082451234"


def test_create_redirects_to_detail(client, director):
    client.force_login(director)
    response = client.post(CREATE_URL, customer_data())
    assert response["Location"] == Customer.objects.get().get_absolute_url()


def test_create_records_history_author(client, director):
    client.force_login(director)
    client.post(CREATE_URL, customer_data())
    assert Customer.objects.get().history.get().history_user == director


def test_create_with_wrong_dv_names_correct_dv(client, director):
    client.force_login(director)
    response = client.post(CREATE_URL, customer_data(id_number="900373923-5"))
    errors = response.context["form"].errors["id_number"]
    assert "el correcto es 8" in errors[0]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("typed", ["900373923-8", "900 373 923 8", "9003739238"])
def test_duplicate_in_another_format_is_refused(client, director, typed):
    existing = make_customer(id_number="900373923", check_digit="8")
    client.force_login(director)
    response = client.post(CREATE_URL, customer_data(id_number=typed))
    error = response.context["form"].errors["id_number"][0]
    assert existing.get_absolute_url() in error
    assert Customer.objects.count() == 1


def test_duplicate_of_other_portfolio_has_no_link(client, advisor, other_advisor):
    existing = make_customer(
        id_number="900373923", check_digit="8", advisor=other_advisor
    )
    client.force_login(advisor)
    response = client.post(CREATE_URL, customer_data())
    error = response.context["form"].errors["id_number"][0]
    assert existing.get_absolute_url() not in error
    assert "otro asesor" in error


def test_invalid_phone_is_reported_on_its_field(client, director):
    client.force_login(director)
    response = client.post(CREATE_URL, customer_data(mobile="12345"))
    assert "mobile" in response.context["form"].errors


def test_create_with_advisor_records_assignment(client, director, advisor):
    client.force_login(director)
    client.post(CREATE_URL, customer_data(advisor=advisor.pk))
    assignment = CustomerAssignment.objects.get()
    assert (assignment.advisor, assignment.assigned_by) == (advisor, director)


def test_advisor_creates_into_own_portfolio(client, advisor):
    client.force_login(advisor)
    client.post(CREATE_URL, customer_data())
    assert Customer.objects.get().advisor == advisor


def test_advisor_form_has_no_assignment_fields(client, advisor):
    client.force_login(advisor)
    form = client.get(CREATE_URL).context["form"]
    assert "advisor" not in form.fields
    assert "zone" not in form.fields


def test_edit_changes_address(client, director):
    customer = make_customer()
    client.force_login(director)
    data = customer_data(id_number=customer.id_number, address="Calle 7 # 24-15")
    client.post(reverse("customers:edit", args=[customer.pk]), data)
    customer.refresh_from_db()
    assert customer.address == "Calle 7 # 24-15"


def test_edit_keeps_own_identification(client, director):
    customer = make_customer(id_number="900373923", check_digit="8")
    client.force_login(director)
    response = client.post(
        reverse("customers:edit", args=[customer.pk]),
        customer_data(id_number="900.373.923-8"),
    )
    assert response.status_code == 302


def test_reassignment_on_edit_is_recorded(client, director, advisor, other_advisor):
    customer = make_customer(advisor=advisor)
    client.force_login(director)
    data = customer_data(id_number=customer.id_number, advisor=other_advisor.pk)
    client.post(reverse("customers:edit", args=[customer.pk]), data)
    assignment = CustomerAssignment.objects.get()
    assert (assignment.previous_advisor, assignment.advisor) == (
        advisor,
        other_advisor,
    )


def test_advisor_edits_contact_data_of_own_customer(client, advisor):
    customer = make_customer(advisor=advisor, name="Viejo nombre")
    client.force_login(advisor)
    data = {"name": "Nuevo nombre", "mobile": "3205551234", "municipality": "73449"}
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    customer.refresh_from_db()
    assert response.status_code == 302
    assert customer.mobile == "+573205551234"


def test_advisor_cannot_reassign_by_posting_advisor(client, advisor, other_advisor):
    zone = make_zone("URBANA")
    customer = make_customer(advisor=advisor, zone=zone)
    client.force_login(advisor)
    data = {
        "name": customer.name,
        "advisor": other_advisor.pk,
        "zone": "",
        "id_number": "800191045-1",
    }
    client.post(reverse("customers:edit", args=[customer.pk]), data)
    customer.refresh_from_db()
    assert customer.advisor == advisor
    assert customer.zone == zone
    assert customer.id_number != "800191045"


def test_contact_create_normalises_phone(client, director):
    customer = make_customer()
    client.force_login(director)
    client.post(
        reverse("customers:contact_create", args=[customer.pk]),
        {"name": "Marina Acosta", "role": "Administradora", "mobile": "319 252 8602"},
    )
    assert customer.contacts.get().mobile == "+573192528602"


def test_contact_create_with_bad_phone_shows_error(client, director):
    customer = make_customer()
    client.force_login(director)
    response = client.post(
        reverse("customers:contact_create", args=[customer.pk]),
        {"name": "Marina Acosta", "mobile": "319"},
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_new_primary_contact_unmarks_previous(client, director):
    customer = make_customer()
    first = customer.contacts.create(name="Primera", is_primary=True)
    client.force_login(director)
    client.post(
        reverse("customers:contact_create", args=[customer.pk]),
        {"name": "Segunda", "is_primary": "on"},
    )
    first.refresh_from_db()
    assert first.is_primary is False


def test_contact_edit_saves(client, director):
    customer = make_customer()
    contact = customer.contacts.create(name="Marina")
    client.force_login(director)
    client.post(
        reverse("customers:contact_edit", args=[customer.pk, contact.pk]),
        {"name": "Marina Acosta", "role": "Gerente"},
    )
    contact.refresh_from_db()
    assert contact.role == "Gerente"


def test_contact_delete_keeps_history(client, director):
    customer = make_customer()
    contact = customer.contacts.create(name="Marina")
    client.force_login(director)
    client.post(reverse("customers:contact_delete", args=[customer.pk, contact.pk]))
    assert not customer.contacts.exists()
    assert Contact.history.filter(history_type="-").get().history_user == director


def test_consent_create_records_who(client, director):
    customer = make_customer()
    client.force_login(director)
    client.post(
        reverse("customers:consent_create", args=[customer.pk]),
        {
            "channel": "whatsapp",
            "method": "formulario",
            "granted_on": "2026-03-02",
            "purposes": "Ofrecimiento comercial",
            "policy_version": "v2",
        },
    )
    consent = customer.consents.get()
    assert consent.recorded_by == director
    assert consent.granted_on == date(2026, 3, 2)


def test_consent_in_future_is_rejected(client, director):
    customer = make_customer()
    client.force_login(director)
    response = client.post(
        reverse("customers:consent_create", args=[customer.pk]),
        {
            "channel": "llamada",
            "method": "llamada_grabada",
            "granted_on": (date.today() + timedelta(days=5)).isoformat(),
            "purposes": "Ofrecimiento",
        },
    )
    assert response.status_code == 400
    assert not DataConsent.objects.exists()


def make_consent(customer) -> DataConsent:
    return DataConsent.objects.create(
        customer=customer,
        channel=DataConsent.Channel.CALL,
        method=DataConsent.Method.RECORDED_CALL,
        granted_on=date(2026, 1, 15),
    )


def test_consent_revoke_keeps_record(client, director):
    customer = make_customer()
    consent = make_consent(customer)
    client.force_login(director)
    client.post(
        reverse("customers:consent_revoke", args=[customer.pk, consent.pk]),
        {"revoked_on": "2026-02-01", "revocation_note": "No desea llamadas"},
    )
    consent.refresh_from_db()
    assert consent.revoked_on == date(2026, 2, 1)
    assert consent.revocation_note == "No desea llamadas"


def test_consent_revoke_before_grant_is_rejected(client, director):
    customer = make_customer()
    consent = make_consent(customer)
    client.force_login(director)
    client.post(
        reverse("customers:consent_revoke", args=[customer.pk, consent.pk]),
        {"revoked_on": "2025-12-31"},
    )
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_missing_id_type_is_reported_on_its_field(client, director):
    client.force_login(director)
    response = client.post(CREATE_URL, customer_data(id_type=""))
    assert "id_type" in response.context["form"].errors
