"""The whole sales path in Chromium: a member of the public asks for a quotation on
/cotizar/, the advisor quotes it from the tariff book, issues it, downloads the PDF,
sends it by e-mail to a real SMTP server on loopback and records the acceptance."""

import email
import email.policy
import io
import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from pypdf import PdfReader

from core.imports import run_import
from core.models import OutgoingEmail
from quotations.models import Quotation
from quotations.services import customers_ready_for_onboarding
from quote_requests.models import QuoteRequest
from tariffs.importer import TariffImporter
from tariffs.models import TariffItem
from tariffs.services import tariff_version_approve
from tests.factories import DEFAULT_PASSWORD, make_zone
from zones.models import Municipality

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TARIFF_SHEET = "quotations/tests/data/tarifas_servicios_especiales.xlsx"
MELGAR = "73449"
REQUESTER = "Panadería La Ñapa"
REQUESTER_EMAIL = "compras@lanapa.example.com"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


@pytest.fixture
def tariffs_in_force(director, settings):
    importer = TariffImporter(user=director, version_name="Tarifas 2026")
    report = run_import(importer, settings.BASE_DIR / TARIFF_SHEET)
    assert report.committed
    tariff_version_approve(version=importer.version, user=director)


@pytest.fixture
def melgar_zone(advisor):
    zone = make_zone("URBANA", advisors=[advisor])
    zone.municipalities.add(Municipality.objects.get(dane_code=MELGAR))
    return zone


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def ask_for_quotation(page, live_server):
    page.goto(f"{live_server.url}/cotizar/")
    page.get_by_label("Empresa o nombre del solicitante").fill(REQUESTER)
    page.get_by_label("NIT o cédula").fill("1012345678")
    page.get_by_label("Persona de contacto").fill("Íngrid Peña")
    page.get_by_label("Teléfono o celular").fill("310 555 1234")
    page.get_by_label("Correo electrónico").fill(REQUESTER_EMAIL)
    page.get_by_label("Servicio que necesita").select_option(index=1)
    page.get_by_label("Descripción").fill("Escombros de la remodelación del local.")
    page.get_by_label("Dirección del servicio").fill("Calle 7 # 5-20")
    melgar = Municipality.objects.get(dane_code=MELGAR)
    page.get_by_label("Municipio").select_option(value=str(melgar.pk))
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Enviar solicitud").click()
    page.wait_for_url("**/cotizar/recibida/**")


def add_line(page, code: str, quantity: str):
    item = TariffItem.objects.get(code=code)
    lines = page.locator("#lines")
    lines.locator("#id_tariff_item").select_option(value=str(item.pk))
    lines.get_by_label("Cantidad").fill(quantity)
    lines.get_by_role("button", name="Agregar servicio").click()
    lines.locator("tbody tr", has_text=code).wait_for()


def test_public_request_to_accepted_quotation(
    page, live_server, advisor, tariffs_in_force, melgar_zone, smtp_inbox
):
    ask_for_quotation(page, live_server)
    quote_request = QuoteRequest.objects.get()
    assert quote_request.advisor == advisor

    # The advisor finds the request in the queue and registers the requester.
    log_in(page, live_server, "asesor1")
    page.goto(f"{live_server.url}/solicitudes/")
    page.get_by_role("link", name=quote_request.number).click()
    page.get_by_role("button", name="Registrar cliente").click()
    page.get_by_role("link", name="Cotizar").click()
    page.get_by_role("button", name="Crear borrador").click()
    page.get_by_role("heading", name="Cotización (borrador)").wait_for()

    add_line(page, "SE-101", "3")
    add_line(page, "SE-201", "2")
    page.get_by_role("button", name="Emitir").click()
    code = f"COT-{timezone.localdate().year}-00001"
    page.get_by_role("heading", name=f"Cotización {code}").wait_for()
    quotation = Quotation.objects.get()
    assert quotation.code == code

    # The PDF the advisor downloads is the stored one, with accents intact.
    pdf_url = page.get_by_role("link", name="Ver PDF").get_attribute("href")
    response = page.request.get(f"{live_server.url}{pdf_url}")
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(
        page_.extract_text() for page_ in PdfReader(io.BytesIO(response.body())).pages
    )
    assert code in text
    assert REQUESTER in text
    assert "COTIZACIÓN" in text
    assert "Poda de árbol" in text
    # 3 m³ of debris at $ 82.000 (excluded) + 2 trees at $ 165.000 plus IVA 19 %.
    assert "Total $ 638.700" in text
    assert "SEISCIENTOS TREINTA Y OCHO MIL SETECIENTOS PESOS M/CTE" in text

    page.get_by_role("link", name="Enviar por correo").click()
    assert page.get_by_label("Para").input_value() == REQUESTER_EMAIL
    page.get_by_role("button", name="Enviar por correo").click()
    page.get_by_text("Cotización enviada por correo.").wait_for()
    outgoing = OutgoingEmail.objects.get(kind="cotizacion")
    assert outgoing.status == OutgoingEmail.Status.SENT
    sent = [m for m in smtp_inbox.messages if code in m["Subject"]]
    assert len(sent) == 1
    attachment = next(sent[0].iter_attachments())
    assert attachment.get_filename() == f"Cotización {code}.pdf"
    assert attachment.get_content() == response.body()

    page.get_by_role("link", name="Registrar aceptación").click()
    page.get_by_label("Canal de aceptación").select_option(value="correo")
    page.get_by_label("Texto del correo de aceptación").fill(
        f"Aprobamos la cotización {code}. Gracias."
    )
    page.get_by_role("button", name="Registrar aceptación").click()
    heading = page.get_by_role("heading", name=f"Cotización {code}")
    heading.get_by_text("Aceptada").wait_for()
    assert page.get_by_text("Cliente listo para vinculación").is_visible()
    assert list(customers_ready_for_onboarding()) == [quotation.customer]
