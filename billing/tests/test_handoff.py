import io
import threading
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from openpyxl import load_workbook

from billing import services
from billing.models import Handoff
from billing.periods import Month
from billing.tests.helpers import (
    add_prepayment,
    add_proof,
    add_signed_order,
    make_executed_order,
)
from billing.workbook import ORDER_CODE
from service_orders.models import ServiceOrder

NOVEMBER = Month.of(date(2026, 11, 1))


@pytest.fixture
def month_orders(customer, unapproved_customer, advisor, debris, operations_user):
    """Two November orders of an approved customer and one of an unapproved one."""
    approved = [
        make_executed_order(
            customer=customer, advisor=advisor, lines=[(debris, "2")], executed_on=day
        )
        for day in (date(2026, 11, 3), date(2026, 11, 30))
    ]
    add_proof(approved[0], operations_user)
    for order in approved:
        add_signed_order(order, operations_user)
    left_out = make_executed_order(
        customer=unapproved_customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 10),
    )
    return approved, left_out


def test_preview_lists_included_and_left_out(month_orders):
    approved, left_out = month_orders
    preview = services.handoff_preview(month=NOVEMBER)
    assert [row.code for row in preview.included] == [order.code for order in approved]
    assert [row.code for row in preview.left_out] == [left_out.code]
    assert "vinculación aprobada" in preview.left_out[0].reason
    assert preview.total == 2 * 238000


def test_send_marks_approved_orders_only(month_orders, coordinator):
    approved, left_out = month_orders
    result = services.handoff_send(month=NOVEMBER, user=coordinator)
    handoff = result.handoff
    assert set(handoff.service_orders.values_list("code", flat=True)) == {
        order.code for order in approved
    }
    assert [row.code for row in result.left_out] == [left_out.code]
    left_out.refresh_from_db()
    assert left_out.handoff_id is None
    assert handoff.service_count == 2
    assert handoff.total == 476000
    assert handoff.month == date(2026, 11, 1)


def test_send_stores_workbook_and_zip(month_orders, coordinator):
    approved, _left_out = month_orders
    handoff = services.handoff_send(month=NOVEMBER, user=coordinator).handoff
    with handoff.workbook.open("rb") as stored:
        rows = list(load_workbook(io.BytesIO(stored.read())).active.values)
    codes = [row[ORDER_CODE] for row in rows[4:6]]
    assert codes == [order.code for order in approved]
    assert handoff.proofs_zip.name.endswith(".zip")


def test_send_keeps_history_of_the_hand_off(month_orders, coordinator):
    approved, _left_out = month_orders
    handoff = services.handoff_send(month=NOVEMBER, user=coordinator).handoff
    latest = approved[0].history.latest()
    assert latest.handoff_id == handoff.pk
    assert latest.history_user == coordinator
    assert "Entregada a facturación" in latest.history_change_reason


def test_send_twice_is_refused(month_orders, coordinator):
    services.handoff_send(month=NOVEMBER, user=coordinator)
    with pytest.raises(ValidationError, match="No hay servicios de noviembre de 2026"):
        services.handoff_send(month=NOVEMBER, user=coordinator)
    assert Handoff.objects.count() == 1


def test_send_takes_only_new_orders_later(
    month_orders, coordinator, customer, advisor, debris
):
    first = services.handoff_send(month=NOVEMBER, user=coordinator).handoff
    late = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 29),
    )
    add_signed_order(late, coordinator)
    second = services.handoff_send(month=NOVEMBER, user=coordinator).handoff
    assert list(second.service_orders.all()) == [late]
    assert first.service_orders.count() == 2


def test_send_requires_manager(month_orders, billing_user, advisor):
    for user in (billing_user, advisor):
        with pytest.raises(PermissionDenied):
            services.handoff_send(month=NOVEMBER, user=user)


def test_send_without_recipients_is_refused(month_orders, director, settings):
    from accounts.models import User

    User.objects.update(email="")
    settings.BILLING_HANDOFF_EMAILS = []
    with pytest.raises(ValidationError, match="BILLING_HANDOFF_EMAILS"):
        services.handoff_send(month=NOVEMBER, user=director)


def test_recipients_are_billing_coordination_and_setting(
    coordinator, billing_user, director, settings
):
    settings.BILLING_HANDOFF_EMAILS = [
        "contabilidad@aseo.example.com",
        billing_user.email,
    ]
    assert services.handoff_recipients() == [
        coordinator.email,
        billing_user.email,
        "contabilidad@aseo.example.com",
    ]


