import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
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

    class Kind(models.TextChoices):
        """The event that queued the e-mail. The values are the codes the apps
        store, and some are Spanish because earlier code stored the label itself."""

        QUOTATION = "cotizacion", _("Cotización al cliente")
        QUOTE_REQUEST_RECEIVED = (
            "solicitud_cotizacion_recibida",
            _("Solicitud de cotización recibida"),
        )
        QUOTE_REQUEST_ASSIGNED = (
            "solicitud_cotizacion_asignada",
            _("Solicitud de cotización asignada"),
        )
        ZONE_ASSIGNMENT = "Asignación de zona", _("Asignación de zona")
        PORTFOLIO_REDISTRIBUTION = (
            "Redistribución de cartera",
            _("Redistribución de cartera"),
        )
        VISIT_INVITATION = "visita_invitacion", _("Invitación a visita comercial")
        VISIT_UPDATE = "visita_actualizacion", _("Visita comercial reprogramada")
        VISIT_CANCELLATION = "visita_cancelacion", _("Visita comercial cancelada")
        SCHEDULE_CONFIRMED = (
            "programacion_confirmacion",
            _("Programación del servicio y cuadrilla"),
        )
        SCHEDULE_RESCHEDULED = (
            "programacion_reprogramacion",
            _("Reprogramación del servicio"),
        )
        SCHEDULE_CANCELLED = (
            "programacion_cancelacion",
            _("Cancelación del servicio"),
        )
        SCHEDULE_UNSCHEDULED = (
            "programacion_desprogramacion",
            _("Desprogramación del servicio"),
        )
        BILLING_HANDOFF = "billing_handoff", _("Entrega a facturación")
        TERMINATION_DIGEST = (
            "Vencimientos de terminaciones",
            _("Vencimientos de terminaciones"),
        )

    kind = models.CharField(
        _("tipo"),
        max_length=60,
        choices=Kind,
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


def import_upload_path(job: "ImportJob", filename: str) -> str:
    """Store uploads under a random name: the client's file name is kept only in
    `original_name`, never used as a path."""
    extension = Path(filename).suffix.lower()
    if extension not in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}:
        extension = ".dat"
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Import jobs `user` may see: all for the director, the coordinator and
        administrators (the roles that import), none for anyone else."""
        if not user.is_authenticated or not user.is_active or not user.is_manager:
            return self.none()
        return self


class ImportJob(models.Model):
    """One upload of a file to import (customers, tariffs, ...): the original file,
    who loaded it and when, its status, counts and the full validation report."""

    class Status(models.TextChoices):
        PREVIEW = "vista_previa", _("Vista previa")
        RUNNING = "importando", _("Importando")
        DONE = "completada", _("Completada")
        FAILED = "fallida", _("Fallida")
        REJECTED = "rechazada", _("Rechazada")

    kind = models.CharField(_("tipo de importación"), max_length=40)
    file = models.FileField(_("archivo"), upload_to=import_upload_path, max_length=200)
    original_name = models.CharField(_("nombre del archivo"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        null=True,
        blank=True,
        verbose_name=_("importado por"),
    )
    created_at = models.DateTimeField(_("cargado"), auto_now_add=True)
    started_at = models.DateTimeField(_("iniciado"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminado"), null=True, blank=True)
    status = models.CharField(
        _("estado"), max_length=12, choices=Status, default=Status.PREVIEW
    )
    skip_invalid = models.BooleanField(_("omitir filas con errores"), default=False)
    rows = models.PositiveIntegerField(_("filas"), default=0)
    created = models.PositiveIntegerField(_("creados"), default=0)
    updated = models.PositiveIntegerField(_("actualizados"), default=0)
    unchanged = models.PositiveIntegerField(_("sin cambios"), default=0)
    rejected = models.PositiveIntegerField(_("rechazados"), default=0)
    warnings = models.PositiveIntegerField(_("advertencias"), default=0)
    report = models.JSONField(_("informe"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("filas procesadas"), default=0)
    progress_total = models.PositiveIntegerField(_("filas en total"), default=0)
    failure = models.TextField(_("error"), blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("importación")
        verbose_name_plural = _("importaciones")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-created_at"])]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("core:import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {
            self.Status.DONE,
            self.Status.FAILED,
            self.Status.REJECTED,
        }

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
