"""Quotation workflows: drafting lines from the tariff book, price approval,
issuing with a gapless code and a stored PDF, sending, and the customer's answer."""

import hashlib
import logging
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from core.formatting import format_pesos
from core.mail import Attachment, email_queue
from core.models import OutgoingEmail
from core.numbering import number_take
from core.uploads import upload_check, upload_extension
from customers.models import Customer
from onboarding.services import onboarding_open
from quotations.models import NUMBER_KIND, FollowUp, Quotation, QuotationLine
from quotations.money import line_amounts
from quotations.pdf import quotation_render_pdf
from quote_requests.models import QuoteRequest
from quote_requests.services import quote_request_mark_quoted
from service_orders.models import ServiceOrder
from tariffs.models import TariffItem

logger = logging.getLogger(__name__)

APPROVER_ROLES = (Role.DIRECTOR, Role.ADMINISTRATOR)


def quotation_create(
    *,
    customer: Customer,
    advisor,
    user,
    on: date | None = None,
    validity_days: int | None = None,
    conditions: str | None = None,
    quote_request: QuoteRequest | None = None,
) -> Quotation:
    """Create a draft quotation for `customer`, priced with the tariffs in force on
    `on` (today by default). A draft made from `quote_request` marks it quoted."""
    if quote_request is not None and quote_request.customer_id != customer.pk:
        raise ValidationError(
            _(
                "La solicitud %(request)s es de otro cliente; cotice al cliente de "
                "la solicitud."
            ),
            params={"request": quote_request.pk},
        )
    quotation = Quotation(
        customer=customer,
        advisor=advisor,
        created_by=user,
        quote_request=quote_request,
    )
    if on is not None:
        quotation.date = on
    if validity_days is not None:
        quotation.validity_days = validity_days
    if conditions is not None:
        quotation.conditions = conditions
    with transaction.atomic():
        quotation.save()
        if quote_request is not None:
            quote_request_mark_quoted(quote_request=quote_request, user=user)
    logger.info("Quotation draft %s created", quotation.pk)
    return quotation


def quotation_update(
    *, quotation: Quotation, validity_days: int, conditions: str
) -> Quotation:
    """Change the validity and conditions of a draft."""
    _require_draft(quotation)
    if validity_days < 1:
        raise ValidationError(
            _("La vigencia debe ser de al menos un día; se recibió %(days)s."),
            params={"days": validity_days},
        )
    quotation.validity_days = validity_days
    quotation.conditions = conditions
    quotation.save(update_fields=["validity_days", "conditions"])
    return quotation


def quotation_line_add(
    *,
    quotation: Quotation,
    tariff_item: TariffItem,
    quantity: Decimal,
    unit_price: Decimal | None = None,
    price_reason: str = "",
    description: str = "",
) -> QuotationLine:
    """Add a line priced from `tariff_item`, which must be in force on the
    quotation's date. A price below the tariff needs `price_reason` and, before
    issuing, the director's approval."""
    _require_draft(quotation)
    in_force = TariffItem.objects.in_force(on=quotation.date)
    if not in_force.filter(pk=tariff_item.pk).exists():
        raise ValidationError(
            _(
                "La tarifa %(code)s no está vigente el %(date)s; elija una tarifa "
                "del tarifario vigente en la fecha de la cotización."
            ),
            params={"code": tariff_item.code, "date": f"{quotation.date:%d/%m/%Y}"},
        )
    quantity = Decimal(str(quantity)) if quantity is not None else None
    if quantity is None or quantity <= 0:
        raise ValidationError(
            _("La cantidad debe ser mayor que cero; se recibió %(value)s."),
            params={"value": quantity},
        )
    if unit_price is None:
        unit_price = tariff_item.unit_price
    unit_price = Decimal(str(unit_price))
    if unit_price < 0:
        raise ValidationError(
            _("El valor unitario no puede ser negativo; se recibió %(value)s."),
            params={"value": unit_price},
        )
    price_reason = price_reason.strip()
    if unit_price < tariff_item.unit_price and not price_reason:
        raise ValidationError(
            _(
                "El valor unitario %(price)s de %(code)s es menor que la tarifa "
                "%(tariff)s: escriba la justificación del descuento."
            ),
            params={
                "price": unit_price,
                "code": tariff_item.code,
                "tariff": tariff_item.unit_price,
            },
        )

    amounts = line_amounts(
        quantity=quantity, unit_price=unit_price, tax_rate=tariff_item.tax_rate
    )
    position = quotation.lines.aggregate(last=models.Max("position"))["last"] or 0
    with transaction.atomic():
        line = QuotationLine.objects.create(
            quotation=quotation,
            position=position + 1,
            tariff_item=tariff_item,
            code=tariff_item.code,
            description=description.strip() or tariff_item.service,
            unit=tariff_item.get_unit_display(),
            quantity=quantity,
            unit_price=unit_price,
            tariff_price=tariff_item.unit_price,
            tax_rate=tariff_item.tax_rate,
            net_amount=amounts.net,
            tax_amount=amounts.tax,
            total_amount=amounts.total,
            price_reason=price_reason if unit_price < tariff_item.unit_price else "",
        )
        _refresh_draft(quotation)
    return line


