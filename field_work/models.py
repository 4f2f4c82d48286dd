"""Work in the field around a service order: the on-site measurement (aforo) and
the prepayment a first-time customer makes before the service is scheduled, and the
daily proof of service operations upload (collection notices, signed orders, works
records, photos, weigh tickets) with the quantities actually executed."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from service_orders.models import ServiceOrder


def field_file_path(instance, filename: str) -> str:
    # The client's file name never reaches the disk: a random name with the
    # extension of the checked content type.
    extension = Path(filename).suffix.lower()
    return f"servicios/{instance.order_id}/{uuid.uuid4().hex}{extension}"


def aforo_photo_path(instance, filename: str) -> str:
    extension = Path(filename).suffix.lower()
    return f"servicios/{instance.aforo.order_id}/aforo/{uuid.uuid4().hex}{extension}"


class OrderRelatedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(order__in=ServiceOrder.objects.visible_to(user).values("pk"))


class Aforo(models.Model):
    """An on-site measurement of the waste to collect, made by the zone supervisor
    or the logistics assistant, from which the prepayment is charged."""

    class Method(models.TextChoices):
        VOLUME = "volumen", _("Cubicación (m³)")
        WEIGHT = "peso", _("Pesaje (kg)")
        CONTAINERS = "recipientes", _("Conteo de recipientes")

    order = models.ForeignKey(
        ServiceOrder,
        on_delete=models.PROTECT,
        related_name="aforos",
        verbose_name=_("orden de servicio"),
    )
    measured_on = models.DateField(_("fecha del aforo"))
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("aforado por"),
    )
    method = models.CharField(_("método"), max_length=12, choices=Method)
    notes = models.TextField(_("observaciones"), blank=True)
    signed_record = models.FileField(
        _("acta de aforo firmada"), upload_to=field_file_path, blank=True
    )
    signed_record_content_type = models.CharField(
        _("tipo de contenido del acta"), max_length=40, blank=True
    )
    charge_net = models.DecimalField(
        _("subtotal a cobrar"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    charge_tax = models.DecimalField(
        _("IVA a cobrar"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    charge_total = models.DecimalField(
        _("total a cobrar"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)
    annulled_at = models.DateTimeField(_("anulado"), null=True, blank=True)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("anulado por"),
    )
    annulled_reason = models.TextField(_("motivo de la anulación"), blank=True)

    objects = OrderRelatedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aforo")
        verbose_name_plural = _("aforos")
        ordering = ["-measured_on", "-pk"]

    def __str__(self):
        return _("Aforo de %(order)s del %(date)s") % {
            "order": self.order,
            "date": self.measured_on.strftime("%d/%m/%Y"),
        }


class AforoReading(models.Model):
    """One container or pile measured in an aforo."""

    aforo = models.ForeignKey(
        Aforo,
        on_delete=models.CASCADE,
        related_name="readings",
        verbose_name=_("aforo"),
    )
    container = models.CharField(_("recipiente o sitio"), max_length=120)
    count = models.PositiveIntegerField(_("cantidad de recipientes"), default=1)
    reading = models.DecimalField(
        _("lectura por recipiente"), max_digits=12, decimal_places=3
    )
    unit = models.CharField(_("unidad"), max_length=10)
    tariff_item = models.ForeignKey(
        "tariffs.TariffItem",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("tarifa aplicada"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lectura de aforo")
        verbose_name_plural = _("lecturas de aforo")
        ordering = ["aforo", "pk"]

    def __str__(self):
        return f"{self.container}: {self.count} x {self.reading} {self.unit}"


class AforoPhoto(models.Model):
    aforo = models.ForeignKey(
        Aforo,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("aforo"),
    )
    file = models.FileField(_("foto"), upload_to=aforo_photo_path)
    content_type = models.CharField(_("tipo de contenido"), max_length=40)
    uploaded_at = models.DateTimeField(_("subida"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("foto de aforo")
        verbose_name_plural = _("fotos de aforo")

    def __str__(self):
        return f"{self.aforo} · {self.pk}"


class PrepaymentQuerySet(OrderRelatedQuerySet):
    def in_force(self):
        """Payments that count toward the prepayment: those not annulled."""
        return self.filter(annulled_at__isnull=True)


class Prepayment(models.Model):
    """The payment a customer made in advance; once the payments in force cover
    the aforo's charge, the order can be scheduled. A wrongly recorded payment is
    annulled with a reason, never deleted."""

    order = models.ForeignKey(
        ServiceOrder,
        on_delete=models.PROTECT,
        related_name="prepayments",
        verbose_name=_("orden de servicio"),
    )
    aforo = models.ForeignKey(
        Aforo,
        on_delete=models.PROTECT,
        related_name="prepayments",
        null=True,
        blank=True,
        verbose_name=_("aforo"),
    )
    reference = models.CharField(_("referencia del pago"), max_length=60)
    paid_on = models.DateField(_("fecha del pago"))
    amount = models.DecimalField(_("valor pagado"), max_digits=16, decimal_places=2)
    receipt = models.FileField(_("comprobante"), upload_to=field_file_path)
    receipt_content_type = models.CharField(_("tipo de contenido"), max_length=40)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    registered_at = models.DateTimeField(_("registrado"), auto_now_add=True)
    annulled_at = models.DateTimeField(_("anulado"), null=True, blank=True)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("anulado por"),
    )
    annulled_reason = models.TextField(_("motivo de la anulación"), blank=True)

    objects = PrepaymentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pago anticipado")
        verbose_name_plural = _("pagos anticipados")
        ordering = ["-paid_on", "-pk"]

    def __str__(self):
        return f"{self.reference} · {self.order}"


class ServiceProof(models.Model):
    """A proof of service uploaded by operations for an executed order."""

    class Kind(models.TextChoices):
        COLLECTION_NOTICE = "aviso_recoleccion", _("Aviso de recolección")
        SIGNED_ORDER = "orden_firmada", _("Orden de servicio firmada")
        WORKS_RECORD = "acta_obra", _("Acta de obra")
        PHOTO = "foto", _("Fotografía")
        WEIGH_TICKET = "tiquete_bascula", _("Tiquete de báscula")

    order = models.ForeignKey(
        ServiceOrder,
        on_delete=models.PROTECT,
        related_name="proofs",
        verbose_name=_("orden de servicio"),
    )
    kind = models.CharField(_("tipo de soporte"), max_length=20, choices=Kind)
    file = models.FileField(_("archivo"), upload_to=field_file_path)
    content_type = models.CharField(_("tipo de contenido"), max_length=40)
    size = models.PositiveIntegerField(_("tamaño (bytes)"))
    reference = models.CharField(
        _("número del documento"),
        max_length=60,
        blank=True,
        help_text=_("Número del aviso, del acta o del tiquete de báscula."),
    )
    taken_on = models.DateField(_("fecha del soporte"))
    notes = models.CharField(_("observaciones"), max_length=250, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("subido por"),
    )
    uploaded_at = models.DateTimeField(_("subido"), auto_now_add=True)

    objects = OrderRelatedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("soporte del servicio")
        verbose_name_plural = _("soportes del servicio")
        ordering = ["order", "taken_on", "pk"]
        indexes = [models.Index(fields=["order", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.order}"

    def get_absolute_url(self):
        return reverse("field_work:proof_file", args=[self.pk])
