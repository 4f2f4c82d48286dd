"""Service order workflows: recording the signed agreement, creating orders with
gapless codes from an accepted quotation, and scheduling them with operations
(request, confirmation with crew and vehicle, rescheduling, cancellation), each
step recorded as a ScheduleChange and e-mailed to the customer."""

import logging
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from core.calendar import is_business_day
from core.mail import email_queue
from core.models import OutgoingEmail
from core.numbering import number_take
from core.uploads import upload_check, upload_extension
from customers.models import Customer
from customers.phones import normalise_phone
from quotations.models import Quotation, QuotationLine
from service_orders.crew import CrewInput, plate_normalise
from service_orders.models import (
    NUMBER_KIND,
    Agreement,
    CrewMember,
    ScheduleChange,
    ServiceOrder,
    ServiceOrderLine,
)

logger = logging.getLogger(__name__)

# Roles that create orders, record agreements and request dates from operations.
EDITOR_ROLES = (Role.ADVISOR, Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR)
# Roles that confirm, reschedule, unschedule and cancel schedules.
SCHEDULER_ROLES = (
    Role.OPERATIONS,
    Role.LOGISTICS,
    Role.DIRECTOR,
    Role.COORDINATOR,
    Role.ADMINISTRATOR,
)

# Agreement kinds that always carry the customer's own document number.
NUMBERED_AGREEMENT_KINDS = (
    Agreement.Kind.PURCHASE_ORDER,
    Agreement.Kind.SERVICE_ORDER,
)

# Outbox kind of the e-mail each schedule change sends the customer.
SCHEDULE_EMAIL_KINDS = {
    ScheduleChange.Kind.CONFIRMED: OutgoingEmail.Kind.SCHEDULE_CONFIRMED,
    ScheduleChange.Kind.RESCHEDULED: OutgoingEmail.Kind.SCHEDULE_RESCHEDULED,
    ScheduleChange.Kind.CANCELLED: OutgoingEmail.Kind.SCHEDULE_CANCELLED,
    ScheduleChange.Kind.UNSCHEDULED: OutgoingEmail.Kind.SCHEDULE_UNSCHEDULED,
}

OPEN_STATUSES = (
    ServiceOrder.Status.TO_SCHEDULE,
    ServiceOrder.Status.REQUESTED,
    ServiceOrder.Status.SCHEDULED,
)


@dataclass(frozen=True)
class LineChoice:
    """A quotation line to copy into an order, with the quantity to perform."""

    quotation_line: QuotationLine
    quantity: Decimal


def can_schedule(user) -> bool:
    return user.is_superuser or user.has_role(*SCHEDULER_ROLES)


def can_edit(user) -> bool:
    return user.is_superuser or user.has_role(*EDITOR_ROLES)


# Agreements ------------------------------------------------------------------


def agreement_record(
    *,
    quotation: Quotation,
    user,
    kind: str,
    signed_on: date,
    uploaded,
    number: str = "",
    valid_until: date | None = None,
    notes: str = "",
) -> Agreement:
    """Record the signed contract, purchase order, customer's service order or
    acceptance e-mail of an accepted quotation, with its file checked by content.

    Orders of the quotation that have no agreement yet are linked to this one.
    """
    _require_accepted(quotation)
    number = number.strip()
    if kind in NUMBERED_AGREEMENT_KINDS and not number:
        raise ValidationError(
            _("Escriba el número que el cliente le dio a la %(kind)s.")
            % {"kind": str(Agreement.Kind(kind).label).lower()},
            code="missing_number",
        )
    if signed_on > timezone.localdate():
        raise ValidationError(
            _("La fecha de firma %(date)s está en el futuro; corríjala.")
            % {"date": f"{signed_on:%d/%m/%Y}"},
            code="future_date",
        )
    if valid_until is not None and valid_until < signed_on:
        raise ValidationError(
            _("La vigencia (%(until)s) termina antes de la firma (%(signed)s).")
            % {"until": f"{valid_until:%d/%m/%Y}", "signed": f"{signed_on:%d/%m/%Y}"},
            code="invalid_validity",
        )
    if uploaded is None:
        raise ValidationError(
            _("Adjunte el documento firmado en PDF, JPEG o PNG."), code="missing_file"
        )
    content_type = upload_check(uploaded, max_mb=settings.UPLOAD_MAX_MB)

    agreement = Agreement(
        customer=quotation.customer,
        quotation=quotation,
        kind=kind,
        number=number,
        signed_on=signed_on,
        content_type=content_type,
        valid_until=valid_until,
        notes=notes.strip(),
        recorded_by=user,
    )
    stored_name = ""
    try:
        with transaction.atomic():
            # agreement_path gives the stored file a random name; only the
            # extension of the checked content type is kept.
            agreement.file.save(
                f"acuerdo{upload_extension(uploaded)}", uploaded, save=False
            )
            stored_name = agreement.file.name
            agreement.save()
            for order in quotation.service_orders.filter(agreement__isnull=True):
                order.agreement = agreement
                order.save(update_fields=["agreement", "updated_at"])
    except BaseException:
        # The database rolled back; the file written for it must go too.
        if stored_name:
            agreement.file.storage.delete(stored_name)
        raise
    logger.info("Agreement %s recorded for quotation %s", agreement.pk, quotation.pk)
    return agreement


