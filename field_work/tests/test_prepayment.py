from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from field_work.models import Aforo, Prepayment
from field_work.services import (
    ReadingInput,
    aforo_record,
    prepayment_annul,
    prepayment_is_covered,
    prepayment_paid,
    prepayment_register,
)
from field_work.tests.helpers import big_jpeg, hand_over, html_as_jpeg, pdf
from service_orders.models import ServiceOrder

pytestmark = pytest.mark.django_db


def measure(order, user, cubic_metres):
    """Record an aforo of `cubic_metres` of debris (SE-101, 119.000 per m³ with IVA)."""
    return aforo_record(
        order=order,
        user=user,
        measured_on=timezone.localdate(),
        measured_by=user,
        method=Aforo.Method.VOLUME,
        readings=[
            ReadingInput(
                container="Pila",
                count=1,
                reading=Decimal(cubic_metres),
                unit="m3",
                tariff_code="SE-101",
            )
        ],
        signed_record=pdf(),
    )


def pay(order, user, amount, reference="TRX-1", **kwargs):
    values = {
        "order": order,
        "user": user,
        "reference": reference,
        "paid_on": timezone.localdate(),
        "amount": Decimal(amount),
        "receipt": pdf("comprobante.pdf"),
    }
    values.update(kwargs)
    return prepayment_register(**values)


def test_payment_needs_an_aforo(new_order, coordinator):
    with pytest.raises(ValidationError) as error:
        pay(new_order, coordinator, "100000")
    assert "aforo" in error.value.messages[0]
    assert not Prepayment.objects.exists()


def test_full_payment_opens_gate(new_order, operations_user, advisor, debris):
    aforo = measure(new_order, operations_user, "2")
    assert aforo.charge_total == Decimal("238000.00")
    assert not Prepayment.objects.filter(order=new_order).exists()

    payment = pay(new_order, advisor, "238000")

    assert Prepayment.objects.filter(order=new_order).exists()
    assert payment.aforo == aforo
    assert payment.receipt_content_type == "application/pdf"
    assert prepayment_is_covered(new_order)


def test_partial_payments_add_up(new_order, operations_user, billing_user, debris):
    measure(new_order, operations_user, "2")
    pay(new_order, billing_user, "200000", reference="TRX-1")
    assert Prepayment.objects.filter(order=new_order).count() == 1
    assert not prepayment_is_covered(new_order)
    pay(new_order, billing_user, "38000", reference="TRX-2")
    assert prepayment_is_covered(new_order)


def test_annulled_aforo_ignored_for_prepayment(
    new_order, operations_user, coordinator, debris
):
    from field_work.services import aforo_annul

    measure(new_order, operations_user, "2")
    pay(new_order, coordinator, "238000")
    assert prepayment_is_covered(new_order)
    higher = measure(new_order, operations_user, "3")
    assert not prepayment_is_covered(new_order)
    aforo_annul(aforo=higher, user=coordinator, reason="Lectura repetida")
    assert prepayment_is_covered(new_order)


def test_several_payments_and_duplicate_reference(
    new_order, operations_user, coordinator, debris
):
    measure(new_order, operations_user, "1")
    pay(new_order, coordinator, "119000", reference="TRX-1")
    # A later aforo raises the charge; a second payment covers the difference.
    measure(new_order, operations_user, "2")
    assert not prepayment_is_covered(new_order)
    pay(new_order, coordinator, "119000", reference="TRX-2")
    assert prepayment_is_covered(new_order)
    assert new_order.prepayments.count() == 2

    with pytest.raises(ValidationError) as error:
        pay(new_order, coordinator, "1000", reference="trx-2")
    assert "ya está registrado" in error.value.messages[0]


def test_payment_checks(new_order, operations_user, coordinator, debris):
    measure(new_order, operations_user, "1")
    cases = [
        {"reference": "  "},
        {"amount": Decimal("0")},
        {"paid_on": timezone.localdate() + timedelta(days=1)},
        {"receipt": html_as_jpeg("recibo.jpg")},
        {"receipt": None},
    ]
    for case in cases:
        values = {"amount": "119000", **case}
        amount = values.pop("amount")
        with pytest.raises(ValidationError):
            pay(new_order, coordinator, amount, **values)
    assert not Prepayment.objects.exists()


def test_operations_cannot_register_payment(new_order, operations_user, debris):
    measure(new_order, operations_user, "1")
    with pytest.raises(PermissionDenied):
        pay(new_order, operations_user, "119000")


def test_receipt_name_never_reaches_disk(new_order, operations_user, coordinator):
    measure(new_order, operations_user, "1")
    payment = pay(
        new_order,
        coordinator,
        "119000",
        receipt=pdf("../../../../etc/passwd.pdf"),
    )
    assert payment.receipt.name.startswith(f"servicios/{new_order.pk}/")
    assert ".." not in payment.receipt.name
    assert "passwd" not in payment.receipt.name