def quotation_line_remove(*, quotation: Quotation, line: QuotationLine) -> None:
    _require_draft(quotation)
    with transaction.atomic():
        quotation.lines.filter(pk=line.pk).delete()
        _refresh_draft(quotation)


def quotation_submit_for_approval(*, quotation: Quotation, user) -> Quotation:
    """Send a draft with prices below tariff to the director's approval queue."""
    _require_draft(quotation)
    if quotation.price_approval != Quotation.PriceApproval.REQUIRED:
        raise ValidationError(
            _(
                "La cotización no tiene precios por debajo de la tarifa pendientes "
                "de aprobación (estado de aprobación: %(state)s)."
            ),
            params={"state": quotation.get_price_approval_display()},
        )
    quotation.price_approval = Quotation.PriceApproval.PENDING
    quotation.save(update_fields=["price_approval"])
    logger.info("Quotation %s submitted for price approval", quotation.pk)
    return quotation


def quotation_decide_prices(
    *, quotation: Quotation, user, approve: bool, note: str = ""
) -> Quotation:
    """Record the director's decision on prices below tariff."""
    if not (user.is_superuser or user.has_role(*APPROVER_ROLES)):
        raise PermissionDenied
    _require_draft(quotation)
    if quotation.price_approval != Quotation.PriceApproval.PENDING:
        raise ValidationError(
            _("La cotización %(quotation)s no está pendiente de aprobación."),
            params={"quotation": str(quotation)},
        )
    if not approve and not note.strip():
        raise ValidationError(_("Escriba el motivo por el que no aprueba los precios."))

    quotation.price_approval = (
        Quotation.PriceApproval.APPROVED
        if approve
        else Quotation.PriceApproval.REJECTED
    )
    quotation.price_approved_by = user
    quotation.price_approved_at = timezone.now()
    quotation.price_approval_note = note.strip()
    quotation.save(
        update_fields=[
            "price_approval",
            "price_approved_by",
            "price_approved_at",
            "price_approval_note",
        ]
    )
    logger.info("Quotation %s prices %s", quotation.pk, quotation.price_approval)
    return quotation


def quotation_issue(*, quotation: Quotation, user) -> Quotation:
    """Issue a draft: take its consecutive code, then render and store its PDF.

    The code is taken and saved in a short transaction that commits before the
    PDF renders. The numbering lock is therefore held for a few statements, not
    for a whole render (about 80 ms), and concurrent issuers do not wait for each
    other's layout work. A render or storage failure after that commit is logged,
    not raised: the quotation stays validly issued, no number is lost, and
    `quotation_pdf_bytes` renders the missing PDF on the next download or sending.
    """
    with transaction.atomic():
        quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
        _check_issuable(quotation)

        issued_at = timezone.now()
        taken = number_take(kind=NUMBER_KIND, year=timezone.localdate(issued_at).year)
        quotation.code = taken.code
        quotation.status = Quotation.Status.ISSUED
        quotation.issued_at = issued_at
        quotation.issued_by = user
        quotation.save()
    logger.info("Quotation %s issued as %s", quotation.pk, quotation.code)

    try:
        quotation_store_pdf(quotation=quotation)
    except Exception:
        logger.exception(
            "PDF of quotation %s failed after issuing; it is rendered again on "
            "the next download",
            quotation.pk,
        )
    return quotation


