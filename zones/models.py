from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Municipality(models.Model):
    """A Colombian municipality, identified by its five-digit DANE DIVIPOLA code."""

    dane_code = models.CharField(_("código DANE"), max_length=5, primary_key=True)
    name = models.CharField(_("nombre"), max_length=80)
    department_name = models.CharField(_("departamento"), max_length=60)
    # Landline prefix (601, 608, ...) used to complete seven-digit local numbers.
    landline_prefix = models.CharField(_("indicativo fijo"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("municipio")
        verbose_name_plural = _("municipios")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.department_name})"

    @property
    def department_code(self) -> str:
        return self.dane_code[:2]


class Zone(models.Model):
    """A commercial zone: a set of municipalities or barrios worked by some advisors."""

    name = models.CharField(_("nombre"), max_length=80, unique=True)
    description = models.TextField(_("descripción"), blank=True)
    municipalities = models.ManyToManyField(
        Municipality, related_name="zones", blank=True, verbose_name=_("municipios")
    )
    barrios = models.TextField(
        _("barrios"), blank=True, help_text=_("Un barrio o vereda por línea.")
    )
    advisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="zones",
        blank=True,
        verbose_name=_("asesores"),
    )
    is_active = models.BooleanField(_("activa"), default=True)

    history = HistoricalRecords(m2m_fields=[municipalities, advisors])

    class Meta:
        verbose_name = _("zona")
        verbose_name_plural = _("zonas")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("zones:detail", args=[self.pk])

    @property
    def barrio_list(self) -> list[str]:
        return [line.strip() for line in self.barrios.splitlines() if line.strip()]


class AssignmentRun(models.Model):
    """One confirmed distribution of customers to advisors, by the director."""

    class Kind(models.TextChoices):
        ASSIGN = "asignacion", _("Asignación de zona")
        REDISTRIBUTE = "redistribucion", _("Redistribución por retiro o licencia")

    kind = models.CharField(_("tipo"), max_length=20, choices=Kind)
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        related_name="assignment_runs",
        null=True,
        blank=True,
        verbose_name=_("zona"),
    )
    departing_advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("asesor que sale"),
    )
    note = models.TextField(_("observación"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignment_runs",
        verbose_name=_("realizada por"),
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)
    customer_count = models.PositiveIntegerField(_("clientes asignados"), default=0)

    class Meta:
        verbose_name = _("asignación")
        verbose_name_plural = _("asignaciones")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%d/%m/%Y %H:%M}"


class CustomerAssignment(models.Model):
    """One change of a customer's advisor: the assignment history of the customer."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("cliente"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="customer_assignments",
        null=True,
        blank=True,
        verbose_name=_("asesor"),
    )
    previous_advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("asesor anterior"),
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        related_name="customer_assignments",
        null=True,
        blank=True,
        verbose_name=_("zona"),
    )
    run = models.ForeignKey(
        AssignmentRun,
        on_delete=models.PROTECT,
        related_name="assignments",
        null=True,
        blank=True,
        verbose_name=_("asignación"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("asignado por"),
    )
    assigned_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("asignación de cliente")
        verbose_name_plural = _("historial de asignaciones")
        ordering = ["-assigned_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-assigned_at"])]

    def __str__(self):
        return f"{self.customer} → {self.advisor or '—'}"
