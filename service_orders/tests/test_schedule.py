from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers.models import Contact, Customer
from service_orders import services
from service_orders.models import ScheduleChange, ServiceOrder
from service_orders.tests.conftest import register_prepayment
from tests.factories import make_accepted_quotation, make_customer

pytestmark = pytest.mark.django_db

NINE = time(9, 0)


@pytest.fixture
def order(quotation, advisor):
    return services.service_order_create(quotation=quotation, user=advisor)


def confirm(order, user, day, crew, supervisor, **extra):
    fields = {
        "scheduled_date": day,
        "scheduled_time": NINE,
        "crew": crew,
        "vehicle_plate": "wxy-987",
        "supervisor": supervisor,
    }
    fields.update(extra)
    return services.schedule_confirm(order=order, user=user, **fields)


# Request ---------------------------------------------------------------------


def test_request_records_date(order, advisor, service_day):
    change = services.schedule_request(
        order=order, user=advisor, requested_date=service_day, note="Antes de las 10"
    )
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.REQUESTED
    assert order.requested_date == service_day
    assert order.requested_by == advisor
    assert change.kind == ScheduleChange.Kind.REQUESTED
    assert change.reason == "Antes de las 10"


def test_request_again_changes_date(order, advisor, service_day):
    services.schedule_request(order=order, user=advisor, requested_date=service_day)
    later = service_day + timedelta(days=7)
    change = services.schedule_request(order=order, user=advisor, requested_date=later)
    assert change.previous_date == service_day
    assert change.new_date == later


def test_request_rejects_past_date(order, advisor):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError, match="ya pasó"):
        services.schedule_request(order=order, user=advisor, requested_date=yesterday)


def test_request_on_sunday_needs_confirmation(order, advisor, sunday):
    with pytest.raises(ValidationError, match="no es día hábil"):
        services.schedule_request(order=order, user=advisor, requested_date=sunday)
    services.schedule_request(
        order=order, user=advisor, requested_date=sunday, allow_non_business_day=True
    )
    order.refresh_from_db()
    assert order.requested_date == sunday


# Confirm ---------------------------------------------------------------------


def test_confirm_schedules_with_crew(
    order, operations_user, service_day, crew, supervisor
):
    change = confirm(order, operations_user, service_day, crew, supervisor)
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.SCHEDULED
    assert order.scheduled_date == service_day
    assert order.scheduled_time == NINE
    assert order.vehicle_plate == "WXY987"
    assert order.supervisor == supervisor
    assert order.scheduled_by == operations_user
    assert [m.id_number for m in order.crew.all()] == ["1023456789", "52345678"]
    assert change.kind == ScheduleChange.Kind.CONFIRMED
    assert change.email.to == ["compras@lanapa.example.com"]


def test_confirm_by_logistics(order, logistics_user, service_day, crew, supervisor):
    confirm(order, logistics_user, service_day, crew, supervisor)
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.SCHEDULED


def test_confirm_refused_to_advisor(order, advisor, service_day, crew, supervisor):
    with pytest.raises(PermissionDenied):
        confirm(order, advisor, service_day, crew, supervisor)


def test_confirm_requires_operations_supervisor(
    order, operations_user, service_day, crew, advisor
):
    with pytest.raises(ValidationError, match="rol de Operaciones"):
        confirm(order, operations_user, service_day, crew, advisor)


def test_confirm_requires_crew(order, operations_user, service_day, supervisor):
    with pytest.raises(ValidationError, match="cuadrilla"):
        confirm(order, operations_user, service_day, [], supervisor)


def test_confirm_rejects_bad_plate(
    order, operations_user, service_day, crew, supervisor
):
    with pytest.raises(ValidationError, match="placa"):
        confirm(
            order, operations_user, service_day, crew, supervisor, vehicle_plate="X1"
        )
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.TO_SCHEDULE


def test_confirm_twice_refused(order, operations_user, service_day, crew, supervisor):
    confirm(order, operations_user, service_day, crew, supervisor)
    with pytest.raises(ValidationError, match="Reprogramar"):
        confirm(order, operations_user, service_day, crew, supervisor)


