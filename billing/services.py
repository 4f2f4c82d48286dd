"""Billing workflows: the hand-off of a month's executed services to billing, the
reopening of a handed-over service, and the invoice numbers from the accounting
software.

An order moves executed → consolidated (ServiceOrder.handoff set) → invoiced
(ServiceOrder.invoice_number set). Only these functions write those fields.
"""

import logging
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from accounts.roles import MANAGER_ROLES, Role
from billing.consolidation import month_orders, proofs_zip_write, workbook_export
from billing.models import Handoff, Reopening
from billing.periods import Month
from core.mail import Attachment, email_queue
from core.models import OutgoingEmail
from field_work.models import Prepayment, ServiceProof
from field_work.proof import proof_missing
from onboarding.models import Onboarding
from quotations.money import line_amounts
from service_orders.models import ServiceOrder, ServiceOrderLine

logger = logging.getLogger(__name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Roles that send a month to billing; billing itself and these roles may reopen.
SENDER_ROLES = tuple(MANAGER_ROLES)
REOPENER_ROLES = (*SENDER_ROLES, Role.BILLING)
INVOICE_ROLES = (Role.BILLING, Role.ADMINISTRATOR)

# Orders updated per statement when handing over (keeps SQLite under its limit of
# bound parameters).
UPDATE_CHUNK = 500


def _require_role(user, roles) -> None:
    if not (user.is_superuser or user.has_role(*roles)):
        raise PermissionDenied


def approved_customer_condition():
    """Return the condition "the order's customer has an approved onboarding" as an
    Exists() usable in filters.

    NOTE: equivalent to onboarding.services.customer_is_approved(customer) for one
    customer; written as a query here so that a month is checked in one statement.
    """
    return Exists(
        Onboarding.objects.filter(
            customer=OuterRef("customer_id"), status=Onboarding.Status.APPROVED
        )
    )


@dataclass
class OrderLine:
    """One order of a month as the pages list it, with its totals and proofs."""

    pk: int
    code: str
    customer_name: str
    executed_on: date
    proof_count: int
    handoff_id: int | None
    invoice_number: str
    invoice_date: date | None
    net: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    reason: str = ""

    @property
    def stage(self) -> str:
        if self.invoice_number:
            return "facturado"
        if self.handoff_id:
            return "consolidado"
        return "ejecutado"


def order_summaries(orders) -> list[OrderLine]:
    """Return `orders` as OrderLine rows with their amounts and proof counts, sorted
    by execution date and code."""
    rows = {
        values["pk"]: OrderLine(
            pk=values["pk"],
            code=values["code"],
            customer_name=values["customer__name"],
            executed_on=values["executed_on"],
            proof_count=0,
            handoff_id=values["handoff_id"],
            invoice_number=values["invoice_number"],
            invoice_date=values["invoice_date"],
        )
        for values in orders.order_by("executed_on", "code").values(
            "pk",
            "code",
            "customer__name",
            "executed_on",
            "handoff_id",
            "invoice_number",
            "invoice_date",
        )
    }
    lines = ServiceOrderLine.objects.filter(
        order_id__in=orders.values("pk")
    ).values_list("order_id", "quantity", "executed_quantity", "unit_price", "tax_rate")
    for order_id, quantity, executed, unit_price, tax_rate in lines.iterator():
        amounts = line_amounts(
            quantity=quantity if executed is None else executed,
            unit_price=unit_price,
            tax_rate=tax_rate,
        )
        row = rows[order_id]
        row.net += amounts.net
        row.tax += amounts.tax
        row.total += amounts.total
    proofs = defaultdict(int)
    for order_id in ServiceProof.objects.filter(
        order_id__in=orders.values("pk")
    ).values_list("order_id", flat=True):
        proofs[order_id] += 1
    for order_id, count in proofs.items():
        rows[order_id].proof_count = count
    return list(rows.values())


@dataclass
class HandoffPreview:
    """Preview of «Enviar a facturación» for a month: the orders it would send and
    the orders it would leave out."""

    month: Month
    included: list[OrderLine] = field(default_factory=list)
    left_out: list[OrderLine] = field(default_factory=list)
    already_sent: list[OrderLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.included), Decimal(0))


