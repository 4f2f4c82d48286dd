from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from quotations import services
from quotations.models import Quotation
from quotations.tests.helpers import make_quotation
from service_orders.models import ServiceOrder
from service_orders.services import service_order_create
from tests.factories import make_accepted_quotation, make_service_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    return services.quotation_issue(quotation=draft, user=advisor)


def test_accept_records_channel_and_date(issued, advisor):
    services.quotation_accept(
        quotation=issued,
        user=advisor,
        channel=Quotation.Channel.EMAIL,
        accepted_on=timezone.localdate(),
        email_text="Aceptamos la cotización.",
    )
    issued.refresh_from_db()
    assert issued.status == Quotation.Status.ACCEPTED
    assert issued.acceptance_channel == Quotation.Channel.EMAIL
    assert issued.accepted_at is not None


def test_accept_needs_evidence(issued, advisor):
    with pytest.raises(ValidationError, match="soporte"):
        services.quotation_accept(
            quotation=issued,
            user=advisor,
            channel=Quotation.Channel.CALL,
            accepted_on=timezone.localdate(),
        )


def test_accepted_customer_is_ready_for_onboarding(issued, advisor, customer):
    services.quotation_accept(
        quotation=issued,
        user=advisor,
        channel=Quotation.Channel.EMAIL,
        accepted_on=timezone.localdate(),
        email_text="Aceptamos.",
    )
    assert list(services.customers_ready_for_onboarding()) == [customer]


def test_customer_without_acceptance_is_not_ready(issued):
    assert list(services.customers_ready_for_onboarding()) == []


def test_draft_cannot_be_accepted(advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    with pytest.raises(ValidationError, match="de «Borrador» a «Aceptada»"):
        services.quotation_accept(
            quotation=draft,
            user=advisor,
            channel=Quotation.Channel.EMAIL,
            accepted_on=timezone.localdate(),
            email_text="Sí",
        )


def test_reject_records_reason_and_competitor(issued, advisor):
    services.quotation_reject(
        quotation=issued, user=advisor, reason="Precio alto", competitor="Aseo Total"
    )
    issued.refresh_from_db()
    assert issued.status == Quotation.Status.REJECTED
    assert issued.winning_competitor == "Aseo Total"


def test_reject_needs_reason(issued, advisor):
    with pytest.raises(ValidationError, match="motivo del rechazo"):
        services.quotation_reject(quotation=issued, user=advisor, reason=" ")


def test_rejected_cannot_be_accepted(issued, advisor):
    services.quotation_reject(quotation=issued, user=advisor, reason="Precio")
    with pytest.raises(ValidationError, match="No se puede pasar"):
        services.quotation_accept(
            quotation=issued,
            user=advisor,
            channel=Quotation.Channel.EMAIL,
            accepted_on=timezone.localdate(),
            email_text="Sí",
        )


def test_annul_keeps_code_and_pdf(issued, advisor):
    code = issued.code
    services.quotation_annul(quotation=issued, user=advisor, reason="Error de cliente")
    issued.refresh_from_db()
    assert issued.status == Quotation.Status.ANNULLED
    assert issued.code == code
    assert issued.pdf_file


def test_annul_needs_reason(issued, advisor):
    with pytest.raises(ValidationError, match="motivo de la anulación"):
        services.quotation_annul(quotation=issued, user=advisor, reason="")


def test_annulled_cannot_be_annulled_again(issued, advisor):
    services.quotation_annul(quotation=issued, user=advisor, reason="Duplicada")
    with pytest.raises(ValidationError, match="«Anulada» a «Anulada»"):
        services.quotation_annul(quotation=issued, user=advisor, reason="Otra vez")


def test_issued_lines_cannot_change(issued, debris):
    with pytest.raises(ValidationError, match="ya no se puede modificar"):
        services.quotation_line_add(quotation=issued, tariff_item=debris, quantity=1)


def test_expire_command_marks_past_validity(issued):
    Quotation.objects.filter(pk=issued.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    call_command("expire_quotations")
    issued.refresh_from_db()
    assert issued.status == Quotation.Status.EXPIRED


def test_expire_keeps_quotations_still_valid(issued):
    assert services.quotations_expire() == 0


def test_expire_leaves_accepted_alone(issued, advisor):
    services.quotation_accept(
        quotation=issued,
        user=advisor,
        channel=Quotation.Channel.EMAIL,
        accepted_on=timezone.localdate(),
        email_text="Sí",
    )
    future = timezone.localdate() + timedelta(days=365)
    assert services.quotations_expire(today=future) == 0


def test_expired_cannot_be_accepted(issued, advisor):
    services.quotations_expire(today=timezone.localdate() + timedelta(days=60))
    issued.refresh_from_db()
    with pytest.raises(ValidationError, match="«Vencida» a «Aceptada»"):
        services.quotation_accept(
            quotation=issued,
            user=advisor,
            channel=Quotation.Channel.EMAIL,
            accepted_on=timezone.localdate(),
            email_text="Sí",
        )


def test_follow_up_needs_date_for_next_action(issued, advisor):
    with pytest.raises(ValidationError, match="fecha de la próxima acción"):
        services.follow_up_add(
            quotation=issued, user=advisor, note="Llamé", next_action="Volver a llamar"
        )


@pytest.mark.django_db(transaction=True)
def test_expire_outside_a_transaction(issued):
    # Views call it in autocommit mode, where a bare select_for_update is an error.
    Quotation.objects.filter(pk=issued.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert services.quotations_expire() == 1


@pytest.fixture
def accepted(advisor, customer, debris):
    return make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "1")]
    )


def test_annul_rejects_executed_order(accepted, advisor):
    order = make_service_order(quotation=accepted, executed_on=timezone.localdate())
    with pytest.raises(ValidationError, match=order.code):
        services.quotation_annul(quotation=accepted, user=advisor, reason="Error")


def test_annul_rejected_keeps_status(accepted, advisor):
    make_service_order(quotation=accepted)
    with pytest.raises(ValidationError):
        services.quotation_annul(quotation=accepted, user=advisor, reason="Error")
    accepted.refresh_from_db()
    assert accepted.status == Quotation.Status.ACCEPTED


def test_annul_after_orders_annulled(accepted, advisor):
    make_service_order(quotation=accepted, status=ServiceOrder.Status.ANNULLED)
    services.quotation_annul(quotation=accepted, user=advisor, reason="Error")
    accepted.refresh_from_db()
    assert accepted.status == Quotation.Status.ANNULLED


def test_order_create_rejects_annulled(accepted, advisor):
    stale = Quotation.objects.get(pk=accepted.pk)
    services.quotation_annul(quotation=accepted, user=advisor, reason="Error")
    with pytest.raises(ValidationError, match="anulada"):
        service_order_create(quotation=stale, user=advisor)


def test_follow_up_rejects_annulled(issued, advisor):
    services.quotation_annul(quotation=issued, user=advisor, reason="Duplicada")
    with pytest.raises(ValidationError):
        services.follow_up_add(quotation=issued, user=advisor, note="Llamada")
