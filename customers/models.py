import re

from django.conf import settings
from django.db import connection, models
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import SortKeyField
from core.text import sort_key
from customers.identification import IdType, format_identification
from customers.phones import format_phone
from customers.search import (
    MAX_QUERY_WORDS,
    build_search_text,
    query_words,
    word_condition,
)


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the customers `user` may see. Managers, billing and operations see
        all of them, an advisor only their own portfolio, and other users none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.reads_all_customers:
            return self
        if user.is_advisor:
            return self.filter(advisor=user)
        return self.none()

    def exportable_by(self, user):
        """Return the customers `user` may download in the customer export: those
        of visible_to(user), but only for the roles that manage customers (the
        director, the coordinator and administrators, and advisors for their own
        portfolio). Billing, operations and logistics read customers one by one
        and export none."""
        if not (user.is_authenticated and (user.is_manager or user.is_advisor)):
            return self.none()
        return self.visible_to(user)

    def search(self, query: str):
        """Filter by ID in any format, name, trade name, address, barrio, e-mail or
        phone, ignoring case and accents.

        A query made only of digits and separators (`900.123.456-8`, `310 555 1234`)
        matches the start of the ID (with or without its DV) or of a phone number,
        through b-tree indexes, or the words of an address ("14-02"). Otherwise
        every word must start a word of the search text (customers/search.py),
        and a word of three or more digits (`45.830.047`) may match an ID or
        phone instead. Words past MAX_QUERY_WORDS are ignored.
        """
        digits = _key_digits(query)
        if digits is not None:
            # Also as words, for an address number such as "14-02".
            return self.filter(_key_condition(digits) | _words_condition(query))
        queryset = self
        for typed in query.split()[:MAX_QUERY_WORDS]:
            condition = _words_condition(typed)
            typed_digits = _key_digits(typed)
            if typed_digits is not None:
                condition |= _key_condition(typed_digits)
            queryset = queryset.filter(condition)
        return queryset

    def in_name_order(self, *, matches: int | None = None):
        """Order by name in Spanish alphabetical order (sort_name), then key.
        For the result of search(), pass its number
        of `matches`: up to SORTED_SEARCH_MATCHES, the rows are then sorted by an
        expression no index provides. Otherwise PostgreSQL may walk the name
        index and test each customer against the words until a page is full.
        That reads most of the table when the matches sit together in name
        order, as "hotel" does in «Hotel ...» names (125 ms against 16 ms on
        100,000 customers). With more matches, sorting costs more than the
        walk, which then soon fills a page."""
        if matches is not None and matches <= SORTED_SEARCH_MATCHES:
            return self.order_by(Concat("sort_name", Value("")), "pk")
        return self.order_by("sort_name", "pk")


# Sorting a search's matches takes about 3 µs each on PostgreSQL: 36 ms for the
# 11,600 matches of "cl 1" among 100,000 customers imported from the benchmark's
# generated file.
SORTED_SEARCH_MATCHES = 10_000


# Digits and the separators people type inside IDs and phone numbers.
_KEY_QUERY = re.compile(r"[\d\s.,\-/()+]+")
_MIN_KEY_DIGITS = 3


def _key_digits(text: str) -> str | None:
    """Return the digits of `text` when it is an ID or phone number as typed,
    with at least three digits, else None."""
    if not _KEY_QUERY.fullmatch(text):
        return None
    digits = "".join(char for char in text if char.isdigit())
    return digits if len(digits) >= _MIN_KEY_DIGITS else None


def _words_condition(text: str) -> Q:
    """Return a condition matching the customers with a word starting with each
    word of `text`. It is an empty Q, which matches every customer, when `text`
    has no words ("#")."""
    condition = Q()
    for word in query_words(text)[:MAX_QUERY_WORDS]:
        condition &= word_condition(word, connection.vendor)
    return condition


