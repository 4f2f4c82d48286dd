"""The aforo form in Chromium: add a reading row with htmx, attach the signed
record and a photo, and see the charge on the order's field-work page."""

from decimal import Decimal

import pytest

from field_work.models import Aforo
from field_work.tests.helpers import JPEG_BYTES, PDF_BYTES
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_aforo_with_added_reading(page, live_server, new_order, logistics_user):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", logistics_user.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/operaciones/ordenes/{new_order.pk}/aforo/")
    page.get_by_role("button", name="Agregar lectura").click()
    page.wait_for_selector("[name='lecturas-1-container']")
    assert page.input_value("#id_lecturas-TOTAL_FORMS") == "2"

    for index, (container, count, reading) in enumerate(
        [("Pila frente a la obra", "1", "2.5"), ("Lonas", "2", "0.25")]
    ):
        page.fill(f"[name='lecturas-{index}-container']", container)
        page.fill(f"[name='lecturas-{index}-count']", count)
        page.fill(f"[name='lecturas-{index}-reading']", reading)
        page.select_option(f"[name='lecturas-{index}-unit']", "m3")
        page.select_option(f"[name='lecturas-{index}-tariff_code']", "SE-101")
    page.set_input_files(
        "[name=signed_record]",
        files=[
            {"name": "acta.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        ],
    )
    page.set_input_files(
        "[name=photos]",
        files=[{"name": "pila.jpg", "mimeType": "image/jpeg", "buffer": JPEG_BYTES}],
    )
    page.get_by_role("button", name="Registrar aforo").click()

    page.wait_for_selector("text=Aforo registrado")
    assert "$ 357.000" in page.content()
    aforo = Aforo.objects.get()
    assert aforo.readings.count() == 2
    assert aforo.charge_total == Decimal("357000.00")
    assert aforo.photos.count() == 1
