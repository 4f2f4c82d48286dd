import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from field_work.models import Aforo, Prepayment, ServiceProof
from field_work.services import (
    ReadingInput,
    aforo_record,
    prepayment_register,
    proof_upload,
)
from field_work.tests.helpers import hand_over, html_as_jpeg, jpeg, make_order, pdf
from service_orders.models import ServiceOrder

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"field_work:{name}", args=args)


def aforo_post_data(user, **overrides):
    data = {
        "measured_on": timezone.localdate().isoformat(),
        "measured_by": user.pk,
        "method": "volumen",
        "notes": "Escombro mezclado con tierra",
        "lecturas-TOTAL_FORMS": "2",
        "lecturas-INITIAL_FORMS": "0",
        "lecturas-MIN_NUM_FORMS": "1",
        "lecturas-MAX_NUM_FORMS": "50",
        "lecturas-0-container": "Pila frente a la obra",
        "lecturas-0-count": "1",
        "lecturas-0-reading": "2,5",
        "lecturas-0-unit": "m3",
        "lecturas-0-tariff_code": "SE-101",
        "lecturas-1-container": "Lona",
        "lecturas-1-count": "2",
        "lecturas-1-reading": "0,25",
        "lecturas-1-unit": "m3",
        "lecturas-1-tariff_code": "SE-101",
        "signed_record": pdf(),
        "photos": [jpeg(), jpeg("otra.jpg")],
    }
    data.update(overrides)
    return data


def measured(order, user):
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
                reading=Decimal("1"),
                unit="m3",
                tariff_code="SE-101",
            )
        ],
        signed_record=pdf(),
        photos=[jpeg()],
    )


def test_aforo_form_records_with_history(client, new_order, operations_user, debris):
    client.force_login(operations_user)
    assert client.get(url("aforo_create", new_order.pk)).status_code == 200
    response = client.post(
        url("aforo_create", new_order.pk), aforo_post_data(operations_user)
    )
    assert response.status_code == 302
    aforo = Aforo.objects.get()
    # 2,5 + 2 x 0,25 = 3 m³ x 100.000 + IVA 19 %.
    assert aforo.charge_total == Decimal("357000.00")
    assert aforo.photos.count() == 2
    assert aforo.history.get().history_user == operations_user
    page = client.get(url("order", new_order.pk))
    assert "$ 357.000" in page.content.decode()


def test_aforo_form_shows_service_error(client, new_order, logistics_user, debris):
    client.force_login(logistics_user)
    data = aforo_post_data(logistics_user, **{"lecturas-1-unit": "kg"})
    response = client.post(url("aforo_create", new_order.pk), data, follow=True)
    assert "Lectura 2" in response.content.decode()
    assert not Aforo.objects.exists()