def _key_condition(digits: str) -> Q:
    """Match IDs and phones that start with `digits`. IDs are stored without
    leading zeros or DV, and phones in E.164 (`+573105551234`)."""
    number = digits.lstrip("0") or "0"
    condition = Q(id_number__startswith=number)
    if len(number) > _MIN_KEY_DIGITS:
        # The last digit may be the DV: 900123456-8 or 9001234568.
        condition |= Q(id_number=number[:-1], check_digit=number[-1])
    national = digits
    if len(digits) == 12 and digits.startswith("57"):
        national = digits[2:]
    phone = "+57" + national
    # A customer's further numbers sit on its contacts (the import puts a second
    # mobile or landline there).
    contacts = Contact.objects.filter(
        Q(phone__startswith=phone) | Q(mobile__startswith=phone)
    ).values("customer_id")
    return (
        condition
        | Q(phone__startswith=phone)
        | Q(mobile__startswith=phone)
        | _key_in(contacts)
    )


class _EqualsAny(Func):
    """`expression = ANY(array)`, a condition PostgreSQL can check on an index."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def _key_in(customer_ids) -> Q:
    """Return a condition matching the customers whose key is among
    `customer_ids` (a values query).

    On PostgreSQL, `id IN (subquery)` inside an OR becomes a filter checked on
    every row (150 ms on 100,000 customers), while `id = ANY(ARRAY(subquery))`
    runs the subquery once and adds an index scan to the others."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        return Q(_EqualsAny(F("pk"), ArraySubquery(customer_ids)))
    return Q(pk__in=customer_ids)