# Orders ----------------------------------------------------------------------


def prepayment_is_required(customer: Customer) -> bool:
    """Tell whether a new order of `customer` must be paid in advance: a
    first-time customer (type "nuevo" and no executed order yet), outside the
    subscriber registry and not approved by billing for credit."""
    from onboarding.models import Onboarding, PaymentTerms

    if customer.customer_type != Customer.CustomerType.NEW:
        return False
    if customer.in_catastro:
        return False
    if customer.service_orders.filter(status=ServiceOrder.Status.EXECUTED).exists():
        return False
    latest_approved = (
        Onboarding.objects.filter(customer=customer, status=Onboarding.Status.APPROVED)
        .order_by("-decided_at", "-pk")
        .first()
    )
    return not (
        latest_approved is not None
        and latest_approved.payment_terms == PaymentTerms.CREDIT
    )


def service_order_create(
    *,
    quotation: Quotation,
    user,
    lines: list[LineChoice] | None = None,
    address: str = "",
    barrio: str | None = None,
    municipality=None,
    site_contact: str = "",
    site_contact_phone: str = "",
    instructions: str = "",
    agreement: Agreement | None = None,
) -> ServiceOrder:
    """Create a service order with the next consecutive code from an accepted
    quotation, copying the chosen lines (all of them when `lines` is None) with
    their prices and the quantities to perform.

    One quotation may produce several orders, for example one per month. The
    address defaults to the customer's.
    """
    _require_accepted(quotation)
    customer = quotation.customer
    if lines is None:
        lines = [LineChoice(line, line.quantity) for line in quotation.lines.all()]
    lines = _checked_lines(quotation, lines)
    if agreement is not None and agreement.quotation_id != quotation.pk:
        raise ValidationError(
            _("El documento «%(agreement)s» es de otra cotización; elija uno de %(q)s.")
            % {"agreement": agreement, "q": quotation.code},
            code="wrong_agreement",
        )
    if agreement is None:
        agreement = quotation.agreements.order_by("-signed_on", "-pk").first()
    address = address.strip() or customer.address
    if not address:
        raise ValidationError(
            _(
                "El cliente no tiene dirección registrada: escriba la dirección "
                "donde se presta el servicio."
            ),
            code="missing_address",
        )
    municipality = municipality or customer.municipality
    site_contact_phone = _site_phone(site_contact_phone, municipality)

    with transaction.atomic():
        # Lock the quotation and check it again, so that an annulment running at
        # the same time either finds this order or completes before it is created.
        _require_accepted(Quotation.objects.select_for_update().get(pk=quotation.pk))
        taken = number_take(kind=NUMBER_KIND, year=timezone.localdate().year)
        order = ServiceOrder.objects.create(
            code=taken.code,
            quotation=quotation,
            agreement=agreement,
            customer=customer,
            advisor=quotation.advisor,
            address=address,
            barrio=customer.barrio if barrio is None else barrio.strip(),
            municipality=municipality,
            site_contact=site_contact.strip(),
            site_contact_phone=site_contact_phone,
            instructions=instructions.strip(),
            prepayment_required=prepayment_is_required(customer),
            created_by=user,
        )
        for position, choice in enumerate(lines, start=1):
            line = choice.quotation_line
            ServiceOrderLine.objects.create(
                order=order,
                position=position,
                quotation_line=line,
                code=line.code,
                description=line.description,
                unit=line.unit,
                quantity=choice.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
            )
    logger.info("Service order %s created from quotation %s", order.code, quotation.pk)
    return order


