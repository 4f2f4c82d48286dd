"""Field-work workflows: the aforo and its charge from the tariff book, the
prepayment that lets a first-time customer's order be scheduled, the proof of
service and the executed quantities that mark an order executed.

Every change to an order's proof or quantities is rejected once the order is handed
over to billing (`ServiceOrder.handoff` set) until billing reopens it."""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import MANAGER_ROLES, Role
from core.formatting import format_pesos
from core.uploads import JPEG, PDF, PNG, upload_check, upload_extension
from field_work.models import Aforo, AforoPhoto, AforoReading, Prepayment, ServiceProof
from quotations.money import line_amounts
from service_orders.models import ServiceOrder
from tariffs.models import TariffItem, Unit

logger = logging.getLogger(__name__)

# Roles that measure on site (the zone supervisor and the logistics assistant).
# Managers may also record an aforo on their behalf.
MEASURER_ROLES = (Role.OPERATIONS, Role.LOGISTICS)
AFORO_ROLES = (*MEASURER_ROLES, *MANAGER_ROLES)
# Roles that register a customer's advance payment.
PREPAYMENT_ROLES = (Role.ADVISOR, Role.BILLING, *MANAGER_ROLES)
# Roles that upload proof and record executed quantities.
EXECUTION_ROLES = (Role.OPERATIONS, Role.LOGISTICS, *MANAGER_ROLES)

# Unit of a reading → (tariff unit it is charged in, factor to that unit).
READING_UNITS = {
    "m3": (Unit.CUBIC_METRE, Decimal("1")),
    "kg": (Unit.TONNE, Decimal("0.001")),
}
READING_UNIT_CHOICES = [("m3", "m³"), ("kg", "kg")]

MAX_AFORO_PHOTOS = 20
# Largest reading of one container or pile and largest container count of one
# reading line. A roll-off box contains about 30 m³ and a landfill scale weighs a
# few tonnes per trip, so these bounds only catch typing mistakes (an extra
# digit, kilograms typed as grams) before they become a charge in the billions.
MAX_READING = {"m3": Decimal("1000"), "kg": Decimal("100000")}
MAX_CONTAINER_COUNT = 10000
THOUSANDTH = Decimal("0.001")
# Largest quantity that fits DecimalField(max_digits=12, decimal_places=3).
MAX_QUANTITY = Decimal("999999999.999")

# Order states in which an aforo or a prepayment still makes sense.
OPEN_STATES = (
    ServiceOrder.Status.TO_SCHEDULE,
    ServiceOrder.Status.REQUESTED,
    ServiceOrder.Status.SCHEDULED,
)
# Order states in which an aforo may still be annulled. A scheduled order was
# confirmed on the prepayment of its aforo, so annulling that aforo would leave it
# scheduled while its prepayment shows as unpaid.
AFORO_ANNUL_STATES = (ServiceOrder.Status.TO_SCHEDULE, ServiceOrder.Status.REQUESTED)
# Order states that accept proof of service.
PROOF_STATES = (ServiceOrder.Status.SCHEDULED, ServiceOrder.Status.EXECUTED)


def _require_role(user, roles) -> None:
    if not (user.is_superuser or user.has_role(*roles)):
        raise PermissionDenied


def _require_not_handed_over(order: ServiceOrder) -> None:
    if order.handoff_id:
        raise ValidationError(
            _(
                "La orden %(code)s ya fue entregada a facturación: sus soportes y "
                "cantidades no se pueden cambiar. Pida a facturación o a la "
                "coordinación que la reabra con el motivo."
            ),
            params={"code": order.code},
            code="handed_over",
        )


def _lock(order: ServiceOrder) -> ServiceOrder:
    """Re-read `order` under a row lock so that a concurrent hand-off is seen."""
    return ServiceOrder.objects.select_for_update().get(pk=order.pk)


def _require_not_future(value: date, label: str) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            _("La %(label)s %(date)s es posterior a hoy (%(today)s); corríjala.")
            % {
                "label": label,
                "date": f"{value:%d/%m/%Y}",
                "today": f"{today:%d/%m/%Y}",
            }
        )


