import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from service_orders import services
from service_orders.models import ServiceOrder
from service_orders.tests.conftest import register_prepayment
from tests.factories import make_accepted_quotation, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(quotation, advisor):
    return services.service_order_create(quotation=quotation, user=advisor)


@pytest.fixture
def other_order(other_quotation, other_advisor):
    return services.service_order_create(quotation=other_quotation, user=other_advisor)


@pytest.fixture
def requested(order, advisor, service_day):
    services.schedule_request(order=order, user=advisor, requested_date=service_day)
    order.refresh_from_db()
    return order


def confirm_data(day, supervisor, **extra):
    data = {
        "scheduled_date": day.isoformat(),
        "scheduled_time": "08:30",
        "crew": "Pedro Pérez Rincón; 1.023.456.789; conductor\nLuz Ortiz; 52345678",
        "vehicle_plate": "abc 123",
        "supervisor": supervisor.pk,
    }
    data.update(extra)
    return data


def url(name, order):
    return reverse(f"service_orders:{name}", args=[order.pk])


# List and detail -------------------------------------------------------------


def test_list_shows_own_orders_only(client, advisor, order, other_order):
    client.force_login(advisor)
    content = client.get(reverse("service_orders:list")).content.decode()
    assert order.code in content
    assert other_order.code not in content


def test_list_footer_counts_orders(client, operations_user, order, other_order):
    client.force_login(operations_user)
    content = client.get(reverse("service_orders:list")).content.decode()
    assert "2 órdenes" in content


def test_list_footer_counts_one_order(client, advisor, order, other_order):
    client.force_login(advisor)
    content = client.get(reverse("service_orders:list")).content.decode()
    assert "1 orden</span>" in content


def test_list_shows_all_to_operations(client, operations_user, order, other_order):
    client.force_login(operations_user)
    content = client.get(reverse("service_orders:list")).content.decode()
    assert order.code in content
    assert other_order.code in content


def test_list_filters(client, director, order, other_order, service_day, advisor):
    services.schedule_request(order=order, user=advisor, requested_date=service_day)
    client.force_login(director)
    list_url = reverse("service_orders:list")

    by_status = client.get(list_url, {"status": "solicitada"}).content.decode()
    assert order.code in by_status
    assert other_order.code not in by_status

    by_date = client.get(
        list_url, {"date_from": service_day.isoformat(), "date_to": service_day}
    ).content.decode()
    assert order.code in by_date
    assert other_order.code not in by_date

    by_code = client.get(list_url, {"q": other_order.code.lower()}).content.decode()
    assert other_order.code in by_code
    assert order.code not in by_code

    by_customer = client.get(list_url, {"q": "ñapa"}).content.decode()
    assert order.code in by_customer
    assert other_order.code not in by_customer

    by_advisor = client.get(list_url, {"advisor": advisor.pk}).content.decode()
    assert order.code in by_advisor
    assert other_order.code not in by_advisor


def test_list_filters_awaiting_aforo(client, operations_user, order, other_order):
    ServiceOrder.objects.filter(pk=order.pk).update(prepayment_required=True)
    client.force_login(operations_user)
    response = client.get(reverse("service_orders:list"), {"pending": "aforo"})
    assert [row.pk for row in response.context["page"]] == [order.pk]


def test_list_reversed_range_shows_error(client, director):
    client.force_login(director)
    response = client.get(
        reverse("service_orders:list"),
        {"date_from": "2026-12-10", "date_to": "2026-12-01"},
    )
    assert "anterior a «Desde»" in response.content.decode()


def test_list_refused_without_role(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("service_orders:list")).status_code == 403


def test_detail_of_other_portfolio_404(client, advisor, other_order):
    client.force_login(advisor)
    assert client.get(url("detail", other_order)).status_code == 404


def test_detail_shows_lines_and_links(client, advisor, order):
    client.force_login(advisor)
    content = client.get(url("detail", order)).content.decode()
    assert "Retiro de escombros" in content
    assert order.quotation.get_absolute_url() in content
    assert order.customer.get_absolute_url() in content


def test_detail_readable_by_billing(client, billing_user, order):
    client.force_login(billing_user)
    assert client.get(url("detail", order)).status_code == 200


