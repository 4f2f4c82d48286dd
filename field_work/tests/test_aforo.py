from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from field_work.models import Aforo
from field_work.services import ReadingInput, aforo_record
from field_work.tests.helpers import backdate, big_jpeg, html_as_jpeg, jpeg, pdf, png
from quotations.tests.helpers import make_tariff

pytestmark = pytest.mark.django_db


def record(order, user, readings, **kwargs):
    values = {
        "order": order,
        "user": user,
        "measured_on": timezone.localdate(),
        "measured_by": user,
        "method": Aforo.Method.VOLUME,
        "readings": readings,
        "signed_record": pdf(),
    }
    values.update(kwargs)
    return aforo_record(**values)


def reading(code, count, value, unit="m3", container="Volqueta"):
    return ReadingInput(
        container=container,
        count=count,
        reading=Decimal(value),
        unit=unit,
        tariff_code=code,
    )


def test_charge_adds_readings_of_one_tariff(new_order, operations_user, debris):
    aforo = record(
        new_order,
        operations_user,
        [reading("SE-101", 2, "1.255"), reading("SE-101", 1, "0.49")],
    )
    # 2 x 1,255 + 0,49 = 3 m³ at 100.000 plus IVA 19 %.
    assert aforo.charge_net == Decimal("300000.00")
    assert aforo.charge_tax == Decimal("57000.00")
    assert aforo.charge_total == Decimal("357000.00")
    assert aforo.readings.count() == 2


def test_charge_rounds_net_and_iva_half_up(new_order, operations_user, director):
    make_tariff(director, code="SE-150", price="12345.67")
    aforo = record(new_order, operations_user, [reading("SE-150", 1, "1.5")])
    # 1,5 x 12.345,67 = 18.518,505 → 18.518,51; IVA 3.518,5169 → 3.518,52.
    assert aforo.charge_net == Decimal("18518.51")
    assert aforo.charge_tax == Decimal("3518.52")
    assert aforo.charge_total == Decimal("22037.03")


def test_charge_rounds_to_pesos_setting(new_order, operations_user, director, settings):
    settings.QUOTATION_ROUND_TO_PESOS = True
    make_tariff(director, code="SE-150", price="12345.67")
    aforo = record(new_order, operations_user, [reading("SE-150", 1, "1.5")])
    assert aforo.charge_net == Decimal("18519.00")
    assert aforo.charge_tax == Decimal("3519.00")
    assert aforo.charge_total == Decimal("22038.00")


def test_kilograms_charged_per_tonne(new_order, logistics_user, weighed_waste):
    aforo = record(
        new_order,
        logistics_user,
        [reading("SE-301", 2, "350.5", unit="kg", container="Caneca 55 gal")],
        method=Aforo.Method.WEIGHT,
    )
    # 701 kg = 0,701 t at 250.000, excluded from IVA.
    assert aforo.charge_net == Decimal("175250.00")
    assert aforo.charge_tax == Decimal("0.00")
    assert aforo.charge_total == Decimal("175250.00")


def test_tariff_in_force_on_aforo_date(new_order, operations_user, director):
    today = timezone.localdate()
    backdate(new_order, 30)
    make_tariff(director, code="SE-500", price="100000", valid_from=date(2020, 1, 1))
    make_tariff(
        director, code="SE-500", price="120000", valid_from=today - timedelta(days=10)
    )
    old = record(
        new_order,
        operations_user,
        [reading("SE-500", 1, "1")],
        measured_on=today - timedelta(days=20),
    )
    new = record(new_order, operations_user, [reading("SE-500", 1, "1")])
    assert old.charge_net == Decimal("100000.00")
    assert new.charge_net == Decimal("120000.00")
    assert old.readings.get().tariff_item.unit_price == Decimal("100000.00")


def test_unit_must_match_tariff(new_order, operations_user, debris):
    with pytest.raises(ValidationError) as error:
        record(new_order, operations_user, [reading("SE-101", 1, "500", unit="kg")])
    assert "Lectura 1" in error.value.messages[0]
    assert "m³" in error.value.messages[0]
    assert not Aforo.objects.exists()


