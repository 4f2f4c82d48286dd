from datetime import date

from django.urls import reverse

from customers import services
from customers.models import DataConsent
from tests.factories import make_customer, make_zone
from zones.models import CustomerAssignment


def detail_url(customer):
    return reverse("customers:detail", args=[customer.pk])


def test_detail_shows_formatted_identification(client, director):
    customer = make_customer(id_number="900123456", check_digit="8")
    client.force_login(director)
    response = client.get(detail_url(customer))
    assert "900.123.456-8" in response.content.decode()


def test_detail_shows_phones_as_dialled(client, director):
    customer = make_customer(mobile="+573105551234", phone="+576082451234")
    client.force_login(director)
    content = client.get(detail_url(customer)).content.decode()
    assert "310 555 1234" in content
    assert "608 245 1234" in content


def test_detail_shows_contacts(client, director):
    customer = make_customer()
    customer.contacts.create(name="Marina Acosta", role="Administradora")
    client.force_login(director)
    assert "Marina Acosta" in client.get(detail_url(customer)).content.decode()


def test_detail_shows_consent_and_revocation(client, director):
    customer = make_customer()
    DataConsent.objects.create(
        customer=customer,
        channel=DataConsent.Channel.WHATSAPP,
        method=DataConsent.Method.FORM,
        granted_on=date(2026, 3, 2),
        policy_version="v2.1",
        revoked_on=date(2026, 5, 4),
        revocation_note="Pidió no ser contactado",
    )
    client.force_login(director)
    content = client.get(detail_url(customer)).content.decode()
    assert "WhatsApp" in content
    assert "02/03/2026" in content
    assert "v2.1" in content
    assert "Revocada el 04/05/2026" in content


def test_detail_shows_assignment_history(client, director, advisor):
    zone = make_zone("CORREDOR VIAL")
    customer = make_customer(zone=zone, advisor=advisor)
    CustomerAssignment.objects.create(
        customer=customer, advisor=advisor, zone=zone, assigned_by=director
    )
    client.force_login(director)
    response = client.get(detail_url(customer))
    assert list(response.context["assignments"]) == list(customer.assignments.all())
    assert "CORREDOR VIAL" in response.content.decode()


def test_detail_history_names_field_old_and_new_value(client, director):
    customer = make_customer(address="Calle 10 # 5-32")
    services.customer_update(
        customer=customer, fields={"address": "Cra 26 # 37-64"}, user=director
    )
    client.force_login(director)
    history = client.get(detail_url(customer)).context["history"]
    change = history[0].changes[0]
    assert (change.label, change.old, change.new) == (
        "Dirección",
        "Calle 10 # 5-32",
        "Cra 26 # 37-64",
    )


def test_detail_history_records_who(client, director):
    customer = make_customer()
    services.customer_update(customer=customer, fields={"notes": "x"}, user=director)
    client.force_login(director)
    history = client.get(detail_url(customer)).context["history"]
    assert history[0].who == str(director)


def test_detail_history_shows_advisor_name_not_id(client, director, advisor):
    customer = make_customer()
    services.customer_update(
        customer=customer, fields={"advisor": advisor}, user=director
    )
    client.force_login(director)
    change = client.get(detail_url(customer)).context["history"][0].changes[0]
    assert (change.label, change.old, change.new) == (
        "Asesor comercial",
        "—",
        str(advisor),
    )


def test_detail_history_shows_choice_label(client, director):
    customer = make_customer(customer_type="antiguo")
    services.customer_update(
        customer=customer, fields={"customer_type": "nuevo"}, user=director
    )
    client.force_login(director)
    change = client.get(detail_url(customer)).context["history"][0].changes[0]
    assert (change.old, change.new) == ("Antiguo", "Nuevo")


def test_reader_sees_no_edit_controls(client, billing_user):
    customer = make_customer()
    client.force_login(billing_user)
    response = client.get(detail_url(customer))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert (
        reverse("customers:edit", args=[customer.pk]) not in response.content.decode()
    )