def test_send_mails_workbook_to_billing(
    month_orders,
    coordinator,
    billing_user,
    settings,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    settings.BILLING_HANDOFF_EMAILS = ["contabilidad@aseo.example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        handoff = services.handoff_send(month=NOVEMBER, user=coordinator).handoff
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    attachments = list(message.iter_attachments())
    workbook = load_workbook(io.BytesIO(attachments[0].get_content()))
    assert set(recipients) == {
        coordinator.email,
        billing_user.email,
        "contabilidad@aseo.example.com",
    }
    assert "noviembre de 2026" in message["Subject"]
    assert attachments[0].get_filename() == "consolidado-servicios-2026-11.xlsx"
    assert (
        workbook.active.cell(row=5, column=ORDER_CODE + 1).value
        == month_orders[0][0].code
    )
    assert handoff.get_absolute_url() in message.get_body(("plain",)).get_content()
    handoff.email.refresh_from_db()
    assert handoff.email.status == "enviado"


def test_send_mail_names_prepaid_orders(
    month_orders,
    coordinator,
    billing_user,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    approved, left_out = month_orders
    add_prepayment(
        approved[1],
        billing_user,
        amount="150000",
        reference="TRX-1",
        paid_on=date(2026, 11, 25),
    )
    add_prepayment(
        approved[1],
        billing_user,
        amount="88000",
        reference="TRX-2",
        paid_on=date(2026, 11, 26),
    )
    add_prepayment(
        approved[0],
        billing_user,
        amount="238000",
        reference="TRX-3",
        paid_on=date(2026, 11, 1),
        annulled=True,
    )
    add_prepayment(
        left_out,
        billing_user,
        amount="119000",
        reference="TRX-4",
        paid_on=date(2026, 11, 2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.handoff_send(month=NOVEMBER, user=coordinator)
    _recipients, message = smtp_server.messages[0]
    body = message.get_body(("plain",)).get_content()
    assert "Servicios con pago anticipado: 1 órdenes, $ 238.000" in body
    assert f"- {approved[1].code}: $ 238.000" in body
    assert approved[0].code not in body
    assert left_out.code not in body
    workbook = load_workbook(io.BytesIO(next(message.iter_attachments()).get_content()))
    references = [row[3] for row in workbook["Anticipos"].iter_rows(values_only=True)]
    assert references[4:6] == ["TRX-1", "TRX-2"]


def test_send_mail_without_prepaid_orders(
    month_orders, coordinator, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.handoff_send(month=NOVEMBER, user=coordinator)
    body = smtp_server.messages[0][1].get_body(("plain",)).get_content()
    assert "Ningún servicio de esta entrega tiene pago anticipado." in body


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_hand_over_once(
    customer, advisor, debris, coordinator, director
):
    for day in (3, 4, 5):
        order = make_executed_order(
            customer=customer,
            advisor=advisor,
            lines=[(debris, "1")],
            executed_on=date(2026, 11, day),
        )
        add_signed_order(order, coordinator)
    barrier = threading.Barrier(2)
    outcomes = []

    def send(user):
        try:
            barrier.wait()
            outcomes.append(services.handoff_send(month=NOVEMBER, user=user))
        except ValidationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(user,)) for user in (coordinator, director)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent = [
        outcome for outcome in outcomes if isinstance(outcome, services.HandoffResult)
    ]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(sent) == 1
    assert len(refused) == 1
    assert sent[0].handoff.service_count == 3
    assert ServiceOrder.objects.filter(handoff__isnull=True).count() == 0
    assert Handoff.objects.count() == 1


def test_incomplete_proof_left_out(
    customer, advisor, debris, coordinator, operations_user
):
    photo_only = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 5),
    )
    add_proof(photo_only, operations_user)
    complete = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 6),
    )
    add_signed_order(complete, operations_user)

    preview = services.handoff_preview(month=NOVEMBER)
    assert [row.code for row in preview.included] == [complete.code]
    assert [row.code for row in preview.left_out] == [photo_only.code]
    assert preview.left_out[0].reason.startswith(
        "Sin soportes completos: falta Orden de servicio firmada o Acta de obra"
    )

    result = services.handoff_send(month=NOVEMBER, user=coordinator)
    assert list(result.handoff.service_orders.all()) == [complete]
    assert result.left_out[0].reason == preview.left_out[0].reason
    photo_only.refresh_from_db()
    assert photo_only.handoff_id is None


def test_send_refuses_when_previewed_set_changed(month_orders, coordinator):
    approved, _left_out = month_orders
    with pytest.raises(services.HandoffChanged):
        services.handoff_send(
            month=NOVEMBER, user=coordinator, expected_ids=[approved[0].pk]
        )
    assert not Handoff.objects.exists()
    result = services.handoff_send(
        month=NOVEMBER, user=coordinator, expected_ids=[order.pk for order in approved]
    )
    assert result.handoff.service_count == 2
