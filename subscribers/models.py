from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role
from core.text import fold
from customers.identification import (
    IdType,
    format_identification,
    parse_identification,
)
from zones.models import Zone


def account_search_text(
    account_code: str,
    billing_account: str,
    id_number: str,
    check_digit: str,
    name: str,
    address: str,
    barrio: str,
) -> str:
    """Return the text that registry search matches: account codes, IDs with and
    without DV, name, address and barrio, folded."""
    parts = [
        account_code,
        billing_account,
        id_number,
        id_number + check_digit if check_digit else "",
        name,
        address,
        barrio,
    ]
    return fold(" ".join(part for part in parts if part))


class Competitor(models.Model):
    """Another provider of the public cleaning service that competes for our
    subscribers and sends us their termination requests."""

    name = models.CharField(_("nombre"), max_length=150, unique=True)
    nit = models.CharField(_("NIT"), max_length=15)
    # Computed from the NIT by clean() when left blank.
    check_digit = models.CharField(_("DV"), max_length=1, blank=True)
    email = models.EmailField(_("correo de contacto"), blank=True)
    is_active = models.BooleanField(_("activo"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competidor")
        verbose_name_plural = _("competidores")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def nit_display(self) -> str:
        return format_identification(IdType.NIT, self.nit, self.check_digit)

    def clean(self):
        """Normalise the NIT and check its DV (DIAN algorithm)."""
        try:
            identification = parse_identification(
                self.nit, self.check_digit, IdType.NIT
            )
        except ValidationError as error:
            field = "check_digit" if error.code in ("wrong_dv", "invalid_dv") else "nit"
            raise ValidationError({field: error.messages}) from error
        self.nit = identification.number
        self.check_digit = identification.check_digit


class SubscriberAccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Accounts `user` may see. Managers, billing and operations see all of
        them. An advisor sees the accounts in the zones they work, so accounts
        with no zone are hidden from advisors. Other roles see none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_manager or user.has_role(Role.BILLING, Role.OPERATIONS):
            return self
        if user.is_advisor:
            # The zone keys go in as a list. With a join to the zone advisors the
            # planner misjudges how many accounts match, and a broad search on
            # a million accounts read them all (bench/run.py registry_search).
            zones = Zone.objects.filter(advisors=user).values_list("pk", flat=True)
            return self.filter(zone_id__in=list(zones))
        return self.none()

    def search(self, query: str):
        """Filter by account code, ID in any format, name, address or barrio,
        ignoring case and accents. Every word of the query must appear.

        An account code or ID typed with dashes, dots or spaces ("449-000663",
        "900.123.456-7") also matches as its run of digits. A query made only of
        words shorter than three characters ("cl 10") must appear as written,
        because the trigram index cannot serve such short words one by one.
        """
        folded = fold(query)
        words = folded.split()
        if len(folded) >= 3 and all(len(word) < 3 for word in words):
            words = [folded]
        queryset = self
        digits = "".join(char for char in query if char.isdigit())
        if (
            len(digits) >= 6
            and len(words) > 1
            and not any(char.isalpha() for char in query)
        ):
            # Digits split by spaces ("449 000 663") are one number.
            words = [digits]
        for word in words:
            word_digits = "".join(char for char in word if char.isdigit())
            condition = Q(search_text__contains=word)
            if len(word_digits) >= 3 and word_digits != word:
                condition |= Q(search_text__contains=word_digits)
            queryset = queryset.filter(condition)
        return queryset


class SubscriberAccount(models.Model):
    """An account of the regulated public cleaning service in our subscriber
    registry (catastro): one property and the subscriber billed for it."""

    class UseClass(models.TextChoices):
        RESIDENTIAL = "residencial", _("Residencial")
        COMMERCIAL = "comercial", _("Comercial")
        INDUSTRIAL = "industrial", _("Industrial")
        OFFICIAL = "oficial", _("Oficial")
        SPECIAL = "especial", _("Especial")

    class ProducerType(models.TextChoices):
        SMALL = "pequeno", _("Pequeño productor")
        LARGE = "gran", _("Gran productor")

    class Status(models.TextChoices):
        ACTIVE = "activo", _("Activo")
        UNLINKED = "desvinculado", _("Desvinculado")
        SUSPENDED = "suspendido", _("Suspendido")

    # Text: account codes keep their leading zeros.
    account_code = models.CharField(_("código de cuenta"), max_length=20)
    cadastral_number = models.CharField(
        _("número predial"),
        max_length=30,
        blank=True,
        help_text=_(
            "Número predial nacional de 30 dígitos; varias cuentas pueden compartirlo."
        ),
    )
    # Blank when the registry has no document for the subscriber (SIN INFORMACION).
    id_type = models.CharField(
        _("tipo de identificación"), max_length=3, choices=IdType, blank=True
    )
    # Normalised as customers.identification does: digits only for NIT and CC.
    id_number = models.CharField(
        _("número de identificación"), max_length=20, blank=True
    )
    check_digit = models.CharField(_("DV"), max_length=1, blank=True)
    check_digit_mismatch = models.BooleanField(
        _("DV por revisar"),
        default=False,
        help_text=_(
            "El DV registrado no corresponde al NIT según el cálculo de la DIAN; "
            "se guardó como venía."
        ),
    )
    name = models.CharField(_("nombre del suscriptor"), max_length=200)
    address = models.CharField(_("dirección"), max_length=200, blank=True)
    barrio = models.CharField(_("barrio o vereda"), max_length=120, blank=True)
    # Indexed first in the (municipality, status) index declared in Meta.
    municipality = models.ForeignKey(
        "zones.Municipality",
        on_delete=models.PROTECT,
        related_name="subscriber_accounts",
        verbose_name=_("municipio"),
        db_index=False,
    )
    zone = models.ForeignKey(
        "zones.Zone",
        on_delete=models.SET_NULL,
        related_name="subscriber_accounts",
        null=True,
        blank=True,
        verbose_name=_("zona"),
        help_text=_("Zona comercial que cubre el barrio o el municipio de la cuenta."),
    )

    use_class = models.CharField(_("clase de uso"), max_length=12, choices=UseClass)
    estrato = models.PositiveSmallIntegerField(
        _("estrato"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    producer_type = models.CharField(
        _("tipo de productor"), max_length=8, choices=ProducerType, blank=True
    )
    is_multiuser = models.BooleanField(_("multiusuario"), default=False)
    unit_count = models.PositiveIntegerField(
        _("unidades"),
        default=1,
        help_text=_("Número de unidades que comparten la cuenta multiusuario."),
    )

    status = models.CharField(
        _("estado"), max_length=12, choices=Status, default=Status.ACTIVE
    )
    linked_on = models.DateField(_("fecha de vinculación"), null=True, blank=True)
    unlinking_scheduled_on = models.DateField(
        _("desvinculación programada"), null=True, blank=True
    )
    unlinked_on = models.DateField(_("fecha de desvinculación"), null=True, blank=True)
    billing_account = models.CharField(
        _("cuenta en la empresa de facturación"),
        max_length=30,
        blank=True,
        help_text=_("Código de la cuenta en la facturación conjunta, si es distinto."),
    )

    # Folded (lower-case, no accents) account code, IDs, name and address, for search.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    objects = SubscriberAccountQuerySet.as_manager()
    # History is read per account, never by municipality or zone, so those
    # columns of the history table stay unindexed: each index costs every
    # imported row an insertion.
    history = HistoricalRecords(
        excluded_fields=["search_text", "updated_at"],
        no_db_index=["municipality", "zone"],
    )

    class Meta:
        verbose_name = _("cuenta de suscriptor")
        verbose_name_plural = _("cuentas de suscriptores")
        ordering = ["account_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_code"], name="subscriber_unique_account_code"
            ),
            models.CheckConstraint(
                condition=Q(estrato__isnull=True) | Q(estrato__gte=1, estrato__lte=6),
                name="subscriber_estrato_1_to_6",
            ),
        ]
        indexes = [
            models.Index(fields=["id_number"], name="subscriber_id_number_idx"),
            models.Index(fields=["municipality", "status"]),
            # Competitors' termination lists may name the property instead of
            # the account (terminations.matching).
            models.Index(fields=["cadastral_number"], name="subscriber_cadastral_idx"),
            # search_text also has a trigram GIN index, created by migration 0002
            # on PostgreSQL only (SQLite has no trigram index).
        ]

    def __str__(self):
        return f"{self.account_code} · {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "search_text",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("subscribers:detail", args=[self.pk])

    @property
    def identification_display(self) -> str:
        if not self.id_number:
            return ""
        return format_identification(self.id_type, self.id_number, self.check_digit)

    def build_search_text(self) -> str:
        return account_search_text(
            self.account_code,
            self.billing_account,
            self.id_number,
            self.check_digit,
            self.name,
            self.address,
            self.barrio,
        )

    def clean(self):
        """Estrato only for residential accounts (1 to 6, required), producer type
        only for the other classes."""
        errors = {}
        residential = self.use_class == self.UseClass.RESIDENTIAL
        if residential and self.estrato is None:
            errors["estrato"] = _(
                "Las cuentas residenciales requieren estrato (1 a 6)."
            )
        elif residential and not 1 <= self.estrato <= 6:
            errors["estrato"] = _(
                "El estrato %(value)s no es válido: escriba un número de 1 a 6."
            ) % {"value": self.estrato}
        if not residential and self.estrato is not None:
            errors["estrato"] = _("Solo las cuentas residenciales llevan estrato.")
        if residential and self.producer_type:
            errors["producer_type"] = _(
                "Las cuentas residenciales no llevan tipo de productor."
            )
        if self.unit_count < 1:
            errors["unit_count"] = _("Una cuenta tiene al menos una unidad.")
        if not self.is_multiuser and self.unit_count > 1:
            errors["is_multiuser"] = _(
                "Una cuenta con varias unidades debe marcarse como multiusuario."
            )
        if errors:
            raise ValidationError(errors)
