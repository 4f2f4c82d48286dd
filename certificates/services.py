"""Certificate workflows: drafting from billed services, signing by the sales
director (consecutive code, stamped signature, stored PDF), revocation, and the
director's signature image."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.roles import Role
from certificates.models import (
    NUMBER_KIND,
    Certificate,
    CertificateLine,
    DirectorSignature,
)
from certificates.pdf import certificate_render_pdf
from core.numbering import number_take
from core.uploads import JPEG, PNG, upload_check, upload_extension
from customers.identification import IdType, format_identification
from customers.models import Customer
from field_work.models import ServiceProof
from service_orders.models import ServiceOrder

logger = logging.getLogger(__name__)

# Only the sales director signs and revokes certificates: administrators and the
# coordinator manage the system and the team, but the certificate is issued in the
# director's name, with the director's signature.
SIGNER_ROLE = Role.DIRECTOR

# Digits of the customer's ID left visible on the public verification page.
VISIBLE_ID_DIGITS = 3

MIN_REASON_LENGTH = 10


@dataclass(frozen=True)
class DraftData:
    """Fields the advisor fills in for a certificate, as the form cleans them."""

    request_channel: str
    request_reference: str
    requested_on: date
    period_start: date
    period_end: date
    orders: list
    waste_type: str
    destination_site: str
    destination_authorization: str
    weigh_tickets: str = ""
    notes: str = ""


def can_draft(user, customer: Customer) -> bool:
    """Return whether `user` may draft certificates for `customer`: its advisor or
    a manager (director, coordinator, administrator)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_manager:
        return True
    return user.is_advisor and customer.advisor_id == user.pk


def can_sign(user) -> bool:
    """Return whether `user` has the director role. Superuser status alone does
    not count, because the certificate carries the signer's name and signature."""
    return bool(user.is_authenticated and user.is_active and user.has_role(SIGNER_ROLE))


def billed_orders(customer: Customer, period_start: date, period_end: date):
    """Return the customer's orders executed inside the period and invoiced."""
    return (
        ServiceOrder.objects.filter(customer=customer)
        .executed_in(period_start, period_end)
        .exclude(invoice_number="")
        .order_by("executed_on", "code")
    )


def weigh_tickets_of(orders) -> str:
    """Return the references of the weigh-ticket proofs of `orders`, comma-separated."""
    references = (
        ServiceProof.objects.filter(
            order__in=orders, kind=ServiceProof.Kind.WEIGH_TICKET
        )
        .exclude(reference="")
        .order_by("taken_on", "pk")
        .values_list("reference", flat=True)
    )
    return ", ".join(dict.fromkeys(reference.strip() for reference in references))


def certificate_draft(*, customer: Customer, user, data: DraftData) -> Certificate:
    """Create a draft certificate for `customer` covering the chosen billed
    services, with one line per service item copied from its order."""
    if not can_draft(user, customer):
        raise PermissionDenied
    _check_draft_data(customer, data)
    weigh_tickets = data.weigh_tickets.strip() or weigh_tickets_of(data.orders)
    certificate = Certificate(customer=customer, drafted_by=user)
    _assign_fields(certificate, data, weigh_tickets)
    with transaction.atomic():
        certificate._history_user = user
        certificate.save()
        _copy_lines(certificate, data.orders)
    logger.info(
        "Certificate draft %s created for customer %s", certificate.pk, customer.pk
    )
    return certificate


def certificate_update(
    *, certificate: Certificate, user, data: DraftData
) -> Certificate:
    """Change a draft: its request, period, services and waste details. The lines
    are copied again from the chosen orders."""
    if not can_draft(user, certificate.customer):
        raise PermissionDenied
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        _require_draft(certificate)
        _check_draft_data(certificate.customer, data)
        _assign_fields(certificate, data, data.weigh_tickets.strip())
        certificate._history_user = user
        certificate.save()
        for line in certificate.lines.all():
            line._history_user = user
            line.delete()
        _copy_lines(certificate, data.orders)
    logger.info("Certificate draft %s updated", certificate.pk)
    return certificate


