from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from field_work.services import execution_record
from field_work.tests.helpers import hand_over, make_order
from service_orders.models import ServiceOrder

pytestmark = pytest.mark.django_db


def execute(order, user, values, executed_on=None):
    lines = list(order.lines.all())
    return execution_record(
        order=order,
        user=user,
        executed_on=executed_on or timezone.localdate(),
        quantities={line.pk: value for line, value in zip(lines, values, strict=True)},
    )


@pytest.fixture
def two_line_order(customer, advisor, debris, weighed_waste):
    return make_order(
        customer,
        advisor,
        [(debris, "3"), (weighed_waste, "1")],
        status="programada",
        scheduled_date=timezone.localdate(),
    )


def test_scheduled_order_becomes_executed(two_line_order, operations_user):
    execute(two_line_order, operations_user, ["2.75", "0"])
    two_line_order.refresh_from_db()
    assert two_line_order.status == ServiceOrder.Status.EXECUTED
    assert two_line_order.executed_on == timezone.localdate()
    assert two_line_order.executed_recorded_by == operations_user
    assert [line.executed_quantity for line in two_line_order.lines.all()] == [
        Decimal("2.750"),
        Decimal("0.000"),
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["-1", "1"], "cero o más"),
        (["1.2345", "1"], "3 decimales"),
        (["", "1"], "escriba la cantidad"),
        (["abc", "1"], "no es un número"),
        (["0", "0"], "Todas las cantidades"),
        (["1000000000", "1"], "demasiado grande"),
    ],
)
def test_executed_quantities_checked(two_line_order, operations_user, values, expected):
    with pytest.raises(ValidationError) as error:
        execute(two_line_order, operations_user, values)
    assert expected in error.value.messages[0]
    two_line_order.refresh_from_db()
    assert two_line_order.status == ServiceOrder.Status.SCHEDULED
    assert all(line.executed_quantity is None for line in two_line_order.lines.all())


def test_missing_line_rejected(two_line_order, operations_user):
    first = two_line_order.lines.first()
    with pytest.raises(ValidationError) as error:
        execution_record(
            order=two_line_order,
            user=operations_user,
            executed_on=timezone.localdate(),
            quantities={first.pk: "1"},
        )
    assert "SE-301" in error.value.messages[0]


def test_only_scheduled_orders(new_order, operations_user):
    with pytest.raises(ValidationError) as error:
        execute(new_order, operations_user, ["1"])
    assert "programada" in error.value.messages[0]


def test_future_date_rejected(two_line_order, operations_user):
    with pytest.raises(ValidationError):
        execute(
            two_line_order,
            operations_user,
            ["1", "1"],
            executed_on=timezone.localdate() + timedelta(days=1),
        )


def test_correction_before_handoff_kept_in_history(two_line_order, operations_user):
    execute(two_line_order, operations_user, ["3", "1"])
    execute(two_line_order, operations_user, ["2.5", "1"])
    line = two_line_order.lines.first()
    assert line.executed_quantity == Decimal("2.500")
    assert [record.executed_quantity for record in line.history.all()] == [
        Decimal("2.500"),
        Decimal("3.000"),
        None,
    ]


def test_nobody_changes_quantities_after_handoff(
    customer, advisor, debris, coordinator, operations_user
):
    order = make_order(customer, advisor, [(debris, "3")], executed_on=date(2026, 3, 2))
    hand_over(order, coordinator)
    for user in (coordinator, operations_user):
        with pytest.raises(ValidationError) as error:
            execute(order, user, ["1"])
        assert "reabra" in error.value.messages[0]
    assert order.lines.get().executed_quantity == Decimal("3.000")


def test_billing_and_advisor_cannot_record(two_line_order, billing_user, advisor):
    for user in (billing_user, advisor):
        with pytest.raises(PermissionDenied):
            execute(two_line_order, user, ["1", "1"])


def test_execution_before_schedule_rejected(two_line_order, operations_user):
    scheduled = timezone.localdate() - timedelta(days=2)
    earlier = scheduled - timedelta(days=3)
    ServiceOrder.objects.filter(pk=two_line_order.pk).update(
        created_at=timezone.now() - timedelta(days=10), scheduled_date=scheduled
    )
    two_line_order.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        execute(two_line_order, operations_user, ["3", "1"], executed_on=earlier)
    message = error.value.messages[0]
    assert "anterior a la fecha programada" in message
    assert f"{earlier:%d/%m/%Y}" in message
    assert f"{scheduled:%d/%m/%Y}" in message
    two_line_order.refresh_from_db()
    assert two_line_order.status == ServiceOrder.Status.SCHEDULED


def test_absurd_executed_quantity_rejected(two_line_order, operations_user):
    line = two_line_order.lines.first()
    with pytest.raises(ValidationError) as error:
        execute(two_line_order, operations_user, ["999999999", "1"])
    message = error.value.messages[0]
    assert f"Ítem {line.code}" in message
    assert "999999999" in message
    assert "(3)" in message
    assert "Revise la unidad" in message
    assert all(line.executed_quantity is None for line in two_line_order.lines.all())


def test_executed_quantity_factor_is_a_setting(
    two_line_order, operations_user, settings
):
    settings.EXECUTED_QUANTITY_MAX_FACTOR = 2
    with pytest.raises(ValidationError):
        execute(two_line_order, operations_user, ["6.001", "1"])
    execute(two_line_order, operations_user, ["6", "1"])
    two_line_order.refresh_from_db()
    assert two_line_order.status == ServiceOrder.Status.EXECUTED
