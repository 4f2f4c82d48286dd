"""The main path of service orders in Chromium: the advisor creates an order from
the accepted quotation and requests a date, operations confirm it from the board."""

import pytest

from service_orders.models import ServiceOrder
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def log_out(page):
    page.context.clear_cookies()


def test_order_requested_and_scheduled(
    page, live_server, quotation, advisor, operations_user, supervisor, service_day
):
    log_in(page, live_server, advisor.username)
    page.goto(f"{live_server.url}{quotation.get_absolute_url()}")
    page.click("text=Crear orden de servicio")
    page.fill("input[name=address]", "Carrera 26 # 8-15, bodega 2")
    page.click("button:has-text('Crear orden de servicio')")
    page.locator("h1:has-text('Orden de servicio OS-')").wait_for()
    order = ServiceOrder.objects.get()

    page.click("text=Solicitar fecha a operaciones")
    page.fill("input[name=requested_date]", service_day.isoformat())
    page.click("button:has-text('Solicitar fecha a operaciones')")
    page.locator("text=Fecha solicitada a operaciones.").wait_for()
    log_out(page)

    log_in(page, live_server, operations_user.username)
    page.click("nav >> text=Programación")
    page.locator(f"text={order.code}").wait_for()
    page.click("a.button:has-text('Programar')")
    page.fill("input[name=scheduled_time]", "07:30")
    page.fill(
        "textarea[name=crew]",
        "Pedro Pérez Rincón; 1.023.456.789; conductor\nLuz Ortiz; 52345678",
    )
    page.fill("input[name=vehicle_plate]", "wxy 987")
    page.select_option("select[name=supervisor]", str(supervisor.pk))
    page.click("button:has-text('Programar servicio')")
    page.locator("text=Servicio programado.").wait_for()

    assert "1.023.456.789" in page.inner_text("body")
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.SCHEDULED
    assert order.vehicle_plate == "WXY987"
    assert order.scheduled_date == service_day