def certificate_sign(*, certificate: Certificate, user) -> Certificate:
    """Sign a draft as the sales director: take its consecutive code, stamp the
    director's name, title, signature image and time, and store its PDF.

    Everything happens in one transaction, so a failed render leaves the draft
    unsigned and returns the number to the series. The series stays locked for
    the render (about 100 ms), which is acceptable because one person signs.
    """
    if not can_sign(user):
        raise PermissionDenied
    signature = DirectorSignature.objects.filter(user=user).first()
    if signature is None or not signature.image:
        raise ValidationError(
            _(
                "No tiene una firma registrada. Suba la imagen de su firma en "
                "«Mi firma» y vuelva a firmar el certificado."
            )
        )
    written = []
    try:
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update()
                .select_related("customer")
                .get(pk=certificate.pk)
            )
            _require_draft(certificate)
            if not certificate.lines.exists():
                raise ValidationError(
                    _(
                        "El certificado no tiene servicios; edítelo y elija al menos uno."
                    )
                )
            signed_at = timezone.now()
            taken = number_take(
                kind=NUMBER_KIND, year=timezone.localdate(signed_at).year
            )
            certificate.code = taken.code
            certificate.status = Certificate.Status.SIGNED
            certificate.signed_by = user
            certificate.signed_at = signed_at
            certificate.signer_name = user.get_full_name() or user.username
            certificate.signer_title = signature.title
            # A copy, so that a later change of the director's signature leaves
            # signed certificates as they were.
            with signature.image.open("rb") as image:
                certificate.signature_image.save(
                    Path(signature.image.name).name,
                    ContentFile(image.read()),
                    save=False,
                )
            written.append(certificate.signature_image.name)

            pdf = certificate_render_pdf(certificate)
            certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            certificate.pdf_file.save(
                f"{signed_at:%Y}/{certificate.code}.pdf", ContentFile(pdf), save=False
            )
            written.append(certificate.pdf_file.name)
            certificate._history_user = user
            certificate._change_reason = _("Firmado")
            certificate.save()
    except BaseException:
        # The database rolled back; the files written for it must go too.
        for name in written:
            certificate.pdf_file.storage.delete(name)
        raise
    logger.info("Certificate %s signed as %s", certificate.pk, certificate.code)
    return certificate


def certificate_revoke(*, certificate: Certificate, user, reason: str) -> Certificate:
    """Revoke a signed certificate. It keeps its code and PDF, and the public
    verification page shows it as revoked from then on."""
    if not can_sign(user):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            _("Escriba el motivo de la revocación (al menos %(min)s caracteres).")
            % {"min": MIN_REASON_LENGTH}
        )
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status != Certificate.Status.SIGNED:
            raise ValidationError(
                _("Solo se revoca un certificado firmado; %(code)s está %(status)s.")
                % {
                    "code": str(certificate),
                    "status": certificate.get_status_display().lower(),
                }
            )
        certificate.status = Certificate.Status.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = user
        certificate.revocation_reason = reason
        certificate._history_user = user
        certificate._change_reason = _("Revocado")
        certificate.save()
    logger.info("Certificate %s revoked", certificate.code)
    return certificate


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """Return the stored PDF of a signed certificate, checked against its SHA-256."""
    if not certificate.pdf_file:
        raise ValidationError(
            _("El certificado %(certificate)s no está firmado y no tiene PDF.")
            % {"certificate": str(certificate)}
        )
    with certificate.pdf_file.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != certificate.pdf_sha256:
        logger.error(
            "Stored PDF of certificate %s fails its checksum", certificate.code
        )
        raise ValidationError(
            _(
                "El PDF guardado del certificado %(code)s no coincide con su huella "
                "SHA-256. Avise al administrador del sistema."
            )
            % {"code": certificate.code}
        )
    return content


def signature_save(*, user, image, title: str) -> DirectorSignature:
    """Store the director's signature image (PNG or JPEG, checked by content) under
    a random name, with the title printed under it."""
    if not can_sign(user):
        raise PermissionDenied
    upload_check(image, max_mb=settings.UPLOAD_MAX_MB, accepted=(PNG, JPEG))
    _check_image_decodes(image)
    signature = DirectorSignature.objects.filter(user=user).first() or (
        DirectorSignature(user=user)
    )
    signature.title = title.strip() or signature.title
    image.seek(0)
    with transaction.atomic():
        signature.image.save(f"firma{upload_extension(image)}", image, save=False)
        signature._history_user = user
        signature.save()
    logger.info("Signature of user %s stored", user.pk)
    return signature