def service_order_annul(*, order: ServiceOrder, user, reason: str) -> ServiceOrder:
    """Annul an order that was never performed; it keeps its code. A scheduled
    order must be cancelled first, which e-mails the customer."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Escriba el motivo de la anulación."), code="reason")
    with transaction.atomic():
        order = _locked(order)
        allowed = (
            ServiceOrder.Status.TO_SCHEDULE,
            ServiceOrder.Status.REQUESTED,
            ServiceOrder.Status.CANCELLED,
        )
        if order.status not in allowed:
            if order.status == ServiceOrder.Status.SCHEDULED:
                message = _(
                    "La orden %(code)s está programada: cancele primero la "
                    "programación (se avisa al cliente) y luego anúlela."
                )
            else:
                message = _("La orden %(code)s está %(status)s y no se puede anular.")
            raise ValidationError(
                message
                % {"code": order.code, "status": order.get_status_display().lower()},
                code="invalid_status",
            )
        order.status = ServiceOrder.Status.ANNULLED
        order.closed_at = timezone.now()
        order.closed_by = user
        order.close_reason = reason
        order.save()
    logger.info("Service order %s annulled", order.code)
    return order


# Scheduling ------------------------------------------------------------------


def schedule_request(
    *,
    order: ServiceOrder,
    user,
    requested_date: date,
    allow_non_business_day: bool = False,
    note: str = "",
) -> ScheduleChange:
    """Ask operations to perform the order on `requested_date`. Asking again
    before operations confirm changes the requested date."""
    _check_service_date(requested_date, allow_non_business_day)
    with transaction.atomic():
        order = _locked(order)
        if order.status not in (
            ServiceOrder.Status.TO_SCHEDULE,
            ServiceOrder.Status.REQUESTED,
        ):
            raise ValidationError(
                _(
                    "La orden %(code)s está %(status)s; solo se solicita fecha a "
                    "órdenes por programar o con fecha ya solicitada."
                )
                % {"code": order.code, "status": order.get_status_display().lower()},
                code="invalid_status",
            )
        previous = order.requested_date
        order.status = ServiceOrder.Status.REQUESTED
        order.requested_date = requested_date
        order.requested_by = user
        order.requested_at = timezone.now()
        order.save()
        change = ScheduleChange.objects.create(
            order=order,
            kind=ScheduleChange.Kind.REQUESTED,
            previous_date=previous,
            new_date=requested_date,
            reason=note.strip(),
            created_by=user,
        )
    logger.info("Date requested for service order %s", order.code)
    return change


def schedule_confirm(
    *,
    order: ServiceOrder,
    user,
    scheduled_date: date,
    scheduled_time: time,
    crew: list[CrewInput],
    vehicle_plate: str,
    supervisor,
    allow_non_business_day: bool = False,
) -> ScheduleChange:
    """Confirm the date, crew, vehicle and supervisor of an order and e-mail the
    customer the people and vehicle to let in.

    Refused while the order requires prepayment and its payments do not cover
    the latest aforo's charge yet.
    """
    _require_scheduler(user)
    _check_service_date(scheduled_date, allow_non_business_day)
    plate = plate_normalise(vehicle_plate)
    _check_crew_and_supervisor(crew, supervisor, scheduled_time)

    with transaction.atomic():
        order = _locked(order)
        if order.status not in (
            ServiceOrder.Status.TO_SCHEDULE,
            ServiceOrder.Status.REQUESTED,
        ):
            raise ValidationError(
                _(
                    "La orden %(code)s está %(status)s; para cambiar una orden "
                    "programada use «Reprogramar»."
                )
                % {"code": order.code, "status": order.get_status_display().lower()},
                code="invalid_status",
            )
        _require_prepayment(order)

        previous = order.requested_date
        order.status = ServiceOrder.Status.SCHEDULED
        _apply_schedule(order, user, scheduled_date, scheduled_time, plate, supervisor)
        _replace_crew(order, crew)
        change = ScheduleChange.objects.create(
            order=order,
            kind=ScheduleChange.Kind.CONFIRMED,
            previous_date=previous,
            new_date=scheduled_date,
            created_by=user,
        )
        _notify_customer(change, user, changes=[])
    logger.info("Service order %s scheduled", order.code)
    return change


def schedule_reschedule(
    *,
    order: ServiceOrder,
    user,
    reason: str,
    scheduled_date: date,
    scheduled_time: time,
    crew: list[CrewInput] | None = None,
    vehicle_plate: str | None = None,
    supervisor=None,
    allow_non_business_day: bool = False,
) -> ScheduleChange:
    """Change the date, time, crew, vehicle or supervisor of a scheduled order,
    with a reason, and e-mail the customer what changed and why. None keeps the
    current crew, vehicle or supervisor."""
    _require_scheduler(user)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Escriba el motivo de la reprogramación; se le envía al cliente."),
            code="reason",
        )
    _check_service_date(scheduled_date, allow_non_business_day)

    with transaction.atomic():
        order = _locked(order)
        if order.status != ServiceOrder.Status.SCHEDULED:
            raise ValidationError(
                _(
                    "La orden %(code)s está %(status)s; solo se reprograman órdenes "
                    "programadas."
                )
                % {"code": order.code, "status": order.get_status_display().lower()},
                code="invalid_status",
            )
        old_crew = [
            CrewInput(member.name, member.id_number, member.role)
            for member in order.crew.all()
        ]
        plate = (
            order.vehicle_plate
            if vehicle_plate is None
            else plate_normalise(vehicle_plate)
        )
        supervisor = supervisor or order.supervisor
        new_crew = old_crew if crew is None else crew
        _check_crew_and_supervisor(new_crew, supervisor, scheduled_time)

        changes = _describe_changes(
            order, scheduled_date, scheduled_time, new_crew, old_crew, plate, supervisor
        )
        if not changes:
            raise ValidationError(
                _(
                    "No cambió nada: la fecha, la hora, la cuadrilla, la placa y el "
                    "supervisor son los mismos."
                ),
                code="no_change",
            )
        previous = order.scheduled_date
        _apply_schedule(order, user, scheduled_date, scheduled_time, plate, supervisor)
        if crew is not None:
            _replace_crew(order, crew)
        change = ScheduleChange.objects.create(
            order=order,
            kind=ScheduleChange.Kind.RESCHEDULED,
            previous_date=previous,
            new_date=scheduled_date,
            reason=reason,
            created_by=user,
        )
        _notify_customer(change, user, changes=changes)
    logger.info("Service order %s rescheduled", order.code)
    return change


def schedule_unschedule(*, order: ServiceOrder, user, reason: str) -> ScheduleChange:
    """Take a scheduled order back to «Por programar», with a reason, when it
    was scheduled by mistake, and e-mail the customer that the date no longer
    holds. The date, time, crew, vehicle and supervisor are cleared, and so is
    the date requested, so the order is scheduled again from the start. The
    order's history and the schedule change keep the previous values.

    Rejected unless the order is scheduled (an executed, cancelled or annulled
    order never goes back), and once proof of the service is uploaded, because
    the service was then performed."""
    _require_scheduler(user)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Escriba el motivo de la desprogramación; se le envía al cliente."),
            code="reason",
        )
    with transaction.atomic():
        order = _locked(order)
        if order.status != ServiceOrder.Status.SCHEDULED:
            raise ValidationError(
                _(
                    "La orden %(code)s está %(status)s; solo se desprograman órdenes "
                    "programadas cuyo servicio no se ha ejecutado."
                )
                % {"code": order.code, "status": order.get_status_display().lower()},
                code="invalid_status",
            )
        if order.proofs.exists():
            raise ValidationError(
                _(
                    "La orden %(code)s ya tiene soportes del servicio, así que el "
                    "servicio se prestó: registre la ejecución en lugar de "
                    "desprogramarla."
                )
                % {"code": order.code},
                code="has_proof",
            )
        previous = order.scheduled_date
        order.status = ServiceOrder.Status.TO_SCHEDULE
        order.scheduled_date = None
        order.scheduled_time = None
        order.vehicle_plate = ""
        order.supervisor = None
        order.scheduled_by = None
        order.scheduled_at = None
        order.requested_date = None
        order.requested_by = None
        order.requested_at = None
        order.save()
        _replace_crew(order, [])
        change = ScheduleChange.objects.create(
            order=order,
            kind=ScheduleChange.Kind.UNSCHEDULED,
            previous_date=previous,
            reason=reason,
            created_by=user,
        )
        _notify_customer(change, user, changes=[])
    logger.info("Service order %s unscheduled", order.code)
    return change


def schedule_cancel(*, order: ServiceOrder, user, reason: str) -> ScheduleChange:
    """Cancel the service of a requested or scheduled order with a reason and
    e-mail the customer. The order keeps its code and can no longer be
    scheduled."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Escriba el motivo de la cancelación; se le envía al cliente."),
            code="reason",
        )
    with transaction.atomic():
        order = _locked(order)
        if order.status not in OPEN_STATUSES:
            raise ValidationError(
                _("La orden %(code)s está %(status)s y no se puede cancelar.")
                % {"code": order.code, "status": order.get_status_display().lower()},
                code="invalid_status",
            )
        previous = order.scheduled_date or order.requested_date
        order.status = ServiceOrder.Status.CANCELLED
        order.closed_at = timezone.now()
        order.closed_by = user
        order.close_reason = reason
        order.save()
        change = ScheduleChange.objects.create(
            order=order,
            kind=ScheduleChange.Kind.CANCELLED,
            previous_date=previous,
            reason=reason,
            created_by=user,
        )
        _notify_customer(change, user, changes=[])
    logger.info("Service order %s cancelled", order.code)
    return change


