import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core.models import DocumentSequence
from customers.models import Customer
from onboarding.models import Onboarding, PaymentTerms
from service_orders import services
from service_orders.models import ServiceOrder
from service_orders.services import LineChoice
from tests.factories import make_accepted_quotation, make_customer, make_service_order

pytestmark = pytest.mark.django_db


def codes():
    return list(ServiceOrder.objects.order_by("pk").values_list("code", flat=True))


def test_create_copies_all_lines(quotation, advisor):
    order = services.service_order_create(quotation=quotation, user=advisor)
    lines = list(order.lines.order_by("position"))
    assert [line.code for line in lines] == ["SE-101", "SE-201"]
    assert [line.quantity for line in lines] == [Decimal("6"), Decimal("2")]
    assert lines[0].unit_price == Decimal("100000")
    assert lines[0].quotation_line.quotation_id == quotation.pk


def test_create_code_follows_format(quotation, advisor):
    order = services.service_order_create(quotation=quotation, user=advisor)
    assert order.code == f"OS-{timezone.localdate().year}-00001"


def test_create_defaults_to_customer_address(quotation, advisor, customer):
    order = services.service_order_create(quotation=quotation, user=advisor)
    assert order.address == "Carrera 26 # 8-15"
    assert order.barrio == "Centro"
    assert order.municipality == customer.municipality
    assert order.advisor == advisor
    assert order.status == ServiceOrder.Status.TO_SCHEDULE


def test_create_chosen_lines_and_quantities(quotation, advisor):
    first = quotation.lines.order_by("position").first()
    order = services.service_order_create(
        quotation=quotation,
        user=advisor,
        lines=[LineChoice(first, Decimal("1.5"))],
        address="Vereda El Salero, finca La Esperanza",
    )
    assert [(line.code, line.quantity) for line in order.lines.all()] == [
        ("SE-101", Decimal("1.500"))
    ]
    assert order.address == "Vereda El Salero, finca La Esperanza"


def test_one_quotation_gives_several_orders(quotation, advisor):
    for _month in range(3):
        services.service_order_create(quotation=quotation, user=advisor)
    year = timezone.localdate().year
    assert codes() == [f"OS-{year}-0000{n}" for n in (1, 2, 3)]
    assert quotation.service_orders.count() == 3


@pytest.mark.parametrize("quantity", ["0", "-1", "NaN", "1.0005", "abc"])
def test_create_rejects_bad_quantity(quotation, advisor, quantity):
    first = quotation.lines.first()
    with pytest.raises(ValidationError):
        services.service_order_create(
            quotation=quotation, user=advisor, lines=[LineChoice(first, quantity)]
        )
    assert codes() == []


def quoted_line(quotation, code):
    return quotation.lines.get(code=code)


def test_create_rejects_quantity_over_cap(quotation, advisor):
    line = quoted_line(quotation, "SE-201")
    with pytest.raises(ValidationError) as error:
        services.service_order_create(
            quotation=quotation, user=advisor, lines=[LineChoice(line, "99999")]
        )
    assert "cantidad cotizada (2)" in error.value.messages[0]
    assert codes() == []


def test_create_accepts_quantity_at_cap(quotation, advisor, settings):
    settings.EXECUTED_QUANTITY_MAX_FACTOR = 10
    line = quoted_line(quotation, "SE-201")
    order = services.service_order_create(
        quotation=quotation, user=advisor, lines=[LineChoice(line, "20")]
    )
    assert order.lines.get().quantity == Decimal("20")


def test_create_rejects_invalid_site_phone(quotation, advisor):
    with pytest.raises(ValidationError) as error:
        services.service_order_create(
            quotation=quotation, user=advisor, site_contact_phone="abc"
        )
    assert "Teléfono del contacto" in error.value.messages[0]
    assert codes() == []


def test_create_normalises_site_phone(quotation, advisor):
    order = services.service_order_create(
        quotation=quotation, user=advisor, site_contact_phone="310 555 1234"
    )
    assert order.site_contact_phone == "+573105551234"


def test_create_rejects_line_of_other_quotation(quotation, other_quotation, advisor):
    foreign = other_quotation.lines.first()
    with pytest.raises(ValidationError, match="no es de la cotización"):
        services.service_order_create(
            quotation=quotation,
            user=advisor,
            lines=[LineChoice(foreign, Decimal("1"))],
        )


def test_create_rejects_quotation_not_accepted(quotation, advisor):
    quotation.status = "emitida"
    quotation.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="aceptada"):
        services.service_order_create(quotation=quotation, user=advisor)