def _quantity(value, *, label: str, allow_zero: bool) -> Decimal:
    """Return `value` as a Decimal of at most 3 decimals within the column's
    range; raise ValidationError naming `label` otherwise."""
    try:
        quantity = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        quantity = None
    if quantity is None or not quantity.is_finite():
        raise ValidationError(
            _("%(label)s: «%(value)s» no es un número; escriba por ejemplo 2,5.")
            % {"label": label, "value": value}
        )
    if quantity < 0 or (quantity == 0 and not allow_zero):
        minimum = _("cero o más") if allow_zero else _("mayor que cero")
        raise ValidationError(
            _("%(label)s: la cantidad debe ser %(minimum)s; se recibió %(value)s.")
            % {"label": label, "minimum": minimum, "value": value}
        )
    if quantity != quantity.quantize(THOUSANDTH):
        raise ValidationError(
            _("%(label)s: use como máximo 3 decimales; se recibió %(value)s.")
            % {"label": label, "value": value}
        )
    if quantity > MAX_QUANTITY:
        raise ValidationError(
            _("%(label)s: la cantidad %(value)s es demasiado grande.")
            % {"label": label, "value": value}
        )
    return quantity.quantize(THOUSANDTH)


# --- Aforo -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReadingInput:
    """One measured container or pile as entered: `count` containers of
    `reading` each, in `unit` (m3 or kg), charged at the tariff `tariff_code`."""

    container: str
    count: int
    reading: Decimal
    unit: str
    tariff_code: str


@dataclass(frozen=True)
class ChargeLine:
    item: TariffItem
    quantity: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class Charge:
    lines: list[ChargeLine]
    net: Decimal
    tax: Decimal
    total: Decimal


def charge_compute(measured: list[tuple[TariffItem, Decimal]]) -> Charge:
    """Price (tariff item, quantity in the item's unit) pairs as quotation lines are
    priced. The quantities of one item are added up first. Each item's net and IVA
    are then rounded by quotations.money.line_amounts, and the totals are sums of
    the rounded figures."""
    quantities: dict[int, Decimal] = {}
    items: dict[int, TariffItem] = {}
    for item, quantity in measured:
        items[item.pk] = item
        quantities[item.pk] = quantities.get(item.pk, Decimal("0")) + quantity
    lines = []
    for pk, quantity in quantities.items():
        item = items[pk]
        amounts = line_amounts(
            quantity=quantity, unit_price=item.unit_price, tax_rate=item.tax_rate
        )
        lines.append(
            ChargeLine(
                item=item,
                quantity=quantity,
                net=amounts.net,
                tax=amounts.tax,
                total=amounts.total,
            )
        )
    zero = Decimal("0.00")
    return Charge(
        lines=lines,
        net=sum((line.net for line in lines), zero),
        tax=sum((line.tax for line in lines), zero),
        total=sum((line.total for line in lines), zero),
    )


def reading_quantity(*, count: int, reading: Decimal, unit: str) -> Decimal:
    """Return count times reading, converted to the unit the tariff charges in."""
    _tariff_unit, factor = READING_UNITS[unit]
    return Decimal(count) * reading * factor


def aforo_charge(aforo: Aforo) -> Charge:
    """Recompute the charge breakdown of a recorded aforo from its readings."""
    return charge_compute(
        [
            (
                reading.tariff_item,
                reading_quantity(
                    count=reading.count, reading=reading.reading, unit=reading.unit
                ),
            )
            for reading in aforo.readings.select_related("tariff_item")
        ]
    )