def test_reading_row_adds_numbered_row(client, new_order, operations_user, debris):
    client.force_login(operations_user)
    response = client.get(
        url("aforo_reading_row", new_order.pk),
        {"lecturas-TOTAL_FORMS": "2"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert 'name="lecturas-2-container"' in body
    assert 'value="3"' in body
    assert "SE-101" in body


def test_advisor_cannot_record_aforo(client, new_order, advisor):
    client.force_login(advisor)
    assert client.get(url("aforo_create", new_order.pk)).status_code == 403
    assert client.get(url("aforo_reading_row", new_order.pk)).status_code == 403


def test_other_portfolio_gives_404(client, other_order, advisor, operations_user):
    proof = proof_upload(
        order=other_order,
        user=operations_user,
        kind=ServiceProof.Kind.SIGNED_ORDER,
        file=pdf(),
        taken_on=timezone.localdate(),
    )
    client.force_login(advisor)
    assert client.get(url("order", other_order.pk)).status_code == 404
    assert client.get(url("prepayment_create", other_order.pk)).status_code == 404
    assert client.get(url("proof_file", proof.pk)).status_code == 404


def test_other_portfolio_aforo_and_receipt_404(
    client, other_order, advisor, operations_user, coordinator, debris
):
    aforo = aforo_record(
        order=other_order,
        user=operations_user,
        measured_on=timezone.localdate(),
        measured_by=operations_user,
        method=Aforo.Method.VOLUME,
        readings=[ReadingInput("Pila", 1, Decimal("1"), "m3", "SE-101")],
        signed_record=pdf(),
        photos=[jpeg()],
    )
    payment = prepayment_register(
        order=other_order,
        user=coordinator,
        reference="TRX-9",
        paid_on=timezone.localdate(),
        amount=aforo.charge_total,
        receipt=pdf("recibo.pdf"),
    )
    files = [
        url("aforo_record_file", aforo.pk),
        url("aforo_photo_file", aforo.photos.get().pk),
        url("prepayment_receipt_file", payment.pk),
    ]
    client.force_login(advisor)
    for file_url in files:
        assert client.get(file_url).status_code == 404, file_url
    client.force_login(other_order.advisor)
    for file_url in files:
        assert client.get(file_url).status_code == 200, file_url


def test_user_without_role_sees_nothing(client, scheduled_order, no_role_user):
    client.force_login(no_role_user)
    assert client.get(url("order", scheduled_order.pk)).status_code == 404
    assert client.get(url("daily")).status_code == 403
    assert client.get(url("inbox")).status_code == 403


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("advisor", {"order", "prepayment_create"}),
        ("billing_user", {"order", "prepayment_create"}),
        ("operations_user", {"order", "aforo_create", "execution", "daily", "inbox"}),
        ("logistics_user", {"order", "aforo_create", "execution", "daily", "inbox"}),
        (
            "coordinator",
            {"order", "aforo_create", "prepayment_create", "execution", "daily"}
            | {"inbox"},
        ),
    ],
)
def test_pages_per_role(
    client, request, new_order, scheduled_order, debris, persona, allowed
):
    user = request.getfixturevalue(persona)
    measured(new_order, request.getfixturevalue("operations_user"))
    client.force_login(user)
    pages = {
        "order": url("order", new_order.pk),
        "aforo_create": url("aforo_create", new_order.pk),
        "prepayment_create": url("prepayment_create", new_order.pk),
        "execution": url("execution", scheduled_order.pk),
        "daily": url("daily"),
        "inbox": url("inbox"),
    }
    for name, address in pages.items():
        expected = 200 if name in allowed else 403
        assert client.get(address).status_code == expected, name


