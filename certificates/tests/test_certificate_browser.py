"""The main path in Chromium: the advisor drafts, the director signs, and anyone
verifies the certificate on the public page."""

import pytest

from certificates.models import Certificate
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def log_out(page):
    page.click("text=Salir")


def test_draft_sign_and_verify(
    page,
    live_server,
    settings,
    advisor,
    director,
    customer,
    invoiced_order,
    director_signature,
):
    settings.SITE_URL = live_server.url
    log_in(page, live_server, advisor.username)
    page.goto(f"{live_server.url}/certificados/nuevo/")
    page.select_option("select[name=customer]", str(customer.pk))
    page.select_option("select[name=request_channel]", "correo")
    page.fill("input[name=request_reference]", "RAD-2026-778")
    page.fill("input[name=requested_on]", "2026-11-05")
    page.fill("input[name=period_start]", "2026-10-01")
    page.fill("input[name=period_end]", "2026-10-31")
    page.fill("input[name=waste_type]", "Escombros (RCD)")
    page.fill("input[name=destination_site]", "Escombrera La Esperanza")
    page.fill("input[name=destination_authorization]", "Resolución 1234 de 2024")
    page.click("button[name=buscar]")
    page.check(f"input[name=orders][value='{invoiced_order.pk}']")
    page.click("text=Guardar borrador")
    page.wait_for_selector("text=Borrador de certificado guardado.")
    assert page.locator("button:has-text('Firmar')").count() == 0
    log_out(page)

    log_in(page, live_server, director.username)
    certificate = Certificate.objects.get()
    page.goto(f"{live_server.url}{certificate.get_absolute_url()}")
    page.click("button:has-text('Firmar')")
    page.wait_for_selector("text=Certificado firmado con el código")
    certificate.refresh_from_db()
    log_out(page)

    page.goto(f"{live_server.url}{certificate.get_public_url()}")
    assert page.locator("text=Certificado válido").is_visible()
    assert page.locator(f"text={certificate.code}").is_visible()
    assert customer.id_number not in page.content()