def quotation_store_pdf(*, quotation: Quotation) -> Quotation:
    """Render and store the PDF of an issued quotation that has none yet.

    The render runs outside any lock. Storing then locks the quotation row: when
    another request stored a PDF meanwhile, that one is kept and this render is
    discarded, so the stored PDF never changes once written.
    """
    if quotation.pdf_sha256:
        return quotation
    if not quotation.code:
        raise ValidationError(
            _("La cotización %(quotation)s no tiene PDF: emítala primero."),
            params={"quotation": str(quotation)},
        )
    # NOTE: a PDF rendered after a failure prints the customer and advisor data
    # as they are at that moment, which may differ from the day of issue.
    pdf = quotation_render_pdf(quotation)

    stored_name = ""
    try:
        with transaction.atomic():
            locked = Quotation.objects.select_for_update().get(pk=quotation.pk)
            if locked.pdf_sha256:
                quotation.pdf_file = locked.pdf_file
                quotation.pdf_sha256 = locked.pdf_sha256
                return quotation
            quotation.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            quotation.pdf_file.save(
                f"{quotation.issued_at:%Y}/{quotation.code}.pdf",
                ContentFile(pdf),
                save=False,
            )
            stored_name = quotation.pdf_file.name
            quotation.save(update_fields=["pdf_file", "pdf_sha256"])
    except BaseException:
        # The database rolled back; the file written for it must go too.
        if stored_name:
            quotation.pdf_file.storage.delete(stored_name)
        quotation.pdf_file = None
        quotation.pdf_sha256 = ""
        raise
    logger.info("PDF of quotation %s stored", quotation.pk)
    return quotation


def quotation_pdf_bytes(quotation: Quotation) -> bytes:
    """Return the stored PDF of an issued quotation, checked against its SHA-256.
    A quotation whose PDF failed when it was issued gets it rendered now."""
    if not quotation.pdf_sha256:
        quotation_store_pdf(quotation=quotation)
    with quotation.pdf_file.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != quotation.pdf_sha256:
        logger.error("Stored PDF of quotation %s fails its checksum", quotation.pk)
        raise ValidationError(
            _(
                "El PDF archivado de %(quotation)s no coincide con su huella; "
                "avise al administrador."
            ),
            params={"quotation": str(quotation)},
        )
    return content


def quotation_send_email(
    *, quotation: Quotation, user, to: list[str], message: str = ""
) -> OutgoingEmail:
    """E-mail the stored PDF to `to` through the outbox and mark the quotation sent.
    Sending again sends the same file."""
    quotation.check_transition(Quotation.Status.SENT)
    recipients = [address.strip() for address in to if address.strip()]
    if not recipients:
        raise ValidationError(_("Escriba al menos un correo de destino."))
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("El correo «%(value)s» no es válido; corríjalo."),
                params={"value": address},
            ) from None
    content = quotation_pdf_bytes(quotation)

    with transaction.atomic():
        email = email_queue(
            kind=OutgoingEmail.Kind.QUOTATION,
            to=recipients,
            subject=_("Cotización %(code)s · %(company)s")
            % {"code": quotation.code, "company": settings.COMPANY_NAME},
            template="quotations/email/quotation",
            context={"quotation": quotation, "message": message.strip()},
            attachments=[
                Attachment(quotation.pdf_file_name, content, "application/pdf")
            ],
            created_by=user,
        )
        quotation.status = Quotation.Status.SENT
        quotation.sent_at = quotation.sent_at or timezone.now()
        quotation.save(update_fields=["status", "sent_at"])
    logger.info("Quotation %s queued for e-mail %s", quotation.pk, email.pk)
    return email


def quotation_whatsapp_url(quotation: Quotation) -> str:
    """Return a click-to-chat link to the customer's mobile with a message naming
    the quotation, or "" when the customer has no mobile."""
    phone = quotation.customer.mobile
    if not phone:
        return ""
    text = _(
        "Buenos días, le escribe %(advisor)s de %(company)s. Le compartimos la "
        "cotización %(code)s por un total de %(total)s, válida hasta el %(until)s. "
        "Quedamos atentos a sus comentarios."
    ) % {
        "advisor": quotation.advisor.get_full_name(),
        "company": settings.COMPANY_NAME,
        "code": quotation.code,
        "total": format_pesos(quotation.total),
        "until": f"{quotation.valid_until:%d/%m/%Y}",
    }
    digits = "".join(char for char in phone if char.isdigit())
    return f"https://wa.me/{digits}?text={quote(text)}"