def _reading_check(
    position: int, entry: ReadingInput, in_force
) -> tuple[ReadingInput, TariffItem]:
    label = _("Lectura %(row)s") % {"row": position}
    container = (entry.container or "").strip()
    if not container:
        raise ValidationError(
            _("%(label)s: escriba el recipiente o sitio medido.") % {"label": label}
        )
    if entry.count is None or int(entry.count) < 1:
        raise ValidationError(
            _("%(label)s: la cantidad de recipientes debe ser 1 o más.")
            % {"label": label}
        )
    if int(entry.count) > MAX_CONTAINER_COUNT:
        raise ValidationError(
            _(
                "%(label)s: %(count)s recipientes es demasiado; el máximo por lectura "
                "es %(limit)s. Revise la cantidad."
            )
            % {"label": label, "count": entry.count, "limit": MAX_CONTAINER_COUNT}
        )
    reading = _quantity(entry.reading, label=label, allow_zero=False)
    if entry.unit not in READING_UNITS:
        raise ValidationError(
            _("%(label)s: la unidad «%(unit)s» no es válida; use m³ o kg.")
            % {"label": label, "unit": entry.unit}
        )
    if reading > MAX_READING[entry.unit]:
        raise ValidationError(
            _(
                "%(label)s: la lectura %(value)s %(unit)s por recipiente es demasiado "
                "grande; el máximo es %(limit)s %(unit)s. Revise la medida y la unidad."
            )
            % {
                "label": label,
                "value": quantity_text(reading),
                "unit": dict(READING_UNIT_CHOICES)[entry.unit],
                "limit": quantity_text(MAX_READING[entry.unit]),
            }
        )
    code = (entry.tariff_code or "").strip()
    item = in_force.filter(code=code).first()
    if item is None:
        raise ValidationError(
            _(
                "%(label)s: la tarifa «%(code)s» no está vigente en la fecha del "
                "aforo; elija una tarifa del tarifario vigente ese día."
            )
            % {"label": label, "code": code}
        )
    tariff_unit, _factor = READING_UNITS[entry.unit]
    if item.unit != tariff_unit:
        raise ValidationError(
            _(
                "%(label)s: la tarifa %(code)s se cobra por %(tariff_unit)s y la "
                "lectura está en %(unit)s; elija una tarifa por %(expected)s."
            )
            % {
                "label": label,
                "code": item.code,
                "tariff_unit": item.get_unit_display(),
                "unit": dict(READING_UNIT_CHOICES)[entry.unit],
                "expected": Unit(tariff_unit).label,
            }
        )
    checked = ReadingInput(
        container=container,
        count=int(entry.count),
        reading=reading,
        unit=entry.unit,
        tariff_code=item.code,
    )
    return checked, item


