from django import forms
from django.utils.translation import gettext_lazy as _

from telemarketing.models import ContactLog


class ContactLogForm(forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = [
            "channel",
            "direction",
            "outcome",
            "notes",
            "next_action",
            "next_action_on",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "next_action_on": forms.DateInput(attrs={"type": "date"}),
        }


class ReauthorizeForm(forms.Form):
    evidence = forms.CharField(
        label=_("Soporte de la nueva autorización"),
        max_length=300,
        help_text=_(
            "Cómo autorizó el cliente de nuevo: llamada grabada, correo, formato."
        ),
    )
