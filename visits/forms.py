from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from visits.models import Visit


class WhenForm(forms.Form):
    date = forms.DateField(
        label=_("Fecha"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=_("Hora de inicio"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duración (minutos)"), min_value=15, max_value=600, initial=60
    )
    address = forms.CharField(
        label=_("Dirección"),
        max_length=200,
        required=False,
        help_text=_("Vacía: la dirección del cliente."),
    )
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor de operaciones que acompaña"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = User.objects.with_role(Role.OPERATIONS)

    def starts_at(self) -> datetime:
        """Return the start as an aware datetime in Bogotá time."""
        return datetime.combine(
            self.cleaned_data["date"],
            self.cleaned_data["start_time"],
            tzinfo=timezone.get_current_timezone(),
        )


class VisitForm(WhenForm):
    customer = forms.ModelChoiceField(label=_("Cliente"), queryset=None)
    advisor = forms.ModelChoiceField(label=_("Asesor comercial"), queryset=None)
    purpose = forms.CharField(
        label=_("Objetivo de la visita"), widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "customer",
        "date",
        "start_time",
        "duration_minutes",
        "address",
        "advisor",
        "supervisor",
        "purpose",
    ]

    def __init__(self, *args, customers, advisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["advisor"].queryset = advisors


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motivo de la cancelación"), max_length=300)


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Resultado"), choices=Visit.Outcome.choices)
    notes = forms.CharField(
        label=_("Notas"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuoteRequestForm(forms.Form):
    service = forms.CharField(
        label=_("Servicio que necesita el cliente"), max_length=250
    )
    description = forms.CharField(
        label=_("Descripción"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