def test_tariff_not_in_force_rejected(new_order, operations_user, director):
    backdate(new_order, 2)
    make_tariff(director, code="SE-900", valid_from=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        record(
            new_order,
            operations_user,
            [reading("SE-900", 1, "1")],
            measured_on=timezone.localdate() - timedelta(days=1),
        )
    assert "SE-900" in error.value.messages[0]


@pytest.mark.parametrize(
    ("count", "value", "expected"),
    [
        (0, "1", "recipientes"),
        (1, "0", "mayor que cero"),
        (1, "-2", "mayor que cero"),
        (1, "1.2345", "3 decimales"),
    ],
)
def test_reading_values_checked(
    new_order, operations_user, debris, count, value, expected
):
    readings = [reading("SE-101", 1, "1"), reading("SE-101", count, value)]
    with pytest.raises(ValidationError) as error:
        record(new_order, operations_user, readings)
    assert "Lectura 2" in error.value.messages[0]
    assert expected in error.value.messages[0]


def test_aforo_needs_readings(new_order, operations_user, debris):
    with pytest.raises(ValidationError):
        record(new_order, operations_user, [])


def test_aforo_date_not_in_future(new_order, operations_user, debris):
    with pytest.raises(ValidationError):
        record(
            new_order,
            operations_user,
            [reading("SE-101", 1, "1")],
            measured_on=timezone.localdate() + timedelta(days=1),
        )


def test_aforo_before_order_rejected(new_order, operations_user, debris):
    created_on = timezone.localdate(new_order.created_at)
    with pytest.raises(ValidationError) as error:
        record(
            new_order,
            operations_user,
            [reading("SE-101", 1, "1")],
            measured_on=created_on - timedelta(days=1),
        )
    message = error.value.messages[0]
    assert "Fecha del aforo" in message
    assert f"{created_on - timedelta(days=1):%d/%m/%Y}" in message
    assert f"({created_on:%d/%m/%Y})" in message
    assert new_order.code in message
    assert not Aforo.objects.exists()


def test_aforo_on_order_day_accepted(new_order, operations_user, debris):
    backdate(new_order, 3)
    created_on = timezone.localdate(new_order.created_at)
    aforo = record(
        new_order, operations_user, [reading("SE-101", 1, "1")], measured_on=created_on
    )
    assert aforo.measured_on == created_on


def test_measurer_must_be_operations_or_logistics(
    new_order, coordinator, advisor, debris
):
    with pytest.raises(ValidationError) as error:
        record(new_order, coordinator, [reading("SE-101", 1, "1")], measured_by=advisor)
    assert "auxiliar logístico" in error.value.messages[0]


def test_coordinator_records_for_supervisor(
    new_order, coordinator, operations_user, debris
):
    aforo = record(
        new_order,
        coordinator,
        [reading("SE-101", 1, "1")],
        measured_by=operations_user,
    )
    assert aforo.measured_by == operations_user
    assert aforo.created_by == coordinator


def test_advisor_cannot_record_aforo(new_order, advisor, operations_user, debris):
    with pytest.raises(PermissionDenied):
        record(
            new_order, advisor, [reading("SE-101", 1, "1")], measured_by=operations_user
        )


def test_photos_and_record_stored(new_order, operations_user, debris):
    aforo = record(
        new_order,
        operations_user,
        [reading("SE-101", 1, "1")],
        photos=[jpeg(), png()],
        signed_record=jpeg("acta.jpg"),
    )
    assert sorted(aforo.photos.values_list("content_type", flat=True)) == [
        "image/jpeg",
        "image/png",
    ]
    assert aforo.signed_record_content_type == "image/jpeg"
    assert aforo.signed_record.name.startswith(f"servicios/{new_order.pk}/")


def test_photo_must_be_image(new_order, operations_user, debris):
    with pytest.raises(ValidationError) as error:
        record(new_order, operations_user, [reading("SE-101", 1, "1")], photos=[pdf()])
    assert "JPEG ni PNG" in error.value.messages[0]
    assert not Aforo.objects.exists()


def test_html_named_jpeg_rejected(new_order, operations_user, debris):
    with pytest.raises(ValidationError):
        record(
            new_order,
            operations_user,
            [reading("SE-101", 1, "1")],
            photos=[html_as_jpeg()],
        )
    with pytest.raises(ValidationError):
        record(
            new_order,
            operations_user,
            [reading("SE-101", 1, "1")],
            signed_record=html_as_jpeg("acta.pdf"),
        )
    assert not Aforo.objects.exists()


def test_signed_record_required(new_order, operations_user, debris):
    with pytest.raises(ValidationError) as error:
        record(
            new_order, operations_user, [reading("SE-101", 1, "1")], signed_record=None
        )
    assert "acta" in error.value.messages[0]


def test_aforo_rejected_on_executed_order(customer, advisor, debris, operations_user):
    from field_work.tests.helpers import make_order

    order = make_order(customer, advisor, [(debris, "1")], executed_on=date(2026, 1, 5))
    with pytest.raises(ValidationError):
        record(order, operations_user, [reading("SE-101", 1, "1")])


def test_aforo_file_names_never_reach_disk(new_order, operations_user, debris):
    aforo = record(
        new_order,
        operations_user,
        [reading("SE-101", 1, "1")],
        photos=[png("../../../etc/cron.d/foto.png")],
        signed_record=pdf("..\\..\\windows\\acta.pdf"),
    )
    stored = [aforo.signed_record.name, aforo.photos.get().file.name]
    for name in stored:
        assert name.startswith(f"servicios/{new_order.pk}/")
        assert ".." not in name
        assert "cron" not in name
        assert "windows" not in name


def test_oversize_aforo_files_rejected(new_order, operations_user, debris, settings):
    settings.UPLOAD_MAX_MB = 1
    for files in (
        {"photos": [big_jpeg(1.1)]},
        {"signed_record": big_jpeg(1.1, "acta.jpg")},
    ):
        with pytest.raises(ValidationError) as error:
            record(new_order, operations_user, [reading("SE-101", 1, "1")], **files)
        assert "1 MB" in " ".join(error.value.messages)
    assert not Aforo.objects.exists()


@pytest.mark.parametrize(
    ("count", "value", "unit", "expected"),
    [
        (1, "99999999", "m3", "máximo es 1000 m³"),
        (1, "100000.001", "kg", "máximo es 100000 kg"),
        (10001, "1", "m3", "el máximo por lectura es 10000"),
    ],
)
def test_absurd_readings_rejected(
    new_order, operations_user, weighed_waste, debris, count, value, unit, expected
):
    code = "SE-101" if unit == "m3" else weighed_waste.code
    with pytest.raises(ValidationError) as error:
        record(new_order, operations_user, [reading(code, count, value, unit=unit)])
    assert "Lectura 1" in error.value.messages[0]
    assert expected in error.value.messages[0]
    assert not Aforo.objects.exists()


def test_largest_sensible_reading_accepted(new_order, operations_user, debris):
    aforo = record(new_order, operations_user, [reading("SE-101", 10000, "1000")])
    assert aforo.readings.get().reading == Decimal("1000")


def test_annulled_aforo_kept_and_ignored(
    new_order, operations_user, coordinator, debris
):
    from field_work.services import aforo_annul, prepayment_due

    first = record(new_order, operations_user, [reading("SE-101", 1, "2")])
    wrong = record(new_order, operations_user, [reading("SE-101", 1, "900")])
    assert prepayment_due(new_order) == wrong.charge_total

    with pytest.raises(ValidationError) as error:
        aforo_annul(aforo=wrong, user=coordinator, reason="  ")
    assert "motivo" in error.value.messages[0]

    aforo_annul(aforo=wrong, user=coordinator, reason="Se digitó 900 en vez de 9")
    wrong.refresh_from_db()
    assert wrong.annulled_by == coordinator
    assert wrong.annulled_at is not None
    assert wrong.annulled_reason == "Se digitó 900 en vez de 9"
    assert wrong.history.first().history_change_reason == "Se digitó 900 en vez de 9"
    assert prepayment_due(new_order) == first.charge_total
    with pytest.raises(ValidationError):
        aforo_annul(aforo=wrong, user=coordinator, reason="otra vez")


@pytest.mark.parametrize("status", ["programada", "ejecutada"])
def test_aforo_of_scheduled_order_kept(
    new_order, operations_user, coordinator, debris, status
):
    from field_work.services import aforo_annul, prepayment_due

    aforo = record(new_order, operations_user, [reading("SE-101", 1, "2")])
    new_order.status = status
    new_order.save(update_fields=["status"])
    with pytest.raises(ValidationError) as error:
        aforo_annul(aforo=aforo, user=coordinator, reason="Lectura equivocada")
    message = error.value.messages[0]
    assert error.value.code == "scheduled"
    assert new_order.code in message
    assert "desprográmela primero" in message
    aforo.refresh_from_db()
    assert aforo.annulled_at is None
    assert prepayment_due(new_order) == aforo.charge_total


def test_aforo_annulled_after_unscheduling(
    scheduled_order, operations_user, coordinator, debris
):
    from field_work.services import aforo_annul
    from service_orders.services import schedule_unschedule

    aforo = record(scheduled_order, operations_user, [reading("SE-101", 1, "2")])
    schedule_unschedule(
        order=scheduled_order, user=operations_user, reason="Programada por error"
    )

    aforo_annul(aforo=aforo, user=coordinator, reason="Lectura equivocada")
    aforo.refresh_from_db()

    assert aforo.annulled_at is not None


def test_aforo_of_requested_order_annulled(
    new_order, operations_user, coordinator, debris
):
    from field_work.services import aforo_annul

    aforo = record(new_order, operations_user, [reading("SE-101", 1, "2")])
    new_order.status = "solicitada"
    new_order.save(update_fields=["status"])
    aforo_annul(aforo=aforo, user=coordinator, reason="Lectura equivocada")
    aforo.refresh_from_db()
    assert aforo.annulled_at is not None


def test_aforo_of_cancelled_order_kept(new_order, operations_user, coordinator, debris):
    from field_work.services import aforo_annul

    aforo = record(new_order, operations_user, [reading("SE-101", 1, "2")])
    new_order.status = "cancelada"
    new_order.save(update_fields=["status"])
    with pytest.raises(ValidationError) as error:
        aforo_annul(aforo=aforo, user=coordinator, reason="Lectura equivocada")
    assert "cancelada" in error.value.messages[0]
    aforo.refresh_from_db()
    assert aforo.annulled_at is None


def test_advisor_cannot_annul_aforo(new_order, operations_user, advisor, debris):
    from field_work.services import aforo_annul

    aforo = record(new_order, operations_user, [reading("SE-101", 1, "2")])
    with pytest.raises(PermissionDenied):
        aforo_annul(aforo=aforo, user=advisor, reason="error")


def awaiting_aforo() -> list:
    from field_work.services import orders_awaiting_aforo
    from service_orders.models import ServiceOrder

    return list(orders_awaiting_aforo(ServiceOrder.objects.all()))


def test_prepaid_order_awaits_aforo(new_order, scheduled_order):
    assert awaiting_aforo() == [new_order]


def test_recorded_aforo_ends_wait(new_order, operations_user, debris):
    record(new_order, operations_user, [reading("SE-101", 1, "2")])
    assert awaiting_aforo() == []


def test_annulled_aforo_awaits_again(new_order, operations_user, coordinator, debris):
    from field_work.services import aforo_annul

    aforo = record(new_order, operations_user, [reading("SE-101", 1, "2")])
    aforo_annul(aforo=aforo, user=coordinator, reason="Lectura equivocada")
    assert awaiting_aforo() == [new_order]


def test_executed_order_no_longer_awaits(new_order):
    new_order.status = "ejecutada"
    new_order.save(update_fields=["status"])
    assert awaiting_aforo() == []
