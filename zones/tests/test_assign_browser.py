"""The assignment screens in a real browser: htmx preview, then confirmation."""

import pytest

from customers.models import Customer
from tests.factories import DEFAULT_PASSWORD, make_customer, make_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_director_previews_and_confirms_assignment(
    migrated_data, page, live_server, director, advisor, other_advisor
):
    zone = make_zone("Melgar Centro", advisors=[advisor, other_advisor])
    for number in range(4):
        make_customer(zone=zone, name=f"Cliente Navegador {number}")
    log_in(page, live_server, "director")
    page.goto(f"{live_server.url}/zonas/{zone.pk}/asignar/")
    page.evaluate("window.notReloaded = true")

    page.click("text=Vista previa")
    page.locator("text=Confirmar asignación").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#preview tbody tr").count() == 2 + 4
    assert not Customer.objects.filter(advisor__isnull=False).exists()

    page.click("text=Confirmar asignación")
    page.wait_for_url("**/zonas/asignaciones/*/")
    assert "Asignación confirmada" in page.inner_text(".messages")
    assert Customer.objects.filter(advisor=advisor).count() == 2
    assert Customer.objects.filter(advisor=other_advisor).count() == 2
