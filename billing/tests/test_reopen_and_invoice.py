from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing import services
from billing.models import Reopening
from billing.periods import Month
from billing.tests.helpers import add_signed_order, make_executed_order
from tests.factories import make_customer

NOVEMBER = Month.of(date(2026, 11, 1))


@pytest.fixture
def handed_over(customer, advisor, debris, coordinator):
    """Two orders of `customer` handed over in November."""
    orders = [
        make_executed_order(
            customer=customer, advisor=advisor, lines=[(debris, "1")], executed_on=day
        )
        for day in (date(2026, 11, 5), date(2026, 11, 20))
    ]
    for order in orders:
        add_signed_order(order, coordinator)
    handoff = services.handoff_send(month=NOVEMBER, user=coordinator).handoff
    for order in orders:
        order.refresh_from_db()
    return handoff, orders


def test_reopen_clears_hand_off_and_keeps_reason(handed_over, billing_user):
    handoff, (order, _other) = handed_over
    reopening = services.order_reopen(
        order=order, user=billing_user, reason="Faltan 2 m³"
    )
    order.refresh_from_db()
    assert order.handoff_id is None
    assert reopening.handoff == handoff
    assert reopening.reason == "Faltan 2 m³"
    assert reopening.reopened_by == billing_user
    assert order.history.latest().history_change_reason == "Reabierta: Faltan 2 m³"
    assert Reopening.history.count() == 1


def test_reopen_requires_reason(handed_over, coordinator):
    _handoff, (order, _other) = handed_over
    with pytest.raises(ValidationError, match="Escriba el motivo"):
        services.order_reopen(order=order, user=coordinator, reason="   ")
    order.refresh_from_db()
    assert order.handoff_id is not None


def test_reopen_refuses_order_not_handed_over(customer, advisor, debris, coordinator):
    order = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 5),
    )
    with pytest.raises(ValidationError, match="no está entregada"):
        services.order_reopen(order=order, user=coordinator, reason="Error")


def test_reopen_refuses_invoiced_order(handed_over, billing_user):
    _handoff, (order, _other) = handed_over
    services.invoice_record(
        order=order, number="FE-1001", invoice_date=date(2026, 12, 2), user=billing_user
    )
    with pytest.raises(ValidationError, match="nota crédito"):
        services.order_reopen(order=order, user=billing_user, reason="Error")


def test_reopen_forbidden_to_advisor_and_operations(
    handed_over, advisor, operations_user
):
    _handoff, (order, _other) = handed_over
    for user in (advisor, operations_user):
        with pytest.raises(PermissionDenied):
            services.order_reopen(order=order, user=user, reason="Error")


def test_reopened_order_goes_in_next_hand_off(handed_over, billing_user, coordinator):
    first, (order, _other) = handed_over
    services.order_reopen(order=order, user=billing_user, reason="Corregir cantidad")
    second = services.handoff_send(month=NOVEMBER, user=coordinator).handoff
    assert list(second.service_orders.all()) == [order]
    assert first.service_orders.count() == 1


def test_check_open_refuses_handed_over_order(handed_over, billing_user):
    _handoff, (order, _other) = handed_over
    with pytest.raises(ValidationError, match="debe reabrirla"):
        services.order_check_open(order)
    services.order_reopen(order=order, user=billing_user, reason="Corregir")
    order.refresh_from_db()
    services.order_check_open(order)


def test_invoice_record_sets_stage(handed_over, billing_user):
    _handoff, (order, _other) = handed_over
    services.invoice_record(
        order=order,
        number=" fe 1001 ",
        invoice_date=date(2026, 12, 2),
        user=billing_user,
    )
    order.refresh_from_db()
    assert order.invoice_number == "FE 1001"
    assert order.invoice_date == date(2026, 12, 2)
    assert order.invoice_recorded_by == billing_user
    assert str(order.billing_stage) == "Facturado"


def test_one_invoice_covers_orders_of_one_customer(handed_over, billing_user):
    _handoff, orders = handed_over
    for order in orders:
        services.invoice_record(
            order=order,
            number="FE-2002",
            invoice_date=date(2026, 12, 2),
            user=billing_user,
        )
    for order in orders:
        order.refresh_from_db()
    assert {order.invoice_number for order in orders} == {"FE-2002"}


def test_invoice_number_of_other_customer_refused(
    handed_over, billing_user, advisor, debris, coordinator
):
    from billing.tests.helpers import approve_customer

    _handoff, (order, _other) = handed_over
    stranger = make_customer(advisor=advisor)
    approve_customer(stranger, billing_user)
    foreign = make_executed_order(
        customer=stranger,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 6),
    )
    add_signed_order(foreign, coordinator)
    services.handoff_send(month=NOVEMBER, user=coordinator)
    foreign.refresh_from_db()
    services.invoice_record(
        order=foreign,
        number="FE-3003",
        invoice_date=date(2026, 12, 1),
        user=billing_user,
    )
    with pytest.raises(ValidationError, match="otro cliente"):
        services.invoice_record(
            order=order,
            number="FE-3003",
            invoice_date=date(2026, 12, 1),
            user=billing_user,
        )


def test_invoice_date_before_execution_refused(handed_over, billing_user):
    _handoff, (_order, later) = handed_over
    with pytest.raises(ValidationError, match="anterior a la ejecución"):
        services.invoice_record(
            order=later,
            number="FE-1",
            invoice_date=date(2026, 11, 19),
            user=billing_user,
        )


def test_invoice_before_hand_off_refused(customer, advisor, debris, billing_user):
    order = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 5),
    )
    with pytest.raises(ValidationError, match="no se ha entregado a facturación"):
        services.invoice_record(
            order=order,
            number="FE-1",
            invoice_date=date(2026, 12, 1),
            user=billing_user,
        )


def test_invoice_only_by_billing(handed_over, coordinator, advisor):
    _handoff, (order, _other) = handed_over
    for user in (coordinator, advisor):
        with pytest.raises(PermissionDenied):
            services.invoice_record(
                order=order, number="FE-1", invoice_date=date(2026, 12, 1), user=user
            )


def test_invoice_correction_keeps_history(handed_over, billing_user):
    _handoff, (order, _other) = handed_over
    services.invoice_record(
        order=order, number="FE-1", invoice_date=date(2026, 12, 1), user=billing_user
    )
    services.invoice_record(
        order=order, number="FE-9", invoice_date=date(2026, 12, 1), user=billing_user
    )
    numbers = list(
        order.history.order_by("history_id").values_list("invoice_number", flat=True)
    )
    assert numbers[-2:] == ["FE-1", "FE-9"]