def test_failed_create_leaves_no_gap(quotation, advisor, monkeypatch):
    services.service_order_create(quotation=quotation, user=advisor)

    def broken(**fields):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.ServiceOrderLine.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.service_order_create(quotation=quotation, user=advisor)
    monkeypatch.undo()
    services.service_order_create(quotation=quotation, user=advisor)
    year = timezone.localdate().year
    assert codes() == [f"OS-{year}-00001", f"OS-{year}-00002"]


def test_annul_keeps_code(quotation, advisor):
    order = services.service_order_create(quotation=quotation, user=advisor)
    services.service_order_annul(order=order, user=advisor, reason="Duplicada")
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.ANNULLED
    assert order.code.endswith("00001")
    assert order.close_reason == "Duplicada"
    assert order.closed_by == advisor
    following = services.service_order_create(quotation=quotation, user=advisor)
    assert following.code.endswith("00002")


def test_annul_requires_reason(quotation, advisor):
    order = services.service_order_create(quotation=quotation, user=advisor)
    with pytest.raises(ValidationError, match="motivo"):
        services.service_order_annul(order=order, user=advisor, reason="  ")


def test_annul_refuses_executed_order(quotation, advisor):
    order = make_service_order(quotation=quotation, executed_on=timezone.localdate())
    with pytest.raises(ValidationError, match="no se puede anular"):
        services.service_order_annul(order=order, user=advisor, reason="Error")


def test_history_records_changes(quotation, advisor):
    order = services.service_order_create(quotation=quotation, user=advisor)
    services.service_order_annul(order=order, user=advisor, reason="Duplicada")
    statuses = [record.status for record in order.history.order_by("history_id")]
    assert statuses == ["por_programar", "anulada"]
    assert order.lines.first().history.count() == 1


# Prepayment rule -------------------------------------------------------------


def new_customer(advisor, **fields):
    return make_customer(
        advisor=advisor, customer_type=Customer.CustomerType.NEW, **fields
    )


def order_for(customer, advisor, debris):
    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "1")]
    )
    return services.service_order_create(quotation=quotation, user=advisor)


def test_prepayment_required_for_first_time_customer(advisor, debris):
    order = order_for(new_customer(advisor), advisor, debris)
    assert order.prepayment_required is True


def test_prepayment_not_required_for_existing_customer(advisor, debris):
    customer = make_customer(advisor=advisor)
    assert order_for(customer, advisor, debris).prepayment_required is False


def test_prepayment_not_required_in_registry(advisor, debris):
    customer = new_customer(advisor, in_catastro=True)
    assert order_for(customer, advisor, debris).prepayment_required is False


def test_prepayment_not_required_after_executed_order(advisor, debris):
    customer = new_customer(advisor)
    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "1")]
    )
    make_service_order(quotation=quotation, executed_on=timezone.localdate())
    order = services.service_order_create(quotation=quotation, user=advisor)
    assert order.prepayment_required is False


@pytest.mark.parametrize(
    ("terms", "status", "required"),
    [
        (PaymentTerms.CREDIT, Onboarding.Status.APPROVED, False),
        (PaymentTerms.PREPAID, Onboarding.Status.APPROVED, True),
        (PaymentTerms.CREDIT, Onboarding.Status.IN_REVIEW, True),
    ],
)
def test_prepayment_follows_onboarding_terms(
    advisor, billing_user, debris, terms, status, required
):
    customer = new_customer(advisor)
    Onboarding.objects.create(
        customer=customer,
        status=status,
        payment_terms=terms,
        opened_by=advisor,
        decided_by=billing_user,
        decided_at=timezone.now(),
    )
    assert order_for(customer, advisor, debris).prepayment_required is required


# Concurrency -----------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_create_has_no_duplicate_and_no_gap(advisor, customer, debris):
    quotations = [
        make_accepted_quotation(
            customer=customer, advisor=advisor, lines=[(debris, "1")]
        )
        for _ in range(4)
    ]
    threads_count, per_thread = 8, 10
    errors = []
    start = threading.Barrier(threads_count)

    def worker(index):
        try:
            start.wait()
            for _ in range(per_thread):
                services.service_order_create(
                    quotation=quotations[index % len(quotations)], user=advisor
                )
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(index,)) for index in range(threads_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    numbers = sorted(int(code[-5:]) for code in codes())
    assert errors == []
    assert numbers == list(range(1, threads_count * per_thread + 1))
    sequence = DocumentSequence.objects.get(kind="service_order")
    assert sequence.last_number == threads_count * per_thread