# Prepayment gate -------------------------------------------------------------


@pytest.fixture
def prepaid_order(advisor, debris):
    customer = make_customer(
        advisor=advisor,
        customer_type=Customer.CustomerType.NEW,
        email="nuevo@cliente.example.com",
    )
    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "2")]
    )
    return services.service_order_create(quotation=quotation, user=advisor)


def test_prepayment_gate_refuses_confirm(
    prepaid_order, operations_user, service_day, crew, supervisor
):
    assert prepaid_order.prepayment_required
    with pytest.raises(ValidationError, match="pago anticipado"):
        confirm(prepaid_order, operations_user, service_day, crew, supervisor)
    prepaid_order.refresh_from_db()
    assert prepaid_order.status == ServiceOrder.Status.TO_SCHEDULE
    assert not prepaid_order.crew.exists()
    assert not prepaid_order.schedule_changes.exists()


def test_prepayment_gate_opens_after_payment(
    prepaid_order, operations_user, service_day, crew, supervisor
):
    register_prepayment(prepaid_order, operations_user)
    confirm(prepaid_order, operations_user, service_day, crew, supervisor)
    prepaid_order.refresh_from_db()
    assert prepaid_order.status == ServiceOrder.Status.SCHEDULED


def test_prepayment_gate_partial_payments(
    prepaid_order, operations_user, service_day, crew, supervisor
):
    price = prepaid_order.lines.first().unit_price
    register_prepayment(prepaid_order, operations_user, amount=price - 1)
    with pytest.raises(ValidationError, match="no cubren el valor del aforo"):
        confirm(prepaid_order, operations_user, service_day, crew, supervisor)
    register_prepayment(prepaid_order, operations_user, amount=1)
    confirm(prepaid_order, operations_user, service_day, crew, supervisor)
    prepaid_order.refresh_from_db()
    assert prepaid_order.status == ServiceOrder.Status.SCHEDULED


def test_annulled_payment_closes_gate(
    prepaid_order, operations_user, coordinator, service_day, crew, supervisor
):
    from field_work.services import prepayment_annul

    payment = register_prepayment(prepaid_order, operations_user)
    prepayment_annul(prepayment=payment, user=coordinator, reason="Consignación ajena")
    with pytest.raises(ValidationError, match="no cubren el valor del aforo"):
        confirm(prepaid_order, operations_user, service_day, crew, supervisor)
    prepaid_order.refresh_from_db()
    assert prepaid_order.status == ServiceOrder.Status.TO_SCHEDULE
    assert not prepaid_order.schedule_changes.exists()


def test_prepayment_gate_allows_request(prepaid_order, advisor, service_day):
    services.schedule_request(
        order=prepaid_order, user=advisor, requested_date=service_day
    )
    prepaid_order.refresh_from_db()
    assert prepaid_order.status == ServiceOrder.Status.REQUESTED


# Reschedule and cancel -------------------------------------------------------


@pytest.fixture
def scheduled(order, operations_user, service_day, crew, supervisor):
    confirm(order, operations_user, service_day, crew, supervisor)
    order.refresh_from_db()
    return order


def test_reschedule_requires_reason(scheduled, operations_user, service_day):
    with pytest.raises(ValidationError, match="motivo"):
        services.schedule_reschedule(
            order=scheduled,
            user=operations_user,
            reason=" ",
            scheduled_date=service_day + timedelta(days=7),
            scheduled_time=NINE,
        )


def test_reschedule_without_change_refused(scheduled, operations_user, service_day):
    with pytest.raises(ValidationError, match="No cambió nada"):
        services.schedule_reschedule(
            order=scheduled,
            user=operations_user,
            reason="Lluvia",
            scheduled_date=service_day,
            scheduled_time=NINE,
        )