def customer_email_address(customer: Customer) -> str:
    """Return the customer's e-mail, else its primary contact's, else ""."""
    if customer.email:
        return customer.email
    contact = (
        customer.contacts.filter(is_primary=True).exclude(email="").first()
        if customer.pk
        else None
    )
    return contact.email if contact else ""


def prepayment_registered(order: ServiceOrder) -> bool:
    """Return True when the payments of `order` cover its latest aforo's charge
    (field_work adds up the payments; an annulled aforo does not count)."""
    from field_work.services import prepayment_is_covered

    return prepayment_is_covered(order)


# Helpers ---------------------------------------------------------------------


def _require_accepted(quotation: Quotation) -> None:
    if quotation.status != Quotation.Status.ACCEPTED:
        raise ValidationError(
            _(
                "La cotización %(quotation)s está %(status)s; solo una cotización "
                "aceptada da lugar a contratos y órdenes de servicio."
            )
            % {
                "quotation": quotation.code or _("(borrador)"),
                "status": quotation.get_status_display().lower(),
            },
            code="not_accepted",
        )


def _require_scheduler(user) -> None:
    if not can_schedule(user):
        raise PermissionDenied(
            "Only operations, logistics and managers confirm or change schedules."
        )


def _require_prepayment(order: ServiceOrder) -> None:
    if order.prepayment_required and not prepayment_registered(order):
        raise ValidationError(
            _(
                "La orden %(code)s requiere pago anticipado (cliente nuevo, fuera "
                "del catastro y sin crédito aprobado) y sus pagos aún no cubren el "
                "valor del aforo. Registre el aforo y los pagos antes de "
                "programarla."
            )
            % {"code": order.code},
            code="prepayment_missing",
        )


