"""Customer onboarding ("formato de vinculación o creación de cliente"): the legal
documents each kind of customer must hand in, their review, and billing's approval,
without which no service of the customer can be billed."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Customer


class DocumentKind(models.TextChoices):
    RUT = "rut", _("RUT")
    CHAMBER_OF_COMMERCE = "camara_comercio", _("Certificado de Cámara de Comercio")
    REPRESENTATIVE_ID = "cedula_representante", _("Cédula del representante legal")
    ID_CARD = "cedula", _("Cédula")
    OTHER = "otro", _("Otro documento")


class DocumentRequirement(models.Model):
    """A document that customers of one person kind must hand in. Administrators
    change the list; a migration loads the procedure's defaults."""

    person_kind = models.CharField(
        _("tipo de persona"), max_length=10, choices=Customer.PersonKind
    )
    kind = models.CharField(_("documento"), max_length=24, choices=DocumentKind)
    is_required = models.BooleanField(_("obligatorio"), default=True)
    needs_issue_date = models.BooleanField(
        _("pide fecha de expedición"),
        default=False,
        help_text=_("Por ejemplo, el certificado de Cámara de Comercio."),
    )
    max_age_days = models.PositiveSmallIntegerField(
        _("antigüedad máxima (días)"),
        null=True,
        blank=True,
        help_text=_(
            "Se advierte cuando el documento se expidió hace más días que estos. "
            "Vacío: el certificado de Cámara de Comercio usa la antigüedad "
            "configurada en el servidor (30 días por defecto) y los demás "
            "documentos no tienen límite."
        ),
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("documento requerido")
        verbose_name_plural = _("documentos requeridos")
        ordering = ["person_kind", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_kind", "kind"], name="onboarding_requirement_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_person_kind_display()})"


class OnboardingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Onboardings of the customers `user` may see."""
        return self.filter(customer__in=Customer.objects.visible_to(user).values("pk"))

    def pending_approval(self):
        return self.filter(status=Onboarding.Status.IN_REVIEW)


class PaymentTerms(models.TextChoices):
    PREPAID = "anticipado", _("Pago anticipado")
    CREDIT = "credito", _("Facturación periódica (crédito)")


class Onboarding(models.Model):
    """The onboarding a customer goes through when a quotation is accepted: data
    review, documents, and billing's approval."""

    class Status(models.TextChoices):
        OPEN = "abierta", _("Abierta: faltan datos o documentos")
        IN_REVIEW = "en_revision", _("En revisión por facturación")
        APPROVED = "aprobada", _("Aprobada por facturación")
        RETURNED = "devuelta", _("Devuelta con observaciones")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="onboardings",
        verbose_name=_("cliente"),
    )
    quotation = models.OneToOneField(
        "quotations.Quotation",
        on_delete=models.PROTECT,
        related_name="onboarding",
        null=True,
        blank=True,
        verbose_name=_("cotización aceptada"),
    )
    status = models.CharField(
        _("estado"), max_length=12, choices=Status, default=Status.OPEN
    )
    is_new_customer = models.BooleanField(
        _("cliente nuevo"),
        default=True,
        help_text=_(
            "Falso cuando se revisaron y actualizaron los datos de un cliente existente."
        ),
    )
    payment_terms = models.CharField(
        _("condición de pago"),
        max_length=10,
        choices=PaymentTerms,
        default=PaymentTerms.PREPAID,
        help_text=_(
            "Facturación decide si el cliente paga por anticipado o se le factura "
            "periódicamente a crédito."
        ),
    )
    data_reviewed_at = models.DateTimeField(_("datos revisados"), null=True, blank=True)
    data_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("datos revisados por"),
    )
    submitted_at = models.DateTimeField(
        _("enviada a facturación"), null=True, blank=True
    )
    decided_at = models.DateTimeField(
        _("decisión de facturación"), null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decidida por"),
    )
    decision_note = models.TextField(_("observaciones de facturación"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("abierta por"),
    )
    opened_at = models.DateTimeField(_("abierta"), auto_now_add=True)

    objects = OnboardingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vinculación de cliente")
        verbose_name_plural = _("vinculaciones de clientes")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["status", "-opened_at"])]

    def __str__(self):
        return _("Vinculación de %(customer)s") % {"customer": self.customer}

    def get_absolute_url(self):
        return reverse("onboarding:detail", args=[self.pk])

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


def document_path(instance: "CustomerDocument", filename: str) -> str:
    # The client's file name never reaches the disk: a random name with the
    # extension of the checked content type (set by the upload service).
    extension = Path(filename).suffix.lower()
    return f"clientes/{instance.customer_id}/documentos/{uuid.uuid4().hex}{extension}"


class CustomerDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(customer__in=Customer.objects.visible_to(user).values("pk"))

    def current(self):
        """Documents not replaced by a later upload of the same kind."""
        return self.filter(is_current=True)


class CustomerDocument(models.Model):
    """A legal document of a customer (RUT, Cámara de Comercio, cédula), uploaded as
    PDF, JPEG or PNG. A new upload of the same kind replaces it; none is deleted."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("cliente"),
    )
    onboarding = models.ForeignKey(
        Onboarding,
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("vinculación"),
    )
    kind = models.CharField(_("documento"), max_length=24, choices=DocumentKind)
    file = models.FileField(_("archivo"), upload_to=document_path)
    content_type = models.CharField(_("tipo de contenido"), max_length=40)
    size = models.PositiveIntegerField(_("tamaño (bytes)"))
    sha256 = models.CharField(_("huella SHA-256"), max_length=64)
    issued_on = models.DateField(_("fecha de expedición"), null=True, blank=True)
    document_id_number = models.CharField(
        _("número de identificación del documento"),
        max_length=20,
        blank=True,
        help_text=_(
            "En el RUT, el NIT que figura en él; debe coincidir con el del cliente."
        ),
    )
    notes = models.CharField(_("observaciones"), max_length=250, blank=True)
    is_current = models.BooleanField(_("vigente"), default=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reemplazado por"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("subido por"),
    )
    uploaded_at = models.DateTimeField(_("subido"), auto_now_add=True)

    objects = CustomerDocumentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("documento del cliente")
        verbose_name_plural = _("documentos del cliente")
        ordering = ["customer", "kind", "-uploaded_at", "-pk"]
        constraints = [
            # At most one current document of each kind per customer.
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(is_current=True) & ~Q(kind="otro"),
                name="onboarding_one_current_document",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.customer}"
