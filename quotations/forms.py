from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from customers.models import Customer
from quotations.models import FollowUp, Quotation
from tariffs.models import TariffItem

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuotationFilterForm(forms.Form):
    q = forms.CharField(label=_("Buscar"), required=False)
    status = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[("", _("Todos")), *Quotation.Status.choices],
    )
    advisor = forms.ModelChoiceField(
        label=_("Asesor"),
        required=False,
        queryset=User.objects.advisors(),
        empty_label=_("Todos"),
    )


class QuotationCreateForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Cliente"), queryset=Customer.objects)
    advisor = forms.ModelChoiceField(
        label=_("Asesor comercial"), queryset=User.objects.advisors(), required=False
    )
    validity_days = forms.IntegerField(
        label=_("Vigencia (días)"), min_value=1, max_value=365
    )
    conditions = forms.CharField(label=_("Condiciones"), widget=forms.Textarea)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        if not user.is_manager:
            del self.fields["advisor"]


class QuotationUpdateForm(forms.ModelForm):
    class Meta:
        model = Quotation
        fields = ["validity_days", "conditions"]


class LineForm(forms.Form):
    tariff_item = forms.ModelChoiceField(
        label=_("Servicio del tarifario"), queryset=TariffItem.objects.none()
    )
    quantity = forms.DecimalField(
        label=_("Cantidad"), min_value=0.001, max_digits=12, decimal_places=3
    )
    unit_price = forms.DecimalField(
        label=_("Valor unitario"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("Vacío para usar el valor del tarifario."),
    )
    description = forms.CharField(
        label=_("Descripción"), required=False, max_length=250
    )
    price_reason = forms.CharField(
        label=_("Justificación si el precio es menor que la tarifa"), required=False
    )

    def __init__(self, *args, quotation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tariff_item"].queryset = TariffItem.objects.in_force(
            on=quotation.date
        ).order_by("code")


class PriceDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("aprobar", _("Aprobar")), ("rechazar", _("No aprobar"))]
    )
    note = forms.CharField(label=_("Nota"), required=False, widget=forms.Textarea)


class SendForm(forms.Form):
    to = forms.CharField(
        label=_("Para"), help_text=_("Uno o varios correos separados por comas.")
    )
    message = forms.CharField(
        label=_("Mensaje adicional"), required=False, widget=forms.Textarea
    )

    def clean_to(self):
        return [part.strip() for part in self.cleaned_data["to"].split(",")]


class AcceptForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Canal de aceptación"), choices=Quotation.Channel.choices
    )
    accepted_on = forms.DateField(
        label=_("Fecha de aceptación"), widget=DATE_INPUT, initial=timezone.localdate
    )
    evidence = forms.FileField(label=_("Soporte (archivo)"), required=False)
    email_text = forms.CharField(
        label=_("Texto del correo de aceptación"),
        required=False,
        widget=forms.Textarea,
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Motivo del rechazo"), widget=forms.Textarea)
    competitor = forms.CharField(
        label=_("Competidor que ganó (si se conoce)"), required=False, max_length=200
    )


class AnnulForm(forms.Form):
    reason = forms.CharField(label=_("Motivo de la anulación"), widget=forms.Textarea)


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["contacted_on", "channel", "note", "next_action", "next_action_on"]
        widgets = {
            "contacted_on": DATE_INPUT,
            "next_action_on": DATE_INPUT,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