def test_reschedule_records_change(scheduled, operations_user, service_day):
    later = service_day + timedelta(days=7)
    change = services.schedule_reschedule(
        order=scheduled,
        user=operations_user,
        reason="Volqueta en mantenimiento",
        scheduled_date=later,
        scheduled_time=time(14, 30),
        vehicle_plate="ABC12D",
    )
    scheduled.refresh_from_db()
    assert scheduled.scheduled_date == later
    assert scheduled.vehicle_plate == "ABC12D"
    assert scheduled.crew.count() == 2
    assert change.kind == ScheduleChange.Kind.RESCHEDULED
    assert change.previous_date == service_day
    assert change.new_date == later
    assert change.reason == "Volqueta en mantenimiento"
    assert "Volqueta en mantenimiento" in change.email.body_text


def test_reschedule_refused_to_advisor(scheduled, advisor, service_day):
    with pytest.raises(PermissionDenied):
        services.schedule_reschedule(
            order=scheduled,
            user=advisor,
            reason="Lluvia",
            scheduled_date=service_day + timedelta(days=1),
            scheduled_time=NINE,
        )


def test_cancel_requires_reason(scheduled, operations_user):
    with pytest.raises(ValidationError, match="motivo"):
        services.schedule_cancel(order=scheduled, user=operations_user, reason="")


def test_cancel_closes_order(scheduled, advisor, service_day):
    change = services.schedule_cancel(
        order=scheduled, user=advisor, reason="El cliente desistió del servicio"
    )
    scheduled.refresh_from_db()
    assert scheduled.status == ServiceOrder.Status.CANCELLED
    assert scheduled.close_reason == "El cliente desistió del servicio"
    assert change.previous_date == service_day
    assert change.email is not None


def test_cancelled_order_cannot_be_confirmed(
    scheduled, operations_user, service_day, crew, supervisor
):
    services.schedule_cancel(order=scheduled, user=operations_user, reason="Lluvia")
    with pytest.raises(ValidationError):
        confirm(scheduled, operations_user, service_day, crew, supervisor)


def test_annul_scheduled_order_asks_to_cancel_first(scheduled, advisor):
    with pytest.raises(ValidationError, match="cancele primero"):
        services.service_order_annul(order=scheduled, user=advisor, reason="Error")


# Unschedule -------------------------------------------------------------------


def test_unschedule_requires_reason(scheduled, operations_user):
    with pytest.raises(ValidationError, match="motivo"):
        services.schedule_unschedule(order=scheduled, user=operations_user, reason=" ")
    scheduled.refresh_from_db()
    assert scheduled.status == ServiceOrder.Status.SCHEDULED


def test_unschedule_clears_schedule(scheduled, operations_user, service_day):
    change = services.schedule_unschedule(
        order=scheduled, user=operations_user, reason="Se programó la orden equivocada"
    )
    scheduled.refresh_from_db()
    assert scheduled.status == ServiceOrder.Status.TO_SCHEDULE
    assert scheduled.scheduled_date is None
    assert scheduled.scheduled_time is None
    assert scheduled.vehicle_plate == ""
    assert scheduled.supervisor is None
    assert scheduled.scheduled_by is None
    assert scheduled.requested_date is None
    assert not scheduled.crew.exists()
    assert change.kind == ScheduleChange.Kind.UNSCHEDULED
    assert change.previous_date == service_day
    assert change.reason == "Se programó la orden equivocada"
    assert change.created_by == operations_user
    assert change.email is not None


def test_unschedule_keeps_history(scheduled, operations_user, service_day):
    from service_orders.models import CrewMember

    services.schedule_unschedule(
        order=scheduled, user=operations_user, reason="Orden equivocada"
    )
    previous = scheduled.history.filter(status=ServiceOrder.Status.SCHEDULED).first()
    assert previous.scheduled_date == service_day
    assert previous.vehicle_plate == "WXY987"
    latest = scheduled.history.first()
    assert latest.status == ServiceOrder.Status.TO_SCHEDULE
    removed = CrewMember.history.filter(order_id=scheduled.pk, history_type="-")
    assert removed.count() == 2