NOT_APPROVED_REASON = _(
    "El cliente no tiene la vinculación aprobada por facturación; apruébela y "
    "envíe la orden en otra entrega."
)


def _proof_reason(missing) -> str:
    return _(
        "Sin soportes completos: falta %(missing)s. Súbalos y envíe la orden en "
        "otra entrega."
    ) % {"missing": "; ".join(requirement.label for requirement in missing)}


def handoff_blockers(order_ids) -> dict[int, str]:
    """Return, for each of `order_ids` that may not be handed over, the reason:
    its customer has no approved onboarding, or its proof is not complete
    (field_work.proof). Orders missing from the result may be handed over."""
    order_ids = list(order_ids)
    approved = _approved_ids(order_ids)
    blockers = {}
    for start in range(0, len(order_ids), UPDATE_CHUNK):
        chunk = ServiceOrder.objects.filter(
            pk__in=order_ids[start : start + UPDATE_CHUNK]
        ).prefetch_related("lines", "proofs")
        for order in chunk:
            if order.pk not in approved:
                blockers[order.pk] = str(NOT_APPROVED_REASON)
                continue
            missing = proof_missing(order)
            if missing:
                blockers[order.pk] = _proof_reason(missing)
    return blockers


def handoff_preview(*, month: Month) -> HandoffPreview:
    """List the month's executed orders that a hand-off would include, those it
    would leave out with the reason, and those already handed over."""
    preview = HandoffPreview(month=month)
    orders = month_orders(month)
    pending = orders.filter(handoff__isnull=True).values_list("pk", flat=True)
    blockers = handoff_blockers(pending)
    for row in order_summaries(orders):
        if row.handoff_id:
            preview.already_sent.append(row)
        elif row.pk in blockers:
            row.reason = blockers[row.pk]
            preview.left_out.append(row)
        else:
            preview.included.append(row)
    return preview


class HandoffChanged(ValidationError):
    """The orders a send would hand over differ from those the user previewed."""


@dataclass
class HandoffResult:
    handoff: Handoff
    left_out: list[OrderLine]


