"""Forms of the customer screens: filters, the customer itself, contacts and consents.

Identification and phones are normalised here with customers.identification and
customers.phones, so views and services only ever see stored-form values.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from customers.identification import parse_identification
from customers.models import Contact, Customer, DataConsent
from customers.phones import format_phone, normalise_phone
from zones.models import Municipality, Zone

NO_ADVISOR = "ninguno"

# Fields an advisor may change on a customer of their own portfolio: how to reach it.
ADVISOR_EDITABLE_FIELDS = [
    "name",
    "trade_name",
    "address",
    "barrio",
    "municipality",
    "phone",
    "mobile",
    "email",
    "notes",
]
IDENTIFICATION_FIELDS = ["id_type", "id_number", "check_digit", "person_kind"]


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.department_name}) · {obj.dane_code}"


class AdvisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class CustomerFilterForm(forms.Form):
    """The search box and filters above the customer list (all optional, GET)."""

    q = forms.CharField(
        label=_("Buscar"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("NIT o cédula, nombre, teléfono o dirección"),
                "autocomplete": "off",
            }
        ),
    )
    zona = forms.ModelChoiceField(
        label=_("Zona"), queryset=Zone.objects.all(), required=False
    )
    asesor = forms.ChoiceField(label=_("Asesor"), required=False)
    tipo = forms.ChoiceField(
        label=_("Tipo"),
        required=False,
        choices=[("", _("Todos")), *Customer.CustomerType.choices],
    )
    municipio = MunicipalityChoiceField(
        label=_("Municipio"), queryset=Municipality.objects.none(), required=False
    )
    catastro = forms.ChoiceField(
        label=_("Catastro"),
        required=False,
        choices=[("", _("Todos")), ("si", _("En catastro")), ("no", _("Sin catastro"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zona"].empty_label = _("Todas")
        self.fields["municipio"].empty_label = _("Todos")
        self.fields["municipio"].queryset = Municipality.objects.filter(
            dane_code__in=Customer.objects.values("municipality")
        )
        if user.reads_all_customers:
            advisors = User.objects.advisors().only("first_name", "last_name")
            self.fields["asesor"].choices = [
                ("", _("Todos")),
                (NO_ADVISOR, _("Sin asesor")),
                *[(str(a.pk), a.get_full_name() or a.username) for a in advisors],
            ]
        else:
            # An advisor's list contains only their own customers.
            del self.fields["asesor"]

    def filter(self, queryset):
        """Apply the valid filters to `queryset` (invalid values are ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("zona"):
            queryset = queryset.filter(zone=data["zona"])
        advisor = data.get("asesor")
        if advisor == NO_ADVISOR:
            queryset = queryset.filter(advisor__isnull=True)
        elif advisor:
            queryset = queryset.filter(advisor_id=advisor)
        if data.get("tipo"):
            queryset = queryset.filter(customer_type=data["tipo"])
        if data.get("municipio"):
            queryset = queryset.filter(municipality=data["municipio"])
        if data.get("catastro"):
            queryset = queryset.filter(in_catastro=data["catastro"] == "si")
        return queryset

    @property
    def searches(self) -> bool:
        """Whether filter() applies a search query."""
        return self.is_valid() and bool(self.cleaned_data.get("q"))

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class CustomerForm(forms.ModelForm):
    """Create or edit a customer. Which fields appear depends on the user's role."""

    id_number = forms.CharField(
        label=_("Número de identificación"),
        max_length=30,
        help_text=_("Con o sin puntos y guion: 900.123.456-8, 900123456-8."),
    )
    check_digit = forms.CharField(
        label=_("DV"),
        max_length=2,
        required=False,
        help_text=_("Solo para NIT. Si lo deja vacío se calcula."),
    )
    phone = forms.CharField(label=_("Teléfono fijo"), max_length=30, required=False)
    mobile = forms.CharField(label=_("Celular"), max_length=30, required=False)
    municipality = MunicipalityChoiceField(
        label=_("Municipio"),
        queryset=Municipality.objects.all(),
        required=False,
        help_text=_("Código DANE (DIVIPOLA)."),
    )
    advisor = AdvisorChoiceField(
        label=_("Asesor comercial"), queryset=User.objects.none(), required=False
    )

    class Meta:
        model = Customer
        fields = [
            "id_type",
            "id_number",
            "check_digit",
            "person_kind",
            "name",
            "trade_name",
            "customer_type",
            "address",
            "barrio",
            "municipality",
            "phone",
            "mobile",
            "email",
            "in_catastro",
            "zone",
            "advisor",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        creating = self.instance.pk is None
        if not user.is_manager:
            allowed = set(ADVISOR_EDITABLE_FIELDS)
            if creating:
                allowed |= {*IDENTIFICATION_FIELDS, "customer_type"}
            for name in list(self.fields):
                if name not in allowed:
                    del self.fields[name]
        if "advisor" in self.fields:
            advisors = User.objects.advisors()
            if self.instance.advisor_id:
                advisors = User.objects.filter(pk=self.instance.advisor_id) | advisors
            self.fields["advisor"].queryset = advisors.distinct()
        if not creating:
            self.initial["id_number"] = self.instance.id_number
            self.initial["phone"] = self.instance.phone_display
            self.initial["mobile"] = self.instance.mobile_display

    def clean(self):
        cleaned = super().clean()
        if "id_number" in self.fields and cleaned.get("id_number"):
            self._clean_identification(cleaned)
        prefix = ""
        if cleaned.get("municipality"):
            prefix = cleaned["municipality"].landline_prefix
        for name in ("phone", "mobile"):
            if cleaned.get(name):
                try:
                    cleaned[name] = normalise_phone(cleaned[name], prefix)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def _clean_identification(self, cleaned):
        if not cleaned.get("id_type"):
            # The field's own "required" error is already on the form.
            return
        try:
            identification = parse_identification(
                cleaned["id_number"], cleaned.get("check_digit", ""), cleaned["id_type"]
            )
        except ValidationError as error:
            self.add_error("id_number", error)
            return
        cleaned["id_type"] = identification.id_type
        cleaned["id_number"] = identification.number
        cleaned["check_digit"] = identification.check_digit

        existing = (
            Customer.objects.filter(id_number=identification.number)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if existing is not None:
            self.add_error("id_number", duplicate_message(existing, self.user))


def duplicate_message(existing: Customer, user) -> str:
    """Return the error for an identification that already belongs to `existing`,
    with a link to it when `user` may open it."""
    if Customer.objects.visible_to(user).filter(pk=existing.pk).exists():
        return format_html(
            '{} <a href="{}">{} · {}</a>.',
            _("Ya existe un cliente con esta identificación:"),
            reverse("customers:detail", args=[existing.pk]),
            existing.identification_display,
            existing.name,
        )
    return _(
        "Ya existe un cliente con esta identificación en la cartera de otro asesor. "
        "Pida a la dirección de ventas que se lo asigne."
    )


class ContactForm(forms.ModelForm):
    """A contact person of a customer; phones are stored in E.164."""

    phone = forms.CharField(label=_("Teléfono"), max_length=30, required=False)
    mobile = forms.CharField(label=_("Celular"), max_length=30, required=False)

    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "mobile", "email", "is_primary"]

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        if self.instance.pk:
            self.initial["phone"] = format_phone(self.instance.phone)
            self.initial["mobile"] = format_phone(self.instance.mobile)

    def clean(self):
        cleaned = super().clean()
        prefix = ""
        if self.customer.municipality_id:
            prefix = self.customer.municipality.landline_prefix
        for name in ("phone", "mobile"):
            if cleaned.get(name):
                try:
                    cleaned[name] = normalise_phone(cleaned[name], prefix)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class ConsentForm(forms.ModelForm):
    """A data-processing authorisation (Ley 1581 de 2012) for one channel."""

    class Meta:
        model = DataConsent
        fields = ["channel", "method", "granted_on", "purposes", "policy_version"]
        widgets = {
            "granted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "purposes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_granted_on(self):
        granted_on = self.cleaned_data["granted_on"]
        if granted_on > timezone.localdate():
            raise ValidationError(
                _("La fecha de autorización %(date)s es futura: use la fecha real."),
                params={"date": granted_on.strftime("%d/%m/%Y")},
            )
        return granted_on


class ConsentRevokeForm(forms.Form):
    """The date and reason of a revocation."""

    revoked_on = forms.DateField(
        label=_("Fecha de revocatoria"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    revocation_note = forms.CharField(label=_("Motivo"), max_length=200, required=False)

    def __init__(self, *args, consent: DataConsent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent

    def clean_revoked_on(self):
        revoked_on = self.cleaned_data["revoked_on"]
        if revoked_on < self.consent.granted_on:
            raise ValidationError(
                _(
                    "La revocatoria (%(revoked)s) no puede ser anterior a la "
                    "autorización (%(granted)s)."
                ),
                params={
                    "revoked": revoked_on.strftime("%d/%m/%Y"),
                    "granted": self.consent.granted_on.strftime("%d/%m/%Y"),
                },
            )
        if revoked_on > timezone.localdate():
            raise ValidationError(_("La fecha de revocatoria no puede ser futura."))
        return revoked_on