def test_unscheduled_order_scheduled_again(
    scheduled, operations_user, service_day, crew, supervisor
):
    services.schedule_unschedule(
        order=scheduled, user=operations_user, reason="Orden equivocada"
    )
    later = service_day + timedelta(days=7)
    confirm(scheduled, operations_user, later, crew, supervisor)
    scheduled.refresh_from_db()
    assert scheduled.status == ServiceOrder.Status.SCHEDULED
    assert scheduled.scheduled_date == later
    kinds = list(scheduled.schedule_changes.values_list("kind", flat=True))
    assert kinds == [
        ScheduleChange.Kind.CONFIRMED,
        ScheduleChange.Kind.UNSCHEDULED,
        ScheduleChange.Kind.CONFIRMED,
    ]


def test_unschedule_refused_to_advisor(scheduled, advisor):
    with pytest.raises(PermissionDenied):
        services.schedule_unschedule(order=scheduled, user=advisor, reason="Error")


@pytest.mark.parametrize(
    "status",
    [
        ServiceOrder.Status.TO_SCHEDULE,
        ServiceOrder.Status.REQUESTED,
        ServiceOrder.Status.EXECUTED,
        ServiceOrder.Status.CANCELLED,
        ServiceOrder.Status.ANNULLED,
    ],
)
def test_unschedule_needs_scheduled_order(scheduled, operations_user, status):
    ServiceOrder.objects.filter(pk=scheduled.pk).update(status=status)
    with pytest.raises(ValidationError, match="solo se desprograman") as raised:
        services.schedule_unschedule(
            order=scheduled, user=operations_user, reason="Error"
        )
    assert raised.value.code == "invalid_status"


def test_unschedule_refused_with_proof(scheduled, operations_user):
    from field_work.models import ServiceProof
    from field_work.services import proof_upload
    from field_work.tests.helpers import pdf

    # The service day has come: a proof is not accepted before it.
    ServiceOrder.objects.filter(pk=scheduled.pk).update(
        scheduled_date=timezone.localdate()
    )
    scheduled.refresh_from_db()
    proof_upload(
        order=scheduled,
        user=operations_user,
        kind=ServiceProof.Kind.SIGNED_ORDER,
        file=pdf(),
        taken_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="soportes del servicio"):
        services.schedule_unschedule(
            order=scheduled, user=operations_user, reason="Error"
        )
    scheduled.refresh_from_db()
    assert scheduled.status == ServiceOrder.Status.SCHEDULED


def test_proof_before_scheduled_day_refused(scheduled, operations_user):
    from field_work.models import ServiceProof
    from field_work.services import proof_upload
    from field_work.tests.helpers import pdf

    assert scheduled.scheduled_date > timezone.localdate()
    with pytest.raises(ValidationError, match="anterior a la fecha programada"):
        proof_upload(
            order=scheduled,
            user=operations_user,
            kind=ServiceProof.Kind.SIGNED_ORDER,
            file=pdf(),
            taken_on=timezone.localdate(),
        )
    services.schedule_unschedule(order=scheduled, user=operations_user, reason="Error")
    scheduled.refresh_from_db()
    assert scheduled.status == ServiceOrder.Status.TO_SCHEDULE