@pytest.mark.parametrize("persona", ["operations_user", "logistics_user"])
def test_detail_quotation_code_unlinked(client, order, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    content = client.get(url("detail", order)).content.decode()
    assert order.quotation.code in content
    assert order.quotation.get_absolute_url() not in content
    quotation_page = client.get(order.quotation.get_absolute_url())
    assert quotation_page.status_code == 403


def test_detail_quotation_linked_for_billing(client, billing_user, order):
    client.force_login(billing_user)
    content = client.get(url("detail", order)).content.decode()
    assert order.quotation.get_absolute_url() in content
    assert client.get(order.quotation.get_absolute_url()).status_code == 200


def test_detail_warns_missing_customer_email(client, advisor, order, customer):
    Customer.objects.filter(pk=customer.pk).update(email="")
    client.force_login(advisor)
    content = client.get(url("detail", order)).content.decode()
    assert "no tiene correo electrónico" in content


# Create ----------------------------------------------------------------------


def create_url(quotation):
    return reverse("service_orders:create", args=[quotation.pk])


def test_create_page_creates_order(client, advisor, quotation):
    first, second = quotation.lines.order_by("position")
    client.force_login(advisor)
    response = client.post(
        create_url(quotation),
        {
            "address": "Calle 5 # 3-20, bodega 4",
            f"line_{first.pk}": "on",
            f"quantity_{first.pk}": "2.5",
            f"quantity_{second.pk}": "2",
        },
    )
    order = ServiceOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    assert [(line.code, str(line.quantity)) for line in order.lines.all()] == [
        ("SE-101", "2.500")
    ]


def test_create_page_without_lines_shows_error(client, advisor, quotation):
    client.force_login(advisor)
    response = client.post(create_url(quotation), {"address": "Calle 5 # 3-20"})
    assert response.status_code == 200
    assert "Marque al menos un servicio" in response.content.decode()
    assert not ServiceOrder.objects.exists()


def test_create_other_portfolio_404(client, advisor, other_quotation):
    client.force_login(advisor)
    assert client.get(create_url(other_quotation)).status_code == 404


@pytest.mark.parametrize("persona", ["operations_user", "billing_user"])
def test_create_refused_to_role(client, request, persona, quotation):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(create_url(quotation)).status_code == 403


def test_quotation_detail_offers_order(client, advisor, quotation):
    client.force_login(advisor)
    content = client.get(quotation.get_absolute_url()).content.decode()
    assert create_url(quotation) in content
    assert "Registrar contrato u orden de compra" in content


# Request ---------------------------------------------------------------------


def test_request_page(client, advisor, order, service_day):
    client.force_login(advisor)
    response = client.post(
        url("request", order), {"requested_date": service_day.isoformat()}
    )
    order.refresh_from_db()
    assert response.status_code == 302
    assert order.status == ServiceOrder.Status.REQUESTED


def test_request_page_past_date_error(client, advisor, order):
    client.force_login(advisor)
    response = client.post(url("request", order), {"requested_date": "2020-01-02"})
    assert "ya pasó" in response.content.decode()


def test_request_other_portfolio_404(client, advisor, other_order, service_day):
    client.force_login(advisor)
    response = client.post(
        url("request", other_order), {"requested_date": service_day.isoformat()}
    )
    assert response.status_code == 404


def test_request_refused_to_operations(client, operations_user, order):
    client.force_login(operations_user)
    assert client.get(url("request", order)).status_code == 403


# Confirm ---------------------------------------------------------------------


def test_confirm_refused_to_advisor(
    client, advisor, requested, service_day, supervisor
):
    client.force_login(advisor)
    response = client.post(
        url("confirm", requested), confirm_data(service_day, supervisor)
    )
    assert response.status_code == 403
    requested.refresh_from_db()
    assert requested.status == ServiceOrder.Status.REQUESTED


def test_confirm_by_operations(
    client, operations_user, requested, service_day, supervisor
):
    client.force_login(operations_user)
    response = client.post(
        url("confirm", requested), confirm_data(service_day, supervisor), follow=True
    )
    requested.refresh_from_db()
    assert requested.status == ServiceOrder.Status.SCHEDULED
    assert requested.vehicle_plate == "ABC123"
    content = response.content.decode()
    assert "Se envió el aviso al cliente (compras@lanapa.example.com)" in content
    assert "1.023.456.789" in content


def test_confirm_page_names_bad_crew_line(
    client, operations_user, requested, service_day, supervisor
):
    client.force_login(operations_user)
    response = client.post(
        url("confirm", requested),
        confirm_data(service_day, supervisor, crew="Pedro Pérez; 1.023.456.789\nAna"),
    )
    assert response.status_code == 200
    assert "Línea 2:" in response.content.decode()


def test_confirm_page_prepayment_error(
    client, operations_user, advisor, debris, service_day, supervisor
):
    customer = make_customer(advisor=advisor, customer_type=Customer.CustomerType.NEW)
    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "1")]
    )
    order = services.service_order_create(quotation=quotation, user=advisor)
    client.force_login(operations_user)
    response = client.post(url("confirm", order), confirm_data(service_day, supervisor))
    assert response.status_code == 200
    assert "requiere pago anticipado" in response.content.decode()

    register_prepayment(order, operations_user)
    response = client.post(url("confirm", order), confirm_data(service_day, supervisor))
    assert response.status_code == 302