def _locked(order: ServiceOrder) -> ServiceOrder:
    return ServiceOrder.objects.select_for_update().get(pk=order.pk)


def _site_phone(raw: str, municipality) -> str:
    """Return the site contact's phone in E.164, or "" when none was typed. A
    seven-digit landline takes the municipality's 60X prefix."""
    if not (raw or "").strip():
        return ""
    prefix = municipality.landline_prefix if municipality else ""
    try:
        return normalise_phone(raw, prefix)
    except ValidationError as error:
        raise ValidationError(
            _("Teléfono del contacto: %(message)s")
            % {"message": " ".join(error.messages)},
            code="invalid_phone",
        ) from error


def _checked_lines(quotation: Quotation, lines: list[LineChoice]) -> list[LineChoice]:
    if not lines:
        raise ValidationError(
            _("Elija al menos un servicio de la cotización para la orden."),
            code="no_lines",
        )
    checked = []
    for choice in lines:
        line = choice.quotation_line
        if line.quotation_id != quotation.pk:
            raise ValidationError(
                _("El ítem %(code)s no es de la cotización %(quotation)s.")
                % {"code": line.code, "quotation": quotation.code},
                code="wrong_line",
            )
        try:
            quantity = Decimal(str(choice.quantity))
        except (InvalidOperation, ValueError):
            quantity = None
        if quantity is None or not quantity.is_finite() or quantity <= 0:
            raise ValidationError(
                _(
                    "La cantidad de %(code)s debe ser un número mayor que cero; se "
                    "recibió «%(value)s»."
                )
                % {"code": line.code, "value": choice.quantity},
                code="invalid_quantity",
            )
        if quantity >= Decimal("1e9") or quantity != quantity.quantize(
            Decimal("0.001")
        ):
            raise ValidationError(
                _(
                    "La cantidad %(value)s de %(code)s no es válida: use hasta tres "
                    "decimales y menos de 1.000.000.000."
                )
                % {"code": line.code, "value": quantity},
                code="invalid_quantity",
            )
        _quantity_cap_check(line, quantity)
        checked.append(LineChoice(line, quantity))
    return checked


