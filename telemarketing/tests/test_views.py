import pytest
import time_machine
from django.urls import reverse

from telemarketing.models import ContactLog, ContactOptOut
from telemarketing.services import customer_opt_out
from telemarketing.tests.conftest import bogota, grant
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

WEDNESDAY_MORNING = bogota(2026, 3, 18, 10, 0)
SUNDAY = bogota(2026, 3, 22, 10, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller


def add_log(customer, user, at, **fields):
    values = {
        "channel": "llamada",
        "outcome": ContactLog.Outcome.CALL_BACK,
        "direction": "saliente",
    }
    values.update(fields)
    return ContactLog.objects.create(
        customer=customer, logged_by=user, contacted_at=at, **values
    )


def test_call_list_has_only_own_customers(client, advisor, other_advisor, customer):
    theirs = make_customer(advisor=other_advisor, name="Hotel del Otro Asesor")
    client.force_login(advisor)
    response = client.get(reverse("telemarketing:call_list"))
    assert customer.name in response.text
    assert theirs.name not in response.text


def test_call_list_leaves_out_opted_out(client, advisor, customer):
    customer_opt_out(customer=customer, user=advisor)
    client.force_login(advisor)
    response = client.get(reverse("telemarketing:call_list"))
    assert customer.name not in response.text


def test_call_list_priority_order(client, advisor):
    due = make_customer(advisor=advisor, name="Cliente Acción Vencida")
    never = make_customer(advisor=advisor, name="Cliente Nunca Contactado")
    old = make_customer(advisor=advisor, name="Cliente Contacto Antiguo")
    recent = make_customer(advisor=advisor, name="Cliente Contacto Reciente")
    add_log(old, advisor, bogota(2026, 2, 2))
    add_log(recent, advisor, bogota(2026, 3, 10))
    add_log(
        due,
        advisor,
        bogota(2026, 3, 12),
        next_action="Llamar de nuevo",
        next_action_on=bogota(2026, 3, 17).date(),
    )
    client.force_login(advisor)
    text = client.get(reverse("telemarketing:call_list")).text
    positions = [text.index(customer.name) for customer in (due, never, old, recent)]
    assert positions == sorted(positions)


def test_call_list_marks_overdue_action(client, advisor, customer):
    add_log(
        customer,
        advisor,
        bogota(2026, 3, 12),
        next_action="Enviar portafolio",
        next_action_on=bogota(2026, 3, 17).date(),
    )
    client.force_login(advisor)
    response = client.get(reverse("telemarketing:call_list"))
    assert "Vencida" in response.text


def test_call_list_forbidden_for_operations(client, operations_user):
    client.force_login(operations_user)
    response = client.get(reverse("telemarketing:call_list"))
    assert response.status_code == 403


def test_manager_filters_by_advisor(
    client, coordinator, advisor, other_advisor, customer
):
    theirs = make_customer(advisor=other_advisor, name="Hotel del Otro Asesor")
    client.force_login(coordinator)
    response = client.get(
        reverse("telemarketing:call_list"), {"asesor": other_advisor.pk}
    )
    assert theirs.name in response.text
    assert customer.name not in response.text


def test_whatsapp_link_prefilled(client, advisor, customer):
    client.force_login(advisor)
    response = client.get(reverse("telemarketing:call_list"))
    assert "https://wa.me/573105551234?text=Buenos%20d%C3%ADas" in response.text


def test_tel_and_mailto_links(client, advisor, customer):
    client.force_login(advisor)
    text = client.get(reverse("telemarketing:call_list")).text
    assert 'href="tel:+573105551234"' in text
    assert "mailto:compras@laspalmas.example.com?subject=" in text


def test_links_disabled_on_sunday(client, advisor, customer, frozen_clock):
    frozen_clock.move_to(SUNDAY)
    client.force_login(advisor)
    text = client.get(reverse("telemarketing:call_list")).text
    assert 'href="tel:' not in text
    assert "Los domingos no se permite contacto comercial" in text


def test_link_hidden_without_consent(client, advisor):
    customer = make_customer(advisor=advisor, mobile="+573105551234")
    grant(customer, "llamada")
    client.force_login(advisor)
    text = client.get(reverse("telemarketing:call_list")).text
    assert "wa.me" not in text
    assert "no ha autorizado el contacto por WhatsApp" in text


def test_log_contact_creates_log(client, advisor, customer):
    client.force_login(advisor)
    response = client.post(
        reverse("telemarketing:contact_log_create", args=[customer.pk]),
        {
            "channel": "llamada",
            "direction": "saliente",
            "outcome": "agendar_visita",
            "notes": "Quiere cotizar retiro de escombros",
            "next_action": "Visita",
            "next_action_on": "2026-03-20",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert ContactLog.objects.filter(customer=customer).count() == 1
    assert reverse("visits:create") in response.text


def test_log_contact_rejected_shows_rule(client, advisor, customer, frozen_clock):
    frozen_clock.move_to(SUNDAY)
    client.force_login(advisor)
    response = client.post(
        reverse("telemarketing:contact_log_create", args=[customer.pk]),
        {"channel": "llamada", "direction": "saliente", "outcome": "interesado"},
        HTTP_HX_REQUEST="true",
    )
    assert "Próximo momento permitido: martes 24/03/2026 a las 07:00" in response.text
    assert not ContactLog.objects.exists()


def test_log_on_other_advisors_customer_404(client, advisor, other_advisor):
    theirs = make_customer(advisor=other_advisor)
    client.force_login(advisor)
    response = client.post(
        reverse("telemarketing:contact_log_create", args=[theirs.pk]),
        {"channel": "llamada", "direction": "saliente", "outcome": "interesado"},
    )
    assert response.status_code == 404


def test_contact_page_other_advisor_404(client, advisor, other_advisor):
    theirs = make_customer(advisor=other_advisor)
    client.force_login(advisor)
    response = client.get(reverse("telemarketing:customer_contacts", args=[theirs.pk]))
    assert response.status_code == 404


def test_contact_page_shows_history(client, advisor, customer):
    add_log(customer, advisor, bogota(2026, 3, 16), notes="Pidió portafolio")
    client.force_login(advisor)
    response = client.get(
        reverse("telemarketing:customer_contacts", args=[customer.pk])
    )
    assert "Pidió portafolio" in response.text


def test_opt_out_is_one_click(client, advisor, customer):
    client.force_login(advisor)
    client.post(reverse("telemarketing:opt_out", args=[customer.pk]))
    assert ContactOptOut.objects.get(customer=customer).recorded_by == advisor


def test_reauthorize_view_lifts_opt_out(client, advisor, customer):
    customer_opt_out(customer=customer, user=advisor)
    client.force_login(advisor)
    client.post(
        reverse("telemarketing:reauthorize", args=[customer.pk]),
        {"evidence": "Llamada grabada del 18/03/2026"},
    )
    assert ContactOptOut.objects.get(customer=customer).reauthorized_by == advisor


def test_opt_out_other_advisors_customer_404(client, advisor, other_advisor):
    theirs = make_customer(advisor=other_advisor)
    client.force_login(advisor)
    response = client.post(reverse("telemarketing:opt_out", args=[theirs.pk]))
    assert response.status_code == 404


def test_contact_page_of_opted_out_offers_reauthorization(client, advisor, customer):
    customer_opt_out(customer=customer, user=advisor, note="Pidió no llamar más")
    client.force_login(advisor)
    response = client.get(
        reverse("telemarketing:customer_contacts", args=[customer.pk])
    )
    assert "Registrar nueva autorización" in response.text