def masked_identification(customer: Customer) -> str:
    """Return the customer's ID with every digit but the last three hidden, e.g.
    `NIT ***.***.456`. The check digit is left out because it is computed from
    the hidden digits."""
    formatted = format_identification(customer.id_type, customer.id_number)
    hidden = len([char for char in formatted if char.isalnum()]) - VISIBLE_ID_DIGITS
    masked = []
    for char in formatted:
        if char.isalnum() and hidden > 0:
            masked.append("*")
            hidden -= 1
        else:
            masked.append(char)
    label = IdType(customer.id_type).label if customer.id_type in IdType else ""
    return f"{label} {''.join(masked)}".strip()


def _assign_fields(certificate: Certificate, data: DraftData, weigh_tickets: str):
    certificate.request_channel = data.request_channel
    certificate.request_reference = data.request_reference.strip()
    certificate.requested_on = data.requested_on
    certificate.period_start = data.period_start
    certificate.period_end = data.period_end
    certificate.waste_type = data.waste_type.strip()
    certificate.destination_site = data.destination_site.strip()
    certificate.destination_authorization = data.destination_authorization.strip()
    certificate.weigh_tickets = weigh_tickets
    certificate.notes = data.notes.strip()


def period_check(period_start: date, period_end: date) -> None:
    """Raise ValidationError when the period is inverted or ends after today: a
    certificate covers services already provided."""
    if period_start > period_end:
        raise ValidationError(
            _(
                "El periodo empieza el %(start)s y termina antes, el %(end)s; "
                "corrija las fechas."
            )
            % {
                "start": period_start.strftime("%d/%m/%Y"),
                "end": period_end.strftime("%d/%m/%Y"),
            }
        )
    today = timezone.localdate()
    if period_end > today:
        raise ValidationError(
            _(
                "El periodo termina el %(end)s, después de hoy (%(today)s): solo se "
                "certifican servicios ya prestados. Corrija la fecha final."
            )
            % {
                "end": period_end.strftime("%d/%m/%Y"),
                "today": today.strftime("%d/%m/%Y"),
            }
        )


def _check_draft_data(customer: Customer, data: DraftData) -> None:
    period_check(data.period_start, data.period_end)
    if data.requested_on > timezone.localdate():
        raise ValidationError(
            _("La fecha de la solicitud (%(date)s) no puede ser futura.")
            % {"date": data.requested_on.strftime("%d/%m/%Y")}
        )
    if not data.orders:
        raise ValidationError(
            _("Elija al menos un servicio facturado del periodo para certificar.")
        )
    allowed = set(
        billed_orders(customer, data.period_start, data.period_end).values_list(
            "pk", flat=True
        )
    )
    for order in data.orders:
        if order.pk not in allowed:
            raise ValidationError(
                _(
                    "La orden %(order)s no se puede certificar: debe ser de "
                    "%(customer)s, estar ejecutada dentro del periodo y tener número "
                    "de factura."
                )
                % {"order": order.code, "customer": customer.name}
            )


def _copy_lines(certificate: Certificate, orders) -> None:
    ordered = (
        ServiceOrder.objects.filter(pk__in=[order.pk for order in orders])
        .prefetch_related("lines")
        .order_by("executed_on", "code")
    )
    for order in ordered:
        for line in order.lines.all():
            quantity = line.billable_quantity
            if not quantity:
                continue
            CertificateLine.objects.create(
                certificate=certificate,
                order=order,
                executed_on=order.executed_on,
                description=line.description,
                quantity=quantity,
                unit=line.unit,
                invoice_number=order.invoice_number,
            )


def _require_draft(certificate: Certificate) -> None:
    if certificate.status != Certificate.Status.DRAFT:
        raise ValidationError(
            _(
                "El certificado %(code)s ya está %(status)s y no se puede modificar. "
                "Si tiene un error, revóquelo y elabore uno nuevo."
            )
            % {
                "code": str(certificate),
                "status": certificate.get_status_display().lower(),
            }
        )


def _check_image_decodes(image) -> None:
    image.seek(0)
    try:
        with Image.open(image) as decoded:
            decoded.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("«%(name)s» no es una imagen PNG o JPEG válida; súbala de nuevo.")
            % {"name": Path(image.name or "").name}
        ) from None
    finally:
        image.seek(0)
