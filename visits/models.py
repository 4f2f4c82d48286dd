import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Visits `user` may see: all for managers, an advisor their own, an
        operations supervisor those they attend; nobody else any."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_manager:
            return self
        return self.filter(Q(advisor=user) | Q(supervisor=user))

    def in_range(self, start, end):
        return self.filter(starts_at__gte=start, starts_at__lt=end)


def new_visit_uid() -> str:
    """Return a globally unique iCalendar UID under the company's mail domain."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "visitas"
    return f"visita-{uuid.uuid4()}@{domain}"


class Visit(models.Model):
    """A commercial visit to a customer by an advisor, optionally with an operations
    supervisor, and its result."""

    class Status(models.TextChoices):
        SCHEDULED = "programada", _("Programada")
        DONE = "realizada", _("Realizada")
        CANCELLED = "cancelada", _("Cancelada")

    class Outcome(models.TextChoices):
        REQUESTS_QUOTE = "solicita_cotizacion", _("Solicita cotización")
        INTERESTED = "interesado", _("Interesado, sin cotización aún")
        NOT_INTERESTED = "no_interesado", _("No interesado")
        NOT_ATTENDED = "no_atendido", _("No fue atendido")

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("cliente"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("asesor comercial"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_visits",
        null=True,
        blank=True,
        verbose_name=_("supervisor de operaciones"),
        help_text=_("Acompaña la visita cuando hay que evaluar el servicio en sitio."),
    )
    starts_at = models.DateTimeField(_("inicio"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duración (minutos)"), default=60
    )
    address = models.CharField(_("dirección"), max_length=200)
    purpose = models.TextField(_("objetivo de la visita"))
    status = models.CharField(
        _("estado"), max_length=10, choices=Status, default=Status.SCHEDULED
    )
    # iCalendar identity: the UID never changes and SEQUENCE grows with each update
    # so that calendar clients replace the event instead of adding another.
    uid = models.CharField(
        _("UID de calendario"),
        max_length=80,
        unique=True,
        default=new_visit_uid,
        editable=False,
    )
    sequence = models.PositiveIntegerField(_("versión de la invitación"), default=0)
    cancel_reason = models.CharField(
        _("motivo de cancelación"), max_length=300, blank=True
    )
    outcome = models.CharField(
        _("resultado"), max_length=20, choices=Outcome, blank=True
    )
    result_notes = models.TextField(_("notas del resultado"), blank=True)
    contact_log = models.ForeignKey(
        "telemarketing.ContactLog",
        on_delete=models.SET_NULL,
        related_name="visits",
        null=True,
        blank=True,
        verbose_name=_("contacto de origen"),
    )
    quote_request = models.ForeignKey(
        "quote_requests.QuoteRequest",
        on_delete=models.SET_NULL,
        related_name="visits",
        null=True,
        blank=True,
        verbose_name=_("solicitud de cotización"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agendada por"),
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("visita")
        verbose_name_plural = _("visitas")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["advisor", "starts_at"]),
            models.Index(fields=["supervisor", "starts_at"]),
        ]

    def __str__(self):
        return f"{self.customer} · {self.starts_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        return reverse("visits:detail", args=[self.pk])

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SCHEDULED
