from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from django.db.models.functions import Concat, Replace
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role
from core.text import fold_street_words
from customers.identification import (
    IdType,
    format_identification,
    parse_identification,
)
from zones.models import Zone

# Knuth's multiplicative hash of the primary key, modulo 2**32: a fixed order
# of the accounts that looks random. A broad search walks its index in this
# order, so its matches come up evenly even when they cluster by account code,
# municipality or import order (subscribers.pages).
# NOTE: the product overflows bigint for primary keys above 3,474,701,533.
SEARCH_ORDER_MULTIPLIER = 2_654_435_761
SEARCH_ORDER_MODULUS = 2**32


def search_order_key() -> ExpressionWrapper:
    """Return the position of an account in search order, from 0 to 2**32 - 1.
    Each account has its own, because the hash maps keys below 2**32 one to
    one."""
    return ExpressionWrapper(
        F("id") * SEARCH_ORDER_MULTIPLIER % SEARCH_ORDER_MODULUS,
        output_field=models.BigIntegerField(),
    )


def search_text_without_spaces() -> Replace:
    """Return the search text with its spaces removed, which the trigram index
    of migration 0005 covers. Its trigrams run across words, so "mz e cs 3" is
    found by "mze", "zec", "ecs"... instead of trigrams such as "  c" (a word
    that starts with c), which nearly every account has."""
    return Replace(
        F("search_text"), Value(" "), Value(""), output_field=models.TextField()
    )


def padded_search_text() -> Concat:
    """Return the search text with a space added at both ends, in which " cl "
    finds the street word «cl» also at the start or end of the text."""
    return Concat(
        Value(" "), F("search_text"), Value(" "), output_field=models.TextField()
    )


def company_nit_number() -> str:
    """Return our company's NIT (COMPANY_NIT) normalised as Competitor.nit is,
    or "" when the setting is not a valid NIT."""
    try:
        return parse_identification(settings.COMPANY_NIT, "", IdType.NIT).number
    except ValidationError:
        return ""


def account_search_text(name: str, address: str, barrio: str) -> str:
    """Return the folded text that registry search finds words in: name, address
    and barrio, with street words spelled one way (normalise_street_words, which
    subscribers.search applies to the query too). Account codes and IDs stay
    out of it because search matches them on their own b-tree indexes, which
    keeps the trigram index small."""
    # Empty parts leave only extra spaces, which folding removes.
    return fold_street_words(f"{name} {address} {barrio}")


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
        constraints = [
            # clean() stores the NIT normalised (digits only, without DV), so
            # 901.318.645-5 and 901318645 collide here. The form requires a
            # NIT; rows written without one are left out.
            models.UniqueConstraint(
                fields=["nit"],
                condition=~Q(nit=""),
                name="competitor_unique_nit",
                violation_error_message=_("Ya hay un competidor con este NIT."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def nit_display(self) -> str:
        return format_identification(IdType.NIT, self.nit, self.check_digit)

    def clean(self):
        """Normalise the NIT and check its DV (DIAN algorithm). Reject our own
        company's NIT (COMPANY_NIT) and a NIT another competitor has."""
        try:
            identification = parse_identification(
                self.nit, self.check_digit, IdType.NIT
            )
        except ValidationError as error:
            field = "check_digit" if error.code in ("wrong_dv", "invalid_dv") else "nit"
            raise ValidationError({field: error.messages}) from error
        self.nit = identification.number
        self.check_digit = identification.check_digit

        if self.nit == company_nit_number():
            raise ValidationError(
                {
                    "nit": _(
                        "El NIT %(nit)s es el de nuestra empresa (%(company)s). "
                        "Escriba el NIT del competidor."
                    )
                    % {"nit": self.nit_display, "company": settings.COMPANY_NAME}
                },
                code="own_nit",
            )
        same_nit = Competitor.objects.filter(nit=self.nit).exclude(pk=self.pk)
        holder = same_nit.only("name").first()
        if holder is not None:
            raise ValidationError(
                {
                    "nit": _(
                        "El NIT %(nit)s ya es del competidor «%(name)s». Revise el "
                        "número o use ese competidor."
                    )
                    % {"nit": self.nit_display, "name": holder.name}
                },
                code="duplicate_nit",
            )


class SubscriberAccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Accounts `user` may see. Managers, billing and operations see all of
        them. An advisor sees the accounts in the zones they work, so accounts
        with no zone are hidden from advisors. Other roles see none."""
        return self.in_zones(visible_zone_ids(user))

    def in_zones(self, zones: list[int] | None):
        """Accounts in `zones` as `visible_zone_ids` returns them: every
        account for None, none for an empty list."""
        if zones is None:
            return self
        if not zones:
            return self.none()
        # The zone keys go in as a list. With a join to the zone advisors the
        # planner misjudges how many accounts match, and a broad search on
        # a million accounts read them all (bench/run.py registry_search).
        return self.filter(zone_id__in=zones)

    def search(self, query: str):
        """Filter by the terms of `query` (see `subscribers.search.parse_query`):
        account code, billing account or ID from their first digits, and name,
        address or barrio ignoring case and accents. Every term must match. A
        query shorter than three characters has no terms and filters nothing."""
        from subscribers.search import match_condition, parse_query

        return self.filter(match_condition(parse_query(query)))


def visible_zone_ids(user) -> list[int] | None:
    """Return the keys of the zones whose accounts `user` may see, or None when
    they may see every account, with or without a zone."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_manager or user.has_role(Role.BILLING, Role.OPERATIONS):
        return None
    if user.is_advisor:
        return list(Zone.objects.filter(advisors=user).values_list("pk", flat=True))
    return []


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

    # Folded (lower-case, no accents) name, address and barrio, for search.
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
            # The pattern operator class lets PostgreSQL serve the prefix
            # searches (LIKE '449000%') of the code, billing account and ID
            # whatever the collation. It serves equality lookups too.
            models.Index(
                fields=["account_code"],
                name="subscriber_code_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["id_number"],
                name="subscriber_id_number_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["billing_account"],
                name="subscriber_billing_prefix_idx",
                opclasses=["varchar_pattern_ops"],
                condition=~Q(billing_account=""),
            ),
            models.Index(fields=["municipality", "status"]),
            # Competitors' termination lists may name the property instead of
            # the account (terminations.matching, equality), and the registry
            # search matches the start of the number (LIKE '7314801%').
            models.Index(
                fields=["cadastral_number"],
                name="subscriber_predial_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # A broad search reads this index zone by zone in search order and
            # tests each entry without visiting the table (an index-only scan,
            # once VACUUM has marked the pages all-visible).
            models.Index(
                F("zone"),
                search_order_key(),
                name="subscriber_search_walk_idx",
                include=[
                    "id",
                    "account_code",
                    "billing_account",
                    "id_number",
                    "check_digit",
                    "search_text",
                ],
            ),
            # search_text without its spaces also has a trigram GIN index,
            # created by migration 0005 on PostgreSQL only (SQLite has no
            # trigram index).
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
        return account_search_text(self.name, self.address, self.barrio)

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