def test_unschedule_email_received(
    smtp_server,
    scheduled,
    operations_user,
    service_day,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_unschedule(
            order=scheduled, user=operations_user, reason="Se programó por error"
        )
    (body,) = smtp_server.bodies_to("compras@lanapa.example.com")
    assert "ya no tiene fecha programada" in body
    assert f"previsto para el {service_day:%d/%m/%Y}" in body
    assert "Motivo: Se programó por error" in body
    assert "cédula" not in body


def test_schedule_changes_in_order(scheduled, operations_user, service_day):
    services.schedule_cancel(order=scheduled, user=operations_user, reason="Lluvia")
    kinds = list(scheduled.schedule_changes.values_list("kind", flat=True))
    assert kinds == ["confirmacion", "cancelacion"]


# Customer e-mail address -----------------------------------------------------


def test_email_falls_back_to_primary_contact(
    order, operations_user, service_day, crew, supervisor, customer
):
    Customer.objects.filter(pk=customer.pk).update(email="")
    Contact.objects.create(
        customer=customer, name="Rosa Díaz", email="rosa@lanapa.example.com"
    )
    Contact.objects.create(
        customer=customer,
        name="Jefe de planta",
        email="planta@lanapa.example.com",
        is_primary=True,
    )
    order.refresh_from_db()
    change = confirm(order, operations_user, service_day, crew, supervisor)
    assert change.email.to == ["planta@lanapa.example.com"]


def test_no_email_still_saves(
    order, operations_user, service_day, crew, supervisor, customer
):
    Customer.objects.filter(pk=customer.pk).update(email="")
    order.refresh_from_db()
    change = confirm(order, operations_user, service_day, crew, supervisor)
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.SCHEDULED
    assert change.email is None


# Delivery to a real SMTP server ----------------------------------------------


def test_crew_email_received(
    smtp_server,
    order,
    operations_user,
    service_day,
    crew,
    supervisor,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        confirm(order, operations_user, service_day, crew, supervisor)
    (body,) = smtp_server.bodies_to("compras@lanapa.example.com")
    assert "Pedro Pérez Rincón, cédula 1.023.456.789 (Conductor)" in body
    assert "Luz Marina Ortiz, cédula 52.345.678" in body
    assert "placa WXY987" in body
    assert "Supervisor: Sergio Vargas" in body
    assert f"Fecha: {service_day:%d/%m/%Y}" in body
    assert "Hora: 09:00" in body
    assert "Carrera 26 # 8-15" in body
    assert order.code in body
    subject = str(smtp_server.messages[0][1]["Subject"]).strip()
    assert subject.startswith(f"Servicio programado {order.code}")


def test_crew_email_html_escapes_names(
    smtp_server,
    order,
    operations_user,
    service_day,
    supervisor,
    django_capture_on_commit_callbacks,
):
    from service_orders.crew import CrewInput

    crew = [CrewInput("Ana <b>Ruiz</b>", "52345678")]
    with django_capture_on_commit_callbacks(execute=True):
        confirm(order, operations_user, service_day, crew, supervisor)
    message = smtp_server.messages[0][1]
    html = message.get_body(("html",)).get_content()
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in html


def test_reschedule_email_received(
    smtp_server,
    scheduled,
    operations_user,
    service_day,
    django_capture_on_commit_callbacks,
):
    later = service_day + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_reschedule(
            order=scheduled,
            user=operations_user,
            reason="Cierre vial en la Carrera 26",
            scheduled_date=later,
            scheduled_time=NINE,
        )
    (body,) = smtp_server.bodies_to("compras@lanapa.example.com")
    assert "fue reprogramado" in body
    assert "Motivo: Cierre vial en la Carrera 26" in body
    assert f"Fecha: antes {service_day:%d/%m/%Y}, ahora {later:%d/%m/%Y}." in body
    assert "Pedro Pérez Rincón, cédula 1.023.456.789" in body


def test_cancel_email_received(
    smtp_server,
    scheduled,
    operations_user,
    service_day,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_cancel(
            order=scheduled, user=operations_user, reason="Orden público en la zona"
        )
    (body,) = smtp_server.bodies_to("compras@lanapa.example.com")
    assert "fue cancelado" in body
    assert f"previsto para el {service_day:%d/%m/%Y}" in body
    assert "Motivo: Orden público en la zona" in body
    assert "cédula" not in body


def test_reschedule_keeps_crew_history(scheduled, operations_user, service_day):
    from service_orders.crew import CrewInput
    from service_orders.models import CrewMember

    services.schedule_reschedule(
        order=scheduled,
        user=operations_user,
        reason="Pedro está incapacitado",
        scheduled_date=service_day,
        scheduled_time=NINE,
        crew=[CrewInput("Mario Gil", "79123456")],
    )
    assert [m.name for m in scheduled.crew.all()] == ["Mario Gil"]
    removed = CrewMember.history.filter(history_type="-")
    assert sorted(record.name for record in removed) == [
        "Luz Marina Ortiz",
        "Pedro Pérez Rincón",
    ]
    assert CrewMember.history.filter(history_type="+").count() == 3
