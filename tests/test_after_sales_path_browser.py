"""The after-sales path in Chromium with the demo data, page by page as each role
works it.

One of the demo's open quotations of a new customer (first service, not in the
subscriber registry) goes all the way: the advisor records the customer's acceptance,
which opens the onboarding, uploads the onboarding documents
and billing approves the customer with payment in advance; the advisor creates the
service order and requests a date from operations. Operations cannot schedule it
until the logistics assistant records the aforo and the advisor registers the
customer's payment. Then operations schedule it and the customer receives the crew
e-mail on a real SMTP server on loopback. On the service day operations record the
executed quantities and upload the proof. At month end the coordinator downloads the
monthly workbook and sends it to billing, billing records the invoice number, the
advisor drafts the certificate, the director signs it, and anyone verifies it on the
public page while logged out.

The clock is frozen in America/Bogota and moved forward between the steps. The demo
is loaded at the first moment, so its quotations are dated back from that day.
"""

import email
import email.policy
import io
import socket
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from accounts.models import User
from accounts.roles import Role
from billing.workbook import columns
from certificates.models import Certificate
from customers.models import Customer
from demo import data as demo_data
from field_work.models import Aforo, Prepayment, ServiceProof
from onboarding.models import CustomerDocument, Onboarding
from quotations.models import Quotation
from service_orders.models import ServiceOrder
from tariffs.models import TariffItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOGOTA = ZoneInfo("America/Bogota")
CREW = [
    ("Pedro Pérez Rincón", "1023456789", "1.023.456.789", "conductor"),
    ("Luz Dary Ortiz", "52345678", "52.345.678", "operaria"),
]
PLATE = "WXY987"
INVOICE = "FE-90017"
AFORO_TARIFF = "SE-101"
# The header row of the monthly workbook (1-based, as openpyxl counts).
WORKBOOK_HEADER_ROW = 4


def bogota(year, month, day, hour=9):
    return datetime(year, month, day, hour, tzinfo=BOGOTA)


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


def pdf_bytes(text: str) -> bytes:
    """Return a one-page PDF of a blank image, as a scanner produces it, with
    `text` as its title."""
    image = Image.new("RGB", (400, 200), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", title=text)
    return buffer.getvalue()


def png_bytes(size=(300, 120), colour="white") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(name)}


