"""The billing path in Chromium: the coordinator reviews November, downloads the
workbook and sends it to billing (received by a real SMTP server on loopback), and
billing records the invoice number."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from billing.tests.helpers import add_proof, add_signed_order, make_executed_order
from billing.workbook import ORDER_CODE
from service_orders.models import ServiceOrder
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_month_sent_and_invoiced(
    page,
    live_server,
    settings,
    smtp_server,
    customer,
    unapproved_customer,
    advisor,
    debris,
    coordinator,
    billing_user,
    operations_user,
):
    settings.SITE_URL = live_server.url
    order = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "2")],
        executed_on=date(2026, 11, 30),
    )
    add_proof(order, operations_user)
    add_signed_order(order, operations_user)
    left_out = make_executed_order(
        customer=unapproved_customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 12),
    )

    log_in(page, live_server, coordinator.username)
    page.get_by_role("link", name="Facturación de servicios").click()
    page.fill("input[name=mes]", "2026-11")
    page.get_by_role("button", name="Ver").click()
    assert page.get_by_text(order.code).is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar consolidado (Excel)").click()
    downloaded = download_info.value.path().read_bytes()
    workbook = load_workbook(io.BytesIO(downloaded))
    assert workbook.active.cell(row=5, column=ORDER_CODE + 1).value == left_out.code
    assert workbook.active.cell(row=6, column=ORDER_CODE + 1).value == order.code

    page.get_by_role("link", name="Enviar a facturación").click()
    assert page.get_by_text("Quedan por fuera (1)").is_visible()
    page.get_by_role("button", name="Enviar a facturación").click()
    assert page.get_by_text("Consolidado de noviembre de 2026 enviado").is_visible()
    order.refresh_from_db()
    assert order.handoff_id is not None
    assert len(smtp_server.messages) == 1
    _recipients, message = smtp_server.messages[0]
    attachment = next(message.iter_attachments())
    sent = load_workbook(io.BytesIO(attachment.get_content()))
    assert sent.active.cell(row=5, column=ORDER_CODE + 1).value == order.code

    log_in(page, live_server, billing_user.username)
    page.get_by_role("link", name="Facturas", exact=True).click()
    page.get_by_label(f"Número de factura de {order.code}").fill("FE-90001")
    page.get_by_label(f"Fecha de factura de {order.code}").fill("2026-12-02")
    page.get_by_role("button", name="Registrar").click()
    assert page.get_by_text(f"Factura registrada en la orden {order.code}").is_visible()
    assert ServiceOrder.objects.get(pk=order.pk).invoice_number == "FE-90001"


def test_send_page_keeps_money_whole(
    page, live_server, customer, advisor, debris, coordinator, operations_user
):
    for day in (3, 12, 30):
        order = make_executed_order(
            customer=customer,
            advisor=advisor,
            lines=[(debris, "2")],
            executed_on=date(2026, 11, day),
        )
        add_proof(order, operations_user)
        add_signed_order(order, operations_user)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/facturacion/enviar/?mes=2026-11")

    # Each money amount and order code: its white-space and its number of lines.
    cells = page.eval_on_selector_all(
        "td.money, td.doc-code",
        """cells => cells.map(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return {
                text: cell.textContent,
                whiteSpace: getComputedStyle(cell).whiteSpace,
                lines: new Set([...range.getClientRects()].map(r => r.top)).size,
            };
        })""",
    )
    money = [cell for cell in cells if cell["text"].startswith("$ ")]
    codes = [cell for cell in cells if cell["text"].startswith("OS-")]
    assert len(money) == 9
    assert len(codes) == 3
    for cell in cells:
        assert cell["whiteSpace"] == "nowrap", cell
        assert cell["lines"] == 1, cell