def handoff_recipients() -> list[str]:
    """Addresses of active billing and coordinator users, plus
    settings.BILLING_HANDOFF_EMAILS, without repeats."""
    users = (
        User.objects.filter(
            is_active=True,
            groups__name__in=[Role.BILLING.value, Role.COORDINATOR.value],
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    recipients = []
    for address in [*users, *settings.BILLING_HANDOFF_EMAILS]:
        if address.lower() not in {known.lower() for known in recipients}:
            recipients.append(address)
    return recipients


def handoff_send(*, month: Month, user, expected_ids=None) -> HandoffResult:
    """Hand over to billing the month's executed orders of approved customers with
    complete proof that no earlier hand-off took: store the workbook and the ZIP of
    proofs on a new Handoff, mark each order, and e-mail billing and coordination
    the workbook.

    `expected_ids` are the orders the user saw in the preview. When given and the
    orders that may be sent now differ from them (a proof was uploaded, another
    send took some), nothing is sent and HandoffChanged is raised, so that the
    user reviews the new preview before sending.

    The candidate orders are locked (SELECT ... FOR UPDATE) and re-read inside the
    transaction, so two sends running at once cannot hand over the same order: the
    second waits for the first and then finds nothing left to send.
    """
    _require_role(user, SENDER_ROLES)
    recipients = handoff_recipients()
    if not recipients:
        raise ValidationError(
            _(
                "No hay a quién enviar el consolidado: registre el correo de los "
                "usuarios de facturación o coordinación, o configure "
                "BILLING_HANDOFF_EMAILS."
            )
        )

    with transaction.atomic():
        candidates = month_orders(month).filter(handoff__isnull=True)
        locked = list(
            candidates.select_for_update().order_by("pk").values_list("pk", flat=True)
        )
        blockers = handoff_blockers(locked)
        eligible = {pk for pk in locked if pk not in blockers}
        if expected_ids is not None and eligible != set(expected_ids):
            raise HandoffChanged(
                _(
                    "Las órdenes por entregar de %(month)s cambiaron desde que abrió "
                    "la vista previa; no se envió nada. Revise la lista actualizada y "
                    "vuelva a enviar."
                )
                % {"month": month.label},
                code="handoff_changed",
            )
        if not eligible:
            raise ValidationError(
                _(
                    "No hay servicios de %(month)s por entregar: los ejecutados ya se "
                    "entregaron, sus clientes no tienen la vinculación aprobada o les "
                    "faltan soportes."
                )
                % {"month": month.label}
            )
        left_out_ids = [pk for pk in locked if pk not in eligible]

        handoff = Handoff.objects.create(
            month=month.first_day,
            service_count=len(eligible),
            total=Decimal(0),
            sent_by=user,
        )
        _mark_orders(sorted(eligible), handoff=handoff, user=user)
        handed_over = ServiceOrder.objects.filter(handoff=handoff)
        summary = _store_files(handoff, handed_over, month)
        handoff.total = summary.total
        handoff.email = _queue_email(handoff, month, summary, recipients, user)
        handoff.save()

    left_out = order_summaries(ServiceOrder.objects.filter(pk__in=left_out_ids))
    for row in left_out:
        row.reason = blockers[row.pk]
    logger.info(
        "Hand-off %s of %s sent by user %s: %s orders, %s left out",
        handoff.pk,
        month.slug,
        user.pk,
        len(eligible),
        len(left_out),
    )
    return HandoffResult(handoff=handoff, left_out=left_out)


def _approved_ids(order_ids: list[int]) -> set[int]:
    approved = set()
    for start in range(0, len(order_ids), UPDATE_CHUNK):
        chunk = order_ids[start : start + UPDATE_CHUNK]
        approved.update(
            ServiceOrder.objects.filter(pk__in=chunk)
            .filter(approved_customer_condition())
            .values_list("pk", flat=True)
        )
    return approved


def _mark_orders(order_ids: list[int], *, handoff: Handoff, user) -> None:
    now = timezone.now()
    reason = _("Entregada a facturación en la entrega %(id)s") % {"id": handoff.pk}
    for start in range(0, len(order_ids), UPDATE_CHUNK):
        chunk = list(
            ServiceOrder.objects.filter(pk__in=order_ids[start : start + UPDATE_CHUNK])
        )
        for order in chunk:
            order.handoff = handoff
            order.updated_at = now
        bulk_update_with_history(
            chunk,
            ServiceOrder,
            ["handoff", "updated_at"],
            default_user=user,
            default_change_reason=reason,
        )


def _store_files(handoff: Handoff, orders, month: Month):
    # NOTE: the ZIP is written inside the request and the transaction, so a month
    # with gigabytes of proofs makes the send slow and holds the order locks
    # meanwhile. A task queue would move it out of the request.
    base = f"consolidado-{month.slug}-entrega-{handoff.pk}"
    with tempfile.TemporaryFile() as workbook_file:
        summary = workbook_export(orders, workbook_file, month=month)
        workbook_file.seek(0)
        handoff.workbook.save(f"{base}.xlsx", File(workbook_file), save=False)
    with tempfile.TemporaryFile() as zip_file:
        proofs_zip_write(orders, zip_file)
        zip_file.seek(0)
        handoff.proofs_zip.save(
            f"soportes-{month.slug}-entrega-{handoff.pk}.zip",
            File(zip_file),
            save=False,
        )
    return summary


# Prepaid orders listed one by one in the hand-off e-mail; the rest are only
# counted, and the «Anticipos» sheet lists them all. Only first-time customers
# outside the registry and without credit prepay, so the list is usually short.
EMAIL_PREPAID_ORDERS_SHOWN = 50


def handoff_prepaid_orders(handoff: Handoff) -> list[dict]:
    """Return the orders of `handoff` with payments in force, as dicts of
    `code` and `paid` (their sum), sorted by code."""
    return list(
        Prepayment.objects.in_force()
        .filter(order__handoff=handoff)
        .values("order__code")
        .annotate(paid=Sum("amount"))
        .order_by("order__code")
        .values("order__code", "paid")
    )


def _queue_email(handoff, month, summary, recipients, user):
    with handoff.workbook.open("rb") as workbook:
        content = workbook.read()
    prepaid = [
        {"code": row["order__code"], "paid": row["paid"]}
        for row in handoff_prepaid_orders(handoff)
    ]
    return email_queue(
        kind=OutgoingEmail.Kind.BILLING_HANDOFF,
        to=recipients,
        subject=_("Consolidado de servicios especiales de %(month)s (entrega %(id)s)")
        % {"month": month.label, "id": handoff.pk},
        template="billing/email/handoff",
        context={
            "handoff": handoff,
            "month": month,
            "summary": summary,
            "user": user,
            "prepaid_shown": prepaid[:EMAIL_PREPAID_ORDERS_SHOWN],
            "prepaid_hidden": max(0, len(prepaid) - EMAIL_PREPAID_ORDERS_SHOWN),
        },
        attachments=[
            Attachment(
                name=f"consolidado-servicios-{month.slug}.xlsx",
                content=content,
                mimetype=XLSX_MIMETYPE,
            )
        ],
        created_by=user,
    )


def order_reopen(*, order: ServiceOrder, user, reason: str) -> Reopening:
    """Take a handed-over order back from billing so that operations can change it,
    with the reason. The order leaves its hand-off and enters a later one when
    sent again; the hand-off keeps its workbook as it was sent.

    An invoiced order cannot be reopened: the invoice was issued on the handed-over
    quantities, and correcting it is done with a credit note in the accounting
    software."""
    _require_role(user, REOPENER_ROLES)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Escriba el motivo de la reapertura; queda en el historial de la orden.")
        )

    with transaction.atomic():
        order = ServiceOrder.objects.select_for_update().get(pk=order.pk)
        if order.handoff_id is None:
            raise ValidationError(
                _(
                    "La orden %(code)s no está entregada a facturación; no hay nada que reabrir."
                )
                % {"code": order.code}
            )
        if order.invoice_number:
            raise ValidationError(
                _(
                    "La orden %(code)s ya está facturada con la factura %(invoice)s. "
                    "Corrija el cobro con una nota crédito en el programa contable."
                )
                % {"code": order.code, "invoice": order.invoice_number}
            )
        reopening = Reopening.objects.create(
            order=order, handoff_id=order.handoff_id, reason=reason, reopened_by=user
        )
        order.handoff = None
        order._change_reason = _("Reabierta: %(reason)s") % {"reason": reason}
        order.save(update_fields=["handoff", "updated_at"])

    logger.info(
        "Order %s reopened from hand-off %s by user %s",
        order.pk,
        reopening.handoff_id,
        user.pk,
    )
    return reopening


def order_check_open(order: ServiceOrder) -> None:
    """Raise ValidationError when `order` is handed over to billing, so that its
    executed quantities and proofs cannot change until it is reopened."""
    if order.handoff_id:
        raise ValidationError(
            _(
                "La orden %(code)s ya se entregó a facturación. Para cambiar cantidades "
                "o soportes, facturación o coordinación debe reabrirla con un motivo."
            )
            % {"code": order.code}
        )


# An invoice number as accounting software prints it: letters and digits with
# "-", "/", "." or spaces between them. Anything else (a leading "=", quotes,
# parentheses) is refused, so no formula reaches a spreadsheet.
INVOICE_NUMBER_PATTERN = re.compile(r"[^\W_](?:[^\W_]|[-/. ])*")
INVOICE_NUMBER_MAX_LENGTH = 40


def invoice_number_clean(number: str) -> str:
    """Return an invoice number trimmed, with single spaces and in capitals."""
    return " ".join((number or "").split()).upper()


def invoice_check(
    *,
    order: ServiceOrder,
    number: str,
    invoice_date: date | None,
    today: date | None = None,
    written_number: str = "",
) -> list[tuple[str, str]]:
    """Return the problems that prevent recording invoice `number` of
    `invoice_date` on `order`, as (field, Spanish message) pairs where the field is
    "order", "number" or "date". The list is empty when the invoice may be
    recorded. A message about an invalid number shows `written_number`, the
    number as the user typed it, when given."""
    problems = []
    today = today or timezone.localdate()
    max_length = ServiceOrder._meta.get_field("invoice_number").max_length
    if not number:
        message = _(
            "Falta el número de factura. Escríbalo como aparece en el programa contable."
        )
        problems.append(("number", message))
    elif len(number) > min(max_length, INVOICE_NUMBER_MAX_LENGTH):
        message = _("El número de factura tiene más de %(max)s caracteres.") % {
            "max": min(max_length, INVOICE_NUMBER_MAX_LENGTH)
        }
        problems.append(("number", message))
    elif not INVOICE_NUMBER_PATTERN.fullmatch(number):
        message = _(
            "El número de factura «%(number)s» no es válido: use solo letras, "
            "dígitos, espacios y los signos - / . (por ejemplo FE-10231)."
        ) % {"number": written_number or number}
        problems.append(("number", message))
    if invoice_date is None:
        message = _("Falta la fecha de la factura. Escríbala como dd/mm/aaaa.")
        problems.append(("date", message))

    if order.status != ServiceOrder.Status.EXECUTED or order.executed_on is None:
        message = _(
            "La orden %(code)s no está ejecutada; solo se facturan servicios ejecutados."
        ) % {"code": order.code}
        problems.append(("order", message))
    elif order.handoff_id is None:
        message = _(
            "La orden %(code)s no se ha entregado a facturación; envíe primero el "
            "consolidado del mes."
        ) % {"code": order.code}
        problems.append(("order", message))

    if invoice_date and order.executed_on and invoice_date < order.executed_on:
        message = _(
            "La fecha de la factura (%(date)s) es anterior a la ejecución del "
            "servicio (%(executed)s). Revise la fecha."
        ) % {
            "date": invoice_date.strftime("%d/%m/%Y"),
            "executed": order.executed_on.strftime("%d/%m/%Y"),
        }
        problems.append(("date", message))
    if invoice_date and invoice_date > today:
        message = _(
            "La fecha de la factura (%(date)s) es posterior a hoy. Revise la fecha."
        ) % {"date": invoice_date.strftime("%d/%m/%Y")}
        problems.append(("date", message))

    if number:
        other = (
            ServiceOrder.objects.filter(invoice_number=number)
            .exclude(customer_id=order.customer_id)
            .values_list("code", flat=True)
            .first()
        )
        if other:
            message = _(
                "La factura %(number)s ya está registrada en la orden %(other)s de "
                "otro cliente; una factura solo cubre órdenes de un mismo cliente."
            ) % {"number": number, "other": other}
            problems.append(("number", message))
    return problems


def invoice_record(
    *, order: ServiceOrder, number: str, invoice_date: date | None, user
) -> ServiceOrder:
    """Record on `order` the invoice the accounting software issued for it.

    The same number may cover several orders of one customer. Recording another
    number on an invoiced order corrects it, and the history keeps the earlier one."""
    _require_role(user, INVOICE_ROLES)
    number = invoice_number_clean(number)
    with transaction.atomic():
        order = ServiceOrder.objects.select_for_update().get(pk=order.pk)
        problems = invoice_check(order=order, number=number, invoice_date=invoice_date)
        if problems:
            raise ValidationError([message for _field, message in problems])
        if order.invoice_number == number and order.invoice_date == invoice_date:
            return order
        order_invoice_set(order, number=number, invoice_date=invoice_date, user=user)
    logger.info("Invoice recorded on order %s by user %s", order.pk, user.pk)
    return order


def order_invoice_set(
    order: ServiceOrder, *, number: str, invoice_date: date, user
) -> None:
    """Write the invoice fields of a checked order (with history)."""
    corrected = bool(order.invoice_number) and order.invoice_number != number
    order.invoice_number = number
    order.invoice_date = invoice_date
    order.invoice_recorded_by = user
    order.invoice_recorded_at = timezone.now()
    if corrected:
        order._change_reason = _("Factura corregida")
    order.save(
        update_fields=[
            "invoice_number",
            "invoice_date",
            "invoice_recorded_by",
            "invoice_recorded_at",
            "updated_at",
        ]
    )