def test_confirm_page_warns_without_email(
    client, operations_user, requested, service_day, supervisor, customer
):
    Customer.objects.filter(pk=customer.pk).update(email="")
    client.force_login(operations_user)
    response = client.post(
        url("confirm", requested), confirm_data(service_day, supervisor), follow=True
    )
    requested.refresh_from_db()
    assert requested.status == ServiceOrder.Status.SCHEDULED
    assert "no se le envió el aviso" in response.content.decode()


# Reschedule, cancel and annul -------------------------------------------------


@pytest.fixture
def scheduled(requested, operations_user, service_day, crew, supervisor):
    services.schedule_confirm(
        order=requested,
        user=operations_user,
        scheduled_date=service_day,
        scheduled_time=timezone.datetime(2000, 1, 1, 9).time(),
        crew=crew,
        vehicle_plate="WXY987",
        supervisor=supervisor,
    )
    requested.refresh_from_db()
    return requested


def test_reschedule_refused_to_advisor(client, advisor, scheduled):
    client.force_login(advisor)
    assert client.get(url("reschedule", scheduled)).status_code == 403


def test_reschedule_by_logistics(
    client, logistics_user, scheduled, service_day, supervisor
):
    client.force_login(logistics_user)
    page = client.get(url("reschedule", scheduled)).content.decode()
    assert "Pedro Pérez Rincón; 1023456789; Conductor" in page
    response = client.post(
        url("reschedule", scheduled),
        confirm_data(service_day, supervisor, reason="Lluvia fuerte"),
    )
    assert response.status_code == 302
    change = scheduled.schedule_changes.last()
    assert change.kind == "reprogramacion"
    assert change.reason == "Lluvia fuerte"


def test_reschedule_page_requires_reason(
    client, operations_user, scheduled, service_day, supervisor
):
    client.force_login(operations_user)
    response = client.post(
        url("reschedule", scheduled), confirm_data(service_day, supervisor)
    )
    assert response.status_code == 200
    assert "Este campo es obligatorio" in response.content.decode()


def test_unschedule_page_by_operations(client, operations_user, scheduled):
    client.force_login(operations_user)
    detail = client.get(url("detail", scheduled)).content.decode()
    assert url("unschedule", scheduled) in detail
    response = client.post(
        url("unschedule", scheduled), {"reason": "Se programó la orden equivocada"}
    )
    scheduled.refresh_from_db()
    assert response.status_code == 302
    assert scheduled.status == ServiceOrder.Status.TO_SCHEDULE
    change = scheduled.schedule_changes.last()
    assert change.kind == "desprogramacion"
    assert change.reason == "Se programó la orden equivocada"
    assert scheduled.history.first().history_user == operations_user
    page = client.get(url("detail", scheduled)).content.decode()
    assert "Desprogramación" in page
    assert "Servicio desprogramado" in page


def test_unschedule_page_requires_reason(client, logistics_user, scheduled):
    client.force_login(logistics_user)
    response = client.post(url("unschedule", scheduled), {"reason": ""})
    scheduled.refresh_from_db()
    assert response.status_code == 200
    assert "Este campo es obligatorio" in response.content.decode()
    assert scheduled.status == ServiceOrder.Status.SCHEDULED


@pytest.mark.parametrize("role", ["advisor", "billing_user"])
def test_unschedule_refused_to_role(client, request, scheduled, role):
    client.force_login(request.getfixturevalue(role))
    detail = client.get(url("detail", scheduled)).content.decode()
    assert url("unschedule", scheduled) not in detail
    assert client.get(url("unschedule", scheduled)).status_code == 403
    response = client.post(url("unschedule", scheduled), {"reason": "x"})
    assert response.status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.status == ServiceOrder.Status.SCHEDULED


def test_unschedule_executed_order_shows_error(client, operations_user, scheduled):
    ServiceOrder.objects.filter(pk=scheduled.pk).update(
        status=ServiceOrder.Status.EXECUTED
    )
    client.force_login(operations_user)
    response = client.post(url("unschedule", scheduled), {"reason": "Error"})
    assert response.status_code == 200
    assert "solo se desprograman" in response.content.decode()


def test_cancel_by_own_advisor(client, advisor, scheduled):
    client.force_login(advisor)
    response = client.post(url("cancel", scheduled), {"reason": "Cliente desiste"})
    scheduled.refresh_from_db()
    assert response.status_code == 302
    assert scheduled.status == ServiceOrder.Status.CANCELLED