def aforo_record(
    *,
    order: ServiceOrder,
    user,
    measured_on: date,
    measured_by,
    method: str,
    readings: list[ReadingInput],
    signed_record,
    photos=(),
    notes: str = "",
) -> Aforo:
    """Record an aforo of `order` with its readings, photos (JPEG or PNG) and signed
    record (PDF, JPEG or PNG), and store the charge computed from the tariffs in
    force on `measured_on`. Raises ValidationError naming the field or reading to
    fix; nothing is written then."""
    _require_role(user, AFORO_ROLES)
    if order.status not in OPEN_STATES:
        raise ValidationError(
            _(
                "La orden %(code)s está %(status)s: el aforo se registra antes de "
                "ejecutar el servicio."
            ),
            params={"code": order.code, "status": order.get_status_display().lower()},
        )
    _require_not_handed_over(order)
    _require_not_future(measured_on, _("fecha del aforo"))
    _aforo_date_check(order, measured_on)
    if method not in Aforo.Method.values:
        raise ValidationError(
            _("El método «%(method)s» no es válido."), params={"method": method}
        )
    if not (measured_by.is_superuser or measured_by.has_role(*MEASURER_ROLES)):
        raise ValidationError(
            _(
                "%(person)s no es supervisor de operaciones ni auxiliar logístico; "
                "elija quién hizo el aforo."
            ),
            params={"person": measured_by},
        )
    if not readings:
        raise ValidationError(
            _("Agregue al menos una lectura (recipiente, cantidad y medida).")
        )
    in_force = TariffItem.objects.in_force(on=measured_on)
    checked = [
        _reading_check(position, entry, in_force)
        for position, entry in enumerate(readings, start=1)
    ]
    if signed_record is None:
        raise ValidationError(_("Adjunte el acta de aforo firmada (PDF, JPEG o PNG)."))
    record_type = upload_check(signed_record, max_mb=settings.UPLOAD_MAX_MB)
    photos = list(photos)
    if len(photos) > MAX_AFORO_PHOTOS:
        raise ValidationError(
            _("Suba como máximo %(limit)s fotos por aforo; se recibieron %(count)s."),
            params={"limit": MAX_AFORO_PHOTOS, "count": len(photos)},
        )
    photo_types = [
        upload_check(photo, max_mb=settings.UPLOAD_MAX_MB, accepted=(JPEG, PNG))
        for photo in photos
    ]
    charge = charge_compute(
        [
            (
                item,
                reading_quantity(
                    count=entry.count, reading=entry.reading, unit=entry.unit
                ),
            )
            for entry, item in checked
        ]
    )

    with transaction.atomic():
        order = _lock(order)
        _require_not_handed_over(order)
        aforo = Aforo(
            order=order,
            measured_on=measured_on,
            measured_by=measured_by,
            method=method,
            notes=notes.strip(),
            charge_net=charge.net,
            charge_tax=charge.tax,
            charge_total=charge.total,
            signed_record_content_type=record_type,
            created_by=user,
        )
        aforo.signed_record.save(
            f"acta{upload_extension(signed_record)}", signed_record, save=False
        )
        aforo.save()
        for entry, item in checked:
            AforoReading.objects.create(
                aforo=aforo,
                container=entry.container,
                count=entry.count,
                reading=entry.reading,
                unit=entry.unit,
                tariff_item=item,
            )
        for photo, content_type in zip(photos, photo_types, strict=True):
            stored = AforoPhoto(aforo=aforo, content_type=content_type)
            stored.file.save(f"foto{upload_extension(photo)}", photo, save=False)
            stored.save()
    logger.info(
        "Aforo %s of order %s recorded, charge %s", aforo.pk, order.code, charge.total
    )
    return aforo


def aforo_annul(*, aforo: Aforo, user, reason: str) -> Aforo:
    """Annul a mistaken aforo with the reason: it stays on the order, marked with
    who annulled it, when and why, and no longer counts for the charge or the
    prepayment. Record a new aforo to replace it.

    Rejected once the order is scheduled or executed, because it was scheduled on
    the prepayment of that aforo, and once it is closed or handed over to billing."""
    _require_role(user, AFORO_ROLES)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Escriba el motivo de la anulación del aforo."))
    with transaction.atomic():
        order = _lock(aforo.order)
        _require_not_handed_over(order)
        aforo = Aforo.objects.select_for_update().get(pk=aforo.pk)
        if aforo.annulled_at:
            raise ValidationError(_("Este aforo ya está anulado."))
        if order.status in (
            ServiceOrder.Status.SCHEDULED,
            ServiceOrder.Status.EXECUTED,
        ):
            raise ValidationError(
                _(
                    "La orden %(code)s está %(status)s: su aforo ya no se puede "
                    "anular, porque la orden se programó con ese aforo. Si la "
                    "orden sigue programada, desprográmela primero con "
                    "«Desprogramar»; si ya se ejecutó, avise a facturación para "
                    "que corrija el valor en la factura."
                ),
                params={
                    "code": order.code,
                    "status": order.get_status_display().lower(),
                },
                code="scheduled",
            )
        if order.status not in AFORO_ANNUL_STATES:
            raise ValidationError(
                _("La orden %(code)s está %(status)s: su aforo ya no se puede anular."),
                params={
                    "code": order.code,
                    "status": order.get_status_display().lower(),
                },
            )
        aforo.annulled_at = timezone.now()
        aforo.annulled_by = user
        aforo.annulled_reason = reason
        aforo._change_reason = reason
        aforo.save(update_fields=["annulled_at", "annulled_by", "annulled_reason"])
    logger.info("Aforo %s of order %s annulled", aforo.pk, order.code)
    return aforo


