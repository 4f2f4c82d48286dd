from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import MunicipalityChoiceField
from subscribers.models import SubscriberAccount
from zones.models import Municipality

ESTRATO_CHOICES = [("", _("Todos")), *[(str(n), str(n)) for n in range(1, 7)]]


class AccountFilterForm(forms.Form):
    """The search box and filters above the registry list (all optional, GET)."""

    q = forms.CharField(
        label=_("Buscar"),
        required=False,
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
        return self.is_valid() and any(self.cleaned_data.values())

    def filter(self, queryset):
        """Apply the valid filters to `queryset` (invalid values are ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            queryset = queryset.search(data["q"])
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