def png_file(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": png_bytes()}


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo_data.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def log_out(page):
    page.get_by_role("button", name="Salir").click()
    page.wait_for_url("**/ingresar/")


def main_text(page) -> str:
    return page.inner_text("main")


def next_code(codes, prefix: str) -> str:
    """Return the code after the highest of `codes` that start with `prefix`."""
    numbers = [
        int(code.removeprefix(prefix)) for code in codes if code.startswith(prefix)
    ]
    return f"{prefix}{max(numbers, default=0) + 1:05d}"


def first_time_quotation() -> Quotation:
    """Return the oldest open demo quotation of a legal entity that is a new
    customer, outside the subscriber registry and without service orders yet. The
    demo's after-sales story already served every accepted one."""
    return (
        Quotation.objects.filter(
            status__in=Quotation.OPEN_STATUSES,
            customer__customer_type=Customer.CustomerType.NEW,
            customer__in_catastro=False,
            customer__person_kind=Customer.PersonKind.LEGAL,
            customer__service_orders__isnull=True,
        )
        .exclude(customer__email="")
        .select_related("customer", "advisor")
        .order_by("issued_at", "pk")
        .first()
    )


def accept_quotation(page, live_server, quotation):
    """The advisor records the acceptance the customer sent by e-mail."""
    log_in(page, live_server, quotation.advisor.username)
    open_quotation(page, quotation.code)
    page.get_by_role("link", name="Registrar aceptación").click()
    page.get_by_label("Canal de aceptación").select_option(value="correo")
    page.get_by_label("Texto del correo de aceptación").fill(
        f"Aceptamos la cotización {quotation.code}."
    )
    page.get_by_role("button", name="Registrar aceptación").click()
    heading = page.get_by_role("heading", name=f"Cotización {quotation.code}")
    heading.get_by_text("Aceptada").wait_for()


def upload_onboarding_document(page, label, file, **fields):
    form = page.locator("#documentos form")
    form.locator("#id_kind").select_option(label=label)
    form.locator("#id_file").set_input_files(file)
    if "issued_on" in fields:
        form.locator("#id_issued_on").fill(fields["issued_on"])
    if "nit" in fields:
        form.locator("#id_document_id_number").fill(fields["nit"])
    form.get_by_role("button", name="Subir documento").click()
    page.locator("#documentos").get_by_text(f"Documento «{label}» guardado.").wait_for()


def onboard_customer(page, live_server, quotation):
    """The advisor uploads the documents and submits; billing approves the customer
    with payment in advance."""
    customer = quotation.customer
    log_in(page, live_server, quotation.advisor.username)
    open_quotation(page, quotation.code)
    page.get_by_role("link", name="Ver vinculación").click()
    page.get_by_role("heading", name=f"Vinculación de {customer.name}").wait_for()
    assert "Faltan 3 documentos obligatorios" in main_text(page)

    upload_onboarding_document(
        page, "RUT", pdf_file("rut.pdf"), nit=customer.identification_display
    )
    upload_onboarding_document(
        page,
        "Certificado de Cámara de Comercio",
        pdf_file("camara.pdf"),
        issued_on="2026-11-03",
    )
    upload_onboarding_document(
        page, "Cédula del representante legal", png_file("cedula.png")
    )
    assert "Están todos los documentos obligatorios" in main_text(page)

    page.get_by_role("link", name="Revisar datos del cliente").click()
    page.get_by_role("button", name="Confirmar datos revisados").click()
    page.get_by_role("button", name="Enviar a facturación").click()
    page.get_by_text("Vinculación enviada a facturación.").wait_for()

    log_in(page, live_server, "facturacion")
    page.get_by_role("link", name="Vinculaciones").click()
    page.get_by_role("link", name="Pendientes de aprobación").click()
    page.get_by_role("link", name=customer.name).click()
    page.get_by_label("Aprobar el cliente").check()
    page.get_by_label("Condición de pago").select_option(value="anticipado")
    page.get_by_role("button", name="Registrar decisión").click()
    page.get_by_text("Cliente aprobado.").wait_for()


def test_accepted_quotation_to_verified_certificate(
    page, live_server, settings, smtp_inbox, tmp_path
):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"

    with time_machine.travel(bogota(2026, 11, 9, 8), tick=True) as traveller:
        call_command("load_demo", stdout=StringIO())
        # The demo's own notices went to the same server.
        smtp_inbox.messages.clear()
        quotation = first_time_quotation()
        assert quotation is not None
        customer = quotation.customer
        advisor = quotation.advisor

        # Monday 9 November: the acceptance and the onboarding, with real files.
        accept_quotation(page, live_server, quotation)
        onboard_customer(page, live_server, quotation)
        onboarding = Onboarding.objects.get(customer=customer)
        assert onboarding.status == Onboarding.Status.APPROVED
        assert onboarding.payment_terms == "anticipado"
        assert CustomerDocument.objects.filter(customer=customer).count() == 3

        # The advisor creates the order from the quotation and requests a date.
        log_in(page, live_server, advisor.username)
        open_quotation(page, quotation.code)
        codes_before = set(ServiceOrder.objects.values_list("code", flat=True))
        page.get_by_role("link", name="Crear orden de servicio").click()
        page.get_by_role("button", name="Crear orden de servicio").click()
        page.locator("h1:has-text('Orden de servicio OS-')").wait_for()
        assert "requiere pago anticipado" in main_text(page)
        order = ServiceOrder.objects.get(customer=customer)
        assert order.prepayment_required
        # The next code of the series the demo's orders started.
        assert order.code == next_code(codes_before, "OS-2026-")

        page.get_by_role("link", name="Solicitar fecha a operaciones").click()
        page.fill("input[name=requested_date]", "2026-11-11")
        page.get_by_role("button", name="Solicitar fecha a operaciones").click()
        page.get_by_text("Fecha solicitada a operaciones.").wait_for()

        # Operations cannot schedule it before the payment.
        log_in(page, live_server, "operaciones")
        page.click("nav >> text=Programación")
        waiting = page.locator("tr", has_text=order.code)
        assert "Pendiente: no se puede programar" in waiting.inner_text()
        assert waiting.get_by_role("link", name="Programar").count() == 0
        # The order page still offers the form; the rule rejects it there too.
        waiting.get_by_role("link", name=order.code).click()
        page.get_by_role("link", name="Programar servicio").click()
        fill_schedule(page)
        page.get_by_role("button", name="Programar servicio").click()
        page.get_by_text(f"La orden {order.code} requiere pago anticipado").wait_for()
        order.refresh_from_db()
        assert order.status == ServiceOrder.Status.REQUESTED
        assert smtp_inbox.messages == []

        # The logistics assistant measures the waste the customer produces.
        log_in(page, live_server, "logistica")
        open_order(page, order.code)
        page.get_by_role("link", name="Aforo, pagos y soportes").click()
        page.get_by_role("link", name="Registrar aforo").click()
        record_aforo(page)
        page.get_by_text("Aforo registrado").wait_for()
        aforo = Aforo.objects.get(order=order)
        debris = TariffItem.objects.approved().get(code=AFORO_TARIFF)
        assert aforo.charge_total == (Decimal("2.2") * debris.unit_price).quantize(
            Decimal("0.01")
        )

        # The customer pays the charge and sends the receipt to the advisor, who
        # registers it (operations and logistics cannot).
        assert page.get_by_role("link", name="Registrar pago").count() == 0
        log_in(page, live_server, advisor.username)
        open_order(page, order.code)
        page.get_by_role("link", name="Aforo, pagos y soportes").click()
        page.get_by_role("link", name="Registrar pago").click()
        page.fill("input[name=reference]", "CONSIGNACION 778812")
        page.fill("input[name=paid_on]", "2026-11-09")
        page.fill("input[name=amount]", str(aforo.charge_total))
        page.set_input_files("input[name=receipt]", pdf_file("consignacion.pdf"))
        page.get_by_role("button", name="Registrar pago").click()
        page.get_by_text("Pago anticipado registrado.").wait_for()
        assert Prepayment.objects.filter(order=order).count() == 1

        # Now operations schedule it, and the customer receives the crew e-mail.
        log_in(page, live_server, "operaciones")
        page.click("nav >> text=Programación")
        page.locator("tr", has_text=order.code).get_by_role(
            "link", name="Programar"
        ).click()
        fill_schedule(page)
        page.get_by_role("button", name="Programar servicio").click()
        page.get_by_text("Servicio programado.").wait_for()
        order.refresh_from_db()
        assert order.status == ServiceOrder.Status.SCHEDULED
        assert order.scheduled_date == date(2026, 11, 11)

        assert len(smtp_inbox.messages) == 1
        crew_email = smtp_inbox.messages[0]
        assert crew_email["To"] == customer.email
        assert order.code in crew_email["Subject"]
        body = crew_email.get_body(preferencelist=("plain",)).get_content()
        for name, _number, displayed_id, _role in CREW:
            assert f"{name}, cédula {displayed_id}" in body
        assert f"placa {PLATE}" in body
        assert "11/11/2026" in body

        # Wednesday 11 November: the service is done; operations record the
        # executed quantities and upload the proof.
        traveller.move_to(bogota(2026, 11, 11, 16))
        log_in(page, live_server, "operaciones")
        page.click("nav >> text=Soportes del día")
        page.get_by_role("link", name="Registrar ejecución").click()
        # One unit less than quoted on the first line; the rest as quoted.
        line = order.lines.order_by("pk").first()
        executed = line.quantity - 1
        assert page.input_value("input[name=executed_on]") == "2026-11-11"
        page.fill(f"input[name=linea_{line.pk}]", str(executed))
        page.get_by_role("button", name="Marcar como ejecutada").click()
        page.get_by_text(f"Orden {order.code} ejecutada.").wait_for()
        upload_proof(
            page, order.code, "Orden de servicio firmada", pdf_file("orden-firmada.pdf")
        )
        upload_proof(page, order.code, "Fotografía", png_file("volqueta.png"))
        upload_proof(
            page,
            order.code,
            "Tiquete de báscula",
            pdf_file("tiquete.pdf"),
            reference="TB-4411",
        )
        order.refresh_from_db()
        assert order.status == ServiceOrder.Status.EXECUTED
        assert order.executed_on == date(2026, 11, 11)
        assert ServiceProof.objects.filter(order=order).count() == 3

        # Tuesday 1 December: the coordinator checks November's workbook and
        # sends it to billing.
        traveller.move_to(bogota(2026, 12, 1, 8))
        log_in(page, live_server, "coordinadora")
        page.get_by_role("link", name="Facturación de servicios").click()
        page.fill("input[name=mes]", "2026-11")
        page.get_by_role("button", name="Ver").click()
        page.get_by_text(order.code).first.wait_for()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Descargar consolidado (Excel)").click()
        workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
        check_workbook_row(workbook.active, order, line, executed, customer)

        page.get_by_role("link", name="Enviar a facturación").click()
        page.get_by_role("button", name="Enviar a facturación").click()
        page.get_by_text("Consolidado de noviembre de 2026 enviado").wait_for()
        order.refresh_from_db()
        assert order.handoff_id is not None

        # Billing records the invoice number from the accounting software.
        log_in(page, live_server, "facturacion")
        page.get_by_role("link", name="Facturas", exact=True).click()
        page.get_by_label(f"Número de factura de {order.code}").fill(INVOICE)
        page.get_by_label(f"Fecha de factura de {order.code}").fill("2026-12-01")
        page.locator("tr", has_text=order.code).get_by_role(
            "button", name="Registrar"
        ).click()
        page.get_by_text(f"Factura registrada en la orden {order.code}").wait_for()
        order.refresh_from_db()
        assert order.invoice_number == INVOICE
        # Billing cannot touch the executed quantities of the handed-over order.
        execution_url = f"{live_server.url}/operaciones/ordenes/{order.pk}/ejecucion/"
        assert page.request.get(execution_url).status == 403

        # Another advisor cannot open this customer's files.
        other = (
            User.objects.filter(groups__name=Role.ADVISOR.value)
            .exclude(pk=advisor.pk)
            .order_by("username")
            .first()
        )
        log_in(page, live_server, other.username)
        for document in CustomerDocument.objects.filter(customer=customer):
            url = reverse("onboarding:download", args=[document.pk])
            assert page.request.get(f"{live_server.url}{url}").status == 404
        for proof in ServiceProof.objects.filter(order=order):
            url = proof.get_absolute_url()
            assert page.request.get(f"{live_server.url}{url}").status == 404

        # Wednesday 2 December: the customer requests the certificate by e-mail, so
        # the advisor drafts it and the director signs it.
        traveller.move_to(bogota(2026, 12, 2, 10))
        log_in(page, live_server, advisor.username)
        draft_certificate(page, customer, order)
        certificate = Certificate.objects.get(customer=customer)
        assert page.locator("button:has-text('Firmar')").count() == 0

        # The demo director has no signature image yet: she uploads it first.
        log_in(page, live_server, "director")
        page.click("nav >> text=Certificados")
        page.get_by_role("link", name="Mi firma").click()
        page.set_input_files("input[name=image]", png_file("firma.png"))
        page.get_by_role("button", name="Guardar firma").click()
        page.click("nav >> text=Certificados")
        page.select_option("select[name=estado]", "borrador")
        page.get_by_role("button", name="Filtrar").click()
        page.locator("tr", has_text=customer.name).get_by_role(
            "link", name="Borrador"
        ).click()
        signed_before = set(
            Certificate.objects.exclude(code="").values_list("code", flat=True)
        )
        page.get_by_role("button", name="Firmar").click()
        page.get_by_text("Certificado firmado con el código").wait_for()
        certificate.refresh_from_db()
        assert certificate.code == next_code(signed_before, "CERT-2026-")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Descargar PDF").click()
        reader = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
        text = "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)
        assert certificate.code in text
        assert customer.name in text
        assert order.code in text
        assert INVOICE in text
        assert "TB-4411" in text
        log_out(page)

        # Anyone holding the PDF verifies it on the public page.
        page.goto(f"{live_server.url}{certificate.get_public_url()}")
        verification = main_text(page)
        assert "Certificado válido" in verification
        assert certificate.code in verification
        assert customer.name in verification
        assert customer.id_number not in page.content()
        assert customer.id_number[-3:] in verification


def open_quotation(page, code):
    page.click("nav >> text=Cotizaciones")
    page.fill("input[name=q]", code)
    page.press("input[name=q]", "Enter")
    page.get_by_role("link", name=code).click()


def open_order(page, code):
    page.click("nav >> text=Órdenes de servicio")
    page.fill("input[name=q]", code)
    page.press("input[name=q]", "Enter")
    page.get_by_role("link", name=code).click()
    page.locator(f"h1:has-text('Orden de servicio {code}')").wait_for()


def fill_schedule(page):
    page.fill("input[name=scheduled_time]", "07:30")
    page.fill(
        "textarea[name=crew]",
        "\n".join(
            f"{name}; {number}; {role}" for name, number, _displayed_id, role in CREW
        ),
    )
    page.fill("input[name=vehicle_plate]", PLATE.lower())
    page.select_option("select[name=supervisor]", label="Jorge Enrique Rubio Castaño")


def record_aforo(page):
    # Two 1.100 L containers, measured in m³ and charged at the debris tariff,
    # because the aforo form charges only tariffs sold by volume or weight.
    page.select_option("select[name=method]", "recipientes")
    page.fill("[name='lecturas-0-container']", "Contenedor de 1.100 L")
    page.fill("[name='lecturas-0-count']", "2")
    page.fill("[name='lecturas-0-reading']", "1.1")
    page.select_option("[name='lecturas-0-unit']", "m3")
    page.select_option("[name='lecturas-0-tariff_code']", AFORO_TARIFF)
    page.set_input_files("[name=signed_record]", pdf_file("acta-aforo.pdf"))
    page.set_input_files("[name=photos]", png_file("contenedores.png"))
    page.get_by_role("button", name="Registrar aforo").click()


def upload_proof(page, code, kind, file, reference=""):
    form = page.locator("form", has=page.locator("select[name=kind]"))
    form.locator("select[name=kind]").select_option(label=kind)
    form.locator("input[name=files]").set_input_files(file)
    form.locator("input[name=reference]").fill(reference)
    form.get_by_role("button", name="Subir soportes").click()
    page.get_by_text(f"1 soporte de {code} guardado.").wait_for()


def check_workbook_row(sheet, order, line, executed, customer):
    headers = [column.header for column in columns()]
    position = {header: index + 1 for index, header in enumerate(headers)}
    assert [
        sheet.cell(row=WORKBOOK_HEADER_ROW, column=index + 1).value
        for index in range(len(headers))
    ] == headers
    rows = [
        row
        for row in range(WORKBOOK_HEADER_ROW + 1, sheet.max_row + 1)
        if sheet.cell(row=row, column=position["Orden de servicio"]).value == order.code
        and sheet.cell(row=row, column=position["Código del servicio"]).value
        == line.code
    ]
    assert len(rows) == 1
    row = rows[0]

    def cell(header):
        return sheet.cell(row=row, column=position[header]).value

    net = (line.unit_price * executed).quantize(Decimal("0.01"))
    tax = (net * line.tax_rate).quantize(Decimal("0.01"))
    assert cell("Cliente") == customer.name
    assert cell("NIT o identificación") == customer.identification_display
    assert cell("Código del servicio") == line.code
    assert Decimal(str(cell("Cantidad ejecutada"))) == executed
    assert Decimal(str(cell("Valor unitario"))) == line.unit_price
    assert Decimal(str(cell("Subtotal"))) == net
    assert Decimal(str(cell("IVA"))) == tax
    assert Decimal(str(cell("Total"))) == net + tax
    assert cell("Cotización") == order.quotation.code
    assert cell("Soportes") == 3
    assert cell("Fecha de ejecución").date() == date(2026, 11, 11)


def draft_certificate(page, customer, order):
    page.click("nav >> text=Certificados")
    page.get_by_role("link", name="Nuevo certificado").click()
    page.select_option("select[name=customer]", str(customer.pk))
    page.select_option("select[name=request_channel]", "correo")
    page.fill("input[name=request_reference]", "Correo del 02/12/2026")
    page.fill("input[name=requested_on]", "2026-12-02")
    page.fill("input[name=period_start]", "2026-11-01")
    page.fill("input[name=period_end]", "2026-11-30")
    page.fill("input[name=waste_type]", "Residuos especiales")
    page.fill("input[name=destination_site]", "Relleno sanitario Parque Ambiental")
    page.fill("input[name=destination_authorization]", "Resolución 0931 de 2019")
    page.click("button[name=buscar]")
    page.check(f"input[name=orders][value='{order.pk}']")
    page.get_by_role("button", name="Guardar borrador").click()
    page.get_by_text("Borrador de certificado guardado.").wait_for()