def orders_awaiting_aforo(orders):
    """Filter `orders` to those waiting for an aforo: prepayment required, still
    open, and without an aforo in force (none recorded, or every one annulled)."""
    in_force = Aforo.objects.filter(order=OuterRef("pk"), annulled_at__isnull=True)
    return orders.filter(prepayment_required=True, status__in=OPEN_STATES).exclude(
        Exists(in_force)
    )


def aforo_current(order: ServiceOrder) -> Aforo | None:
    """Return the latest aforo of `order` that is not annulled, or None."""
    return (
        order.aforos.filter(annulled_at__isnull=True)
        .order_by("-measured_on", "-pk")
        .first()
    )


# --- Prepayment --------------------------------------------------------------------


def prepayment_paid(order: ServiceOrder) -> Decimal:
    """Return the sum of the payments of `order` that are not annulled."""
    total = order.prepayments.in_force().aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def prepayment_due(order: ServiceOrder) -> Decimal | None:
    """Return the charge of the latest aforo of `order` that is not annulled, or
    None without one."""
    aforo = aforo_current(order)
    return aforo.charge_total if aforo else None


def prepayment_is_covered(order: ServiceOrder) -> bool:
    """Return True when the payments of `order` that are not annulled add up to
    its latest aforo's charge. A later aforo with a higher charge, or annulling a
    payment, makes it False again."""
    due = prepayment_due(order)
    return due is not None and prepayment_paid(order) >= due


def _prepayment_amount_check(amount: Decimal, due: Decimal) -> None:
    """Reject a payment of more than settings.PREPAYMENT_MAX_FACTOR times the
    aforo's charge, because such a figure is a typing mistake."""
    if amount > due * settings.PREPAYMENT_MAX_FACTOR:
        raise ValidationError(
            _(
                "Valor pagado: %(amount)s es más de %(factor)s veces el valor a "
                "cobrar del aforo (%(due)s). Revise el valor del comprobante."
            )
            % {
                "amount": format_pesos(amount),
                "factor": settings.PREPAYMENT_MAX_FACTOR,
                "due": format_pesos(due),
            }
        )


def _prepayment_date_check(order: ServiceOrder, paid_on: date) -> None:
    """Reject a payment dated before the order was created (Bogotá date)."""
    created_on = timezone.localdate(order.created_at)
    if paid_on < created_on:
        raise ValidationError(
            _(
                "Fecha del pago: %(date)s es anterior a la creación de la orden "
                "%(code)s (%(created)s). Escriba la fecha del comprobante."
            )
            % {
                "date": f"{paid_on:%d/%m/%Y}",
                "code": order.code,
                "created": f"{created_on:%d/%m/%Y}",
            }
        )


def _aforo_date_check(order: ServiceOrder, measured_on: date) -> None:
    """Reject an aforo dated before the order was created (Bogotá date), because
    the site is measured for an order that already exists."""
    created_on = timezone.localdate(order.created_at)
    if measured_on < created_on:
        raise ValidationError(
            _(
                "Fecha del aforo: %(date)s es anterior a la creación de la orden "
                "%(code)s (%(created)s). Escriba la fecha del acta de aforo."
            )
            % {
                "date": f"{measured_on:%d/%m/%Y}",
                "code": order.code,
                "created": f"{created_on:%d/%m/%Y}",
            }
        )


