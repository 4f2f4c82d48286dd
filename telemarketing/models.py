from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Channel(models.TextChoices):
    """Contact channels; the values match customers.DataConsent.Channel."""

    CALL = "llamada", _("Llamada")
    EMAIL = "correo", _("Correo electrónico")
    WHATSAPP = "whatsapp", _("WhatsApp")
    VISIT = "visita", _("Visita")


class ContactLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contacts `user` may see: all for managers, an advisor those with the
        customers of their portfolio and those they logged; nobody else any."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_manager:
            return self
        if user.is_advisor:
            return self.filter(Q(customer__advisor=user) | Q(logged_by=user))
        return self.none()

    def outbound(self):
        return self.filter(direction=ContactLog.Direction.OUTBOUND)


class ContactLog(models.Model):
    """One contact with a customer in telemarketing: channel, outcome, notes and the
    next action agreed."""

    class Direction(models.TextChoices):
        OUTBOUND = "saliente", _("Saliente (nosotros contactamos)")
        INBOUND = "entrante", _("Entrante (el cliente nos contactó)")

    class Outcome(models.TextChoices):
        INTERESTED = "interesado", _("Contactado: interesado")
        NOT_INTERESTED = "no_interesado", _("Contactado: no interesado")
        NO_ANSWER = "no_contesta", _("No contesta")
        WRONG_NUMBER = "numero_errado", _("Número errado")
        CALL_BACK = "volver_a_llamar", _("Volver a llamar")
        SCHEDULE_VISIT = "agendar_visita", _("Agendar visita")
        REQUESTS_QUOTE = "solicita_cotizacion", _("Solicita cotización")
        DO_NOT_CONTACT = "no_contactar", _("No contactar")

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="contact_logs",
        verbose_name=_("cliente"),
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contact_logs",
        verbose_name=_("registrado por"),
    )
    contacted_at = models.DateTimeField(_("fecha y hora"), default=timezone.now)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel)
    direction = models.CharField(
        _("dirección"), max_length=10, choices=Direction, default=Direction.OUTBOUND
    )
    outcome = models.CharField(_("resultado"), max_length=20, choices=Outcome)
    notes = models.TextField(_("notas"), blank=True)
    next_action = models.CharField(_("próxima acción"), max_length=200, blank=True)
    next_action_on = models.DateField(
        _("fecha de la próxima acción"), null=True, blank=True
    )

    objects = ContactLogQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contacto de telemercadeo")
        verbose_name_plural = _("contactos de telemercadeo")
        ordering = ["-contacted_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-contacted_at"])]

    def __str__(self):
        return f"{self.customer} · {self.get_channel_display()} · {self.contacted_at:%d/%m/%Y}"


class ContactOptOut(models.Model):
    """A customer's request not to receive commercial contact ("No contactar"), and
    its later re-authorisation when the customer gives consent again."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="contact_opt_outs",
        verbose_name=_("cliente"),
    )
    opted_out_at = models.DateTimeField(
        _("fecha de la solicitud"), default=timezone.now
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    note = models.CharField(_("observación"), max_length=300, blank=True)
    reauthorized_at = models.DateTimeField(
        _("fecha de la nueva autorización"), null=True, blank=True
    )
    reauthorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("nueva autorización registrada por"),
    )
    reauthorization_evidence = models.CharField(
        _("soporte de la nueva autorización"),
        max_length=300,
        blank=True,
        help_text=_(
            "Cómo autorizó el cliente de nuevo: llamada grabada, correo, formato."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("solicitud de no contactar")
        verbose_name_plural = _("solicitudes de no contactar")
        ordering = ["-opted_out_at"]
        constraints = [
            # At most one opt-out in force per customer.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(reauthorized_at__isnull=True),
                name="contact_opt_out_one_active_per_customer",
            ),
        ]

    def __str__(self):
        return f"{self.customer} · {self.opted_out_at:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.reauthorized_at is None