def quotation_accept(
    *,
    quotation: Quotation,
    user,
    channel: str,
    accepted_on: date,
    evidence=None,
    email_text: str = "",
) -> Quotation:
    """Record the customer's acceptance with its evidence and open the customer's
    onboarding (`onboarding.services.onboarding_open`) in the same transaction."""
    quotation.check_transition(Quotation.Status.ACCEPTED)
    if evidence is None and not email_text.strip():
        raise ValidationError(
            _("Adjunte el soporte de la aceptación o pegue el texto del correo.")
        )
    if evidence is not None:
        upload_check(evidence, max_mb=settings.UPLOAD_MAX_MB)
    if accepted_on > timezone.localdate():
        raise ValidationError(
            _("La fecha de aceptación %(date)s está en el futuro."),
            params={"date": f"{accepted_on:%d/%m/%Y}"},
        )
    if quotation.issued_at and accepted_on < timezone.localdate(quotation.issued_at):
        raise ValidationError(
            _("La fecha de aceptación %(date)s es anterior a la emisión."),
            params={"date": f"{accepted_on:%d/%m/%Y}"},
        )

    quotation.status = Quotation.Status.ACCEPTED
    quotation.accepted_at = timezone.now()
    quotation.accepted_on = accepted_on
    quotation.acceptance_channel = channel
    quotation.acceptance_email_text = email_text.strip()
    if evidence is not None:
        # The stored name comes from the checked content, never from the client.
        quotation.acceptance_evidence.save(
            f"aceptacion{upload_extension(evidence)}", evidence, save=False
        )
    with transaction.atomic():
        quotation.save()
        onboarding_open(quotation=quotation, user=user)
    logger.info("Quotation %s accepted", quotation.pk)
    return quotation


def quotation_reject(
    *,
    quotation: Quotation,
    user,
    reason: str,
    competitor: str = "",
    rejected_on: date | None = None,
) -> Quotation:
    quotation.check_transition(Quotation.Status.REJECTED)
    if not reason.strip():
        raise ValidationError(_("Escriba el motivo del rechazo."))
    quotation.status = Quotation.Status.REJECTED
    quotation.rejected_on = rejected_on or timezone.localdate()
    quotation.rejection_reason = reason.strip()
    quotation.winning_competitor = competitor.strip()
    quotation.save(
        update_fields=[
            "status",
            "rejected_on",
            "rejection_reason",
            "winning_competitor",
        ]
    )
    logger.info("Quotation %s rejected", quotation.pk)
    return quotation


def quotation_annul(*, quotation: Quotation, user, reason: str) -> Quotation:
    """Annul a quotation with a reason; an issued one keeps its code and PDF.
    Raise ValidationError while any of its service orders is not annulled, because
    those orders (executed, invoiced, certified) rest on the quotation."""
    if not reason.strip():
        raise ValidationError(_("Escriba el motivo de la anulación."))
    with transaction.atomic():
        # The row lock makes a concurrent service_order_create wait and then see
        # the annulled status. The caller's instance is refreshed and updated.
        Quotation.objects.select_for_update().get(pk=quotation.pk)
        quotation.refresh_from_db()
        quotation.check_transition(Quotation.Status.ANNULLED)
        _check_no_live_orders(quotation)
        quotation.status = Quotation.Status.ANNULLED
        quotation.annulled_at = timezone.now()
        quotation.annulled_by = user
        quotation.annulment_reason = reason.strip()
        quotation.save(
            update_fields=["status", "annulled_at", "annulled_by", "annulment_reason"]
        )
    logger.info("Quotation %s annulled", quotation.pk)
    return quotation