def test_cancel_other_portfolio_404(client, advisor, other_order):
    client.force_login(advisor)
    response = client.post(url("cancel", other_order), {"reason": "x"})
    assert response.status_code == 404


def test_cancel_refused_to_billing(client, billing_user, scheduled):
    client.force_login(billing_user)
    response = client.post(url("cancel", scheduled), {"reason": "x"})
    assert response.status_code == 403


def test_annul_page(client, advisor, order):
    client.force_login(advisor)
    response = client.post(url("annul", order), {"reason": "Orden duplicada"})
    order.refresh_from_db()
    assert response.status_code == 302
    assert order.status == ServiceOrder.Status.ANNULLED


PREPAYMENT_BANNER = "Esta orden requiere pago anticipado"


def test_prepayment_banner_on_open_order(client, advisor, order):
    ServiceOrder.objects.filter(pk=order.pk).update(prepayment_required=True)
    client.force_login(advisor)
    page = client.get(url("detail", order)).content.decode()
    assert PREPAYMENT_BANNER in page


def test_annulled_order_hides_prepayment_banner(client, advisor, order):
    ServiceOrder.objects.filter(pk=order.pk).update(prepayment_required=True)
    services.service_order_annul(order=order, user=advisor, reason="Duplicada")
    client.force_login(advisor)
    page = client.get(url("detail", order)).content.decode()
    assert PREPAYMENT_BANNER not in page


def test_annul_refused_to_operations(client, operations_user, order):
    client.force_login(operations_user)
    assert client.post(url("annul", order), {"reason": "x"}).status_code == 403


# Board -----------------------------------------------------------------------


def test_board_lists_requested_and_week(
    client, operations_user, requested, other_order, other_advisor, supervisor
):
    day = requested.requested_date
    services.schedule_request(order=other_order, user=other_advisor, requested_date=day)
    services.schedule_confirm(
        order=other_order,
        user=operations_user,
        scheduled_date=day,
        scheduled_time=timezone.datetime(2000, 1, 1, 7).time(),
        crew=[services.CrewInput("Mario Gil", "79123456")],
        vehicle_plate="TTT111",
        supervisor=supervisor,
    )
    client.force_login(operations_user)
    response = client.get(reverse("service_orders:board"), {"semana": day.isoformat()})
    content = response.content.decode()
    assert response.status_code == 200
    assert requested.code in content
    assert other_order.code in content
    assert "TTT111" in content
    assert "Mario Gil" in content


@pytest.mark.parametrize("persona", ["advisor", "billing_user", "no_role_user"])
def test_board_refused_to_role(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("service_orders:board")).status_code == 403


def test_menu_entries_for_operations(client, operations_user):
    client.force_login(operations_user)
    content = client.get(reverse("service_orders:list")).content.decode()
    assert "Órdenes de servicio" in content
    assert reverse("service_orders:board") in content


# Onboarding warning ----------------------------------------------------------


ONBOARDING_WARNING = "El cliente no tiene la vinculación aprobada por facturación"


def test_detail_warns_unapproved_onboarding(
    client, advisor, billing_user, order, customer
):
    from onboarding.models import Onboarding

    client.force_login(advisor)
    content = client.get(url("detail", order)).content.decode()
    assert ONBOARDING_WARNING in content
    assert customer.get_absolute_url() in content

    onboarding = Onboarding.objects.create(
        customer=customer, status=Onboarding.Status.IN_REVIEW, opened_by=advisor
    )
    content = client.get(url("detail", order)).content.decode()
    assert ONBOARDING_WARNING in content
    assert onboarding.get_absolute_url() in content

    Onboarding.objects.filter(pk=onboarding.pk).update(
        status=Onboarding.Status.APPROVED,
        decided_by=billing_user,
        decided_at=timezone.now(),
    )
    content = client.get(url("detail", order)).content.decode()
    assert ONBOARDING_WARNING not in content


def test_board_marks_unapproved_onboarding(client, operations_user, requested):
    client.force_login(operations_user)
    response = client.get(
        reverse("service_orders:board"),
        {"semana": requested.requested_date.isoformat()},
    )
    assert "Sin vinculación aprobada" in response.content.decode()


@pytest.mark.parametrize("semana", ["0001-01-01", "9999-12-31", "abc"])
def test_board_bad_week_shows_this_week(client, operations_user, semana):
    client.force_login(operations_user)
    response = client.get(reverse("service_orders:board"), {"semana": semana})
    assert response.status_code == 200
    assert f"«{semana}» no es válida" in response.content.decode()
