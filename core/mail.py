"""Outgoing e-mail through the outbox (core.models.OutgoingEmail).

Callers use `email_queue`: the message is stored first and sent once the surrounding
transaction commits, so a rolled-back workflow sends nothing and a failed send is kept
with its error for `email_send` to retry.
"""

import logging
import mimetypes
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename

from core.models import OutgoingEmail

logger = logging.getLogger(__name__)

OUTBOX_DIR = "outbox"

# A pending message younger than this may still be in the hands of the on_commit send
# of the request that queued it, so send_pending_emails leaves it alone.
PENDING_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class Attachment:
    """A file to attach: its name as the recipient sees it, and its bytes."""

    name: str
    content: bytes
    mimetype: str = ""


def email_queue(
    *,
    kind: str,
    to: list[str],
    subject: str,
    template: str,
    context: dict,
    cc: list[str] | None = None,
    attachments: list[Attachment] = (),
    created_by=None,
) -> OutgoingEmail:
    """Store an e-mail rendered from `template` and send it after the transaction commits.

    `template` names a pair `<template>.txt` and, optionally, `<template>.html`.
    """
    context = {
        **context,
        "site_url": settings.SITE_URL,
        "company_name": settings.COMPANY_NAME,
    }
    body_text = render_to_string(f"{template}.txt", context)
    try:
        body_html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        body_html = ""

    email = OutgoingEmail.objects.create(
        kind=kind,
        to=list(to),
        cc=list(cc or []),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        created_by=created_by,
    )
    if attachments:
        email.attachments = [_store_attachment(email, item) for item in attachments]
        email.save(update_fields=["attachments"])

    transaction.on_commit(lambda: email_send(email.pk))
    return email


def email_send(email_id: int) -> bool:
    """Send one stored e-mail now and record the outcome; return whether it was sent.

    SMTP and network failures are recorded on the message and logged instead of
    raised, because the workflow that queued the message has already committed.
    """
    email = OutgoingEmail.objects.get(pk=email_id)
    if email.status == OutgoingEmail.Status.SENT:
        return True

    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        cc=email.cc,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments:
        content = (Path(settings.MEDIA_ROOT) / item["path"]).read_bytes()
        message.attach(item["name"], content, item["mimetype"])

    email.attempts += 1
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        email.status = OutgoingEmail.Status.FAILED
        email.last_error = f"{type(error).__name__}: {error}"
        email.save(update_fields=["status", "attempts", "last_error"])
        logger.warning(
            "E-mail %s (%s) failed: %s", email.pk, email.kind, email.last_error
        )
        return False

    email.status = OutgoingEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    logger.info("E-mail %s (%s) sent", email.pk, email.kind)
    return True


@dataclass(frozen=True)
class SendSummary:
    """Outcome of one pass over the outbox."""

    sent: int
    failed: int


def email_send_pending(*, max_attempts: int | None = None) -> SendSummary:
    """Send again every failed message, and every pending one older than
    PENDING_GRACE, that has had fewer than `max_attempts` attempts.

    `max_attempts` defaults to settings.EMAIL_MAX_ATTEMPTS.
    """
    # NOTE: nothing locks a message while it is sent, so two passes running at once
    # can send it twice. Schedule one send_pending_emails at a time.
    if max_attempts is None:
        max_attempts = settings.EMAIL_MAX_ATTEMPTS
    due = OutgoingEmail.objects.filter(attempts__lt=max_attempts).filter(
        Q(status=OutgoingEmail.Status.FAILED)
        | Q(
            status=OutgoingEmail.Status.PENDING,
            created_at__lte=timezone.now() - PENDING_GRACE,
        )
    )
    sent = failed = 0
    for email_id in due.order_by("pk").values_list("pk", flat=True):
        if email_send(email_id):
            sent += 1
        else:
            failed += 1
    logger.info("Outbox pass: %s sent, %s failed", sent, failed)
    return SendSummary(sent=sent, failed=failed)


def email_retry(*, email: OutgoingEmail, user) -> bool:
    """Send a failed message again at a user's request, whatever its attempt count."""
    logger.info("E-mail %s retried by user %s", email.pk, user.pk)
    return email_send(email.pk)


def _store_attachment(email: OutgoingEmail, item: Attachment) -> dict:
    folder = Path(settings.MEDIA_ROOT) / OUTBOX_DIR / str(email.pk)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = get_valid_filename(item.name) or "adjunto"
    (folder / stored_name).write_bytes(item.content)
    mimetype = (
        item.mimetype
        or mimetypes.guess_type(item.name)[0]
        or "application/octet-stream"
    )
    return {
        "name": item.name,
        "path": f"{OUTBOX_DIR}/{email.pk}/{stored_name}",
        "mimetype": mimetype,
    }
