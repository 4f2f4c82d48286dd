"""`email_send_pending` and the send_pending_emails command (locmem backend)."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.mail import email_send_pending
from core.models import OutgoingEmail

FAILED = OutgoingEmail.Status.FAILED
PENDING = OutgoingEmail.Status.PENDING
SENT = OutgoingEmail.Status.SENT


def closed_port() -> int:
    """Return a loopback port that was free a moment ago, so connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stored_email(status=FAILED, attempts=1, age=timedelta(hours=1), **fields):
    email = OutgoingEmail.objects.create(
        kind="Prueba",
        to=["asesor@aseo.example.com"],
        subject="Asignación de zona Melgar",
        body_text="Cartera asignada.",
        status=status,
        attempts=attempts,
        last_error="ConnectionRefusedError: [Errno 111]" if status == FAILED else "",
        **fields,
    )
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - age)
    return email


def test_failed_message_is_sent(db):
    email = stored_email()
    summary = email_send_pending()
    email.refresh_from_db()
    assert summary.sent == 1
    assert email.status == SENT
    assert email.attempts == 2


def test_old_pending_message_is_sent(db):
    stored_email(status=PENDING, attempts=0)
    email_send_pending()
    assert len(mail.outbox) == 1


def test_fresh_pending_message_is_left_alone(db):
    stored_email(status=PENDING, attempts=0, age=timedelta(seconds=10))
    email_send_pending()
    assert mail.outbox == []


def test_sent_message_is_not_sent_again(db):
    stored_email(status=SENT)
    email_send_pending()
    assert mail.outbox == []


def test_message_at_max_attempts_is_skipped(db, settings):
    settings.EMAIL_MAX_ATTEMPTS = 3
    stored_email(attempts=3)
    summary = email_send_pending()
    assert summary.sent == 0
    assert mail.outbox == []


def test_message_below_max_attempts_is_sent(db, settings):
    settings.EMAIL_MAX_ATTEMPTS = 3
    stored_email(attempts=2)
    email_send_pending()
    assert len(mail.outbox) == 1


def test_command_option_overrides_setting(db, settings):
    settings.EMAIL_MAX_ATTEMPTS = 10
    stored_email(attempts=2)
    call_command("send_pending_emails", "--max-attempts", "2")
    assert mail.outbox == []


def test_command_reports_counts(db, capsys):
    stored_email()
    call_command("send_pending_emails")
    assert "Enviados: 1, fallidos: 0" in capsys.readouterr().out


def test_command_fails_when_a_send_fails(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 5
    email = stored_email()
    with pytest.raises(CommandError, match="1 correo falló"):
        call_command("send_pending_emails")
    email.refresh_from_db()
    assert email.attempts == 2


def test_command_rejects_zero_max_attempts(db):
    with pytest.raises(CommandError, match="--max-attempts=0"):
        call_command("send_pending_emails", "--max-attempts", "0")
