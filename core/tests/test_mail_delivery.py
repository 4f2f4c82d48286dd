"""Delivery to a real SMTP server (aiosmtpd) started by each test on loopback."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from core.mail import email_queue, email_send
from core.models import OutgoingEmail
from customers.models import Customer
from tests.factories import make_customer, make_zone
from zones import services


class RecordingHandler:
    """Keep every message the server accepts, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def smtp_server(smtp_port):
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def assigned_zone(
    director, advisor, other_advisor, settings, django_capture_on_commit_callbacks
):
    """Confirm the assignment of a six-customer zone, running the on_commit sends."""
    settings.SITE_URL = "https://ventas.aseo.example.com"
    zone = make_zone("Ibagué Centro", advisors=[advisor, other_advisor])
    for number in range(6):
        make_customer(
            zone=zone,
            customer_type=Customer.CustomerType.NEW
            if number < 2
            else Customer.CustomerType.EXISTING,
        )
    advisors = [advisor, other_advisor]
    plan = services.assignment_plan(zone=zone, advisors=advisors)
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_confirm(
            zone=zone, advisors=advisors, user=director, plan_digest=plan.digest
        )
    return zone


def message_to(handler, address):
    return next(message for rcpt, message in handler.messages if address in rcpt)


def test_assignment_sends_one_message_per_advisor(smtp_server, assigned_zone):
    assert len(smtp_server.messages) == 2


def test_assignment_message_subject_in_spanish(smtp_server, assigned_zone, advisor):
    message = message_to(smtp_server, advisor.email)
    assert message["Subject"] == "Asignación de zona Ibagué Centro: 3 clientes"


def test_assignment_message_body_states_counts_and_link(
    smtp_server, assigned_zone, advisor
):
    body = message_to(smtp_server, advisor.email).get_body(("plain",)).get_content()
    assert "Hola, Andrés:" in body
    assert "le asignó la zona Ibagué Centro" in body
    assert "3 clientes (1 nuevo y 2 antiguos)" in body
    assert "https://ventas.aseo.example.com/clientes/" in body


def test_assignment_message_is_utf8_with_html(smtp_server, assigned_zone, advisor):
    message = message_to(smtp_server, advisor.email)
    html = message.get_body(("html",))
    assert html.get_content_charset() == "utf-8"
    assert "Ibagué Centro" in html.get_content()


def test_assignment_outbox_records_sent(smtp_server, assigned_zone):
    statuses = set(OutgoingEmail.objects.values_list("status", flat=True))
    assert statuses == {OutgoingEmail.Status.SENT}


def queue_one(django_capture_on_commit_callbacks) -> OutgoingEmail:
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            kind="Prueba",
            to=["asesora@aseo.example.com"],
            subject="Reunión comercial del miércoles",
            template="zones/email/assignment",
            context={
                "advisor": {"first_name": "Lucía", "username": "lucia"},
                "zone": {"name": "Espinal"},
                "share": {"total": 1, "new_count": 1, "existing_count": 0},
                "portfolio_url": "https://ventas.aseo.example.com/clientes/",
            },
        )
    email.refresh_from_db()
    return email


def test_closed_port_records_failure(db, smtp_port, django_capture_on_commit_callbacks):
    email = queue_one(django_capture_on_commit_callbacks)
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error


def test_retry_after_server_starts_succeeds(
    db, smtp_port, django_capture_on_commit_callbacks
):
    email = queue_one(django_capture_on_commit_callbacks)
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        call_command("send_pending_emails")
    finally:
        controller.stop()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""
    assert handler.messages[0][1]["Subject"] == "Reunión comercial del miércoles"


def test_sent_message_is_not_sent_again(
    db, smtp_server, django_capture_on_commit_callbacks
):
    email = queue_one(django_capture_on_commit_callbacks)
    assert email_send(email.pk) is True
    assert len(smtp_server.messages) == 1