def test_prepayment_form(client, new_order, operations_user, advisor, debris):
    measured(new_order, operations_user)
    client.force_login(advisor)
    response = client.post(
        url("prepayment_create", new_order.pk),
        {
            "reference": "PSE-99812",
            "paid_on": timezone.localdate().isoformat(),
            "amount": "119000",
            "receipt": pdf("../../recibo.pdf"),
        },
    )
    assert response.status_code == 302
    payment = Prepayment.objects.get(order=new_order)
    assert payment.registered_by == advisor
    download = client.get(url("prepayment_receipt_file", payment.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_proof_download_is_attachment(
    client, scheduled_order, operations_user, advisor
):
    proof = proof_upload(
        order=scheduled_order,
        user=operations_user,
        kind=ServiceProof.Kind.PHOTO,
        file=jpeg(),
        taken_on=timezone.localdate(),
    )
    client.force_login(advisor)
    response = client.get(proof.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment")
    assert scheduled_order.code in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_aforo_files_download(client, new_order, operations_user, advisor, debris):
    aforo = measured(new_order, operations_user)
    client.force_login(advisor)
    record = client.get(url("aforo_record_file", aforo.pk))
    assert record["Content-Type"] == "application/pdf"
    assert record["Content-Disposition"].startswith("attachment")
    photo = client.get(url("aforo_photo_file", aforo.photos.get().pk))
    assert photo["Content-Type"] == "image/jpeg"


def test_daily_upload_of_several_files(client, scheduled_order, operations_user):
    client.force_login(operations_user)
    page = client.get(url("daily"))
    assert scheduled_order.code in page.content.decode()
    response = client.post(
        url("proof_create", scheduled_order.pk),
        {
            "kind": "foto",
            "files": [jpeg("a.jpg"), jpeg("b.jpg"), jpeg("c.jpg")],
            "taken_on": timezone.localdate().isoformat(),
            "volver": "dia",
            "fecha": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url("daily"))
    assert scheduled_order.proofs.count() == 3


def test_upload_view_rejects_wrong_content(client, scheduled_order, operations_user):
    client.force_login(operations_user)
    response = client.post(
        url("proof_create", scheduled_order.pk),
        {
            "kind": "acta_obra",
            "files": [pdf(), html_as_jpeg()],
            "taken_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert "no es un archivo" in response.content.decode()
    assert not ServiceProof.objects.exists()


def test_execution_form(client, scheduled_order, operations_user):
    client.force_login(operations_user)
    line = scheduled_order.lines.get()
    response = client.post(
        url("execution", scheduled_order.pk),
        {
            "executed_on": timezone.localdate().isoformat(),
            f"linea_{line.pk}": "2,5",
        },
    )
    assert response.status_code == 302
    scheduled_order.refresh_from_db()
    assert scheduled_order.status == ServiceOrder.Status.EXECUTED
    assert scheduled_order.lines.get().executed_quantity == Decimal("2.500")
    assert scheduled_order.history.first().history_user == operations_user


def test_billing_cannot_change_quantities_after_handoff(
    client, customer, advisor, debris, billing_user, coordinator
):
    order = make_order(
        customer,
        advisor,
        [(debris, "3")],
        executed_on=timezone.localdate() - timedelta(days=3),
    )
    hand_over(order, coordinator)
    line = order.lines.get()
    data = {"executed_on": timezone.localdate().isoformat(), f"linea_{line.pk}": "1"}

    client.force_login(billing_user)
    assert client.post(url("execution", order.pk), data).status_code == 403

    client.force_login(coordinator)
    response = client.post(url("execution", order.pk), data, follow=True)
    assert "entregada a facturación" in response.content.decode()
    assert order.lines.get().executed_quantity == Decimal("3.000")


def test_inbox_lists_executed_without_complete_proof(
    client, customer, advisor, debris, coordinator, operations_user
):
    today = timezone.localdate()
    missing = make_order(
        customer, advisor, [(debris, "1")], executed_on=today - timedelta(days=4)
    )
    complete = make_order(
        customer, advisor, [(debris, "1")], executed_on=today - timedelta(days=4)
    )
    proof_upload(
        order=complete,
        user=operations_user,
        kind=ServiceProof.Kind.SIGNED_ORDER,
        file=pdf(),
        taken_on=today,
    )
    handed = make_order(
        customer, advisor, [(debris, "1")], executed_on=today - timedelta(days=40)
    )
    hand_over(handed, coordinator)
    recent = make_order(customer, advisor, [(debris, "1")], executed_on=today)

    client.force_login(coordinator)
    response = client.get(url("inbox"))
    days = response.context["days"]
    assert [day.executed_on for day in days] == [today - timedelta(days=4), today]
    assert [row.order for row in days[0].rows] == [missing]
    assert days[0].rows[0].age_days == 4
    assert [row.order for row in days[1].rows] == [recent]
    body = response.content.decode()
    assert complete.code not in body
    assert handed.code not in body
    assert "Orden de servicio firmada o Acta de obra" in body


def test_aforo_annul_view(client, new_order, operations_user, advisor, debris):
    aforo = aforo_record(
        order=new_order,
        user=operations_user,
        measured_on=timezone.localdate(),
        measured_by=operations_user,
        method="volumen",
        readings=[ReadingInput("Pila", 1, Decimal("2"), "m3", "SE-101")],
        signed_record=pdf(),
    )
    client.force_login(advisor)
    assert client.post(url("aforo_annul", aforo.pk), {"reason": "x"}).status_code == 403
    client.force_login(operations_user)
    page = client.get(url("order", new_order.pk))
    assert "Anular aforo" in page.content.decode()
    response = client.post(
        url("aforo_annul", aforo.pk), {"reason": "Lectura equivocada"}, follow=True
    )
    content = response.content.decode()
    assert "Aforo anulado" in content
    assert "Lectura equivocada" in content
    aforo.refresh_from_db()
    assert aforo.annulled_by == operations_user


def test_scheduled_order_hides_aforo_annul(client, new_order, operations_user, debris):
    aforo_record(
        order=new_order,
        user=operations_user,
        measured_on=timezone.localdate(),
        measured_by=operations_user,
        method="volumen",
        readings=[ReadingInput("Pila", 1, Decimal("2"), "m3", "SE-101")],
        signed_record=pdf(),
    )
    new_order.status = ServiceOrder.Status.SCHEDULED
    new_order.save(update_fields=["status"])
    client.force_login(operations_user)
    page = client.get(url("order", new_order.pk)).content.decode()
    assert "Anular aforo" not in page


def test_execution_form_plain_quantities(client, scheduled_order, operations_user):
    client.force_login(operations_user)
    page = client.get(url("execution", scheduled_order.pk)).content.decode()
    assert re.search(r"Cotizado: 3(?![.,\d])", page)
    assert "3.000" not in page


@pytest.mark.parametrize("fecha", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_daily_bad_date_shows_today(client, operations_user, fecha):
    client.force_login(operations_user)
    response = client.get(url("daily"), {"fecha": fecha})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert f"«{fecha}» no es válida" in response.content.decode()


def test_aforo_before_tariffs_names_date(client, new_order, operations_user, debris):
    client.force_login(operations_user)
    data = aforo_post_data(operations_user, measured_on="2019-06-01")
    response = client.post(url("aforo_create", new_order.pk), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "no está vigente el 01/06/2019" in page
    assert "no es una de las opciones disponibles" not in page
    assert not Aforo.objects.exists()


def test_prepayment_annul_view(
    client, new_order, operations_user, advisor, coordinator, debris
):
    measured(new_order, operations_user)
    payment = prepayment_register(
        order=new_order,
        user=advisor,
        reference="TRX-77",
        paid_on=timezone.localdate(),
        amount=Decimal("100000"),
        receipt=pdf("recibo.pdf"),
    )
    client.force_login(operations_user)
    denied = client.post(url("prepayment_annul", payment.pk), {"reason": "x"})
    assert denied.status_code == 403
    client.force_login(advisor)
    page = client.get(url("order", new_order.pk)).content.decode()
    assert "Anular pago" in page
    response = client.post(
        url("prepayment_annul", payment.pk),
        {"reason": "Comprobante de otro cliente"},
        follow=True,
    )
    content = response.content.decode()
    assert "Pago TRX-77 anulado" in content
    assert "Comprobante de otro cliente" in content
    assert "no se podrá programar" in content
    assert "Anular pago" not in content
    payment.refresh_from_db()
    assert payment.annulled_by == advisor


def test_prepayment_annul_view_executed(client, new_order, operations_user, advisor):
    measured(new_order, operations_user)
    payment = prepayment_register(
        order=new_order,
        user=advisor,
        reference="TRX-78",
        paid_on=timezone.localdate(),
        amount=Decimal("100000"),
        receipt=pdf("recibo.pdf"),
    )
    ServiceOrder.objects.filter(pk=new_order.pk).update(
        status=ServiceOrder.Status.EXECUTED, executed_on=timezone.localdate()
    )
    client.force_login(advisor)
    page = client.get(url("order", new_order.pk)).content.decode()
    assert "Anular pago" not in page
    response = client.post(
        url("prepayment_annul", payment.pk), {"reason": "Error"}, follow=True
    )
    assert "no se puede anular" in response.content.decode()
    payment.refresh_from_db()
    assert payment.annulled_at is None
