"""Agreements the customer signed for an accepted quotation (contract, purchase order,
service order or acceptance e-mail), the service orders to perform with their
consecutive codes, and their scheduling with operations: date, crew, vehicle and
supervisor, rescheduling and cancellation.

A service order also carries its billing stage (handed over in a monthly hand-off,
invoiced), written only by the billing app's services."""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.identification import IdType, format_identification
from customers.models import Customer
from customers.phones import format_phone

# The series of core.numbering that service order codes come from.
NUMBER_KIND = "service_order"


def agreement_path(instance: "Agreement", filename: str) -> str:
    extension = Path(filename).suffix.lower()
    return f"clientes/{instance.customer_id}/acuerdos/{uuid.uuid4().hex}{extension}"


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(customer__in=Customer.objects.visible_to(user).values("pk"))


class Agreement(models.Model):
    """The document that formalises an accepted quotation ("Firmar contrato u
    órdenes de compra")."""

    class Kind(models.TextChoices):
        CONTRACT = "contrato", _("Contrato")
        PURCHASE_ORDER = "orden_compra", _("Orden de compra")
        SERVICE_ORDER = "orden_servicio", _("Orden de servicio del cliente")
        ACCEPTANCE_EMAIL = "correo", _("Correo de aceptación")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("cliente"),
    )
    quotation = models.ForeignKey(
        "quotations.Quotation",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("cotización"),
    )
    kind = models.CharField(_("tipo de documento"), max_length=16, choices=Kind)
    number = models.CharField(
        _("número"),
        max_length=60,
        blank=True,
        help_text=_("El número que el cliente le dio al contrato u orden de compra."),
    )
    signed_on = models.DateField(_("fecha de firma"))
    file = models.FileField(_("documento firmado"), upload_to=agreement_path)
    content_type = models.CharField(_("tipo de contenido"), max_length=40)
    valid_until = models.DateField(_("vigente hasta"), null=True, blank=True)
    notes = models.TextField(_("observaciones"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    recorded_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contrato u orden de compra")
        verbose_name_plural = _("contratos y órdenes de compra")
        ordering = ["-signed_on", "-pk"]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label} {self.number}".strip()


class ServiceOrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers, billing, operations and logistics see every order; an advisor
        the orders of the customers in their portfolio and those they created."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.reads_all_customers:
            return self
        if user.is_advisor:
            return self.filter(Q(customer__advisor=user) | Q(advisor=user))
        return self.none()

    def executed_in(self, first_day, last_day):
        """Orders executed between two dates of America/Bogota, both included."""
        return self.filter(
            status=ServiceOrder.Status.EXECUTED,
            executed_on__gte=first_day,
            executed_on__lte=last_day,
        )


class ServiceOrder(models.Model):
    """One service to perform for a customer, from an accepted quotation. Gets its
    consecutive code when created and is never deleted: it is annulled."""

    class Status(models.TextChoices):
        TO_SCHEDULE = "por_programar", _("Por programar")
        REQUESTED = "solicitada", _("Fecha solicitada a operaciones")
        SCHEDULED = "programada", _("Programada")
        EXECUTED = "ejecutada", _("Ejecutada")
        CANCELLED = "cancelada", _("Cancelada")
        ANNULLED = "anulada", _("Anulada")

    code = models.CharField(_("código"), max_length=40, unique=True, editable=False)
    status = models.CharField(
        _("estado"), max_length=14, choices=Status, default=Status.TO_SCHEDULE
    )
    quotation = models.ForeignKey(
        "quotations.Quotation",
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("cotización"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="service_orders",
        null=True,
        blank=True,
        verbose_name=_("contrato u orden de compra"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("cliente"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("asesor comercial"),
    )
    address = models.CharField(_("dirección del servicio"), max_length=200)
    barrio = models.CharField(_("barrio o vereda"), max_length=120, blank=True)
    municipality = models.ForeignKey(
        "zones.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("municipio"),
    )
    site_contact = models.CharField(
        _("contacto en el sitio"), max_length=150, blank=True
    )
    site_contact_phone = models.CharField(
        _("teléfono del contacto"), max_length=16, blank=True
    )
    instructions = models.TextField(_("indicaciones para operaciones"), blank=True)

    # Prepayment: set when the order is created (first-time customer, not in the
    # registry, not billed on credit); scheduling waits for the registered payment.
    prepayment_required = models.BooleanField(
        _("requiere pago anticipado"), default=False
    )

    # Scheduling with operations.
    requested_date = models.DateField(_("fecha solicitada"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("solicitada por"),
    )
    requested_at = models.DateTimeField(
        _("solicitud registrada"), null=True, blank=True
    )
    scheduled_date = models.DateField(_("fecha programada"), null=True, blank=True)
    scheduled_time = models.TimeField(_("hora programada"), null=True, blank=True)
    vehicle_plate = models.CharField(_("placa del vehículo"), max_length=10, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_orders",
        null=True,
        blank=True,
        verbose_name=_("supervisor"),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("programada por"),
    )
    scheduled_at = models.DateTimeField(
        _("programación registrada"), null=True, blank=True
    )

    # Execution, recorded by operations (field_work).
    executed_on = models.DateField(_("fecha de ejecución"), null=True, blank=True)
    executed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("ejecución registrada por"),
    )
    executed_recorded_at = models.DateTimeField(
        _("ejecución registrada"), null=True, blank=True
    )

    # Billing stage, written by the billing app: consolidated and handed over in a
    # monthly hand-off, then invoiced in the company's accounting software.
    handoff = models.ForeignKey(
        "billing.Handoff",
        on_delete=models.PROTECT,
        related_name="service_orders",
        null=True,
        blank=True,
        verbose_name=_("entrega a facturación"),
    )
    invoice_number = models.CharField(_("número de factura"), max_length=40, blank=True)
    invoice_date = models.DateField(_("fecha de factura"), null=True, blank=True)
    invoice_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("factura registrada por"),
    )
    invoice_recorded_at = models.DateTimeField(
        _("factura registrada"), null=True, blank=True
    )

    closed_at = models.DateTimeField(_("cancelada o anulada"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("cancelada o anulada por"),
    )
    close_reason = models.TextField(_("motivo de cancelación o anulación"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("creada por"),
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    objects = ServiceOrderQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("orden de servicio")
        verbose_name_plural = _("órdenes de servicio")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "scheduled_date"]),
            models.Index(fields=["status", "executed_on"]),
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["advisor", "-created_at"]),
            models.Index(fields=["invoice_number"]),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("service_orders:detail", args=[self.pk])

    @property
    def site_contact_phone_display(self) -> str:
        """The site contact's phone as people write it (310 555 1234)."""
        return format_phone(self.site_contact_phone)

    @property
    def billing_stage(self) -> str:
        """Where the order stands for billing: ejecutado → consolidado → facturado."""
        if self.invoice_number:
            return _("Facturado")
        if self.handoff_id:
            return _("Consolidado y entregado a facturación")
        if self.status == self.Status.EXECUTED:
            return _("Ejecutado")
        return ""


class ServiceOrderLine(models.Model):
    """One service item of an order, copied from the quotation line with its price,
    and the quantity operations actually executed."""

    order = models.ForeignKey(
        ServiceOrder,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("orden de servicio"),
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    quotation_line = models.ForeignKey(
        "quotations.QuotationLine",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("ítem de la cotización"),
    )
    code = models.CharField(_("código"), max_length=20)
    description = models.CharField(_("descripción"), max_length=250)
    unit = models.CharField(_("unidad"), max_length=20)
    quantity = models.DecimalField(_("cantidad"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(
        _("valor unitario"), max_digits=16, decimal_places=2
    )
    tax_rate = models.DecimalField(_("tarifa de IVA"), max_digits=5, decimal_places=4)
    executed_quantity = models.DecimalField(
        _("cantidad ejecutada"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ítem de orden de servicio")
        verbose_name_plural = _("ítems de orden de servicio")
        ordering = ["order", "position", "pk"]

    def __str__(self):
        return f"{self.code} · {self.description}"

    @property
    def billable_quantity(self) -> Decimal:
        """The executed quantity once recorded, else the ordered one."""
        if self.executed_quantity is None:
            return self.quantity
        return self.executed_quantity


class CrewMember(models.Model):
    """A person of the crew operations assigned to a scheduled order; the customer
    receives their names and cédulas to authorise entry to the site."""

    order = models.ForeignKey(
        ServiceOrder,
        on_delete=models.CASCADE,
        related_name="crew",
        verbose_name=_("orden de servicio"),
    )
    name = models.CharField(_("nombre"), max_length=150)
    id_number = models.CharField(_("cédula"), max_length=20)
    role = models.CharField(_("función"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("integrante de la cuadrilla")
        verbose_name_plural = _("cuadrilla")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.name} ({self.id_number})"

    @property
    def id_display(self) -> str:
        """The cédula with thousands dots, as printed on the card: 1.234.567."""
        return format_identification(IdType.CC, self.id_number)


class ScheduleChange(models.Model):
    """A scheduling event of an order: requested, confirmed, rescheduled,
    cancelled or unscheduled, with its reason and whether the customer was
    notified."""

    class Kind(models.TextChoices):
        REQUESTED = "solicitud", _("Solicitud de fecha")
        CONFIRMED = "confirmacion", _("Programación confirmada")
        RESCHEDULED = "reprogramacion", _("Reprogramación")
        CANCELLED = "cancelacion", _("Cancelación")
        UNSCHEDULED = "desprogramacion", _("Desprogramación")

    order = models.ForeignKey(
        ServiceOrder,
        on_delete=models.CASCADE,
        related_name="schedule_changes",
        verbose_name=_("orden de servicio"),
    )
    kind = models.CharField(_("tipo"), max_length=16, choices=Kind)
    previous_date = models.DateField(_("fecha anterior"), null=True, blank=True)
    new_date = models.DateField(_("fecha nueva"), null=True, blank=True)
    reason = models.TextField(_("motivo"), blank=True)
    email = models.ForeignKey(
        "core.OutgoingEmail",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("correo al cliente"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("cambio de programación")
        verbose_name_plural = _("cambios de programación")
        ordering = ["order", "created_at", "pk"]

    def __str__(self):
        return f"{self.order} · {self.get_kind_display()}"