def prepayment_register(
    *,
    order: ServiceOrder,
    user,
    reference: str,
    paid_on: date,
    amount: Decimal,
    receipt,
) -> Prepayment:
    """Register a payment the customer made in advance for `order`, with its
    receipt (PDF, JPEG or PNG).

    An order may get several payments (a transfer plus a cash balance) that add
    up: service_orders confirms the schedule only once prepayment_is_covered(),
    that is, once the payments reach the charge of the latest aforo that is not
    annulled. A partial payment is recorded and the order keeps waiting.
    """
    _require_role(user, PREPAYMENT_ROLES)
    if order.status not in OPEN_STATES:
        raise ValidationError(
            _("La orden %(code)s está %(status)s; no recibe pagos anticipados."),
            params={"code": order.code, "status": order.get_status_display().lower()},
        )
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(
            _("Escriba la referencia del pago (número de transacción o recibo).")
        )
    _require_not_future(paid_on, _("fecha del pago"))
    if amount is None or amount <= 0:
        raise ValidationError(
            _("El valor pagado debe ser mayor que cero; se recibió %(amount)s."),
            params={"amount": amount},
        )
    if receipt is None:
        raise ValidationError(_("Adjunte el comprobante del pago (PDF, JPEG o PNG)."))
    content_type = upload_check(receipt, max_mb=settings.UPLOAD_MAX_MB)

    with transaction.atomic():
        order = _lock(order)
        due = prepayment_due(order)
        if due is None:
            raise ValidationError(
                _(
                    "La orden %(code)s no tiene aforo: registre primero el aforo, "
                    "que fija el valor a cobrar."
                ),
                params={"code": order.code},
            )
        _prepayment_amount_check(amount, due)
        _prepayment_date_check(order, paid_on)
        # An annulled payment's reference may be registered again, because
        # annulling and registering again is how a mistyped amount is corrected.
        in_force = order.prepayments.in_force()
        if in_force.filter(reference__iexact=reference).exists():
            raise ValidationError(
                _(
                    "El pago con referencia %(reference)s ya está registrado en la "
                    "orden %(code)s."
                ),
                params={"reference": reference, "code": order.code},
            )
        prepayment = Prepayment(
            order=order,
            aforo=aforo_current(order),
            reference=reference,
            paid_on=paid_on,
            amount=amount,
            receipt_content_type=content_type,
            registered_by=user,
        )
        prepayment.receipt.save(f"pago{upload_extension(receipt)}", receipt, save=False)
        prepayment.save()
    logger.info("Prepayment %s of order %s registered", prepayment.pk, order.code)
    return prepayment


def prepayment_is_final(order: ServiceOrder) -> bool:
    """Return True when the payments of `order` can no longer be annulled: the
    order is executed or handed over to billing."""
    return bool(order.handoff_id) or order.status == ServiceOrder.Status.EXECUTED


def prepayment_annul(*, prepayment: Prepayment, user, reason: str) -> Prepayment:
    """Annul a wrongly recorded payment with the reason: it stays on the order,
    marked with who annulled it, when and why, and no longer counts toward the
    prepayment. Register the right payment again if the customer did pay.

    Rejected once the order is executed or handed over to billing, because the
    service was performed on that payment and billing may already rely on it.
    An order already scheduled keeps its schedule; the caller warns when the
    remaining payments no longer cover the charge."""
    _require_role(user, PREPAYMENT_ROLES)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Escriba el motivo de la anulación del pago."))
    with transaction.atomic():
        order = _lock(prepayment.order)
        prepayment = Prepayment.objects.select_for_update().get(pk=prepayment.pk)
        if prepayment.annulled_at:
            raise ValidationError(
                _("El pago %(reference)s ya está anulado."),
                params={"reference": prepayment.reference},
            )
        if prepayment_is_final(order):
            raise ValidationError(
                _(
                    "La orden %(code)s ya se ejecutó o se entregó a facturación: "
                    "su pago %(reference)s no se puede anular. Si el pago estaba "
                    "mal registrado, avise a facturación para que lo corrija en "
                    "la factura."
                ),
                params={"code": order.code, "reference": prepayment.reference},
                code="executed",
            )
        prepayment.annulled_at = timezone.now()
        prepayment.annulled_by = user
        prepayment.annulled_reason = reason
        prepayment._change_reason = reason
        prepayment._history_user = user
        prepayment.save(update_fields=["annulled_at", "annulled_by", "annulled_reason"])
    logger.info("Prepayment %s of order %s annulled", prepayment.pk, order.code)
    return prepayment


# --- Proof of service ---------------------------------------------------------------


