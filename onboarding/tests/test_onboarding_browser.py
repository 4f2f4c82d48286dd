"""The onboarding in Chromium: the advisor uploads the documents through htmx,
reviews the customer's data and submits, and billing approves on credit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from onboarding.models import Onboarding
from onboarding.services import customer_is_approved
from onboarding.tests.conftest import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    from tests.factories import DEFAULT_PASSWORD

    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def upload_document(page, label, **fields):
    form = page.locator("#documentos form")
    form.locator("#id_kind").select_option(label=label)
    form.locator("#id_file").set_input_files(
        {"name": "escaneo.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    if "issued_on" in fields:
        form.locator("#id_issued_on").fill(fields["issued_on"])
    if "nit" in fields:
        form.locator("#id_document_id_number").fill(fields["nit"])
    form.get_by_role("button", name="Subir documento").click()
    page.locator("#documentos").get_by_text(f"Documento «{label}» guardado.").wait_for()


def test_advisor_completes_and_billing_approves(
    page, live_server, onboarding, advisor, billing_user
):
    customer = onboarding.customer
    issued_on = timezone.localdate() - timedelta(days=5)

    log_in(page, live_server, advisor.username)
    page.goto(live_server.url + onboarding.get_absolute_url())
    assert page.get_by_text("Faltan 3 documentos obligatorios").is_visible()

    upload_document(page, "RUT", nit=customer.identification_display)
    upload_document(
        page, "Certificado de Cámara de Comercio", issued_on=f"{issued_on:%Y-%m-%d}"
    )
    upload_document(page, "Cédula del representante legal")
    assert page.get_by_text("Están todos los documentos obligatorios").is_visible()

    page.get_by_role("link", name="Revisar datos del cliente").click()
    page.locator("#id_address").fill("Carrera 8 # 12-40")
    page.get_by_role("button", name="Confirmar datos revisados").click()
    page.get_by_role("button", name="Enviar a facturación").click()
    page.get_by_text("Vinculación enviada a facturación.").wait_for()

    page.get_by_role("button", name="Salir").click()
    log_in(page, live_server, billing_user.username)
    page.get_by_role("link", name="Vinculaciones").click()
    page.get_by_role("link", name="Pendientes de aprobación").click()
    page.get_by_role("link", name=customer.name).click()
    page.get_by_label("Aprobar el cliente").check()
    page.get_by_label("Condición de pago").select_option(value="credito")
    page.get_by_role("button", name="Registrar decisión").click()
    page.get_by_text("Cliente aprobado.").wait_for()

    onboarding.refresh_from_db()
    assert onboarding.status == Onboarding.Status.APPROVED
    assert onboarding.payment_terms == "credito"
    assert customer_is_approved(customer)