def _quantity_text(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _quantity_cap_check(line: QuotationLine, quantity: Decimal) -> None:
    """Reject an order quantity of more than settings.EXECUTED_QUANTITY_MAX_FACTOR
    times the quoted one, the same bound as for executed quantities, because
    such a figure is a typing or unit mistake."""
    factor = settings.EXECUTED_QUANTITY_MAX_FACTOR
    if line.quantity and quantity > line.quantity * factor:
        raise ValidationError(
            _(
                "Ítem %(code)s: la cantidad %(entered)s es más de %(factor)s veces "
                "la cantidad cotizada (%(quoted)s). Revise la unidad o, si el "
                "cliente pide más, haga una nueva cotización."
            )
            % {
                "code": line.code,
                "entered": _quantity_text(quantity),
                "factor": factor,
                "quoted": _quantity_text(line.quantity),
            },
            code="quantity_over_quoted",
        )


def _check_service_date(day: date, allow_non_business_day: bool) -> None:
    today = timezone.localdate()
    if day < today:
        raise ValidationError(
            _("La fecha %(date)s ya pasó; elija hoy o una fecha futura.")
            % {"date": f"{day:%d/%m/%Y}"},
            code="past_date",
        )
    if not allow_non_business_day and not is_business_day(day):
        raise ValidationError(
            _(
                "El %(date)s no es día hábil (fin de semana o festivo). Elija otro "
                "día o marque que el servicio se presta en día no hábil."
            )
            % {"date": f"{day:%d/%m/%Y}"},
            code="non_business_day",
        )


def _check_crew_and_supervisor(crew, supervisor, scheduled_time) -> None:
    if scheduled_time is None:
        raise ValidationError(_("Falta la hora del servicio."), code="missing_time")
    if not crew:
        raise ValidationError(
            _(
                "Escriba la cuadrilla: al menos una persona con su nombre y cédula; "
                "el cliente la necesita para autorizar el ingreso."
            ),
            code="missing_crew",
        )
    numbers = [member.id_number for member in crew]
    if len(set(numbers)) != len(numbers):
        raise ValidationError(
            _("Una cédula está repetida en la cuadrilla."), code="duplicate_cedula"
        )
    if supervisor is None:
        raise ValidationError(_("Elija el supervisor."), code="missing_supervisor")
    if not supervisor.is_active or not supervisor.has_role(Role.OPERATIONS):
        raise ValidationError(
            _(
                "%(user)s no tiene el rol de Operaciones; el supervisor debe ser un "
                "supervisor de operaciones activo."
            )
            % {"user": supervisor},
            code="invalid_supervisor",
        )


def _apply_schedule(order, user, scheduled_date, scheduled_time, plate, supervisor):
    order.scheduled_date = scheduled_date
    order.scheduled_time = scheduled_time
    order.vehicle_plate = plate
    order.supervisor = supervisor
    order.scheduled_by = user
    order.scheduled_at = timezone.now()
    order.save()


def _replace_crew(order: ServiceOrder, crew: list[CrewInput]) -> None:
    # Saved one by one, like the deletions, so that every change enters the
    # CrewMember history.
    for member in order.crew.all():
        member.delete()
    for member in crew:
        CrewMember.objects.create(
            order=order, name=member.name, id_number=member.id_number, role=member.role
        )


def _describe_changes(
    order, scheduled_date, scheduled_time, new_crew, old_crew, plate, supervisor
) -> list[str]:
    """Return one Spanish sentence per changed field of a rescheduling."""
    changes = []
    if order.scheduled_date != scheduled_date:
        changes.append(
            _("Fecha: antes %(old)s, ahora %(new)s.")
            % {
                "old": f"{order.scheduled_date:%d/%m/%Y}",
                "new": f"{scheduled_date:%d/%m/%Y}",
            }
        )
    if order.scheduled_time != scheduled_time:
        changes.append(
            _("Hora: antes %(old)s, ahora %(new)s.")
            % {
                "old": f"{order.scheduled_time:%H:%M}" if order.scheduled_time else "—",
                "new": f"{scheduled_time:%H:%M}",
            }
        )
    old_people = {(m.name, m.id_number) for m in old_crew}
    new_people = {(m.name, m.id_number) for m in new_crew}
    if old_people != new_people:
        changes.append(_("Cuadrilla: cambió; vea la lista actualizada."))
    if order.vehicle_plate != plate:
        changes.append(
            _("Vehículo: antes placa %(old)s, ahora placa %(new)s.")
            % {"old": order.vehicle_plate, "new": plate}
        )
    if order.supervisor_id != supervisor.pk:
        changes.append(
            _("Supervisor: antes %(old)s, ahora %(new)s.")
            % {"old": order.supervisor, "new": supervisor}
        )
    return changes


def _subject(change: ScheduleChange) -> str:
    subjects = {
        ScheduleChange.Kind.CONFIRMED: _("Servicio programado %(code)s · %(company)s"),
        ScheduleChange.Kind.RESCHEDULED: _(
            "Servicio reprogramado %(code)s · %(company)s"
        ),
        ScheduleChange.Kind.CANCELLED: _("Servicio cancelado %(code)s · %(company)s"),
        ScheduleChange.Kind.UNSCHEDULED: _(
            "Servicio sin fecha programada %(code)s · %(company)s"
        ),
    }
    return subjects[change.kind] % {
        "code": change.order.code,
        "company": settings.COMPANY_NAME,
    }


def _notify_customer(change: ScheduleChange, user, *, changes: list[str]) -> None:
    """Queue the e-mail of a schedule change to the customer and link it to the
    change; a customer without e-mail gets none (the page warns)."""
    order = change.order
    address = customer_email_address(order.customer)
    if not address:
        logger.warning(
            "Service order %s: customer %s has no e-mail; schedule change %s not sent",
            order.code,
            order.customer_id,
            change.pk,
        )
        return
    email = email_queue(
        kind=SCHEDULE_EMAIL_KINDS[change.kind],
        to=[address],
        subject=_subject(change),
        template="service_orders/email/schedule",
        context={
            "order": order,
            "change": change,
            "crew": list(order.crew.all()),
            "changes": changes,
        },
        created_by=user,
    )
    change.email = email
    change.save(update_fields=["email"])
