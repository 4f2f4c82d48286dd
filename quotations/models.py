import re
from datetime import timedelta
from decimal import Decimal
from string import Formatter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role
from core.numbering import format_code, number_format
from core.text import fold

# The series of core.numbering that quotation codes come from.
NUMBER_KIND = "quotation"


def default_validity_days() -> int:
    return settings.QUOTATION_VALIDITY_DAYS


DEFAULT_CONDITIONS = (
    "Precios en pesos colombianos. Forma de pago: contado, a la prestación del "
    "servicio. El servicio se programa dentro de los cinco días hábiles siguientes "
    "a la aceptación. Los residuos se disponen en sitios autorizados y se entrega "
    "certificado de disposición final."
)


class QuotationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Quotations `user` may see: all for managers and billing (read-only); an
        advisor those they prepared and those of customers in their portfolio."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_manager or user.has_role(Role.BILLING):
            return self
        if user.is_advisor:
            return self.filter(Q(advisor=user) | Q(customer__advisor=user))
        return self.none()

    def open(self):
        """Issued and not yet answered: the quotations still to follow up."""
        return self.filter(status__in=Quotation.OPEN_STATUSES)

    def past_validity(self, today):
        return self.open().filter(valid_until__lt=today)

    def with_status(self, status: str, today):
        """Filter by the status the list shows: an open quotation past its validity
        shows as vencida before `expire_quotations` writes it, so it leaves the
        open statuses and joins the expired one."""
        if status == Quotation.Status.EXPIRED:
            return self.filter(
                Q(status=status)
                | Q(status__in=self.model.OPEN_STATUSES, valid_until__lt=today)
            )
        if status in self.model.OPEN_STATUSES:
            return self.filter(status=status, valid_until__gte=today)
        return self.filter(status=status)

    def search(self, query: str):
        """Filter by code or customer (name, ID, phone), ignoring case and accents.

        A query shaped like a code ("cot-2026-12", "COT202600012") matches that
        code exactly, and one starting like a code ("COT-2026-001") matches codes
        by prefix. Anything else matches the customer's folded search text, word by
        word, in a subquery that PostgreSQL serves from its trigram index.
        """
        code, prefix = normalize_code(query), code_prefix(query)
        if code and prefix:
            # "cot-2026-001" is both COT-2026-00001 and the start of COT-2026-00123.
            return self.filter(Q(code=code) | Q(code__startswith=prefix))
        if code:
            return self.filter(code=code)
        if prefix:
            return self.filter(code__startswith=prefix)
        from customers.models import Customer

        customers = Customer.objects.search(query).values("pk")
        return self.filter(customer__in=customers)


def _code_pattern(template: str) -> re.Pattern:
    """Compile a loose pattern of the codes that `template` prints: letters in any
    case, separators optional, the number with or without its leading zeros."""
    parts = []
    for literal, field, _spec, _conversion in Formatter().parse(template):
        for char in fold(literal):
            parts.append(re.escape(char) if char.isalnum() else "[^a-z0-9]*")
        if field == "year":
            parts.append(r"(?P<year>\d{4})")
        elif field == "number":
            parts.append(r"(?P<number>\d+)")
        elif field is not None:
            return re.compile(r"(?!)")
    return re.compile("".join(parts))


def normalize_code(query: str) -> str:
    """Return the quotation code that `query` spells loosely ("cot-2026-12" and
    "COT202600012" both give COT-2026-00012), or "" when it spells none."""
    template = number_format(NUMBER_KIND)
    match = _code_pattern(template).fullmatch(fold(query))
    if match is None or "year" not in match.groupdict():
        return ""
    return format_code(template, year=int(match["year"]), number=int(match["number"]))


def code_prefix(query: str) -> str:
    """Return `query` upper-cased when it starts like a code of the quotation
    series (its letters and a digit), else "". Codes print upper-case letters."""
    template = number_format(NUMBER_KIND)
    letters = "".join(
        char for char in fold(template.split("{", 1)[0]) if char.isalpha()
    )
    text = query.strip()
    folded = fold(text)
    if not letters or " " in folded or not folded.startswith(letters):
        return ""
    if not any(char.isdigit() for char in folded):
        return ""
    return text.upper()