def test_oversize_receipt_rejected(new_order, operations_user, coordinator, settings):
    measure(new_order, operations_user, "1")
    settings.UPLOAD_MAX_MB = 1
    with pytest.raises(ValidationError) as error:
        pay(new_order, coordinator, "119000", receipt=big_jpeg(1.1, "recibo.jpg"))
    assert "1 MB" in error.value.messages[0]
    assert not Prepayment.objects.exists()


def test_payment_over_bound_rejected(new_order, operations_user, advisor, debris):
    measure(new_order, operations_user, "2")
    with pytest.raises(ValidationError) as error:
        pay(new_order, advisor, "99999999999999")
    assert "$ 238.000" in error.value.messages[0]
    assert not Prepayment.objects.exists()


def test_payment_at_bound_accepted(new_order, operations_user, advisor, debris):
    measure(new_order, operations_user, "2")
    pay(new_order, advisor, "2380000")
    assert Prepayment.objects.filter(order=new_order).count() == 1


def test_payment_before_order_rejected(new_order, operations_user, advisor, debris):
    measure(new_order, operations_user, "2")
    with pytest.raises(ValidationError) as error:
        pay(new_order, advisor, "238000", paid_on=date(1999, 1, 1))
    assert "01/01/1999" in error.value.messages[0]
    assert not Prepayment.objects.exists()


def test_annulled_payment_stops_counting(
    new_order, operations_user, billing_user, coordinator, debris
):
    measure(new_order, operations_user, "2")
    first = pay(new_order, billing_user, "200000", reference="TRX-1")
    pay(new_order, billing_user, "38000", reference="TRX-2")
    assert prepayment_is_covered(new_order)

    annulled = prepayment_annul(
        prepayment=first, user=coordinator, reason="Valor digitado mal"
    )

    assert annulled.annulled_by == coordinator
    assert annulled.annulled_at is not None
    assert annulled.annulled_reason == "Valor digitado mal"
    assert Prepayment.objects.filter(pk=first.pk).exists()
    assert prepayment_paid(new_order) == Decimal("38000.00")
    assert not prepayment_is_covered(new_order)


def test_annulment_kept_in_history(new_order, operations_user, coordinator, debris):
    measure(new_order, operations_user, "1")
    payment = pay(new_order, coordinator, "119000")
    prepayment_annul(prepayment=payment, user=coordinator, reason="Pago de otra orden")
    latest = payment.history.order_by("-history_date", "-history_id").first()
    assert latest.annulled_at is not None
    assert latest.history_user == coordinator
    assert latest.history_change_reason == "Pago de otra orden"
    assert payment.history.count() == 2


def test_annulled_reference_registered_again(
    new_order, operations_user, advisor, debris
):
    measure(new_order, operations_user, "1")
    wrong = pay(new_order, advisor, "11900", reference="TRX-9")
    prepayment_annul(prepayment=wrong, user=advisor, reason="Faltó un cero")
    pay(new_order, advisor, "119000", reference="TRX-9")
    assert prepayment_is_covered(new_order)
    assert new_order.prepayments.count() == 2


def test_annulment_needs_reason(new_order, operations_user, coordinator, debris):
    measure(new_order, operations_user, "1")
    payment = pay(new_order, coordinator, "119000")
    with pytest.raises(ValidationError) as error:
        prepayment_annul(prepayment=payment, user=coordinator, reason="   ")
    assert "motivo" in error.value.messages[0]
    payment.refresh_from_db()
    assert payment.annulled_at is None


def test_payment_annulled_once(new_order, operations_user, coordinator, debris):
    measure(new_order, operations_user, "1")
    payment = pay(new_order, coordinator, "119000")
    prepayment_annul(prepayment=payment, user=coordinator, reason="Duplicado")
    with pytest.raises(ValidationError) as error:
        prepayment_annul(prepayment=payment, user=coordinator, reason="Otra vez")
    assert "ya está anulado" in error.value.messages[0]
    payment.refresh_from_db()
    assert payment.annulled_reason == "Duplicado"


def test_operations_cannot_annul_payment(
    new_order, operations_user, coordinator, debris
):
    measure(new_order, operations_user, "1")
    payment = pay(new_order, coordinator, "119000")
    with pytest.raises(PermissionDenied):
        prepayment_annul(prepayment=payment, user=operations_user, reason="Error")
    payment.refresh_from_db()
    assert payment.annulled_at is None


@pytest.mark.parametrize("handed_over", [False, True])
def test_executed_order_payment_not_annulled(
    new_order, operations_user, coordinator, debris, handed_over
):
    measure(new_order, operations_user, "1")
    payment = pay(new_order, coordinator, "119000")
    ServiceOrder.objects.filter(pk=new_order.pk).update(
        status=ServiceOrder.Status.EXECUTED, executed_on=timezone.localdate()
    )
    new_order.refresh_from_db()
    if handed_over:
        hand_over(new_order, coordinator)
    with pytest.raises(ValidationError) as error:
        prepayment_annul(prepayment=payment, user=coordinator, reason="Error")
    message = error.value.messages[0]
    assert new_order.code in message
    assert "ejecutó o se entregó a facturación" in message
    payment.refresh_from_db()
    assert payment.annulled_at is None
    assert prepayment_is_covered(new_order)