def _proof_check(order: ServiceOrder, kind: str, taken_on: date) -> None:
    if kind not in ServiceProof.Kind.values:
        raise ValidationError(
            _("El tipo de soporte «%(kind)s» no es válido."), params={"kind": kind}
        )
    if order.status not in PROOF_STATES:
        raise ValidationError(
            _(
                "La orden %(code)s está %(status)s: solo se suben soportes de "
                "órdenes programadas o ejecutadas."
            ),
            params={"code": order.code, "status": order.get_status_display().lower()},
        )
    _require_not_handed_over(order)
    _require_not_future(taken_on, _("fecha del soporte"))
    created_on = timezone.localdate(order.created_at)
    if taken_on < created_on:
        raise ValidationError(
            _(
                "Fecha del soporte: %(date)s es anterior a la creación de la orden "
                "%(code)s (%(created)s). Escriba la fecha en que se prestó el "
                "servicio."
            )
            % {
                "date": f"{taken_on:%d/%m/%Y}",
                "code": order.code,
                "created": f"{created_on:%d/%m/%Y}",
            }
        )
    # A proof shows the service done, which cannot be before its scheduled day.
    if order.scheduled_date and taken_on < order.scheduled_date:
        raise ValidationError(
            _(
                "Fecha del soporte: %(date)s es anterior a la fecha programada de la "
                "orden %(code)s (%(scheduled)s). Escriba la fecha en que se prestó el "
                "servicio, o desprograme la orden si el servicio no se prestará."
            )
            % {
                "date": f"{taken_on:%d/%m/%Y}",
                "code": order.code,
                "scheduled": f"{order.scheduled_date:%d/%m/%Y}",
            }
        )


def _proof_file_check(kind: str, uploaded) -> str:
    accepted = (JPEG, PNG) if kind == ServiceProof.Kind.PHOTO else (PDF, JPEG, PNG)
    return upload_check(uploaded, max_mb=settings.UPLOAD_MAX_MB, accepted=accepted)


def proof_upload_many(
    *,
    order: ServiceOrder,
    user,
    kind: str,
    files,
    taken_on: date,
    reference: str = "",
    notes: str = "",
) -> list[ServiceProof]:
    """Store several proof files of one kind for `order`: all of them or, when
    one file fails its check, none. Photos must be JPEG or PNG, other kinds PDF,
    JPEG or PNG, each up to settings.UPLOAD_MAX_MB."""
    _require_role(user, EXECUTION_ROLES)
    files = list(files)
    if not files:
        raise ValidationError(_("Elija al menos un archivo de soporte."))
    _proof_check(order, kind, taken_on)
    content_types = [_proof_file_check(kind, uploaded) for uploaded in files]

    proofs = []
    with transaction.atomic():
        order = _lock(order)
        _proof_check(order, kind, taken_on)
        for uploaded, content_type in zip(files, content_types, strict=True):
            proof = ServiceProof(
                order=order,
                kind=kind,
                content_type=content_type,
                size=uploaded.size,
                reference=(reference or "").strip(),
                taken_on=taken_on,
                notes=(notes or "").strip(),
                uploaded_by=user,
            )
            proof.file.save(f"{kind}{upload_extension(uploaded)}", uploaded, save=False)
            proof.save()
            proofs.append(proof)
    logger.info("%s proof files of order %s uploaded", len(proofs), order.code)
    return proofs


def proof_upload(
    *,
    order: ServiceOrder,
    user,
    kind: str,
    file,
    taken_on: date,
    reference: str = "",
    notes: str = "",
) -> ServiceProof:
    """Store one proof file for `order`; see proof_upload_many for the checks."""
    return proof_upload_many(
        order=order,
        user=user,
        kind=kind,
        files=[file],
        taken_on=taken_on,
        reference=reference,
        notes=notes,
    )[0]


# --- Execution -------------------------------------------------------------------


def quantity_text(value: Decimal) -> str:
    """Return a quantity without trailing zeros, with a decimal comma (3, 2,5)."""
    return format(value.normalize(), "f").replace(".", ",")


