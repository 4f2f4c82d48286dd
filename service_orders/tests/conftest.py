"""Fixtures of the service order tests: an accepted quotation of an advisor's
customer, personas for operations and logistics, and a real SMTP server on
loopback."""

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.roles import Role
from core.calendar import add_business_days
from quotations.tests.helpers import make_tariff
from service_orders.crew import CrewInput
from tests.factories import make_accepted_quotation, make_customer, make_user, pdf_bytes

PDF_BYTES = pdf_bytes()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logistics_user(db):
    return make_user(Role.LOGISTICS, "logistica")


@pytest.fixture
def supervisor(db):
    return make_user(
        Role.OPERATIONS, "supervisor1", first_name="Sergio", last_name="Vargas"
    )


@pytest.fixture
def customer(advisor):
    return make_customer(
        name="Panadería La Ñapa S.A.S.",
        advisor=advisor,
        email="compras@lanapa.example.com",
        address="Carrera 26 # 8-15",
        barrio="Centro",
    )


@pytest.fixture
def other_customer(other_advisor):
    return make_customer(name="Cerámicas Doña Inés", advisor=other_advisor)


@pytest.fixture
def debris(director):
    return make_tariff(
        director, code="SE-101", price="100000", service="Retiro de escombros"
    )


@pytest.fixture
def pruning(director):
    return make_tariff(
        director,
        code="SE-201",
        price="85000",
        tax="excluido",
        service="Poda de árbol mediano",
        unit="arbol",
    )


@pytest.fixture
def quotation(customer, advisor, debris, pruning):
    return make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "6"), (pruning, "2")]
    )


@pytest.fixture
def other_quotation(other_customer, other_advisor, debris):
    return make_accepted_quotation(
        customer=other_customer, advisor=other_advisor, lines=[(debris, "1")]
    )


@pytest.fixture
def service_day():
    """A business day a few days ahead."""
    return add_business_days(timezone.localdate(), 3)


@pytest.fixture
def sunday():
    today = timezone.localdate()
    return today + timedelta(days=6 - today.weekday() or 7)


@pytest.fixture
def crew():
    return [
        CrewInput("Pedro Pérez Rincón", "1023456789", "Conductor"),
        CrewInput("Luz Marina Ortiz", "52345678", "Operaria"),
    ]


def register_prepayment(order, user, amount=None):
    """Record an aforo charging the first line's unit price and a prepayment of
    `amount` (that price by default) the way field_work does, with a PDF receipt."""
    from field_work.models import Aforo, Prepayment

    price = order.lines.first().unit_price
    aforo = Aforo.objects.filter(order=order).first() or Aforo.objects.create(
        order=order,
        measured_on=timezone.localdate(),
        measured_by=user,
        method=Aforo.Method.VOLUME,
        charge_net=price,
        charge_tax=0,
        charge_total=price,
        created_by=user,
    )
    return Prepayment.objects.create(
        order=order,
        aforo=aforo,
        reference="CONSIG-4471",
        paid_on=timezone.localdate(),
        amount=price if amount is None else amount,
        receipt=ContentFile(PDF_BYTES, name="recibo.pdf"),
        receipt_content_type="application/pdf",
        registered_by=user,
    )


class RecordingHandler:
    """Keep every message the server accepts, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted"

    def bodies_to(self, address) -> list[str]:
        return [
            message.get_body(("plain",)).get_content()
            for recipients, message in self.messages
            if address in recipients
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler
    controller.stop()
