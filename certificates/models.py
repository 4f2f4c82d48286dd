"""Certificates of collection and transport of special waste ("Generar
certificados"): drafted by the advisor for billed services, signed only by the sales
director (which gives the consecutive code), and verifiable by anyone holding the
PDF through an unguessable public token."""

import secrets
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Customer

# The series of core.numbering that certificate codes come from.
NUMBER_KIND = "certificate"


def public_token_new() -> str:
    """Return a random URL-safe token of 128 bits, so codes cannot be guessed or
    enumerated."""
    return secrets.token_urlsafe(16)


def signature_path(instance, filename: str) -> str:
    # Never the client's file name: a random one with the real image extension.
    extension = Path(filename).suffix.lower()
    return f"certificados/firmas/{secrets.token_hex(16)}{extension}"


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(customer__in=Customer.objects.visible_to(user).values("pk"))


class Certificate(models.Model):
    """A certificate of collection and transport of special waste for one
    customer's billed services over a period."""

    class Status(models.TextChoices):
        DRAFT = "borrador", _("Borrador")
        SIGNED = "firmado", _("Firmado")
        REVOKED = "revocado", _("Revocado")

    class RequestChannel(models.TextChoices):
        EMAIL = "correo", _("Correo electrónico")
        LETTER = "oficio", _("Oficio radicado")
        PQR = "pqr", _("Solicitud por el canal de PQR")

    code = models.CharField(_("código"), max_length=40, blank=True, editable=False)
    public_token = models.CharField(
        _("código de verificación"),
        max_length=32,
        unique=True,
        default=public_token_new,
        editable=False,
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status, default=Status.DRAFT
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("cliente"),
    )
    request_channel = models.CharField(
        _("canal de la solicitud"), max_length=10, choices=RequestChannel
    )
    request_reference = models.CharField(
        _("radicado o referencia de la solicitud"), max_length=80, blank=True
    )
    requested_on = models.DateField(_("fecha de la solicitud"))
    period_start = models.DateField(_("periodo desde"))
    period_end = models.DateField(_("periodo hasta"))
    waste_type = models.CharField(_("tipo de residuo"), max_length=200)
    destination_site = models.CharField(_("sitio de disposición"), max_length=200)
    destination_authorization = models.CharField(
        _("autorización ambiental del sitio"),
        max_length=200,
        help_text=_("Resolución o licencia de la autoridad ambiental."),
    )
    weigh_tickets = models.TextField(
        _("tiquetes de báscula"),
        blank=True,
        help_text=_("Números de los tiquetes de báscula, separados por comas."),
    )
    notes = models.TextField(_("observaciones"), blank=True)

    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("elaborado por"),
    )
    drafted_at = models.DateTimeField(_("elaborado"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("firmado por"),
    )
    signed_at = models.DateTimeField(_("firmado"), null=True, blank=True)
    signer_name = models.CharField(
        _("nombre de quien firma"), max_length=150, blank=True
    )
    signer_title = models.CharField(
        _("cargo de quien firma"), max_length=100, blank=True
    )
    signature_image = models.ImageField(
        _("imagen de la firma"), upload_to=signature_path, blank=True
    )
    pdf_file = models.FileField(
        _("PDF firmado"), upload_to="certificados/", blank=True, editable=False
    )
    pdf_sha256 = models.CharField(
        _("huella SHA-256 del PDF"), max_length=64, blank=True
    )
    revoked_at = models.DateTimeField(_("revocado"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("revocado por"),
    )
    revocation_reason = models.TextField(_("motivo de la revocación"), blank=True)

    objects = CertificateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificado")
        verbose_name_plural = _("certificados")
        ordering = ["-drafted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="certificate_unique_code"
            ),
        ]

    def __str__(self):
        return self.code or _("Borrador %(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        return reverse("certificates:detail", args=[self.pk])

    def get_public_url(self):
        return reverse("certificates:verify", args=[self.public_token])


class CertificateLine(models.Model):
    """A billed service the certificate covers, with the figures copied when the
    certificate was drafted."""

    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("certificado"),
    )
    order = models.ForeignKey(
        "service_orders.ServiceOrder",
        on_delete=models.PROTECT,
        related_name="certificate_lines",
        verbose_name=_("orden de servicio"),
    )
    executed_on = models.DateField(_("fecha del servicio"))
    description = models.CharField(_("servicio"), max_length=250)
    quantity = models.DecimalField(_("cantidad"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unidad"), max_length=20)
    invoice_number = models.CharField(_("factura"), max_length=40)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("servicio certificado")
        verbose_name_plural = _("servicios certificados")
        ordering = ["certificate", "executed_on", "pk"]

    def __str__(self):
        return f"{self.order} · {self.description}"


class DirectorSignature(models.Model):
    """The signature image and title the sales director stamps on certificates."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signature",
        verbose_name=_("usuario"),
    )
    image = models.ImageField(_("imagen de la firma"), upload_to=signature_path)
    title = models.CharField(_("cargo"), max_length=100, default="Director de ventas")
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("firma del director")
        verbose_name_plural = _("firmas del director")

    def __str__(self):
        return str(self.user)
