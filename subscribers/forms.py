from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import MunicipalityChoiceField
from subscribers.models import SubscriberAccount
from subscribers.search import MIN_QUERY_LENGTH, Term, parse_query
from zones.models import Municipality

ESTRATO_CHOICES = [("", _("Todos")), *[(str(n), str(n)) for n in range(1, 7)]]


class AccountFilterForm(forms.Form):
    """The search box and filters above the registry list (all optional, GET)."""

    q = forms.CharField(
        label=_("Buscar"),
        required=False,
        min_length=MIN_QUERY_LENGTH,
        error_messages={
            "min_length": _(
                "Escriba al menos %(limit_value)d letras o números para buscar."
            )
        },
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Cuenta, documento, nombre o dirección"),
                "autocomplete": "off",
            }
        ),
    )
    municipio = MunicipalityChoiceField(
        label=_("Municipio"), queryset=Municipality.objects.none(), required=False
    )
    uso = forms.ChoiceField(
        label=_("Clase de uso"),
        required=False,
        choices=[("", _("Todas")), *SubscriberAccount.UseClass.choices],
    )
    estrato = forms.ChoiceField(
        label=_("Estrato"), required=False, choices=ESTRATO_CHOICES
    )
    estado = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[("", _("Todos")), *SubscriberAccount.Status.choices],
    )
    productor = forms.ChoiceField(
        label=_("Tipo de productor"),
        required=False,
        choices=[("", _("Todos")), *SubscriberAccount.ProducerType.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipio"].empty_label = _("Todos")
        # The few municipalities the company serves, not the whole DIVIPOLA list.
        self.fields["municipio"].queryset = Municipality.objects.filter(
            dane_code__in=SubscriberAccount.objects.values("municipality").distinct()
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.search_terms) or self.has_filters

    @property
    def has_filters(self) -> bool:
        """True when a filter other than the search box is set."""
        data = self.valid_data
        return any(value for name, value in data.items() if name != "q")

    @property
    def search_terms(self) -> list[Term]:
        return parse_query(self.valid_data.get("q") or "")

    @property
    def valid_data(self) -> dict:
        """The values that passed validation: an invalid value is ignored
        without dropping the others."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def filter(self, queryset):
        """Apply the valid filters other than the search to `queryset`."""
        data = self.valid_data
        if data.get("municipio"):
            queryset = queryset.filter(municipality=data["municipio"])
        if data.get("uso"):
            queryset = queryset.filter(use_class=data["uso"])
        if data.get("estrato"):
            queryset = queryset.filter(estrato=int(data["estrato"]))
        if data.get("estado"):
            queryset = queryset.filter(status=data["estado"])
        if data.get("productor"):
            queryset = queryset.filter(producer_type=data["productor"])
        return queryset