class Quotation(models.Model):
    """An offer of special cleaning services to a customer, priced from the tariff
    book. It gets its consecutive code when issued and is never deleted after that."""

    class Status(models.TextChoices):
        DRAFT = "borrador", _("Borrador")
        ISSUED = "emitida", _("Emitida")
        SENT = "enviada", _("Enviada")
        ACCEPTED = "aceptada", _("Aceptada")
        REJECTED = "rechazada", _("Rechazada")
        EXPIRED = "vencida", _("Vencida")
        ANNULLED = "anulada", _("Anulada")

    class PriceApproval(models.TextChoices):
        NOT_NEEDED = "no_requerida", _("No requerida")
        REQUIRED = "requerida", _("Requerida, sin solicitar")
        PENDING = "pendiente", _("Pendiente")
        APPROVED = "aprobada", _("Aprobada")
        REJECTED = "rechazada", _("Rechazada")

    class Channel(models.TextChoices):
        CALL = "llamada", _("Llamada")
        EMAIL = "correo", _("Correo electrónico")
        WHATSAPP = "whatsapp", _("WhatsApp")
        VISIT = "visita", _("Visita")
        DOCUMENT = "documento", _("Documento firmado")

    code = models.CharField(_("código"), max_length=40, blank=True, editable=False)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status, default=Status.DRAFT
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="quotations",
        verbose_name=_("cliente"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="quotations",
        verbose_name=_("asesor comercial"),
    )
    quote_request = models.ForeignKey(
        "quote_requests.QuoteRequest",
        on_delete=models.PROTECT,
        related_name="quotations",
        null=True,
        blank=True,
        verbose_name=_("solicitud de cotización"),
    )
    date = models.DateField(
        _("fecha"),
        default=timezone.localdate,
        help_text=_("Las tarifas aplicadas son las vigentes en esta fecha."),
    )
    validity_days = models.PositiveSmallIntegerField(
        _("vigencia (días)"), default=default_validity_days
    )
    valid_until = models.DateField(_("válida hasta"), editable=False)
    conditions = models.TextField(_("condiciones"), default=DEFAULT_CONDITIONS)

    net_total = models.DecimalField(
        _("subtotal"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    tax_total = models.DecimalField(
        _("IVA"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    total = models.DecimalField(
        _("total"), max_digits=16, decimal_places=2, default=Decimal("0")
    )

    price_approval = models.CharField(
        _("aprobación de precios"),
        max_length=12,
        choices=PriceApproval,
        default=PriceApproval.NOT_NEEDED,
    )
    price_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("precios aprobados por"),
    )
    price_approved_at = models.DateTimeField(
        _("precios aprobados"), null=True, blank=True
    )
    price_approval_note = models.TextField(_("nota de aprobación"), blank=True)

    issued_at = models.DateTimeField(_("emitida"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("emitida por"),
    )
    pdf_file = models.FileField(
        _("PDF emitido"), upload_to="cotizaciones/", blank=True, editable=False
    )
    pdf_sha256 = models.CharField(
        _("huella SHA-256 del PDF"), max_length=64, blank=True, editable=False
    )
    sent_at = models.DateTimeField(_("enviada"), null=True, blank=True)

    accepted_at = models.DateTimeField(
        _("aceptación registrada"), null=True, blank=True
    )
    accepted_on = models.DateField(_("fecha de aceptación"), null=True, blank=True)
    acceptance_channel = models.CharField(
        _("canal de aceptación"), max_length=10, choices=Channel, blank=True
    )
    acceptance_evidence = models.FileField(
        _("soporte de aceptación"), upload_to="cotizaciones/aceptaciones/", blank=True
    )
    acceptance_email_text = models.TextField(
        _("texto del correo de aceptación"), blank=True
    )

    rejected_on = models.DateField(_("fecha de rechazo"), null=True, blank=True)
    rejection_reason = models.TextField(_("motivo del rechazo"), blank=True)
    winning_competitor = models.CharField(
        _("competidor que ganó"), max_length=200, blank=True
    )

    annulled_at = models.DateTimeField(_("anulada"), null=True, blank=True)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("anulada por"),
    )
    annulment_reason = models.TextField(_("motivo de anulación"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("creada por"),
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    objects = QuotationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    OPEN_STATUSES = (Status.ISSUED, Status.SENT)

    # Which status each action may start from; anything else is refused.
    ALLOWED_SOURCES = {
        Status.ISSUED: {Status.DRAFT},
        Status.SENT: {Status.ISSUED, Status.SENT},
        Status.ACCEPTED: {Status.ISSUED, Status.SENT},
        Status.REJECTED: {Status.ISSUED, Status.SENT},
        Status.EXPIRED: {Status.ISSUED, Status.SENT},
        Status.ANNULLED: {
            Status.DRAFT,
            Status.ISSUED,
            Status.SENT,
            Status.ACCEPTED,
            Status.EXPIRED,
        },
    }

    class Meta:
        verbose_name = _("cotización")
        verbose_name_plural = _("cotizaciones")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="quotation_unique_code",
            ),
        ]
        # The list pages in (-created_at, -id) order, alone or after an equality
        # filter on status, advisor or customer, so each has an index in that order.
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            models.Index(fields=["advisor", "status", "-created_at"]),
            models.Index(
                fields=["advisor", "-created_at", "-id"],
                name="quotation_advisor_recent",
            ),
            models.Index(
                fields=["status", "-created_at", "-id"],
                name="quotation_status_recent",
            ),
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["-created_at", "-id"]),
            # Pattern operators let PostgreSQL serve `code LIKE 'COT-2026-0%'` as
            # well as equality; other databases ignore the opclass.
            models.Index(
                fields=["code"],
                name="quotation_code_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return self.code or _("Borrador %(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        self.valid_until = self.date + timedelta(days=self.validity_days)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "valid_until",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("quotations:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def current_status(self) -> "Quotation.Status":
        """The status to show: vencida for an open quotation past its validity,
        even before `expire_quotations` has written it."""
        if self.is_open and self.valid_until < timezone.localdate():
            return self.Status.EXPIRED
        return self.Status(self.status)

    @property
    def pdf_file_name(self) -> str:
        return f"Cotización {self.code}.pdf"

    def check_transition(self, target: "Quotation.Status") -> None:
        """Raise ValidationError in Spanish unless the quotation may move to `target`."""
        if self.status in self.ALLOWED_SOURCES[target]:
            return
        raise ValidationError(
            _(
                "No se puede pasar la cotización %(quotation)s de «%(current)s» a "
                "«%(target)s»; solo se permite desde: %(allowed)s."
            ),
            code="invalid_transition",
            params={
                "quotation": str(self),
                "current": self.get_status_display(),
                "target": self.Status(target).label,
                "allowed": ", ".join(
                    str(self.Status(source).label)
                    for source in sorted(self.ALLOWED_SOURCES[target])
                ),
            },
        )

    def recompute_totals(self) -> None:
        """Set the totals to the sums of the rounded line figures (not saved)."""
        sums = self.lines.aggregate(
            net=models.Sum("net_amount"),
            tax=models.Sum("tax_amount"),
            total=models.Sum("total_amount"),
        )
        self.net_total = sums["net"] or Decimal("0")
        self.tax_total = sums["tax"] or Decimal("0")
        self.total = sums["total"] or Decimal("0")

    def needs_price_approval(self) -> bool:
        return self.lines.filter(unit_price__lt=models.F("tariff_price")).exists()

    def days_since_issue(self, today=None) -> int | None:
        if self.issued_at is None:
            return None
        today = today or timezone.localdate()
        return (today - timezone.localdate(self.issued_at)).days


class QuotationLine(models.Model):
    """One service offered in a quotation, with the tariff figures copied at the
    time it was added so later tariff versions never change it."""

    quotation = models.ForeignKey(
        Quotation,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("cotización"),
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    tariff_item = models.ForeignKey(
        "tariffs.TariffItem",
        on_delete=models.PROTECT,
        related_name="quotation_lines",
        null=True,
        blank=True,
        verbose_name=_("tarifa"),
    )
    code = models.CharField(_("código"), max_length=20)
    description = models.CharField(_("descripción"), max_length=250)
    unit = models.CharField(_("unidad"), max_length=20)
    quantity = models.DecimalField(_("cantidad"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(
        _("valor unitario"), max_digits=16, decimal_places=2
    )
    tariff_price = models.DecimalField(
        _("valor unitario de tarifa"),
        max_digits=16,
        decimal_places=2,
        help_text=_("Valor del tarifario vigente en la fecha de la cotización."),
    )
    tax_rate = models.DecimalField(_("tarifa de IVA"), max_digits=5, decimal_places=4)
    net_amount = models.DecimalField(_("subtotal"), max_digits=16, decimal_places=2)
    tax_amount = models.DecimalField(_("IVA"), max_digits=16, decimal_places=2)
    total_amount = models.DecimalField(_("total"), max_digits=16, decimal_places=2)
    price_reason = models.TextField(
        _("justificación del precio"),
        blank=True,
        help_text=_("Obligatoria cuando el valor unitario es menor que la tarifa."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ítem de cotización")
        verbose_name_plural = _("ítems de cotización")
        ordering = ["quotation", "position", "pk"]

    def __str__(self):
        return f"{self.code} · {self.description}"

    @property
    def is_below_tariff(self) -> bool:
        return self.unit_price < self.tariff_price

    @property
    def tax_percent(self) -> Decimal:
        return (self.tax_rate * 100).normalize()


class FollowUp(models.Model):
    """A contact with the customer about an issued quotation, and what comes next."""

    quotation = models.ForeignKey(
        Quotation,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("cotización"),
    )
    contacted_on = models.DateField(_("fecha"), default=timezone.localdate)
    channel = models.CharField(
        _("canal"), max_length=10, choices=Quotation.Channel, default="llamada"
    )
    note = models.TextField(_("resultado"))
    next_action = models.CharField(_("próxima acción"), max_length=200, blank=True)
    next_action_on = models.DateField(
        _("fecha de la próxima acción"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seguimiento")
        verbose_name_plural = _("seguimientos")
        ordering = ["-contacted_on", "-pk"]
        indexes = [models.Index(fields=["quotation", "-contacted_on", "-id"])]

    def __str__(self):
        return f"{self.quotation} · {self.contacted_on:%d/%m/%Y}"