def _executed_quantity_check(line, quantity: Decimal) -> None:
    """Raise ValidationError when the executed quantity is more than
    settings.EXECUTED_QUANTITY_MAX_FACTOR times the ordered one, because such a
    figure is a typing or unit mistake."""
    factor = Decimal(str(settings.EXECUTED_QUANTITY_MAX_FACTOR))
    if line.quantity and quantity > line.quantity * factor:
        raise ValidationError(
            _(
                "Ítem %(code)s: la cantidad ejecutada %(entered)s es más de %(factor)s "
                "veces la cantidad de la orden (%(ordered)s). Revise la unidad o, si "
                "se hizo un servicio adicional, registre una nueva orden."
            )
            % {
                "code": line.code,
                "entered": quantity_text(quantity),
                "factor": settings.EXECUTED_QUANTITY_MAX_FACTOR,
                "ordered": quantity_text(line.quantity),
            }
        )


def execution_record(
    *,
    order: ServiceOrder,
    user,
    executed_on: date,
    quantities: dict[int, object],
) -> ServiceOrder:
    """Record the quantities actually executed for every line of `order` (keyed by
    line pk) and mark it executed on `executed_on`.

    A scheduled order becomes executed. An executed order that is not handed over
    yet may be recorded again to correct its date or quantities (history keeps the
    previous values). Quantities are zero or more with at most 3 decimals, and at
    least one must be above zero."""
    _require_role(user, EXECUTION_ROLES)
    _require_not_future(executed_on, _("fecha de ejecución"))

    with transaction.atomic():
        order = _lock(order)
        _require_not_handed_over(order)
        if order.status not in PROOF_STATES:
            raise ValidationError(
                _(
                    "La orden %(code)s está %(status)s: solo una orden programada "
                    "se marca como ejecutada."
                ),
                params={
                    "code": order.code,
                    "status": order.get_status_display().lower(),
                },
            )
        created_on = timezone.localdate(order.created_at)
        if executed_on < created_on:
            raise ValidationError(
                _(
                    "La fecha de ejecución %(date)s es anterior a la creación de la "
                    "orden (%(created)s); corríjala."
                ),
                params={
                    "date": f"{executed_on:%d/%m/%Y}",
                    "created": f"{created_on:%d/%m/%Y}",
                },
            )
        if order.scheduled_date and executed_on < order.scheduled_date:
            raise ValidationError(
                _(
                    "La fecha de ejecución %(date)s es anterior a la fecha programada "
                    "de la orden (%(scheduled)s); corríjala."
                ),
                params={
                    "date": f"{executed_on:%d/%m/%Y}",
                    "scheduled": f"{order.scheduled_date:%d/%m/%Y}",
                },
            )
        lines = list(order.lines.all())
        if not lines:
            raise ValidationError(
                _("La orden %(code)s no tiene ítems que ejecutar."),
                params={"code": order.code},
            )
        checked = {}
        for line in lines:
            label = _("Ítem %(code)s") % {"code": line.code}
            value = quantities.get(line.pk)
            if value is None or str(value).strip() == "":
                raise ValidationError(
                    _("%(label)s: escriba la cantidad ejecutada (0 si no se hizo).")
                    % {"label": label}
                )
            checked[line.pk] = _quantity(value, label=label, allow_zero=True)
            _executed_quantity_check(line, checked[line.pk])
        unknown = set(quantities) - set(checked)
        if unknown:
            raise ValidationError(
                _("Hay cantidades de ítems que no son de la orden %(code)s."),
                params={"code": order.code},
            )
        if not any(checked.values()):
            raise ValidationError(
                _(
                    "Todas las cantidades ejecutadas son cero: si el servicio no se "
                    "hizo, reprográmelo o cancélelo en la orden."
                )
            )
        for line in lines:
            if line.executed_quantity != checked[line.pk]:
                line.executed_quantity = checked[line.pk]
                line.save(update_fields=["executed_quantity"])
        order.status = ServiceOrder.Status.EXECUTED
        order.executed_on = executed_on
        order.executed_recorded_by = user
        order.executed_recorded_at = timezone.now()
        order.save(
            update_fields=[
                "status",
                "executed_on",
                "executed_recorded_by",
                "executed_recorded_at",
                "updated_at",
            ]
        )
    logger.info("Order %s executed on %s", order.code, executed_on)
    return order


def stored_name(field_file) -> str:
    """Return the base name of a stored file (never the client's path)."""
    return Path(field_file.name).name
