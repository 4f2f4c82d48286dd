"""The monthly consolidation of executed special services and its hand-off to the
billing assistant ("Facturación servicios no regulados"), the reopening of a
handed-over service, and the invoice numbers billing records by hand or imports through the shared import
engine (core.imports).

The billing stage of each service lives on service_orders.ServiceOrder (`handoff`,
`invoice_number`, `invoice_date`); only this app's services write it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HandoffQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Hand-offs are the managers' and billing's business."""
        from accounts.roles import Role

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_manager or user.has_role(Role.BILLING):
            return self
        return self.none()


class Handoff(models.Model):
    """One delivery of a month's consolidated services to billing ("Enviar a
    facturación"): the workbook and proofs as sent, and the e-mail."""

    month = models.DateField(
        _("mes"), help_text=_("Primer día del mes consolidado (America/Bogota).")
    )
    workbook = models.FileField(_("consolidado"), upload_to="facturacion/consolidados/")
    proofs_zip = models.FileField(
        _("soportes (ZIP)"), upload_to="facturacion/soportes/", blank=True
    )
    service_count = models.PositiveIntegerField(_("servicios"))
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=2)
    email = models.ForeignKey(
        "core.OutgoingEmail",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("correo a facturación"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enviado por"),
    )
    sent_at = models.DateTimeField(_("enviado"), auto_now_add=True)

    objects = HandoffQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entrega a facturación")
        verbose_name_plural = _("entregas a facturación")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["month"])]

    def __str__(self):
        return _("Entrega del %(month)s") % {"month": self.month.strftime("%m/%Y")}

    def get_absolute_url(self):
        return reverse("billing:handoff_detail", args=[self.pk])


class Reopening(models.Model):
    """A handed-over service taken back to change it, with the reason."""

    order = models.ForeignKey(
        "service_orders.ServiceOrder",
        on_delete=models.PROTECT,
        related_name="reopenings",
        verbose_name=_("orden de servicio"),
    )
    handoff = models.ForeignKey(
        Handoff,
        on_delete=models.PROTECT,
        related_name="reopenings",
        verbose_name=_("entrega de la que sale"),
    )
    reason = models.TextField(_("motivo"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reabierta por"),
    )
    reopened_at = models.DateTimeField(_("reabierta"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reapertura de servicio")
        verbose_name_plural = _("reaperturas de servicios")
        ordering = ["-reopened_at", "-pk"]

    def __str__(self):
        return f"{self.order} · {self.reopened_at:%d/%m/%Y}"
