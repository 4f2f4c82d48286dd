import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError

from core.models import OutgoingEmail
from quotations import services
from quotations.models import Quotation
from quotations.tests.helpers import make_quotation

pytestmark = pytest.mark.django_db


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
    yield inbox
    controller.stop()


@pytest.fixture
def issued(advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "2")])
    return services.quotation_issue(quotation=draft, user=advisor)


def send(issued, advisor, capture):
    with capture(execute=True):
        return services.quotation_send_email(
            quotation=issued, user=advisor, to=["compras@lanapa.example.com"]
        )


def test_email_arrives_with_pdf_attached(
    issued, advisor, smtp_inbox, django_capture_on_commit_callbacks
):
    send(issued, advisor, django_capture_on_commit_callbacks)
    attachments = list(smtp_inbox.messages[0].iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content() == issued.pdf_file.open("rb").read()


def test_attachment_keeps_accented_file_name(
    issued, advisor, smtp_inbox, django_capture_on_commit_callbacks
):
    send(issued, advisor, django_capture_on_commit_callbacks)
    attachment = next(smtp_inbox.messages[0].iter_attachments())
    assert attachment.get_filename() == f"Cotización {issued.code}.pdf"


def test_email_is_spanish_and_names_the_code(
    issued, advisor, smtp_inbox, django_capture_on_commit_callbacks
):
    send(issued, advisor, django_capture_on_commit_callbacks)
    message = smtp_inbox.messages[0]
    assert issued.code in message["Subject"]
    assert "Adjuntamos la cotización" in message.get_body(("plain",)).get_content()


def test_email_is_recorded_in_outbox_as_sent(
    issued, advisor, smtp_inbox, django_capture_on_commit_callbacks
):
    outgoing = send(issued, advisor, django_capture_on_commit_callbacks)
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.SENT


def test_send_marks_quotation_sent(
    issued, advisor, smtp_inbox, django_capture_on_commit_callbacks
):
    send(issued, advisor, django_capture_on_commit_callbacks)
    issued.refresh_from_db()
    assert issued.status == Quotation.Status.SENT


def test_sending_again_sends_the_same_file(
    issued, advisor, smtp_inbox, django_capture_on_commit_callbacks
):
    send(issued, advisor, django_capture_on_commit_callbacks)
    send(issued, advisor, django_capture_on_commit_callbacks)
    first, second = (
        next(message.iter_attachments()).get_content()
        for message in smtp_inbox.messages
    )
    assert first == second


def test_send_rejects_invalid_address(issued, advisor):
    with pytest.raises(ValidationError, match="no es válido"):
        services.quotation_send_email(
            quotation=issued, user=advisor, to=["no-es-correo"]
        )


def test_draft_cannot_be_sent(advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    with pytest.raises(ValidationError, match="No se puede pasar"):
        services.quotation_send_email(
            quotation=draft, user=advisor, to=["compras@lanapa.example.com"]
        )


def test_whatsapp_link_has_e164_digits_and_code(issued):
    url = services.quotation_whatsapp_url(issued)
    assert url.startswith("https://wa.me/573105551234?text=")
    assert issued.code in url
