from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from onboarding.models import DocumentKind, Onboarding, PaymentTerms

PENDING_FILTER = "pendientes"


class OnboardingFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Buscar cliente"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Nombre o identificación")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[
            ("", _("Todos")),
            (PENDING_FILTER, _("Pendientes de aprobación")),
            *Onboarding.Status.choices,
        ],
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        query = self.cleaned_data["q"].strip()
        if query:
            matches = Customer.objects.search(query).values("pk")
            queryset = queryset.filter(customer__in=matches)
        status = self.cleaned_data["status"]
        if status == PENDING_FILTER:
            queryset = queryset.pending_approval()
        elif status:
            queryset = queryset.filter(status=status)
        return queryset


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Documento"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("Archivo"),
        help_text=_("PDF, JPEG o PNG."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
    )
    issued_on = forms.DateField(
        label=_("Fecha de expedición"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Obligatoria para el certificado de Cámara de Comercio."),
    )
    document_id_number = forms.CharField(
        label=_("Número del documento (NIT del RUT o número de la cédula)"),
        required=False,
        max_length=30,
        help_text=_(
            "RUT: el NIT con el DV separado, obligatorio (900.123.456-8). Cédula: "
            "de 3 a 10 dígitos, sin letras."
        ),
    )
    notes = forms.CharField(label=_("Observaciones"), required=False, max_length=250)


class DecisionForm(forms.Form):
    APPROVE = "aprobar"
    RETURN = "devolver"

    decision = forms.ChoiceField(
        label=_("Decisión"),
        choices=[
            (APPROVE, _("Aprobar el cliente")),
            (RETURN, _("Devolver con observaciones")),
        ],
        widget=forms.RadioSelect,
    )
    payment_terms = forms.ChoiceField(
        label=_("Condición de pago"),
        choices=PaymentTerms.choices,
        initial=PaymentTerms.PREPAID,
        help_text=_("Solo al aprobar."),
    )
    note = forms.CharField(
        label=_("Observaciones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatorias al devolver."),
    )
