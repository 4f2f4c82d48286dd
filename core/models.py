from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OutgoingEmail(models.Model):
    """An e-mail the product sent or tried to send: the outbox.

    Every message is stored before it is sent, so a failed send stays visible with its
    error and can be retried; nothing is lost when the SMTP server is down.
    """

    class Status(models.TextChoices):
        PENDING = "pendiente", _("Pendiente")
        SENT = "enviado", _("Enviado")
        FAILED = "fallido", _("Fallido")

    kind = models.CharField(
        _("tipo"),
        max_length=60,
        help_text=_("Qué originó el correo, p. ej. asignación de zona."),
    )
    to = models.JSONField(_("para"), default=list)
    cc = models.JSONField(_("con copia"), default=list, blank=True)
    subject = models.CharField(_("asunto"), max_length=250)
    body_text = models.TextField(_("texto"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Each attachment: {"name": ..., "path": ... (under MEDIA_ROOT), "mimetype": ...}
    attachments = models.JSONField(_("adjuntos"), default=list, blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    last_error = models.TextField(_("último error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("creado por"),
    )
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    sent_at = models.DateTimeField(_("enviado"), null=True, blank=True)

    class Meta:
        verbose_name = _("correo saliente")
        verbose_name_plural = _("correos salientes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class DocumentSequence(models.Model):
    """The last number issued in one series of numbered documents: one row per
    document kind and year, locked while a number is taken (see core.numbering)."""

    kind = models.CharField(_("tipo de documento"), max_length=40)
    year = models.PositiveSmallIntegerField(_("año"))
    last_number = models.PositiveIntegerField(_("último número emitido"), default=0)

    class Meta:
        verbose_name = _("consecutivo")
        verbose_name_plural = _("consecutivos")
        ordering = ["kind", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"], name="document_sequence_unique_kind_year"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last_number}"


class CalendarDay(models.Model):
    """A day an administrator declared non-working (a decreed civic day, a company
    closing) or working despite the national calendar; it overrides the holiday table
    in core.calendar."""

    class Kind(models.TextChoices):
        NON_WORKING = "no_laborable", _("No laborable")
        WORKING = "laborable", _("Laborable")

    day = models.DateField(_("fecha"), unique=True)
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind)
    reason = models.CharField(
        _("motivo"),
        max_length=200,
        help_text=_("Por ejemplo: día cívico decretado, cierre de la empresa."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("registrado por"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("día del calendario")
        verbose_name_plural = _("días del calendario")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} · {self.get_kind_display()}"