class Customer(models.Model):
    """A customer of the special (non-regulated) services: a person or a company."""

    class PersonKind(models.TextChoices):
        NATURAL = "natural", _("Persona natural")
        LEGAL = "juridica", _("Persona jurídica")

    class CustomerType(models.TextChoices):
        NEW = "nuevo", _("Nuevo")
        EXISTING = "antiguo", _("Antiguo")

    id_type = models.CharField(
        _("tipo de identificación"), max_length=3, choices=IdType
    )
    # Normalised: digits only for NIT and CC, upper-case letters and digits otherwise.
    id_number = models.CharField(_("número de identificación"), max_length=20)
    check_digit = models.CharField(_("DV"), max_length=1, blank=True)
    person_kind = models.CharField(
        _("tipo de persona"), max_length=8, choices=PersonKind, default=PersonKind.LEGAL
    )
    name = models.CharField(_("razón social o nombre"), max_length=200)
    trade_name = models.CharField(_("nombre comercial"), max_length=200, blank=True)
    customer_type = models.CharField(
        _("tipo de cliente"),
        max_length=8,
        choices=CustomerType,
        default=CustomerType.NEW,
    )

    address = models.CharField(_("dirección"), max_length=200, blank=True)
    barrio = models.CharField(_("barrio o vereda"), max_length=120, blank=True)
    municipality = models.ForeignKey(
        "zones.Municipality",
        on_delete=models.PROTECT,
        related_name="customers",
        null=True,
        blank=True,
        # Indexed in Meta.indexes without the LIKE-pattern twin PostgreSQL
        # would add for a text key; codes are matched whole.
        db_index=False,
        verbose_name=_("municipio"),
    )
    phone = models.CharField(_("teléfono fijo"), max_length=16, blank=True)
    mobile = models.CharField(_("celular"), max_length=16, blank=True)
    email = models.EmailField(_("correo electrónico"), blank=True)

    zone = models.ForeignKey(
        "zones.Zone",
        on_delete=models.PROTECT,
        related_name="customers",
        null=True,
        blank=True,
        # The (zone, customer_type) index serves lookups by zone.
        db_index=False,
        verbose_name=_("zona"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="customers",
        null=True,
        blank=True,
        # The (advisor, name) index serves lookups by advisor.
        db_index=False,
        verbose_name=_("asesor comercial"),
    )
    in_catastro = models.BooleanField(
        _("en el catastro de suscriptores"),
        default=False,
        help_text=_("El cliente es suscriptor del servicio público de aseo."),
    )
    last_service_date = models.DateField(
        _("fecha del último servicio"), null=True, blank=True
    )
    last_service_amount = models.DecimalField(
        _("valor del último servicio"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
    )
    notes = models.TextField(_("observaciones"), blank=True)

    # The words of the names, address, barrio and e-mail, folded (lower case, no
    # accents), for word search. IDs and phones are matched on their own columns.
    search_text = models.TextField(editable=False, default="")
    # The name's key for Spanish alphabetical order (core.text.sort_key): lists
    # sort by it, so «Álvaro» comes among the A on every database.
    sort_name = SortKeyField()
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    objects = CustomerQuerySet.as_manager()
    # History is read per customer (by id), never by zone, advisor or municipality,
    # so those columns of the history table stay unindexed.
    history = HistoricalRecords(
        excluded_fields=["search_text", "sort_name", "updated_at"],
        no_db_index=["municipality", "zone", "advisor"],
    )

    class Meta:
        verbose_name = _("cliente")
        verbose_name_plural = _("clientes")
        ordering = ["sort_name", "pk"]
        constraints = [
            # The pattern operator class lets PostgreSQL serve the ID prefix
            # search (LIKE '900123%') from this index whatever the collation.
            models.UniqueConstraint(
                fields=["id_number"],
                name="customer_unique_id_number",
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        indexes = [
            models.Index(fields=["advisor", "sort_name"]),
            models.Index(fields=["zone", "customer_type"]),
            # The customer list pages through everyone in name order.
            models.Index(fields=["sort_name", "id"], name="customer_sort_name_id_idx"),
            models.Index(fields=["municipality"], name="customer_municipality_idx"),
            # Phone search matches E.164 prefixes (LIKE '+57310555%').
            models.Index(
                fields=["phone"],
                name="customer_phone_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["mobile"],
                name="customer_mobile_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "search_text",
                "sort_name",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.pk])

    @property
    def identification_display(self) -> str:
        return format_identification(self.id_type, self.id_number, self.check_digit)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def mobile_display(self) -> str:
        return format_phone(self.mobile)

    def fill_derived_fields(self) -> None:
        """Set the columns computed from the others, for search and order. save()
        does it; code that writes customers in bulk calls it itself."""
        self.search_text = self.build_search_text()
        self.sort_name = sort_key(self.name)

    def build_search_text(self) -> str:
        """Return the words that word search matches: names, address, barrio and
        e-mail. IDs and phones are left out because search matches them on
        their own indexed columns, which keeps the word index small."""
        return build_search_text(
            self.name, self.trade_name, self.address, self.barrio, self.email
        )


class Contact(models.Model):
    """A person to talk to at a customer: administrator, buyer, manager."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("cliente"),
    )
    name = models.CharField(_("nombre"), max_length=150)
    role = models.CharField(_("cargo"), max_length=100, blank=True)
    phone = models.CharField(_("teléfono"), max_length=16, blank=True)
    mobile = models.CharField(_("celular"), max_length=16, blank=True)
    email = models.EmailField(_("correo electrónico"), blank=True)
    is_primary = models.BooleanField(_("contacto principal"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contacto")
        verbose_name_plural = _("contactos")
        ordering = ["-is_primary", "name"]
        indexes = [
            # Customer search matches contacts' E.164 prefixes too.
            models.Index(
                fields=["phone"],
                name="contact_phone_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["mobile"],
                name="contact_mobile_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def mobile_display(self) -> str:
        return format_phone(self.mobile)


class DataConsent(models.Model):
    """Authorisation to process a customer's personal data on one channel (Ley 1581
    de 2012): consent must be prior, express and informed, and can be revoked."""

    class Channel(models.TextChoices):
        CALL = "llamada", _("Llamada")
        EMAIL = "correo", _("Correo electrónico")
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("Mensaje de texto")
        VISIT = "visita", _("Visita")

    class Method(models.TextChoices):
        FORM = "formulario", _("Formulario firmado")
        RECORDED_CALL = "llamada_grabada", _("Llamada grabada")
        EMAIL = "correo", _("Correo electrónico")
        WEB = "web", _("Formulario web")
        CONTRACT = "contrato", _("Cláusula del contrato")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("cliente"),
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel)
    purposes = models.TextField(
        _("finalidades"),
        default=_("Ofrecimiento comercial de servicios especiales de aseo."),
    )
    method = models.CharField(_("medio de obtención"), max_length=20, choices=Method)
    granted_on = models.DateField(_("fecha de autorización"))
    policy_version = models.CharField(
        _("versión de la política"), max_length=20, blank=True
    )
    revoked_on = models.DateField(_("fecha de revocatoria"), null=True, blank=True)
    revocation_note = models.CharField(
        _("motivo de revocatoria"), max_length=200, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("registrado por"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("autorización de datos")
        verbose_name_plural = _("autorizaciones de datos")
        ordering = ["channel", "-granted_on"]

    def __str__(self):
        return f"{self.customer} · {self.get_channel_display()}"

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None
