from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Unit(models.TextChoices):
    CUBIC_METRE = "m3", _("m³")
    TRIP = "viaje", _("Viaje")
    TONNE = "tonelada", _("Tonelada")
    HOUR = "hora", _("Hora")
    TREE = "arbol", _("Árbol")
    SQUARE_METRE = "m2", _("m²")
    DAY = "dia", _("Día")
    MONTH = "mes", _("Mes")
    EVENT = "evento", _("Evento")
    UNIT = "unidad", _("Unidad")
    VISIT = "visita", _("Visita")
    SERVICE = "servicio", _("Servicio")


class TaxTreatment(models.TextChoices):
    EXCLUDED = "excluido", _("Excluido de IVA")
    VAT_19 = "gravado_19", _("Gravado IVA 19 %")


TAX_RATES = {TaxTreatment.EXCLUDED: Decimal("0"), TaxTreatment.VAT_19: Decimal("0.19")}


class TariffVersion(models.Model):
    """A set of tariffs loaded together (one import or one edit), approved as a whole
    by the sales director before any quotation can use it."""

    class Status(models.TextChoices):
        DRAFT = "borrador", _("Borrador")
        APPROVED = "aprobada", _("Aprobada")
        REJECTED = "rechazada", _("Rechazada")

    name = models.CharField(_("nombre"), max_length=120)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status, default=Status.DRAFT
    )
    source_file = models.FileField(_("archivo"), upload_to="tarifas/", blank=True)
    # Empty when the version was loaded from the command line without --user.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("cargada por"),
    )
    created_at = models.DateTimeField(_("cargada"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("aprobada por"),
    )
    approved_at = models.DateTimeField(_("aprobada"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("rechazada por"),
    )
    rejected_at = models.DateTimeField(_("rechazada"), null=True, blank=True)
    rejection_reason = models.TextField(_("motivo del rechazo"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("versión del tarifario")
        verbose_name_plural = _("versiones del tarifario")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tariffs:version_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class TariffItemQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(version__status=TariffVersion.Status.APPROVED)

    def in_force(self, on):
        """Approved items in force on date `on`: for each code, the approved item with
        the latest `valid_from` not after `on` (the latest approval wins a tie)."""
        candidates = self.approved().filter(valid_from__lte=on)
        newest = (
            candidates.filter(code=OuterRef("code"))
            .order_by("-valid_from", "-version__approved_at", "-pk")
            .values("pk")[:1]
        )
        return candidates.filter(pk=Subquery(newest)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )


class TariffItem(models.Model):
    """One priced service of the approved tariff book for special services."""

    version = models.ForeignKey(
        TariffVersion,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("versión"),
    )
    code = models.CharField(_("código"), max_length=20)
    service = models.CharField(_("servicio"), max_length=250)
    category = models.CharField(_("categoría"), max_length=120, blank=True)
    unit = models.CharField(_("unidad"), max_length=10, choices=Unit)
    unit_price = models.DecimalField(
        _("valor unitario"), max_digits=16, decimal_places=2
    )
    tax_treatment = models.CharField(
        _("tratamiento de IVA"), max_length=12, choices=TaxTreatment
    )
    tax_note = models.CharField(
        _("fundamento del tratamiento de IVA"), max_length=250, blank=True
    )
    valid_from = models.DateField(_("vigente desde"))
    valid_until = models.DateField(_("vigente hasta"), null=True, blank=True)

    objects = TariffItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tarifa")
        verbose_name_plural = _("tarifas")
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code", "valid_from"],
                name="tariff_item_unique_in_version",
            ),
        ]
        indexes = [models.Index(fields=["code", "valid_from"])]

    def __str__(self):
        return f"{self.code} · {self.service}"

    @property
    def tax_rate(self) -> Decimal:
        return TAX_RATES[self.tax_treatment]