def _check_no_live_orders(quotation: Quotation) -> None:
    codes = list(
        quotation.service_orders.exclude(status=ServiceOrder.Status.ANNULLED)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if codes:
        raise ValidationError(
            ngettext(
                "La cotización %(quotation)s tiene la orden de servicio %(orders)s "
                "sin anular. Anule primero esa orden y luego la cotización.",
                "La cotización %(quotation)s tiene las órdenes de servicio "
                "%(orders)s sin anular. Anule primero esas órdenes y luego la "
                "cotización.",
                len(codes),
            )
            % {"quotation": quotation.code, "orders": ", ".join(codes)},
            code="live_orders",
        )


def quotations_expire(*, today: date | None = None) -> int:
    """Mark as expired every open quotation whose validity has passed; return how
    many. Saved one by one so that each change enters the history."""
    today = today or timezone.localdate()
    count = 0
    with transaction.atomic():
        for quotation in Quotation.objects.past_validity(today).select_for_update():
            quotation.status = Quotation.Status.EXPIRED
            quotation.save(update_fields=["status"])
            count += 1
    if count:
        logger.info("%s quotations expired", count)
    return count


def follow_up_add(
    *,
    quotation: Quotation,
    user,
    note: str,
    contacted_on: date | None = None,
    channel: str = Quotation.Channel.CALL,
    next_action: str = "",
    next_action_on: date | None = None,
) -> FollowUp:
    """Log a contact about an issued quotation and the next action agreed."""
    if quotation.is_draft:
        raise ValidationError(
            _("Los seguimientos se registran sobre cotizaciones emitidas.")
        )
    if quotation.status == Quotation.Status.ANNULLED:
        raise ValidationError(
            _("La cotización %(code)s está anulada y no admite seguimientos."),
            params={"code": quotation.code},
        )
    if not note.strip():
        raise ValidationError(_("Escriba el resultado del contacto."))
    if next_action.strip() and next_action_on is None:
        raise ValidationError(
            _("Indique la fecha de la próxima acción «%(action)s»."),
            params={"action": next_action.strip()},
        )
    return FollowUp.objects.create(
        quotation=quotation,
        contacted_on=contacted_on or timezone.localdate(),
        channel=channel,
        note=note.strip(),
        next_action=next_action.strip(),
        next_action_on=next_action_on,
        created_by=user,
    )


def customers_ready_for_onboarding():
    """Customers with at least one accepted quotation, ready to be onboarded."""
    return Customer.objects.filter(
        quotations__status=Quotation.Status.ACCEPTED
    ).distinct()


def _require_draft(quotation: Quotation) -> None:
    if not quotation.is_draft:
        raise ValidationError(
            _(
                "La cotización %(quotation)s está %(status)s y ya no se puede "
                "modificar; anúlela y prepare una nueva."
            ),
            params={
                "quotation": str(quotation),
                "status": quotation.get_status_display().lower(),
            },
        )


def _refresh_draft(quotation: Quotation) -> None:
    """Recompute totals and whether prices need approval after a line changed.
    Any change to the lines voids an earlier approval."""
    quotation.recompute_totals()
    if quotation.needs_price_approval():
        quotation.price_approval = Quotation.PriceApproval.REQUIRED
    else:
        quotation.price_approval = Quotation.PriceApproval.NOT_NEEDED
    quotation.price_approved_by = None
    quotation.price_approved_at = None
    quotation.save(
        update_fields=[
            "net_total",
            "tax_total",
            "total",
            "price_approval",
            "price_approved_by",
            "price_approved_at",
        ]
    )


def _check_issuable(quotation: Quotation) -> None:
    quotation.check_transition(Quotation.Status.ISSUED)
    if not quotation.lines.exists():
        raise ValidationError(
            _("La cotización no tiene ítems; agregue al menos un servicio.")
        )
    if quotation.price_approval in (
        Quotation.PriceApproval.REQUIRED,
        Quotation.PriceApproval.PENDING,
        Quotation.PriceApproval.REJECTED,
    ):
        raise ValidationError(
            _(
                "Hay precios por debajo de la tarifa sin aprobar (aprobación: "
                "%(state)s); el director de ventas debe aprobarlos antes de emitir."
            ),
            params={"state": quotation.get_price_approval_display().lower()},
        )
    if quotation.valid_until < timezone.localdate():
        raise ValidationError(
            _(
                "La vigencia de este borrador terminó el %(date)s; prepare una "
                "cotización nueva con las tarifas vigentes."
            ),
            params={"date": f"{quotation.valid_until:%d/%m/%Y}"},
        )
