from django import forms
from django.utils.translation import gettext_lazy as _


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("Número de factura"), max_length=40)
    invoice_date = forms.DateField(
        label=_("Fecha de factura"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo de la reapertura"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Qué hay que corregir (cantidades, soportes). Queda en el historial de la orden."
        ),
    )
