from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.phones import format_phone


class QuoteRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests `user` may see: all for the director, the coordinator and
        administrators; an advisor only those routed to them; nobody else any."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_manager:
            return self
        if user.is_advisor:
            return self.filter(advisor=user)
        return self.none()

    def open(self):
        return self.filter(status__in=QuoteRequest.OPEN_STATUSES)


class QuoteRequest(models.Model):
    """A customer's request for a quotation of special services, received by phone,
    WhatsApp, e-mail, the web form or during a visit, waiting in an advisor's queue."""

    class Channel(models.TextChoices):
        PHONE = "telefono", _("Teléfono")
        WHATSAPP = "whatsapp", _("WhatsApp")
        EMAIL = "correo", _("Correo electrónico")
        WEB = "web", _("Página web")
        VISIT = "visita", _("Visita comercial")

    class Status(models.TextChoices):
        NEW = "nueva", _("Nueva")
        IN_PROGRESS = "en_gestion", _("En gestión")
        QUOTED = "cotizada", _("Cotizada")
        DISCARDED = "descartada", _("Descartada")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS)

    channel = models.CharField(_("canal"), max_length=10, choices=Channel)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status, default=Status.NEW
    )
    received_at = models.DateTimeField(_("recibida"), db_index=True)

    # An existing customer, or the requester's own data when they are not one yet.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="quote_requests",
        null=True,
        blank=True,
        verbose_name=_("cliente"),
    )
    requester_name = models.CharField(
        _("nombre o razón social"), max_length=200, blank=True
    )
    requester_id_number = models.CharField(_("NIT o cédula"), max_length=20, blank=True)
    contact_name = models.CharField(_("persona de contacto"), max_length=150)
    contact_phone = models.CharField(
        _("teléfono de contacto"), max_length=16, blank=True
    )
    contact_email = models.EmailField(_("correo de contacto"), blank=True)

    # Code of the tariff item asked for, when the requester picked one from the book.
    tariff_code = models.CharField(_("código de tarifa"), max_length=20, blank=True)
    service = models.CharField(_("servicio solicitado"), max_length=250)
    description = models.TextField(_("descripción"), blank=True)
    address = models.CharField(_("dirección del servicio"), max_length=200, blank=True)
    barrio = models.CharField(_("barrio o vereda"), max_length=120, blank=True)
    municipality = models.ForeignKey(
        "zones.Municipality",
        on_delete=models.PROTECT,
        related_name="quote_requests",
        null=True,
        blank=True,
        verbose_name=_("municipio"),
    )

    zone = models.ForeignKey(
        "zones.Zone",
        on_delete=models.PROTECT,
        related_name="quote_requests",
        null=True,
        blank=True,
        verbose_name=_("zona"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="quote_requests",
        null=True,
        blank=True,
        verbose_name=_("asesor asignado"),
    )
    routing_note = models.CharField(_("cómo se asignó"), max_length=250, blank=True)

    discard_reason = models.TextField(_("motivo del descarte"), blank=True)
    status_changed_at = models.DateTimeField(
        _("último cambio de estado"), null=True, blank=True
    )

    # Ley 1581 de 2012: the web form records the requester's express consent.
    data_consent = models.BooleanField(
        _("autorizó el tratamiento de datos"), default=False
    )
    data_consent_at = models.DateTimeField(
        _("fecha de la autorización"), null=True, blank=True
    )
    data_consent_text = models.TextField(_("texto autorizado"), blank=True)
    # Kept for abuse control of the public form (rate limit per address).
    source_ip = models.GenericIPAddressField(
        _("dirección IP de origen"), null=True, blank=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("registrada por"),
    )

    objects = QuoteRequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["source_ip"])

    class Meta:
        verbose_name = _("solicitud de cotización")
        verbose_name_plural = _("solicitudes de cotización")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["advisor", "status"]),
            models.Index(fields=["source_ip", "received_at"]),
        ]

    def __str__(self):
        return f"{self.number} · {self.display_name}"

    def get_absolute_url(self):
        return reverse("quote_requests:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"SOL-{self.pk:05d}" if self.pk else "SOL-"

    @property
    def display_name(self) -> str:
        if self.customer_id:
            return self.customer.name
        return self.requester_name or self.contact_name

    @property
    def contact_phone_display(self) -> str:
        return format_phone(self.contact_phone)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def quotation_url(self) -> str:
        """The page where the advisor prepares the quotation from this request."""
        return f"/cotizaciones/nueva/?solicitud={self.pk}"
